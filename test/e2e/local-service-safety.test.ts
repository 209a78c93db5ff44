// `npm start` is safe to run on a shared machine: one service per data directory, a crash does
// not lock the directory for good, and its keys and data are readable by its user alone.
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, javaPidsUsing, killSpawned, runToExit, startService, stopService, waitFor } from './support/local-process.ts';

afterEach(killSpawned);

describe('one data directory, one service', () => {
  it('refuses a second start on the same data directory, naming the pid that holds it, and starts again after a kill -9', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-lock-'));
    const first = await startService({ IPAM_DATA_DIR: dataDir });

    const second = await runToExit({ IPAM_DATA_DIR: dataDir });
    expect(second.code).toBe(1);
    expect(second.elapsedMs).toBeLessThan(10_000);
    expect(second.stderr.trim()).toBe(
      `The data directory ${dataDir} is in use by another IPAM service (pid ${first.child.pid}); stop that one first, or set IPAM_DATA_DIR to another directory.`,
    );
    expect(javaPidsUsing(dataDir)).toHaveLength(1); // the second start launched no DynamoDB Local

    const [jvm] = javaPidsUsing(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    // No exit hook ran: the kernel's parent-death signal ends DynamoDB Local, and the lock is stale.
    await waitFor(() => isAlive(jvm!), (alive) => !alive, 'the orphaned DynamoDB Local to exit');

    const third = await startService({ IPAM_DATA_DIR: dataDir });
    expect((await fetch(`${third.url}/health`)).status).toBe(200);
    expect(await stopService(third)).toBe(0);
    expect(await readdir(dataDir)).not.toContain('service.lock');
  });
});

describe('file modes', () => {
  it('keeps the data directory 0700 and every file the service writes in it 0600', async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-modes-')), 'data');
    const service = await startService({ IPAM_DATA_DIR: dataDir });
    const modeOf = async (file: string) => ((await stat(path.join(dataDir, file))).mode & 0o777).toString(8);

    expect(await modeOf('.')).toBe('700');
    expect(await modeOf('dynamodb')).toBe('700');
    for (const file of ['service.lock', 'credentials.json', 'events.jsonl', 'metrics.jsonl']) {
      expect([file, await modeOf(file)]).toEqual([file, '600']);
    }
    const databaseFiles = await readdir(path.join(dataDir, 'dynamodb'));
    expect(databaseFiles).toContain('shared-local-instance.db');
    for (const file of databaseFiles) expect([file, await modeOf(path.join('dynamodb', file))]).toEqual([file, '600']);
    expect(await stopService(service)).toBe(0);
  });
});
