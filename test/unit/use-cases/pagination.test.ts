// NextToken: anything we did not issue for this very query is InvalidPaginationToken (400), never a 500.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeNextToken, encodeNextToken } from '../../../lambdas/use-cases/kernel/pagination.ts';

const SECRET = 'test-secret';

/** A token with a valid signature over any payload, as a leaked or shared secret would allow. */
function signed(payload: string): string {
  const encoded = Buffer.from(payload).toString('base64url');
  return `${encoded}.${createHmac('sha256', SECRET).update(encoded).digest('base64url')}`;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('decodeNextToken', () => {
  it('gives back the position of a token it issued for the same query', () => {
    expect(decodeNextToken(SECRET, 'q1', encodeNextToken(SECRET, 'q1', 'ipam-pool-1'))).toBe('ipam-pool-1');
  });

  it.each([
    ['another query', encodeNextToken(SECRET, 'q2', 'ipam-pool-1')],
    ['another secret', encodeNextToken('other', 'q1', 'ipam-pool-1')],
    ['a signed payload that is not JSON', signed('not json')],
    ['a signed null', signed('null')],
    ['a signed position that is not a string', signed('{"q":"q1","p":7}')],
    ['garbage', 'x'.repeat(100_000)],
    ['an empty string', ''],
  ])('refuses %s with InvalidPaginationToken', (_case, token) => {
    expect(codeOf(() => decodeNextToken(SECRET, 'q1', token))).toBe('InvalidPaginationToken');
  });
});
