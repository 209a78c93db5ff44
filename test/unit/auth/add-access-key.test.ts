// `npm run add-access-key` (bin/add-access-key.ts), run as an operator would.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../lambdas/config.ts';
import { loadLocalCredentials } from '../../../lambdas/adapters/local/credentials-file.ts';

const COMMAND = fileURLToPath(new URL('../../../bin/add-access-key.ts', import.meta.url));
let dataDir: string;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-add-key-'));
});

afterEach(() => rm(dataDir, { recursive: true, force: true }));

function run(...args: string[]) {
  return promisify(execFile)(process.execPath, [COMMAND, ...args], { env: { PATH: process.env.PATH } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

describe('bin/add-access-key.ts', () => {
  it('adds a key that a running service accepts, and prints how to use it', async () => {
    const { store } = await loadLocalCredentials(loadConfig({ IPAM_DATA_DIR: dataDir }));

    const { code, stdout } = await run('--account', '111122223333', '--data-dir', dataDir);

    expect(code).toBe(0);
    const accessKeyId = /aws_access_key_id (AKIA[A-Z2-7]{16})/.exec(stdout)?.[1];
    const secretAccessKey = /aws_secret_access_key (\S+)/.exec(stdout)?.[1];
    expect(await store.lookup(accessKeyId!)).toEqual({ accessKeyId, secretAccessKey, accountId: '111122223333' });
    expect(stdout).toContain('--profile ipam-111122223333 --endpoint-url http://127.0.0.1:4510');
  });

  it.each([
    [['--account', '1111'], 1, "--account must be a 12-digit account id, got '1111'."],
    [['--data-dir', '/tmp/x'], 1, "--account must be a 12-digit account id, got ''."],
    [['--account', '111122223333', '--acount'], 2, "Unknown option '--acount'; see npm run add-access-key -- --help."],
  ])('refuses %j with one sentence and exit status %i', async (args, status, message) => {
    const { code, stdout, stderr } = await run(...args);
    expect(code).toBe(status);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(message);
  });
});
