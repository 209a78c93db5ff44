// Records that expire. DynamoDB's TTL (dynamodb/table-schema.ts) deletes them late, DynamoDB Local
// and the in-memory store never, so the instant one is gone is decided here: every reader treats
// it as absent from then on, and the DynamoDB adapter marks the same instant for TTL.
import type { OutboxEntry, OutboxEvent, RecentEvent } from './model/events.ts';
import type { ClientTokenRecord, WorkflowExecution } from './model/execution.ts';
import type { IpamPoolCidr } from './model/pool.ts';
import type { PrefixListResolverVersion } from './model/prefix-list-resolver.ts';
import type { Byoasn, ByoipRange } from './model/public-space.ts';

/** How long a client token is honoured after its request started, like EC2's idempotency window. */
export const CLIENT_TOKEN_LIFETIME_MS = 24 * 3600 * 1000;

/** When a client token stops being honoured, in epoch milliseconds. */
export const clientTokenExpiresAt = (token: Pick<ClientTokenRecord, 'startedAt'>): number =>
  Date.parse(token.startedAt) + CLIENT_TOKEN_LIFETIME_MS;

export const isExpiredClientToken = (token: Pick<ClientTokenRecord, 'startedAt'>, now: Date): boolean =>
  now.getTime() >= clientTokenExpiresAt(token);

/** How long a finished pool CIDR (deprovisioned, failed-provision) stays visible: long enough to see how it ended. */
export const FINISHED_POOL_CIDR_RETENTION_MS = 24 * 3600 * 1000;

/** When a pool CIDR that finished at `now` is forgotten, as its retainedUntil. */
export const poolCidrRetainedUntil = (now: Date): string => new Date(now.getTime() + FINISHED_POOL_CIDR_RETENTION_MS).toISOString();

/** A finished pool CIDR is forgotten at its retainedUntil. */
export const isForgottenPoolCidr = (record: Pick<IpamPoolCidr, 'retainedUntil'>, now: Date): boolean =>
  record.retainedUntil !== undefined && Date.parse(record.retainedUntil) <= now.getTime();

/** How long a closed workflow execution's record is kept after it finished: long enough to look into a failure. */
export const CLOSED_EXECUTION_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** When a closed execution's record goes, in epoch milliseconds; an open one (no finishedAt) stays. Nothing reads a closed one after. */
export const executionExpiresAt = (execution: Pick<WorkflowExecution, 'finishedAt'>): number | undefined =>
  execution.finishedAt === undefined ? undefined : Date.parse(execution.finishedAt) + CLOSED_EXECUTION_RETENTION_MS;

/**
 * How long an event that could not be delivered is offered again: far longer than any outage the
 * undelivered-events alarm lets pass unnoticed. Delivered entries are deleted at once.
 */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3600 * 1000;

/** When an undelivered outbox entry is given up, in epoch milliseconds. */
export const outboxEntryExpiresAt = (entry: Pick<OutboxEntry, 'createdAt'>): number => Date.parse(entry.createdAt) + OUTBOX_RETENTION_MS;

/** The oldest createdAt an outbox entry may have and still be delivered at `now`. */
export const oldestDeliverableOutboxEntry = (now: Date): string => new Date(now.getTime() - OUTBOX_RETENTION_MS).toISOString();

/**
 * How long a space's free-space epoch outlives its last change. Its value only has to differ from
 * one read to the next while a scan runs (milliseconds), so an idle space may lose it, and a
 * deleted pool's or scope's goes with time.
 */
export const FREE_SPACE_EPOCH_RETENTION_MS = 30 * 24 * 3600 * 1000;

/** How long a finished BYOIP range outside IPAM (deprovisioned, failed-provision) stays listed: as long as a finished pool CIDR. */
export const byoipRangeRetainedUntil = poolCidrRetainedUntil;

export const isForgottenByoipRange = (range: Pick<ByoipRange, 'retainedUntil'>, now: Date): boolean =>
  range.retainedUntil !== undefined && Date.parse(range.retainedUntil) <= now.getTime();

/** The guide: failed and deprovisioned ASNs are purged after 7 days (they show until then). */
export const FINISHED_BYOASN_RETENTION_MS = 7 * 24 * 3600 * 1000;

export const byoasnRetainedUntil = (now: Date): string => new Date(now.getTime() + FINISHED_BYOASN_RETENTION_MS).toISOString();

export const isForgottenByoasn = (record: Pick<Byoasn, 'retainedUntil'>, now: Date): boolean =>
  record.retainedUntil !== undefined && Date.parse(record.retainedUntil) <= now.getTime();

/** How long a delivered event stays readable as a recent event, unless configured (IPAM_RECENT_EVENTS_RETENTION_DAYS). */
export const DEFAULT_RECENT_EVENT_RETENTION_DAYS = 7;

/** The recent-event record of a delivered event, kept for `retentionMs` after the event's commit. */
export const recentEventOf = (event: OutboxEvent, retentionMs: number): RecentEvent => ({
  ...event,
  retainedUntil: new Date(Date.parse(event.time) + retentionMs).toISOString(),
});

export const isForgottenRecentEvent = (record: Pick<RecentEvent, 'retainedUntil'>, now: Date): boolean =>
  Date.parse(record.retainedUntil) <= now.getTime();

/** The guide (UG L1214): a resolver version out of every target's kept set goes once unreferenced for a further 7 days. */
export const UNREFERENCED_RESOLVER_VERSION_RETENTION_MS = 7 * 24 * 3600 * 1000;

export const resolverVersionRetainedUntil = (now: Date): string =>
  new Date(now.getTime() + UNREFERENCED_RESOLVER_VERSION_RETENTION_MS).toISOString();

export const isForgottenResolverVersion = (record: Pick<PrefixListResolverVersion, 'retainedUntil'>, now: Date): boolean =>
  record.retainedUntil !== undefined && Date.parse(record.retainedUntil) <= now.getTime();
