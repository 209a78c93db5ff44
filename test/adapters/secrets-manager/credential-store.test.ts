// The cloud credential store over a mocked Secrets Manager: how often it reads the secret, how
// soon a newly added key works, and what a malformed secret does.
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, test } from 'vitest';
import {
  addAccessKeyToSecret,
  MalformedAccessKeysSecretError,
  parseAccessKeysSecret,
} from '../../../lambdas/adapters/secrets-manager/access-keys-secret.ts';
import { SecretsManagerCredentialStore } from '../../../lambdas/adapters/secrets-manager/credential-store.ts';

const SECRET_ID = 'ipam-access-keys';
const PAGINATION_SECRET = 'p'.repeat(64);
const ALICE = { accessKeyId: 'AKIAALICE00000000001', secretAccessKey: 'alice-secret', accountId: '111122223333' };
const BOB = { accessKeyId: 'AKIABOB0000000000002', secretAccessKey: 'bob-secret', accountId: '444455556666' };

const secretsManager = mockClient(SecretsManagerClient);
const secretWith = (...accessKeys: object[]) => ({ SecretString: JSON.stringify({ accessKeys, paginationSecret: PAGINATION_SECRET }) });
const reads = () => secretsManager.commandCalls(GetSecretValueCommand).length;

let clock: number;
function createStore() {
  return new SecretsManagerCredentialStore({
    client: new SecretsManagerClient({ region: 'us-east-1' }),
    secretId: SECRET_ID,
    cacheMs: 300_000,
    missRefreshMs: 10_000,
    now: () => clock,
  });
}

beforeEach(() => {
  secretsManager.reset();
  clock = 1_000_000;
});

describe('lookup', () => {
  test('finds a key with its account, reading the secret once for many lookups within the cache time', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: SECRET_ID }).resolves(secretWith(ALICE, BOB));
    const store = createStore();
    expect(await store.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    clock += 299_000;
    expect(await store.lookup(BOB.accessKeyId)).toEqual(BOB);
    expect(reads()).toBe(1);
  });

  test('re-reads once the cache time has passed, so a removed key stops working', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce(secretWith(ALICE, BOB)).resolves(secretWith(BOB));
    const store = createStore();
    expect(await store.lookup(ALICE.accessKeyId)).toEqual(ALICE);
    clock += 300_000;
    expect(await store.lookup(ALICE.accessKeyId)).toBeUndefined();
    expect(reads()).toBe(2);
  });

  test('an unknown key re-reads the secret at once if the last read is older than the miss interval: a new key works within seconds', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce(secretWith(ALICE)).resolves(secretWith(ALICE, BOB));
    const store = createStore();
    await store.lookup(ALICE.accessKeyId);
    clock += 10_000;
    expect(await store.lookup(BOB.accessKeyId)).toEqual(BOB);
    expect(reads()).toBe(2);
  });

  test('unknown keys re-read at most once per miss interval, however many arrive', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(secretWith(ALICE));
    const store = createStore();
    await store.lookup(ALICE.accessKeyId);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      clock += 400; // 20 unknown keys over 8 s
      expect(await store.lookup(`AKIAUNKNOWN${attempt}`)).toBeUndefined();
    }
    expect(reads()).toBe(1);
    clock += 2_000;
    await store.lookup('AKIAUNKNOWNLATER');
    expect(reads()).toBe(2);
  });

  test('concurrent lookups share one read', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(secretWith(ALICE, BOB));
    const store = createStore();
    const found = await Promise.all([store.lookup(ALICE.accessKeyId), store.lookup(BOB.accessKeyId), store.lookup('AKIANOBODY')]);
    expect(found).toEqual([ALICE, BOB, undefined]);
    expect(reads()).toBe(1);
  });

  test('a failed read fails the lookup (the request becomes a retryable InternalError) and the next lookup reads again', async () => {
    secretsManager.on(GetSecretValueCommand).rejectsOnce(new Error('Secrets Manager is unavailable')).resolves(secretWith(ALICE));
    const store = createStore();
    await expect(store.lookup(ALICE.accessKeyId)).rejects.toThrow('Secrets Manager is unavailable');
    expect(await store.lookup(ALICE.accessKeyId)).toEqual(ALICE);
  });

  test('lists the accounts that have keys, each once, from the cached read', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: SECRET_ID })
      .resolves(secretWith(ALICE, BOB, { ...BOB, accessKeyId: 'AKIABOB0000000000003' }));
    const store = createStore();
    expect(await store.accountsWithKeys()).toEqual([ALICE.accountId, BOB.accountId]);
    await store.lookup(ALICE.accessKeyId);
    expect(reads()).toBe(1);
  });

  test('load() gives the pagination secret from the same read', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(secretWith(ALICE));
    const store = createStore();
    expect((await store.load()).paginationSecret).toBe(PAGINATION_SECRET);
    await store.lookup(ALICE.accessKeyId);
    expect(reads()).toBe(1);
  });
});

