// What the verifier must refuse, and with which EC2 error: each case alters one captured request.
import { describe, expect, it } from 'vitest';
import { verifySignature, type SignedRequest } from '../../../lambdas/adapters/http/sigv4.ts';
import { EXAMPLE_KEY, header, loadSample, rejectionOf, staticCredentialStore, withHeader } from './wire-samples.ts';

const store = staticCredentialStore(EXAMPLE_KEY);
const boto3 = loadSample('boto3-DescribeIpams.txt');
const jsSdk = loadSample('jssdk3-DescribeIpams.txt');
const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. ' +
  'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function verifyAtSigningTime(request: SignedRequest, now = jsSdk.signedAt) {
  return verifySignature(request, store, { now });
}

function withBody(request: SignedRequest, body: string): SignedRequest {
  return { ...request, body: new TextEncoder().encode(body) };
}

function withAuthorization(request: SignedRequest, edit: (value: string) => string): SignedRequest {
  return withHeader(request, 'authorization', edit(header(request, 'authorization')!));
}

async function expectError(request: SignedRequest, code: string, httpStatus: number, now?: Date) {
  const error = await rejectionOf(verifyAtSigningTime(request, now));
  expect({ code: error.code, httpStatus: error.httpStatus }).toEqual({ code, httpStatus });
  return error;
}

describe('SigV4 verification rejects altered requests', () => {
  it('rejects a JS SDK body changed under its untouched x-amz-content-sha256', async () => {
    const body = `${new TextDecoder().decode(jsSdk.request.body)}&DryRun=true`;
    const tampered = withHeader(withBody(jsSdk.request, body), 'content-length', String(body.length));
    await expectError(tampered, 'SignatureDoesNotMatch', 403);
    // Same length, so every signed header still matches: only the body hash check can catch it.
    const sameLength = withBody(jsSdk.request, new TextDecoder().decode(jsSdk.request.body).replace('Describe', 'Xescribe'));
    const error = await expectError(sameLength, 'SignatureDoesNotMatch', 403);
    expect(error.message).toContain('x-amz-content-sha256');
  });

  it('rejects a botocore body changed after signing', async () => {
    const body = `${new TextDecoder().decode(boto3.request.body)}&DryRun=true`;
    const error = await expectError(withBody(boto3.request, body), 'SignatureDoesNotMatch', 403, boto3.signedAt);
    expect(error.message).toBe(SIGNATURE_MISMATCH_MESSAGE);
  });

  it.each(['content-type', 'host', 'amz-sdk-request', 'x-amz-user-agent'])('rejects a changed signed header %s', async (name) => {
    await expectError(withHeader(jsSdk.request, name, 'changed'), 'SignatureDoesNotMatch', 403);
  });

  it('ignores changes to headers the client did not sign', async () => {
    const changed = withHeader(withHeader(boto3.request, 'user-agent', 'curl/8'), 'amz-sdk-request', 'attempt=9');
    await expect(verifyAtSigningTime(changed, boto3.signedAt)).resolves.toMatchObject({ accessKeyId: 'AKIDEXAMPLE' });
  });

  it('accepts header names in any letter case', async () => {
    const upperCased = Object.fromEntries(Object.entries(jsSdk.request.headers).map(([name, value]) => [name.toUpperCase(), value]));
    await expect(verifyAtSigningTime({ ...jsSdk.request, headers: upperCased })).resolves.toBeDefined();
  });

  it('rejects a request whose stage path lost or gained its trailing slash', async () => {
    const { request, signedAt } = loadSample('boto3-DescribeIpams-stagepath.txt');
    await expectError({ ...request, path: '/prod/' }, 'SignatureDoesNotMatch', 403, signedAt);
  });

  it('rejects a signature made with another secret', async () => {
    const wrongSecret = staticCredentialStore({ ...EXAMPLE_KEY, secretAccessKey: 'x'.repeat(40) });
    const error = await rejectionOf(verifySignature(boto3.request, wrongSecret, { now: boto3.signedAt }));
    expect([error.code, error.httpStatus, error.message]).toEqual(['SignatureDoesNotMatch', 403, SIGNATURE_MISMATCH_MESSAGE]);
  });

  it('answers an unknown access key with AuthFailure', async () => {
    const error = await rejectionOf(verifySignature(boto3.request, staticCredentialStore(), { now: boto3.signedAt }));
    expect([error.code, error.httpStatus, error.message]).toEqual([
      'AuthFailure',
      401,
      'AWS was not able to validate the provided access credentials',
    ]);
  });

  it.each([
    ['16 minutes late', 16 * 60_000],
    ['16 minutes early', -16 * 60_000],
  ])('answers a request signed %s with RequestExpired', async (_, offsetMs) => {
    const now = new Date(boto3.signedAt.getTime() + offsetMs);
    const error = await expectError(boto3.request, 'RequestExpired', 400, now);
    expect(error.message).toBe('Request has expired.');
  });

  it('accepts a clock skew of up to 15 minutes, and a custom limit', async () => {
    const skewed = new Date(boto3.signedAt.getTime() + 15 * 60_000);
    await expect(verifyAtSigningTime(boto3.request, skewed)).resolves.toBeDefined();
    const error = await rejectionOf(verifySignature(boto3.request, store, { now: skewed, maxSkewMs: 60_000 }));
    expect(error.code).toBe('RequestExpired');
  });

  it.each([
    ['service s3', '/us-east-1/ec2/', '/us-east-1/s3/'],
    ['an unknown region', '/us-east-1/', '/us-fake-1/'],
    ['an upper-case region', '/us-east-1/', '/US-EAST-1/'],
    ['a scope date other than X-Amz-Date', '/20261123/', '/20261122/'],
  ])('answers a credential scope with %s with AuthFailure', async (_, from, to) => {
    await expectError(
      withAuthorization(boto3.request, (value) => value.replace(from, to)),
      'AuthFailure',
      401,
      boto3.signedAt,
    );
  });

  it('answers a missing Authorization header with MissingAuthenticationToken', async () => {
    await expectError(withHeader(boto3.request, 'authorization', undefined), 'MissingAuthenticationToken', 403);
  });

  it.each([
    ['garbage', () => 'garbage'],
    ['another algorithm', (value: string) => value.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1')],
    ['no Signature', (value: string) => value.replace(/, Signature=.*/, '')],
    ['no SignedHeaders', (value: string) => value.replace(/SignedHeaders=[^,]*, /, '')],
    ['a short Credential', (value: string) => value.replace('/ec2/aws4_request', '/ec2')],
    ['a non-hex Signature', (value: string) => value.replace(/Signature=.*/, `Signature=${'z'.repeat(64)}`)],
    ['a truncated Signature', (value: string) => value.slice(0, -2)],
    ['host not signed', (value: string) => value.replace('content-type;host;', 'content-type;')],
  ])('answers an Authorization header with %s with IncompleteSignature', async (_, edit) => {
    await expectError(withAuthorization(boto3.request, edit), 'IncompleteSignature', 400, boto3.signedAt);
  });

  it.each([
    ['missing', undefined],
    ['not in ISO 8601 basic form', '2026-11-23T08:00:00Z'],
    ['an impossible date', '20261323T081550Z'],
  ])('answers an X-Amz-Date that is %s with IncompleteSignature', async (_, value) => {
    await expectError(withHeader(boto3.request, 'x-amz-date', value), 'IncompleteSignature', 400, boto3.signedAt);
  });
});
