// SigV4 verification of every request (EC2 Query, RAM, STS, Organizations) (protocol notes, section 10). We recompute the
// signature with @smithy/signature-v4 — the signer the JS SDK itself uses — rather than
// hand-writing the canonical request, and work around its signing-side defaults.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';
import { IpamError } from '../../domain/errors.ts';
import { isAwsRegion } from '../../domain/regions.ts';
import type { CredentialStore } from '../../ports/credentials.ts';
import type { SigningService } from './protocol.ts';

export interface SignedRequest {
  method: string;
  /** The URL path exactly as the client sent it (still percent-encoded, stage prefix and
   *  trailing slash kept), without a query string: EC2 Query clients send none. */
  path: string;
  /** The query string as sent, without the `?` (REST protocols carry parameters in it); empty or absent when none. */
  query?: string;
  /** Header names in any letter case. */
  headers: Record<string, string | undefined>;
  body: Uint8Array;
}

interface VerifiedCaller {
  accountId: string;
  /** The credential scope's service: which AWS API the client meant to call. */
  service: SigningService;
  accessKeyId: string;
  /** The region of the credential scope: with --endpoint-url it is sent nowhere else. */
  region: string;
}

interface VerifyOptions {
  now?: Date;
  maxSkewMs?: number;
  /** The signing names answered at this endpoint (default: ec2 only). */
  services?: readonly SigningService[];
}
const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

// AWS's wording, verbatim: clients and scripts match on it.
const AUTH_FAILURE_MESSAGE = 'AWS was not able to validate the provided access credentials';
const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

