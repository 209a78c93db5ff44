// Events at least once, through an outbox. A change's events are written in the same commit as
// the change (one `outbox-entry` per commit), so neither is ever committed without the other.
// Right after the commit they are delivered (the fast path) and the entry is forgotten (at once,
// or in the background: outbox-forgetter.ts); if the delivery fails, or the process dies first,
// the entry stays, and redeliverEvents (run by the
// reconciler on its schedule) offers it again, oldest first, until it goes out or expires
// (domain/expiry.ts). Each event has a UUID fixed at the commit, so a consumer recognises an
// event it sees twice: after a crash between delivering and forgetting, or an entry of which only
// some events went out (an entry is offered whole).
import { randomUUID } from 'node:crypto';
import { oldestDeliverableOutboxEntry } from '../../domain/expiry.ts';
import { newEventId } from '../../domain/ids.ts';
import type { IpamEvent, OutboxEntry } from '../../domain/model/events.ts';
import { OUTBOX_METRICS } from '../../domain/monitoring.ts';
import type { MetricsSink } from '../../ports/metrics.ts';
import type { Write } from '../../ports/store.ts';
import type { Dependencies } from './context.ts';

export type OutboxDependencies = Pick<Dependencies, 'store' | 'events' | 'log' | 'now' | 'outboxForgetter'>;

/** An event to announce, as the account and in the Region it is published as. */
export interface Announcement {
  event: IpamEvent;
  accountId: string;
  region: string;
}

/** A commit's events: `writes` go in the commit; once it has committed, `deliver` sends them. */
export interface Outbox {
  /** The outbox entry's create, or nothing when there is nothing to announce. */
  writes: Write[];
  /** The entry written (none when nothing is announced), to deliver with others (deliverEntries). */
  entries: OutboxEntry[];
  /** Delivers the entry's events now and forgets it (see OutboxForgetter); never throws (what fails is delivered later). */
  deliver(): Promise<void>;
}

export function outboxFor(deps: OutboxDependencies, announcements: readonly Announcement[]): Outbox {
  if (announcements.length === 0) return { writes: [], entries: [], deliver: async () => {} };
  const createdAt = deps.now().toISOString();
  const entry: OutboxEntry = {
    outboxId: randomUUID(),
    createdAt,
    events: announcements.map(({ event, accountId, region }) => ({ eventId: newEventId(), accountId, region, time: createdAt, event })),
  };
  return {
    // Invariant (create): a fresh UUID, so the entry is new — and it commits exactly when the change does.
    writes: [{ op: 'create', entity: { type: 'outbox-entry', value: entry } }],
    entries: [entry],
    deliver: async () => {
      await deliverEntries(deps, [entry]);
    },
  };
}

/** Commits `writes` and the events announcing them in one transaction, then delivers the events. */
export async function commitAnnouncing(deps: OutboxDependencies, writes: Write[], announcements: readonly Announcement[]): Promise<void> {
  const outbox = outboxFor(deps, announcements);
  await deps.store.commit([...writes, ...outbox.writes]);
  await outbox.deliver();
}

/** Offers the entries' events in order and forgets each entry whose events all went out (deps.outboxForgetter); returns those. Never throws. */
export async function deliverEntries(deps: OutboxDependencies, entries: readonly OutboxEntry[]): Promise<OutboxEntry[]> {
  const events = entries.flatMap((entry) => entry.events);
  if (events.length === 0) return [];
  let delivered: Set<string>;
  try {
    delivered = await deps.events.publish(events);
  } catch (error) {
    deps.log.error('events not delivered; they stay in the outbox', { count: events.length, error });
    return [];
  }
  const done = entries.filter((entry) => entry.events.every((event) => delivered.has(event.eventId)));
  await deps.outboxForgetter.forget(done);
  return done;
}

export interface RedeliveryOptions {
  /** Entries younger than this are left to the request that committed them, which may still be delivering them. */
  graceSeconds: number;
}

export interface RedeliveryReport {
  /** Entries past the grace period offered in this run. */
  offered: number;
  /** Of those, entries whose every event went out. */
  delivered: number;
  /** Age of the oldest undelivered entry before this run (0 when none waited). */
  oldestAgeSeconds: number;
}

/** Entries listed (and offered) at a time. */
const REDELIVERY_PAGE = 100;
/** Entries one run offers at most: a backlog is worked off over several runs rather than outliving a Lambda's timeout. */
const REDELIVERY_LIMIT = 5000;

/**
 * The redelivery pass: offers every entry older than the grace period, oldest first, page by page,
 * and publishes the oldest one's age (the undelivered-events alarm watches it). A page of which
 * nothing goes out ends the run: the destination is down, the next run tries again.
 */
export async function redeliverEvents(
  deps: OutboxDependencies & { metrics: MetricsSink },
  options: RedeliveryOptions,
): Promise<RedeliveryReport> {
  // Entries this process delivered but has not forgotten yet are not offered again.
  await deps.outboxForgetter.flush();
  const now = deps.now();
  const dueBy = now.getTime() - options.graceSeconds * 1000;
  const report: RedeliveryReport = { offered: 0, delivered: 0, oldestAgeSeconds: 0 };
  const offered = new Set<string>();
  let from = oldestDeliverableOutboxEntry(now);
  while (report.offered < REDELIVERY_LIMIT) {
    const listed = await deps.store.listOutboxEntries(from, REDELIVERY_PAGE);
    if (report.offered === 0 && listed.length > 0) {
      report.oldestAgeSeconds = Math.max(0, Math.floor((now.getTime() - Date.parse(listed[0].createdAt)) / 1000));
    }
    const due = listed.filter((entry) => Date.parse(entry.createdAt) <= dueBy && !offered.has(entry.outboxId));
    if (due.length === 0) break;
    for (const entry of due) offered.add(entry.outboxId);
    const delivered = await deliverEntries(deps, due);
    report.offered += due.length;
    report.delivered += delivered.length;
    if (delivered.length === 0) break;
    // Entries left undelivered stay listed: go on after the last one offered (the set skips ties seen).
    from = due.at(-1)!.createdAt;
  }
  if (report.offered > report.delivered) {
    deps.log.warn('undelivered events stay in the outbox', { offered: report.offered, delivered: report.delivered });
  }
  await deps.metrics.publish([
    { name: OUTBOX_METRICS.oldestAge, unit: 'Seconds', value: report.oldestAgeSeconds, dimensions: { ...OUTBOX_METRICS.dimensions } },
    { name: OUTBOX_METRICS.redelivered, unit: 'Count', value: report.delivered, dimensions: { ...OUTBOX_METRICS.dimensions } },
  ]);
  return report;
}
