// Events at least once (docs/events.md): each change commits its events to the outbox in the same
// transaction; they are delivered right after the commit, and what could not be delivered — the
// destination down, the process killed between the commit and the delivery — is delivered by the
// reconciler's next run, with the same eventId. Delivered entries are forgotten in the background,
// as `npm start` does (the harness's wiring): off the response path, and delivered again if the
// process dies first. Runs on DynamoDB Local with IPAM_TEST_STORE=dynamodb.
import { beforeEach, describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../lambdas/adapters/local/event-log.ts';
import type { OutboxEvent, PoolAllocationChange } from '../../lambdas/domain/model/events.ts';
import type { EventPublisher } from '../../lambdas/ports/events.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import { redeliverEvents } from '../../lambdas/use-cases/kernel/outbox.ts';
import { reconcile } from '../../lambdas/use-cases/kernel/reconcile.ts';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';

const GRACE_SECONDS = 60;
const EPOCH = '2000-01-01T00:00:00.000Z';

type AllocationEvent = LoggedEvent & { detail: PoolAllocationChange['detail'] & { eventId: string } };
const allocationEvents = (harness: UseCaseHarness) =>
  harness.events.published().filter((event): event is AllocationEvent => event['detail-type'] === 'IPAM Pool Allocation Change');
/** The entries still undelivered once the harness has forgotten what it delivered. */
const waiting = async (harness: UseCaseHarness) => {
  await harness.deps.outboxForgetter.flush();
  return harness.store.listOutboxEntries(EPOCH, 100);
};
const listed = (store: Store) => store.listOutboxEntries(EPOCH, 100);
/** The harness's dependencies as the reconciler sees them `seconds` from now. */
const later = (harness: UseCaseHarness, seconds: number) => ({ ...harness.deps, now: () => new Date(Date.now() + seconds * 1000) });

/** A destination that is down: every call fails, as PutEvents does without network or permission. */
const down: EventPublisher = {
  publish: async () => {
    throw new Error('connect ECONNREFUSED');
  },
};

/** A destination that takes only the events `accept` lets through (EventBridge's FailedEntryCount). */
const picky = (through: EventPublisher, accept: (event: OutboxEvent) => boolean): EventPublisher => ({
  publish: (events) => through.publish(events.filter(accept)),
});

describe('the outbox', () => {
  let harness: UseCaseHarness;
  let poolId: string;
  beforeEach(async () => {
    harness = await createUseCaseHarness();
    ({
      pool: { IpamPoolId: poolId },
    } = await poolWithCidr(harness, '10.0.0.0/16'));
  });
  const allocate = () => harness.call('AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 24 });

  it('delivers an event once under normal operation, with a time-ordered UUID (version 7) as its eventId, and keeps nothing', async () => {
    const { IpamPoolAllocation } = await allocate();
    const [event, ...more] = allocationEvents(harness);
    expect(more).toEqual([]);
    expect(event.detail).toMatchObject({ ipamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, change: 'created' });
    expect(event.detail.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(await waiting(harness)).toEqual([]);

    // The reconciler finds nothing to deliver again.
    expect(await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS })).toEqual({
      offered: 0,
      delivered: 0,
      oldestAgeSeconds: 0,
    });
    expect(allocationEvents(harness)).toHaveLength(1);
  });

  it('keeps the change when the destination is down; the reconciler delivers the event after the grace period, with the same id', async () => {
    const working = harness.deps.events;
    harness.deps.events = down;
    const { IpamPoolAllocation } = await allocate();
    expect(allocationEvents(harness)).toEqual([]);
    const [entry, ...others] = await waiting(harness);
    expect(others).toEqual([]);
    expect(entry.events.map(({ event }) => event.detail)).toMatchObject([
      { ipamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId },
    ]);

    // A run while it is down offers the entry and keeps it for the next run.
    expect(await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS })).toMatchObject({
      offered: 1,
      delivered: 0,
    });
    harness.deps.events = working;
    // Within the grace period the request that committed it may still be delivering it: left alone.
    expect(await redeliverEvents(later(harness, GRACE_SECONDS - 5), { graceSeconds: GRACE_SECONDS })).toMatchObject({ offered: 0 });
    expect(allocationEvents(harness)).toEqual([]);

    const report = await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS });
    expect(report).toMatchObject({ offered: 1, delivered: 1 });
    expect(report.oldestAgeSeconds).toBeGreaterThanOrEqual(GRACE_SECONDS);
    expect(allocationEvents(harness).map((event) => event.detail)).toEqual([
      { ...entry.events[0].event.detail, eventId: entry.events[0].eventId },
    ]);
    expect(allocationEvents(harness)[0].time).toBe(entry.createdAt);
    expect(await waiting(harness)).toEqual([]);
  });

  it('a process killed between the commit and the delivery: the next one delivers the event at start-up, once', async () => {
    // The process dies as the commit returns: the change is stored, nothing after it runs.
    const store = harness.store;
    const commit = store.commit.bind(store);
    store.commit = async (writes) => {
      await commit(writes);
      if (writes.some((write) => write.entity.type === 'outbox-entry')) throw new Error('killed');
    };
    await expect(allocate()).rejects.toThrow('killed');
    store.commit = commit;
    expect(allocationEvents(harness)).toEqual([]);
    const [entry] = await waiting(harness);

    // The next process on the same data runs the reconciler at start-up, with no grace period.
    const next = await createUseCaseHarness({ store });
    const report = await reconcile(next.deps, { graceSeconds: 0 });
    expect(report.events).toMatchObject({ offered: 1, delivered: 1 });
    expect(allocationEvents(next).map((event) => event.detail.eventId)).toEqual([entry.events[0].eventId]);
    expect((await reconcile(next.deps, { graceSeconds: 0 })).events).toMatchObject({ offered: 0 });
    expect(allocationEvents(next)).toHaveLength(1);
  });

  it('answers before the delivered entry is forgotten; killed in between, the next process delivers it again with the same eventId', async () => {
    await waiting(harness);
    const store = harness.store;
    const forget = store.deleteOutboxEntries.bind(store);
    // The process is killed before it forgets: its delete never happens.
    store.deleteOutboxEntries = () => new Promise(() => {});
    const { IpamPoolAllocation } = await allocate();
    const [delivered] = allocationEvents(harness);
    expect(delivered.detail.ipamPoolAllocationId).toBe(IpamPoolAllocation.IpamPoolAllocationId);
    const [entry, ...others] = await listed(store);
    expect(others).toEqual([]);
    expect(entry.events[0].eventId).toBe(delivered.detail.eventId);

    // The next process on the same data runs the reconciler at start-up, with no grace period.
    store.deleteOutboxEntries = forget;
    const next = await createUseCaseHarness({ store });
    expect((await reconcile(next.deps, { graceSeconds: 0 })).events).toMatchObject({ offered: 1, delivered: 1 });
    expect(allocationEvents(next)).toEqual([delivered]);
    expect(await waiting(next)).toEqual([]);
  });

  it('forgets together what several changes delivered while a delete was on its way', async () => {
    await waiting(harness);
    const store = harness.store;
    const forget = store.deleteOutboxEntries.bind(store);
    const deletes: number[] = [];
    let letFirstThrough!: () => void;
    const slowStore = new Promise<void>((resolve) => (letFirstThrough = resolve));
    store.deleteOutboxEntries = async (entries) => {
      deletes.push(entries.length);
      if (deletes.length === 1) await slowStore;
      await forget(entries);
    };
    for (let count = 0; count < 3; count++) await allocate();
    letFirstThrough();
    expect(await waiting(harness)).toEqual([]);
    expect(deletes.reduce((sum, count) => sum + count, 0)).toBe(3);
    expect(deletes.length).toBeLessThan(3);
  });

  it('delivered but not forgotten (the delete failed): delivered again with the same eventId, for consumers to drop', async () => {
    await waiting(harness);
    const store = harness.store;
    const forget = store.deleteOutboxEntries.bind(store);
    store.deleteOutboxEntries = async () => {
      throw new Error('connect ECONNREFUSED');
    };
    await allocate();
    await harness.deps.outboxForgetter.flush();
    store.deleteOutboxEntries = forget;
    expect(await waiting(harness)).toHaveLength(1);

    await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS });
    const [first, second] = allocationEvents(harness);
    expect(second.detail.eventId).toBe(first.detail.eventId);
    expect(second).toEqual(first);
    expect(await waiting(harness)).toEqual([]);
  });

  it('redelivers oldest first, and an entry stays until every one of its events went out', async () => {
    const working = harness.deps.events;
    harness.deps.events = down;
    const first = await allocate();
    const second = await allocate();
    // The destination refuses the first allocation's event only (FailedEntryCount 1).
    harness.deps.events = picky(
      working,
      ({ event }) =>
        (event.detail as { ipamPoolAllocationId?: string }).ipamPoolAllocationId !== first.IpamPoolAllocation.IpamPoolAllocationId,
    );
    expect(await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS })).toMatchObject({
      offered: 2,
      delivered: 1,
    });
    expect((await waiting(harness)).flatMap((entry) => entry.events.map(({ event }) => event.detail))).toMatchObject([
      { ipamPoolAllocationId: first.IpamPoolAllocation.IpamPoolAllocationId },
    ]);

    harness.deps.events = working;
    expect(await redeliverEvents(later(harness, GRACE_SECONDS + 1), { graceSeconds: GRACE_SECONDS })).toMatchObject({
      offered: 1,
      delivered: 1,
    });
    expect(allocationEvents(harness).map((event) => event.detail.ipamPoolAllocationId)).toEqual([
      second.IpamPoolAllocation.IpamPoolAllocationId,
      first.IpamPoolAllocation.IpamPoolAllocationId,
    ]);
    expect(await waiting(harness)).toEqual([]);
  });

  it('gives up an event still undelivered after 7 days (its entry expires by TTL)', async () => {
    const working = harness.deps.events;
    harness.deps.events = down;
    await allocate();
    harness.deps.events = working;
    const days = (n: number) => n * 24 * 3600;
    expect(await redeliverEvents(later(harness, days(7) - 60), { graceSeconds: GRACE_SECONDS })).toMatchObject({
      offered: 1,
      delivered: 1,
    });

    harness.deps.events = down;
    await allocate();
    harness.deps.events = working;
    expect(await redeliverEvents(later(harness, days(7) + 60), { graceSeconds: GRACE_SECONDS })).toEqual({
      offered: 0,
      delivered: 0,
      oldestAgeSeconds: 0,
    });
    expect(allocationEvents(harness)).toHaveLength(1);
  });

  it('a change that does not commit announces nothing: the event is in its transaction', async () => {
    const { IpamPoolAllocation } = await allocate();
    const release = { IpamPoolId: poolId, IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, Cidr: IpamPoolAllocation.Cidr };
    // Two releases race for one allocation: one commits, the other finds it gone and changes nothing.
    const results = await Promise.allSettled([
      harness.call('ReleaseIpamPoolAllocation', release),
      harness.call('ReleaseIpamPoolAllocation', release),
    ]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(allocationEvents(harness).map((event) => event.detail.change)).toEqual(['created', 'released']);
    expect(await waiting(harness)).toEqual([]);
  });
});
