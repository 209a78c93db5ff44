// The upstream EC2 endpoint of forwarding mode (ports/ec2-upstream.ts): one typed action through
// @aws-sdk/client-ec2 with the endpoint set to the upstream, or a raw EC2 Query request re-signed
// with @smithy/signature-v4 (the signer the SDK uses) and sent as it came.
import * as ec2 from '@aws-sdk/client-ec2';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Ec2UpstreamConfig } from '../../config.ts';
import { IpamError, UpstreamError } from '../../domain/errors.ts';
import type { Ec2Upstream, RawEc2Answer, RawEc2Request } from '../../ports/ec2-upstream.ts';

/** Longest wait for the upstream's answer: a forwarded create left unanswered is resolved by the recovery. */
const UPSTREAM_TIMEOUT_MS = 60_000;

/** What the client sent that describes the body; everything else (its signature, host, length) is the upstream request's own. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'user-agent'];
/** Hop-by-hop, or no longer true once fetch has decoded the body. */
const DROPPED_ANSWER_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding']);

type Members = Record<string, unknown>;
type CommandClass = new (input: Members) => Parameters<ec2.EC2Client['send']>[0];

export class HttpEc2Upstream implements Ec2Upstream {
  readonly #config: Ec2UpstreamConfig;
  readonly #clients = new Map<string, ec2.EC2Client>();

  constructor(config: Ec2UpstreamConfig) {
    this.#config = config;
  }

  async call(region: string, action: string, input: Members): Promise<Members> {
    const Command = (ec2 as unknown as Record<string, CommandClass | undefined>)[`${action}Command`];
    if (typeof Command !== 'function') throw new Error(`@aws-sdk/client-ec2 has no command for the EC2 action ${action}`);
    try {
      const { $metadata: _metadata, ...output } = (await this.#client(region).send(new Command(input))) as unknown as Members;
      return output;
    } catch (error) {
      throw upstreamRefusal(error) ?? this.#noAnswer(error);
    }
  }

  async forward(request: RawEc2Request): Promise<RawEc2Answer> {
    const target = new URL(this.#config.url);
    const path = `${target.pathname.replace(/\/$/, '')}${request.path}`;
    const headers: Record<string, string> = { host: target.host };
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined && FORWARDED_REQUEST_HEADERS.includes(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    const signed = await this.#signer(request.region).sign({
      method: request.method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port === '' ? undefined : Number(target.port),
      path,
      headers,
      body: request.body,
    });
    const { host: _host, ...sent } = signed.headers as Record<string, string>;
    const answer = await fetch(new URL(path, target), {
      method: request.method,
      headers: sent,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : Buffer.from(request.body),
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    }).catch((error: unknown) => {
      throw this.#noAnswer(error);
    });
    const answerHeaders: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!DROPPED_ANSWER_HEADERS.has(name)) answerHeaders[name] = value;
    });
    return { statusCode: answer.status, headers: answerHeaders, body: await answer.text() };
  }

  /** The upstream did not answer (refused the connection, timed out): 503, which clients retry. */
  #noAnswer(error: unknown): IpamError {
    const reason = error instanceof Error ? error.message : String(error);
    return new IpamError('Unavailable', `The upstream EC2 endpoint ${this.#config.url} did not answer: ${reason}`);
  }

  /** Ends the idle connections of every client (the local host's stop). */
  destroy(): void {
    for (const client of this.#clients.values()) client.destroy();
    this.#clients.clear();
  }

  #client(region: string): ec2.EC2Client {
    let client = this.#clients.get(region);
    if (!client) {
      client = new ec2.EC2Client({
        region,
        endpoint: this.#config.url,
        credentials: { accessKeyId: this.#config.accessKeyId, secretAccessKey: this.#config.secretAccessKey },
        // A retried CreateVpc could make two VPCs upstream (EC2 gives it no ClientToken): one
        // attempt, and the caller's own client retries the whole request.
        maxAttempts: 1,
        requestHandler: { requestTimeout: UPSTREAM_TIMEOUT_MS },
      });
      this.#clients.set(region, client);
    }
    return client;
  }

  #signer(region: string): SignatureV4 {
    return new SignatureV4({
      service: 'ec2',
      region,
      credentials: { accessKeyId: this.#config.accessKeyId, secretAccessKey: this.#config.secretAccessKey },
      sha256: Hash.bind(null, 'sha256'),
      uriEscapePath: true,
      applyChecksum: false,
    });
  }
}

/** The upstream's own error answer (it answered, with an HTTP error status), as an UpstreamError; undefined for anything else. */
function upstreamRefusal(error: unknown): UpstreamError | undefined {
  const failure = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = failure?.$metadata?.httpStatusCode;
  if (typeof status !== 'number' || status < 400) return undefined;
  return new UpstreamError(failure?.name ?? 'InternalError', failure?.message ?? '', status);
}
