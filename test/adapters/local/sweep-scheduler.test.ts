// The local stand-in for the sweep schedule: a timer every interval (none at 0), sweeps that never
// overlap, on-demand sweeps that join the running one instead of queueing behind it, and a stop
// that lets the running sweep finish.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { SweepScheduler } from '../../../lambdas/adapters/local/sweep-scheduler.ts';
import type { SweepReport } from '../../../lambdas/use-cases/sweep/discovery-sweep.ts';

const REPORT: SweepReport = { resourceDiscoveries: 1, accountsRead: 1, accountsFailed: 0, ipamsEvaluated: 1, imported: 0, released: 0 };

/** A sweep that takes `ms` of (fake) time and records when it started and ended. */
function timedSweeps(ms: number) {
  const log: string[] = [];
  let running = 0;
  let maxRunning = 0;
  let count = 0;
  const run = async (): Promise<SweepReport> => {
    const n = ++count;
    running++;
    maxRunning = Math.max(maxRunning, running);
    log.push(`start ${n} @${Date.now()}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running--;
    log.push(`end ${n} @${Date.now()}`);
    return { ...REPORT, imported: n };
  };
  return { run, log, maxRunning: () => maxRunning };
}

let scheduler: SweepScheduler | undefined;

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});

afterEach(async () => {
  const stopping = scheduler?.stop();
  await vi.runAllTimersAsync();
  await stopping;
  scheduler = undefined;
  vi.useRealTimers();
});

test('the timer sweeps every interval', async () => {
  const sweeps = timedSweeps(10);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 1000 });
  await vi.advanceTimersByTimeAsync(3500);
  expect(sweeps.log).toEqual(['start 1 @1000', 'end 1 @1010', 'start 2 @2000', 'end 2 @2010', 'start 3 @3000', 'end 3 @3010']);
});

test('a sweep longer than the interval is never overlapped: the ticks while it runs are skipped', async () => {
  const sweeps = timedSweeps(2500);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 1000 });
  await vi.advanceTimersByTimeAsync(5000);
  expect(sweeps.maxRunning()).toBe(1);
  // Ticks at 2000 and 3000 fall inside the first sweep (1000–3500); the one at 4000 starts the next.
  expect(sweeps.log).toEqual(['start 1 @1000', 'end 1 @3500', 'start 2 @4000']);
});

test('interval 0: no timer, sweeps only on demand', async () => {
  const sweeps = timedSweeps(10);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 0 });
  await vi.advanceTimersByTimeAsync(60_000);
  expect(sweeps.log).toEqual([]);
  const report = scheduler.sweepNow();
  await vi.advanceTimersByTimeAsync(10);
  expect(await report).toEqual({ ...REPORT, imported: 1 });
});

test('a trigger during a running sweep joins it: the same id and report, and nothing queued behind it', async () => {
  const sweeps = timedSweeps(500);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 0 });
  const first = scheduler.trigger();
  expect(first.joined).toBe(false);
  expect(first.sweepId).toMatch(/^sweep-[0-9a-f-]{36}$/);
  await vi.advanceTimersByTimeAsync(200);
  const triggers = Array.from({ length: 50 }, () => scheduler!.trigger());
  expect(triggers.every((trigger) => trigger.joined && trigger.sweepId === first.sweepId)).toBe(true);
  const joined = scheduler.sweepNow();
  await vi.advanceTimersByTimeAsync(300);
  expect(await joined).toEqual({ ...REPORT, imported: 1 });
  await vi.advanceTimersByTimeAsync(10_000);
  expect(sweeps.log).toEqual(['start 1 @0', 'end 1 @500']);

  // Once it has finished, the next trigger starts a new sweep with a new id.
  const next = scheduler.trigger();
  expect(next).toMatchObject({ joined: false });
  expect(next.sweepId).not.toBe(first.sweepId);
  await vi.advanceTimersByTimeAsync(500);
  expect((await next.report).imported).toBe(2);
});

test('a timer tick during an on-demand sweep is skipped', async () => {
  const sweeps = timedSweeps(1500);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 1000 });
  await vi.advanceTimersByTimeAsync(200);
  const onDemand = scheduler.sweepNow(); // runs 200–1700, over the tick at 1000
  await vi.advanceTimersByTimeAsync(1900);
  expect((await onDemand).imported).toBe(1);
  expect(sweeps.log.slice(0, 3)).toEqual(['start 1 @200', 'end 1 @1700', 'start 2 @2000']);
  expect(sweeps.maxRunning()).toBe(1);
});

test('a failed sweep rejects the callers that joined it; the next one runs', async () => {
  let calls = 0;
  scheduler = new SweepScheduler({
    run: async () => {
      if (++calls === 1) throw new Error('inventory unreachable');
      return REPORT;
    },
    intervalMs: 0,
  });
  const first = scheduler.sweepNow();
  const joined = scheduler.sweepNow();
  await expect(first).rejects.toThrow('inventory unreachable');
  await expect(joined).rejects.toThrow('inventory unreachable');
  await expect(scheduler.sweepNow()).resolves.toEqual(REPORT);
});

test('stop() ends the timer and waits for the running sweep; later requests are refused', async () => {
  const sweeps = timedSweeps(300);
  scheduler = new SweepScheduler({ run: sweeps.run, intervalMs: 1000 });
  await vi.advanceTimersByTimeAsync(1100);
  let stopped = false;
  const stopping = scheduler.stop().then(() => (stopped = true));
  await vi.advanceTimersByTimeAsync(100);
  expect(stopped).toBe(false);
  await vi.advanceTimersByTimeAsync(100);
  await stopping;
  expect(sweeps.log).toEqual(['start 1 @1000', 'end 1 @1300']);
  await vi.advanceTimersByTimeAsync(5000);
  expect(sweeps.log).toHaveLength(2);
  await expect(scheduler.sweepNow()).rejects.toThrow(/stopping/);
});
