// `npm start` is safe to run on a shared machine: one service per data directory, a crash does
// not lock the directory for good, and its keys and data are readable by its user alone.
import { mkdtemp, readdir } from 'node:fs/promises';
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
