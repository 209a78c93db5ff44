// <dataDir>/service.lock: a live holder blocks a start; a dead one (or a pid since reused) does not.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type DataDirLock, lockDataDir } from '../../../lambdas/adapters/local/data-dir-lock.ts';
import { LocalSetupError } from '../../../lambdas/adapters/local/dynamodb-local.ts';

const dirs: string[] = [];
const locks: DataDirLock[] = [];

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-lock-unit-'));
  dirs.push(dir);
  return dir;
}

async function lock(dir: string): Promise<DataDirLock> {
  const taken = await lockDataDir(dir);
  locks.push(taken);
  return taken;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

const writeLock = (dir: string, content: object | string) =>
  writeFile(path.join(dir, 'service.lock'), typeof content === 'string' ? content : JSON.stringify(content));

afterEach(async () => {
  await Promise.all(locks.splice(0).map((taken) => taken.release()));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('lockDataDir', () => {
  it('refuses a directory a running service holds, naming its pid, until that one releases it', async () => {
    const dir = await dataDir();
    const first = await lock(dir);
    expect((await stat(first.file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(first.file, 'utf8'))).toMatchObject({ pid: process.pid });

    const second = lockDataDir(dir);
    await expect(second).rejects.toBeInstanceOf(LocalSetupError);
    await expect(second).rejects.toThrow(
      `The data directory ${dir} is in use by another IPAM service (pid ${process.pid}); stop that one first, or set IPAM_DATA_DIR to another directory.`,
    );

    await first.release();
    expect(await readdir(dir)).toEqual([]);
    await lock(dir);
  });

  it('takes over a lock whose process has exited', async () => {
    const dir = await dataDir();
    await writeLock(dir, { pid: deadPid(), startedAt: '2025-01-01T00:00:00.000Z', token: 'crashed' });
    const taken = await lock(dir);
    expect(JSON.parse(await readFile(taken.file, 'utf8'))).toMatchObject({ pid: process.pid });
  });

  it('takes over a lock whose pid now belongs to another process (started later than the holder)', async () => {
    const dir = await dataDir();
    await writeLock(dir, { pid: process.pid, startTicks: '1', startedAt: '2025-01-01T00:00:00.000Z', token: 'reused' });
    await lock(dir);
  });

  it('takes over a lock file it cannot read', async () => {
    const dir = await dataDir();
    await writeLock(dir, 'not json');
    await lock(dir);
  });

  it('waits for a crashed holder’s DynamoDB Local to exit before taking over', async () => {
    const dir = await dataDir();
    const orphan = spawn('sleep', ['30']);
    await writeLock(dir, { pid: deadPid(), token: 'crashed', store: { pid: orphan.pid } });
    setTimeout(() => orphan.kill('SIGTERM'), 700);
    const began = Date.now();
    await lock(dir);
    expect(Date.now() - began).toBeGreaterThanOrEqual(600);
    expect(orphan.signalCode).toBe('SIGTERM');
  });

  it('leaves alone a lock that another service took after this one', async () => {
    const dir = await dataDir();
    const first = await lock(dir);
    await writeLock(dir, { pid: deadPid(), token: 'someone-else' });
    await first.release();
    expect(JSON.parse(await readFile(path.join(dir, 'service.lock'), 'utf8'))).toMatchObject({ token: 'someone-else' });
  });
});