interface ParsedAuthorization {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

export async function verifySignature(
  request: SignedRequest,
  credentials: CredentialStore,
  options: VerifyOptions = {},
): Promise<VerifiedCaller> {
  const headers = lowerCaseHeaderNames(request.headers);
  const authorization = parseAuthorization(headers.authorization);
  const amzDate = (headers['x-amz-date'] ?? '').trim();
  const signingDate = parseAmzDate(amzDate);

  const services: readonly string[] = options.services ?? ['ec2'];
  if (!services.includes(authorization.service)) {
    throw new IpamError('AuthFailure', `Credential should be scoped to correct service: one of '${services.join("', '")}'.`);
  }
  if (authorization.scopeDate !== amzDate.slice(0, 8)) {
    throw new IpamError(
      'AuthFailure',
      `Date in Credential scope does not match YYYYMMDD from X-Amz-Date: '${authorization.scopeDate}' != '${amzDate.slice(0, 8)}'.`,
    );
  }
  // Exact names only (the one region table the service shares): a scope like `US-WEST-2` is
  // signed as sent, but the region reaches ARNs and responses, so it must be canonical.
  if (!isAwsRegion(authorization.region)) {
    throw new IpamError('AuthFailure', `Credential should be scoped to a valid region, not '${authorization.region}'.`);
  }

  const key = await credentials.lookup(authorization.accessKeyId);
  if (!key) throw new IpamError('AuthFailure', AUTH_FAILURE_MESSAGE);

  const now = options.now ?? new Date();
  if (Math.abs(now.getTime() - signingDate.getTime()) > (options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) {
    throw new IpamError('RequestExpired', 'Request has expired.');
  }

  const expected = await computeSignature(request, headers, authorization, key.secretAccessKey, signingDate);
  // Both are 64 validated hex digits, so the buffers have the same length.
  if (!timingSafeEqual(Buffer.from(expected, 'hex'), Buffer.from(authorization.signature, 'hex'))) {
    throw new IpamError('SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE);
  }

  // The signer uses x-amz-content-sha256 as the payload hash without hashing the body, so a
  // captured JS SDK request would otherwise verify with any body substituted.
  const claimedBodyHash = headers['x-amz-content-sha256'];
  if (claimedBodyHash !== undefined && claimedBodyHash.trim() !== sha256Hex(request.body)) {
    throw new IpamError('SignatureDoesNotMatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }

  // Identical signatures on retries are legitimate (botocore does not re-sign within a
  // second), so there is deliberately no replay cache.
  return {
    accountId: key.accountId,
    accessKeyId: key.accessKeyId,
    region: authorization.region,
    service: authorization.service as SigningService,
  };
}

async function computeSignature(
  request: SignedRequest,
  headers: Record<string, string>,
  authorization: ParsedAuthorization,
  secretAccessKey: string,
  signingDate: Date,
): Promise<string> {
  // Only the headers the client signed: any other header would enter the canonical request.
  // X-Amz-Security-Token is just one more signed header here; session tokens are not
  // validated (we issue none), they only have to be signed like any header.
  const signedHeaderValues: Record<string, string> = Object.create(null);
  for (const name of authorization.signedHeaders) {
    const value = headers[name];
    if (value !== undefined) signedHeaderValues[name] = value;
  }
  const signer = new SignatureV4({
    service: authorization.service,
    region: authorization.region,
    credentials: { accessKeyId: authorization.accessKeyId, secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    // The default adds and signs x-amz-content-sha256, which botocore never sends.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'https:',
      hostname: 'localhost', // unused: the canonical request takes the Host header
      path: request.path,
      query: parseQuery(request.query),
      headers: signedHeaderValues,
      body: request.body,
    },
    {
      signingDate,
      signingRegion: authorization.region,
      signingService: authorization.service,
      // Otherwise the signer silently drops headers it deems unsignable (user-agent, …).
      signableHeaders: new Set(authorization.signedHeaders),
    },
  );
  const match = /Signature=([0-9a-f]{64})$/.exec(String(signed.headers.authorization));
  if (!match) throw new Error('The SigV4 signer produced no signature');
  return match[1];
}

function parseAuthorization(header: string | undefined): ParsedAuthorization {
  if (header === undefined || header.trim() === '') {
    throw new IpamError('MissingAuthenticationToken', 'Request is missing Authentication Token');
  }
  const [algorithm, ...rest] = header.trim().split(/\s+/);
  if (algorithm !== 'AWS4-HMAC-SHA256') {
    throw new IpamError('IncompleteSignature', `Unsupported authorization algorithm '${algorithm}': only AWS4-HMAC-SHA256 is accepted.`);
  }
  const parameters = new Map<string, string>();
  for (const part of rest.join('').split(',')) {
    const separator = part.indexOf('=');
    if (separator > 0) parameters.set(part.slice(0, separator), part.slice(separator + 1));
  }
  for (const name of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parameters.get(name)) {
      throw new IpamError('IncompleteSignature', `Authorization header requires '${name}' parameter.`);
    }
  }

  const credential = parameters.get('Credential')!.split('/');
  const [accessKeyId, scopeDate, region, service, terminator] = credential;
  if (credential.length !== 5 || !accessKeyId || !/^\d{8}$/.test(scopeDate) || !region || !service || terminator !== 'aws4_request') {
    throw new IpamError('IncompleteSignature', 'Credential must have the form <access key id>/<yyyymmdd>/<region>/<service>/aws4_request.');
  }
  const signedHeaders = parameters.get('SignedHeaders')!.toLowerCase().split(';');
  if (!signedHeaders.every((name) => /^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(name))) {
    throw new IpamError('IncompleteSignature', 'SignedHeaders must be header names separated by semicolons.');
  }
  // A signature that does not cover where and when it was sent could be replayed elsewhere.
  for (const required of ['host', 'x-amz-date']) {
    if (!signedHeaders.includes(required)) {
      throw new IpamError('IncompleteSignature', `'${required}' must be a 'SignedHeader' in the AWS Authorization.`);
    }
  }
  const signature = parameters.get('Signature')!.toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    throw new IpamError('IncompleteSignature', 'Signature must be 64 hexadecimal digits.');
  }
  return { accessKeyId, scopeDate, region, service, signedHeaders, signature };
}

function parseAmzDate(value: string): Date {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  const date = match ? new Date(Date.UTC(+match[1], +match[2] - 1, +match[3], +match[4], +match[5], +match[6])) : undefined;
  // The round trip rejects impossible dates such as month 13, which Date.UTC would roll over.
  if (!date || date.toISOString().replace(/[-:]|\.\d{3}/g, '') !== value) {
    throw new IpamError('IncompleteSignature', "Request must carry an 'X-Amz-Date' header of the form yyyyMMddTHHmmssZ.");
  }
  return date;
}

/** The query string as the signer takes it: decoded names and values, repeated names as lists (it re-encodes and sorts them). */
function parseQuery(query: string | undefined): Record<string, string | string[]> {
  const parsed: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(query ?? '')) {
    const previous = parsed[name];
    parsed[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return parsed;
}

/** The service a request's credential scope names, read before anything is verified: it only picks the protocol that answers (errors included). */
export function scopedService(headers: Record<string, string | undefined>): string | undefined {
  const authorization = lowerCaseHeaderNames(headers).authorization ?? '';
  return /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\/aws4_request/.exec(authorization)?.[1];
}

function lowerCaseHeaderNames(headers: Record<string, string | undefined>): Record<string, string> {
  // No prototype: a header named `__proto__` or `constructor` must stay an ordinary entry.
  const lowered: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) lowered[name.toLowerCase()] = value;
  }
  return lowered;
}

function sha256Hex(body: Uint8Array): string {
  return createHash('sha256').update(body).digest('hex');
}
