// Local-mode access keys: generated once into the data dir, overridden by the environment,
// extended by IPAM_EXTRA_ACCOUNTS and by keys added while the service runs.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambdas/config.ts';
import {
  addAccessKey,
  credentialsFilePath,
  loadLocalCredentials,
  localKeyAccounts,
  parseExtraAccounts,
} from '../../../lambdas/adapters/local/credentials-file.ts';
import { describeAwsConfigureHint } from '../../../lambdas/adapters/access-keys.ts';

let workDir: string;
let dataDir: string;

beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), 'ipam-credentials-'));
  dataDir = path.join(workDir, 'data', 'nested'); // not created yet: loading must create it
});

afterEach(() => rm(workDir, { recursive: true, force: true }));

function configWith(env: Record<string, string> = {}) {
  return loadConfig({ IPAM_DATA_DIR: dataDir, ...env }, workDir);
}

async function fileMode(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('the generated administrator key', () => {
  it('is generated once, like an AWS key, into a file only its owner can read', async () => {
    const first = await loadLocalCredentials(configWith());

    expect(first.generated).toBe(true);
    expect(first.admin.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(first.admin.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    expect(first.admin.accountId).toBe('123456789012');
    expect(await fileMode(credentialsFilePath(dataDir))).toBe(0o600);
    expect(await first.store.lookup(first.admin.accessKeyId)).toEqual(first.admin);
  });

  it('is the same key on every later start', async () => {
    const first = await loadLocalCredentials(configWith());
    const second = await loadLocalCredentials(configWith());

    expect(second.generated).toBe(false);
    expect(second.admin).toEqual(first.admin);
  });

  it('acts as IPAM_ACCOUNT_ID, which must be 12 digits', async () => {
    const { admin } = await loadLocalCredentials(configWith({ IPAM_ACCOUNT_ID: '444455556666' }));
    expect(admin.accountId).toBe('444455556666');
    await expect(loadLocalCredentials(configWith({ IPAM_ACCOUNT_ID: '12345' }))).rejects.toThrow(/12-digit/);
  });
});

describe('an administrator key from the environment', () => {
  const env = { IPAM_ACCESS_KEY_ID: 'AKIAENVKEY', IPAM_SECRET_ACCESS_KEY: 'env-secret', IPAM_ACCOUNT_ID: '111122223333' };

  it('wins over the stored key, which stops working', async () => {
    const stored = await loadLocalCredentials(configWith());
    const fromEnv = await loadLocalCredentials(configWith(env));

    expect(fromEnv.generated).toBe(false);
    expect(fromEnv.admin).toEqual({ accessKeyId: 'AKIAENVKEY', secretAccessKey: 'env-secret', accountId: '111122223333' });
    expect(await fromEnv.store.lookup('AKIAENVKEY')).toEqual(fromEnv.admin);
    expect(await fromEnv.store.lookup(stored.admin.accessKeyId)).toBeUndefined();
  });

  it('writes no credentials file', async () => {
    await loadLocalCredentials(configWith(env));
    await expect(stat(credentialsFilePath(dataDir))).rejects.toThrow(/ENOENT/);
  });

  it('needs both the key id and the secret', async () => {
    await expect(loadLocalCredentials(configWith({ IPAM_ACCESS_KEY_ID: 'AKIAENVKEY' }))).rejects.toThrow(
      'IPAM_ACCESS_KEY_ID and IPAM_SECRET_ACCESS_KEY must be set together.',
    );
  });
});

describe('IPAM_EXTRA_ACCOUNTS', () => {
  it('adds one key per comma-separated entry', async () => {
    const { store } = await loadLocalCredentials(
      configWith({ IPAM_EXTRA_ACCOUNTS: 'AKIAONE:secret-one:111111111111, AKIATWO:secret/two+:222222222222,' }),
    );
    expect(await store.lookup('AKIAONE')).toEqual({ accessKeyId: 'AKIAONE', secretAccessKey: 'secret-one', accountId: '111111111111' });
    expect(await store.lookup('AKIATWO')).toMatchObject({ secretAccessKey: 'secret/two+', accountId: '222222222222' });
    expect(await store.lookup('AKIATHREE')).toBeUndefined();
  });

  it.each([
    ['a short account id', 'AKIAONE:secret-one:111111111111,AKIATWO:secret-two:2222', 2],
    ['a missing secret', 'AKIAONE::111111111111', 1],
    ['too few fields', 'AKIAONE:secret-one', 1],
    ['too many fields', 'AKIAONE:secret:one:111111111111', 1],
  ])('rejects %s in one clear sentence that does not repeat the secret', (_, value, position) => {
    expect(() => parseExtraAccounts(value)).toThrow(
      `IPAM_EXTRA_ACCOUNTS entry ${position} must be ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT_ID with a 12-digit account id.`,
    );
  });

  it('refuses a key id that is also the administrator key', async () => {
    const env = { IPAM_ACCESS_KEY_ID: 'AKIAONE', IPAM_SECRET_ACCESS_KEY: 's', IPAM_EXTRA_ACCOUNTS: 'AKIAONE:t:111111111111' };
    await expect(loadLocalCredentials(configWith(env))).rejects.toThrow('Access key AKIAONE is configured more than once.');
  });
});

describe('keys added to the data dir', () => {
  it('become visible to a store that is already loaded', async () => {
    const { store } = await loadLocalCredentials(configWith());

    const added = await addAccessKey(dataDir, '777788889999');

    expect(added.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(await store.lookup(added.accessKeyId)).toEqual(added);
    expect(await fileMode(credentialsFilePath(dataDir))).toBe(0o600);
  });

  it('become visible when the service started without a credentials file', async () => {
    const env = { IPAM_ACCESS_KEY_ID: 'AKIAENVKEY', IPAM_SECRET_ACCESS_KEY: 'env-secret' };
    const { store } = await loadLocalCredentials(configWith(env));

    const added = await addAccessKey(dataDir, '777788889999');

    expect(await store.lookup(added.accessKeyId)).toEqual(added);
  });

  it('survive alongside an administrator key generated later', async () => {
    const added = await addAccessKey(dataDir, '777788889999');
    const { store, generated, admin } = await loadLocalCredentials(configWith());

    expect(generated).toBe(true);
    expect(await store.lookup(added.accessKeyId)).toEqual(added);
    expect(await store.lookup(admin.accessKeyId)).toEqual(admin);
  });

  it('need a 12-digit account id', async () => {
    await expect(addAccessKey(dataDir, '7777')).rejects.toThrow("The account id must be 12 digits, got '7777'.");
  });

  it('are refused in a corrupt file with a pointer to the file', async () => {
    await addAccessKey(dataDir, '777788889999');
    await writeFile(credentialsFilePath(dataDir), '{ not json');
    await expect(loadLocalCredentials(configWith())).rejects.toThrow(`${credentialsFilePath(dataDir)} is not valid JSON`);
  });
});

describe('the AWS CLI hint', () => {
  it('gives ready-to-paste configure commands and the endpoint', () => {
    const key = { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret/with+chars', accountId: '123456789012' };
    const hint = describeAwsConfigureHint(key, { endpointUrl: 'http://127.0.0.1:4510' });
    expect(hint).toContain('aws configure set aws_access_key_id AKIAEXAMPLE --profile ipam-local');
    expect(hint).toContain('aws configure set aws_secret_access_key secret/with+chars --profile ipam-local');
    expect(hint).toContain('aws configure set region us-east-1 --profile ipam-local');
    expect(hint).toContain('aws ec2 describe-ipams --profile ipam-local --endpoint-url http://127.0.0.1:4510');
  });
});

describe('the credentials file', () => {
  it('holds the admin key pair and the added keys as JSON', async () => {
    const { admin } = await loadLocalCredentials(configWith());
    const added = await addAccessKey(dataDir, '777788889999');
    const file = JSON.parse(await readFile(credentialsFilePath(dataDir), 'utf8'));
    expect(file).toEqual({
      admin: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      accessKeys: [added],
    });
  });
});

describe('the accounts that have keys', () => {
  it('are the administrator, IPAM_EXTRA_ACCOUNTS and the file’s keys, each once, including keys added while running', async () => {
    const config = configWith({ IPAM_EXTRA_ACCOUNTS: 'AKIAEXTRA00000000001:s:111122223333,AKIAEXTRA00000000002:s:111122223333' });
    const { store } = await loadLocalCredentials(config);
    expect(await store.accountsWithKeys()).toEqual(['123456789012', '111122223333']);
    await addAccessKey(dataDir, '444455556666');
    expect(await store.accountsWithKeys()).toEqual(['123456789012', '111122223333', '444455556666']);
    expect(await localKeyAccounts(config)).toEqual(['123456789012', '111122223333', '444455556666']);
  });
});
