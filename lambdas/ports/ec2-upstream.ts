// Forwarding mode of the EC2 companions (issue 16): the upstream EC2 endpoint (moto's server,
// LocalStack, …) that this service stands in front of. Actions this service does not implement
// are passed to it as they came (re-signed); the VPC/subnet actions it intercepts call it with
// the explicit CIDR their IPAM allocation holds. Errors the upstream answers are UpstreamError
// (domain/errors.ts): code, message and status passed through to the caller.
/** Members by EC2's names, as the EC2 Query codec decodes and encodes them. */
type Members = Record<string, unknown>;

/** An EC2 Query request exactly as the client sent it (already authenticated here). */
export interface RawEc2Request {
  method: string;
  /** The path as sent (a stage prefix is kept: the upstream gets it too). */
  path: string;
  headers: Record<string, string | undefined>;
  body: Uint8Array;
  /** The Region of the caller's credential scope: the request is re-signed for it. */
  region: string;
}

/** The upstream's answer, unchanged. */
export interface RawEc2Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface Ec2Upstream {
  /**
   * Calls one EC2 action upstream in `region`, with an input in EC2's member names (as the EC2
   * Query codec decodes it), and returns its output the same way. Throws UpstreamError when the
   * upstream answers with an error; any other failure (no answer, a timeout) leaves it unknown
   * whether the action took effect.
   */
  call(region: string, action: string, input: Members): Promise<Members>;
  /** Sends a raw EC2 Query request upstream, re-signed with the upstream's credentials. */
  forward(request: RawEc2Request): Promise<RawEc2Answer>;
}