describe('a malformed secret', () => {
  test.each([
    ['not JSON', { SecretString: 'accessKeys: none' }, /is not JSON/],
    ['binary only', { SecretBinary: new Uint8Array([1]) }, /has no SecretString/],
    ['a bare list (no pagination secret)', { SecretString: JSON.stringify([ALICE]) }, /'paginationSecret' is missing/],
    [
      'keys not a list',
      { SecretString: JSON.stringify({ accessKeys: ALICE, paginationSecret: PAGINATION_SECRET }) },
      /'accessKeys' is not a list/,
    ],
    [
      'an entry without its secret',
      secretWith(ALICE, { accessKeyId: 'AKIAHALF', accountId: '111122223333' }),
      /entry 2 of 'accessKeys' lacks/,
    ],
    ['a bad account id', secretWith({ ...BOB, accountId: '4444' }), /entry 1 of 'accessKeys' has no 12-digit accountId/],
    [
      'a key listed twice',
      secretWith(ALICE, { ...ALICE, accountId: '999999999999' }),
      /access key AKIAALICE00000000001 is listed more than once/,
    ],
  ])('%s fails every lookup with a message that quotes no secret', async (_case, response, message) => {
    secretsManager.on(GetSecretValueCommand).resolves(response);
    const failure = createStore().lookup(ALICE.accessKeyId);
    await expect(failure).rejects.toBeInstanceOf(MalformedAccessKeysSecretError);
    await expect(failure).rejects.toThrow(message);
    await failure.catch((error: Error) => {
      expect(error.message).toContain(SECRET_ID);
      expect(error.message).not.toMatch(/alice-secret|bob-secret|ppppp/);
    });
  });
});

test('parseAccessKeysSecret reads the document CloudFormation creates', () => {
  expect(parseAccessKeysSecret(SECRET_ID, JSON.stringify({ accessKeys: [], paginationSecret: PAGINATION_SECRET }))).toEqual({
    accessKeys: [],
    paginationSecret: PAGINATION_SECRET,
  });
});

describe('addAccessKeyToSecret (bin/create-access-key.ts)', () => {
  test('appends a generated AWS-shaped key for the account and keeps everything else', async () => {
    secretsManager.on(GetSecretValueCommand).resolves(secretWith(ALICE));
    secretsManager.on(PutSecretValueCommand).resolves({});
    const key = await addAccessKeyToSecret(new SecretsManagerClient({ region: 'us-east-1' }), SECRET_ID, '777788889999');
    expect(key.accountId).toBe('777788889999');
    expect(key.accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(key.secretAccessKey).toMatch(/^[A-Za-z0-9+/]{40}$/);
    const [put] = secretsManager.commandCalls(PutSecretValueCommand);
    expect(put.args[0].input.SecretId).toBe(SECRET_ID);
    expect(JSON.parse(put.args[0].input.SecretString!)).toEqual({ accessKeys: [ALICE, key], paginationSecret: PAGINATION_SECRET });
  });

  test('refuses an account id that is not 12 digits, and a malformed secret, without writing', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{}' });
    const client = new SecretsManagerClient({ region: 'us-east-1' });
    await expect(addAccessKeyToSecret(client, SECRET_ID, '1234')).rejects.toThrow(/12 digits, got '1234'/);
    await expect(addAccessKeyToSecret(client, SECRET_ID, '777788889999')).rejects.toBeInstanceOf(MalformedAccessKeysSecretError);
    expect(secretsManager.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });
});
