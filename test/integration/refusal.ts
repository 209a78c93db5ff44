// Asserting that a use case refuses a request: the EC2 error code, and a message that names the
// values the caller got wrong.
import { expect } from 'vitest';
import { type ErrorCode, IpamError } from '../../lambdas/domain/errors.ts';

export async function refusal(promise: Promise<unknown>): Promise<IpamError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof IpamError) return error;
    throw error;
  }
  throw new Error('expected the request to be refused, but it succeeded');
}

export async function expectRefusal(promise: Promise<unknown>, code: ErrorCode, ...mentions: string[]): Promise<IpamError> {
  const error = await refusal(promise);
  expect(error.code, error.message).toBe(code);
  for (const mention of mentions) expect(error.message).toContain(mention);
  return error;
}
