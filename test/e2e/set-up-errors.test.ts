// `npm start` with a configuration it cannot use: one sentence naming the variable (or the file)
// and what would be accepted, exit status 1, no stack trace — and nothing started or written
// first (no DynamoDB Local, no data directory, nothing listening).
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../lambdas/adapters/local/free-port.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const TIMEOUT_MS = 60_000;

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ipam-setup-'));
});

afterEach(() => rm(scratch, { recursive: true, force: true }));

/** bin/local.ts from an empty working directory (where the default data dir would go). */
function start(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(projectRoot, 'bin/local.ts')],
      { cwd: scratch, env: { PATH: process.env.PATH, ...env }, timeout: TIMEOUT_MS, killSignal: 'SIGTERM' },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
    );
  });
}

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function expectOneSentence(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  expect({ code: result.code, stdout: result.stdout }).toEqual({ code: 1, stdout: '' });
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(pattern)]);
}

describe('npm start refuses a configuration it cannot use', () => {
  it('IPAM_DATA_DIR set but empty', { timeout: TIMEOUT_MS + 10_000 }, async () => {
    const port = await freePort('127.0.0.1');
    const result = await start({ IPAM_DATA_DIR: '', PORT: String(port) });
    expectOneSentence(result, /^IPAM_DATA_DIR is set but empty; .*directory/);
    expect(await listens(port)).toBe(false);
    expect(await readdir(scratch)).toEqual([]);
  });

  it.each(['99999', '65536', 'abc', '-1', '80.5', ' '])('PORT=%j', { timeout: TIMEOUT_MS + 10_000 }, async (value) => {
    const result = await start({ PORT: value, IPAM_DATA_DIR: path.join(scratch, 'data') });
    expectOneSentence(result, /^PORT must be a port number from 0 to 65535 \(0 picks a free port\), got '.*'\.$/);
    expect(await readdir(scratch)).toEqual([]);
  });

  it('a directory where the credentials file should be', { timeout: TIMEOUT_MS + 10_000 }, async () => {
    const dataDir = path.join(scratch, 'data');
    await mkdir(path.join(dataDir, 'credentials.json'), { recursive: true });
    const port = await freePort('127.0.0.1');
    const result = await start({ IPAM_DATA_DIR: dataDir, PORT: String(port) });
    expectOneSentence(
      result,
      new RegExp(`^${path.join(dataDir, 'credentials.json').replaceAll('.', '\\.')} is a directory, not the access-key file; .+\\.$`),
    );
    expect(result.stderr).not.toContain('EISDIR');
    expect(await listens(port)).toBe(false);
    expect(await readdir(dataDir)).toEqual(['credentials.json']); // DynamoDB Local never started
  });

  it('an organisation file that does not hold a usable organisation', { timeout: TIMEOUT_MS + 10_000 }, async () => {
    const dataDir = path.join(scratch, 'data');
    const file = path.join(scratch, 'org.json');
    await writeFile(
      file,
      JSON.stringify({
        organizations: [{ MasterAccountId: '123456789012', accounts: [{ Id: '111122223333', ParentId: 'ou-abcd-12345678' }] }],
      }),
    );
    const port = await freePort('127.0.0.1');
    const result = await start({ IPAM_DATA_DIR: dataDir, IPAM_ORGANIZATION_FILE: file, PORT: String(port) });
    expectOneSentence(
      result,
      /org\.json: organizations\[0\]: the parent ou-abcd-12345678 of account 111122223333 does not exist; see docs\/organizations\.md\.$/,
    );
    expect(await listens(port)).toBe(false);
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/); // nothing started, nothing written
  });
});
