// Every request captured from AWS CLI v1, boto3 and the JS SDK verifies as sent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { verifySignature } from '../../../lambdas/adapters/http/sigv4.ts';
import { EXAMPLE_KEY, SAMPLES_DIR, loadSample, sampleFiles, staticCredentialStore } from './wire-samples.ts';

interface IndexEntry {
  file: string;
  path: string;
  credentialScope: string;
}

const index: { requests: IndexEntry[] } = JSON.parse(readFileSync(`${SAMPLES_DIR}index.json`, 'utf8'));
const store = staticCredentialStore(EXAMPLE_KEY);

describe('SigV4 verification of captured client requests', () => {
  it('finds all 63 samples', () => {
    expect(sampleFiles()).toHaveLength(63);
    expect(index.requests.map((entry) => entry.file).sort()).toEqual(sampleFiles());
  });

  it.each(index.requests)('accepts $file', async ({ file, path, credentialScope }) => {
    const { request, signedAt } = loadSample(file);
    expect(request.path).toBe(path);

    const caller = await verifySignature(request, store, { now: signedAt });

    expect(caller).toEqual({
      accountId: EXAMPLE_KEY.accountId,
      accessKeyId: 'AKIDEXAMPLE',
      region: credentialScope.split('/')[1],
      service: 'ec2',
    });
  });

  it.each([
    ['boto3-DescribeIpams-stagepath.txt', '/prod'],
    ['awscli1-DescribeIpams-stagepath.txt', '/prod'],
    ['boto3-DescribeIpams-stagepath-slash.txt', '/prod/'],
    ['jssdk3-DescribeIpams-stagepath.txt', '/prod/'],
  ])('accepts %s posted to the stage path %s', async (file, path) => {
    const { request, signedAt } = loadSample(file);
    expect(request.path).toBe(path);
    await expect(verifySignature(request, store, { now: signedAt })).resolves.toMatchObject({ region: 'us-east-1' });
  });

  it('accepts a signed session token and takes the region from the scope', async () => {
    const { request, signedAt } = loadSample('boto3-DescribeIpams-sessiontoken.txt');
    expect(request.headers['X-Amz-Security-Token']).toBeDefined();
    await expect(verifySignature(request, store, { now: signedAt })).resolves.toMatchObject({ region: 'eu-central-1' });
  });

  it('accepts retries that carry the very same signature (no replay rejection)', async () => {
    const second = loadSample('boto3-CreateIpam-retry-attempt2.txt');
    const third = loadSample('boto3-CreateIpam-retry-attempt3.txt');
    expect(third.request.headers.Authorization).toBe(second.request.headers.Authorization);
    await verifySignature(second.request, store, { now: second.signedAt });
    await expect(verifySignature(third.request, store, { now: third.signedAt })).resolves.toBeDefined();
  });
});
