// NextToken: opaque, tamper-evident and bound to the query that produced it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { IpamError } from '../../domain/errors.ts';

const invalidToken = () => new IpamError('InvalidPaginationToken', 'The pagination token is invalid or has expired');

function signature(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** A fingerprint of everything that shapes the result list, so a token cannot be replayed on another query. */
export function queryFingerprint(parts: unknown[]): string {
  return createHmac('sha256', 'query').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeNextToken(secret: string, query: string, position: string): string {
  const payload = Buffer.from(JSON.stringify({ q: query, p: position })).toString('base64url');
  return `${payload}.${signature(secret, payload).toString('base64url')}`;
}

export function decodeNextToken(secret: string, query: string, token: string): string {
  const [payload, mac] = token.split('.');
  if (!payload || !mac) throw invalidToken();
  const expected = signature(secret, payload);
  const given = Buffer.from(mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidToken();
  // Signed by us, so it parses — unless the secret was ever shared with something else: still a 400.
  let decoded: { q?: unknown; p?: unknown } | null;
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { q?: unknown; p?: unknown } | null;
  } catch {
    throw invalidToken();
  }
  if (decoded?.q !== query || typeof decoded.p !== 'string') throw invalidToken();
  return decoded.p;
}

export interface ListRequest {
  MaxResults?: number;
  NextToken?: string;
}

/**
 * One page of an in-memory list sorted by `idOf`: used for IPAMs, scopes, pools and pool CIDRs,
 * whose counts are bounded by quotas.
 */
export function pageOf<T>(
  secret: string,
  query: string,
  items: T[],
  idOf: (item: T) => string,
  request: ListRequest,
  maxResultsDefault: number,
): { items: T[]; nextToken?: string } {
  const sorted = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0));
  const after = request.NextToken === undefined ? undefined : decodeNextToken(secret, query, request.NextToken);
  const remaining = after === undefined ? sorted : sorted.filter((item) => idOf(item) > after);
  const limit = request.MaxResults ?? maxResultsDefault;
  const page = remaining.slice(0, limit);
  const more = remaining.length > limit;
  return { items: page, nextToken: more ? encodeNextToken(secret, query, idOf(page[page.length - 1]!)) : undefined };
}
