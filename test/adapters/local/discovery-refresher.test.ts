// The in-process DiscoveryChanges: refreshes in the background, one at a time, changes gathered
// while one runs, sweeps taking turns with them, and a reader waiting only for what came before it.
import { describe, expect, it } from 'vitest';
import { DiscoveryRefresher } from '../../../lambdas/adapters/local/discovery-refresher.ts';
import type { AccountRegion } from '../../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { RecordingLog } from '../../support/recording-log.ts';

/** A refresh that records its batch and finishes only when the test says so. */
function heldRefreshes() {
  const batches: string[][] = [];
  const finish: (() => void)[] = [];
  const refresh = (changed: AccountRegion[]) => {
    batches.push(changed.map(({ accountId, region }) => `${accountId} ${region}`));
    return new Promise<void>((resolve) => finish.push(resolve));
  };
  return { batches, finish, refresh };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('DiscoveryRefresher', () => {
  it('refreshes at once in the background and gathers the changes reported meanwhile into one next refresh', async () => {
    const held = heldRefreshes();
    const refresher = new DiscoveryRefresher(held.refresh, new RecordingLog());

    refresher.changed('111111111111', 'us-east-1');
    await tick();
    refresher.changed('111111111111', 'us-east-1');
    refresher.changed('222222222222', 'us-west-2');
    refresher.changed('111111111111', 'us-east-1');
    await tick();
    expect(held.batches).toEqual([['111111111111 us-east-1']]);

    held.finish.shift()!();
    await tick();
    expect(held.batches).toEqual([['111111111111 us-east-1'], ['111111111111 us-east-1', '222222222222 us-west-2']]);
    held.finish.shift()!();
    await refresher.settled();
    expect(held.batches).toHaveLength(2);
  });

  it('lets a reader wait for the changes reported before it, not for those reported after', async () => {
    const held = heldRefreshes();
    const refresher = new DiscoveryRefresher(held.refresh, new RecordingLog());
    await refresher.settled(); // nothing reported: at once

    refresher.changed('111111111111', 'us-east-1');
    let firstSeen = false;
    void refresher.settled().then(() => (firstSeen = true));
    await tick();
    refresher.changed('111111111111', 'us-east-1'); // while the first refresh runs
    let secondSeen = false;
    void refresher.settled().then(() => (secondSeen = true));

    held.finish.shift()!();
    await tick();
    expect([firstSeen, secondSeen]).toEqual([true, false]);
    held.finish.shift()!();
    await tick();
    expect(secondSeen).toBe(true);
  });

  it('runs a sweep only between refreshes, holds refreshes while it runs, and logs a failed refresh', async () => {
    const order: string[] = [];
    const log = new RecordingLog();
    let failNext = true;
    const refresher = new DiscoveryRefresher(async (changed) => {
      order.push(`refresh ${changed.length}`);
      await tick();
      if (failNext) {
        failNext = false;
        throw new Error('store down');
      }
    }, log);

    refresher.changed('111111111111', 'us-east-1');
    const sweep = refresher.exclusive(async () => {
      order.push('sweep starts');
      refresher.changed('222222222222', 'us-east-1');
      await tick();
      order.push('sweep ends');
      return 'report';
    });
    expect(await sweep).toBe('report');
    await refresher.settled();

    expect(order).toEqual(['refresh 1', 'sweep starts', 'sweep ends', 'refresh 1']);
    expect(log.entries).toEqual([expect.objectContaining({ level: 'error', message: 'could not refresh discovery' })]);
  });
});
