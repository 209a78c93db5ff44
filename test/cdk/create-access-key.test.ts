// bin/create-access-key.ts end to end, offline: the real script in its own process, its Secrets
// Manager calls answered by a local stand-in (AWS_ENDPOINT_URL_SECRETS_MANAGER).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { parseAccessKeysSecret } from '../../lambdas/adapters/secrets-manager/access-keys-secret.ts';
import { type FakeAwsEndpoint, startFakeAwsEndpoint } from './support/fake-aws-endpoint.ts';
import { PROJECT_ROOT } from './support/synth.ts';

const EXISTING = { accessKeyId: 'AKIAEXISTING00000001', secretAccessKey: 'existing-secret', accountId: '111122223333' };
let stored = JSON.stringify({ accessKeys: [EXISTING], paginationSecret: 'q'.repeat(64) });
let secretsManager: FakeAwsEndpoint;

beforeAll(async () => {
  secretsManager = await startFakeAwsEndpoint(({ target, input }) => {
    if (target === 'secretsmanager.GetSecretValue') return { Name: input.SecretId, SecretString: stored };
    if (target === 'secretsmanager.PutSecretValue') {
      stored = String(input.SecretString);
      return { Name: input.SecretId, VersionId: 'v2' };
    }
    return undefined;
  });
});

afterAll(() => secretsManager.close());

function run(...args: string[]) {
  return promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'bin/create-access-key.ts'), ...args], {
    env: {
      PATH: process.env.PATH,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_ACCESS_KEY_ID: 'operator',
      AWS_SECRET_ACCESS_KEY: 'operator-secret',
    },
  });
}

test('adds a generated key for the account to the secret and prints how to configure the AWS CLI for the endpoint', async () => {
  const endpoint = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod';
  const { stdout } = await run(
    '--secret-id',
    'ipam-access-keys',
    '--account',
    '444455556666',
    '--region',
    'eu-west-1',
    '--endpoint-url',
    endpoint,
  );
  const secret = parseAccessKeysSecret('ipam-access-keys', stored);
  expect(secret.accessKeys).toHaveLength(2);
  expect(secret.accessKeys[0]).toEqual(EXISTING);
  expect(secret.paginationSecret).toBe('q'.repeat(64));
  const added = secret.accessKeys[1];
  expect(added.accountId).toBe('444455556666');
  expect(stdout).toContain(`aws configure set aws_access_key_id ${added.accessKeyId} --profile ipam-444455556666`);
  expect(stdout).toContain(`aws configure set aws_secret_access_key ${added.secretAccessKey} --profile ipam-444455556666`);
  expect(stdout).toContain('aws configure set region eu-west-1 --profile ipam-444455556666');
  expect(stdout).toContain(`aws ec2 describe-ipams --profile ipam-444455556666 --endpoint-url ${endpoint}`);
  expect(stdout).not.toContain('127.0.0.1');
  expect(secretsManager.calls.map((call) => [call.target, call.input.SecretId])).toEqual([
    ['secretsmanager.GetSecretValue', 'ipam-access-keys'],
    ['secretsmanager.PutSecretValue', 'ipam-access-keys'],
  ]);
});

test('a bad account id is refused with the usage, before any call', async () => {
  const calls = secretsManager.calls.length;
  const failure = await run('--secret-id', 'ipam-access-keys', '--account', '12345', '--region', 'eu-west-1').catch((error) => error);
  expect(failure.code).toBe(1);
  expect(failure.stderr).toMatch(/--account must be a 12-digit account id, got '12345'/);
  expect(failure.stderr).toMatch(/Usage: npm run create-access-key -- --secret-id/);
  expect(secretsManager.calls.length).toBe(calls);
});
