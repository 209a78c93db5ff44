// One place that turns a new verdict on a resource CIDR into writes: the resource-CIDR record and
// its address history change together, in one transaction, so a sweep repeated after a crash
// neither opens nor closes a history record twice.
import { isDeepStrictEqual } from 'node:util';
import { historyRecordOf, sameHistoryState } from '../../domain/address-history.ts';
import type { ResourceCidrVerdict } from '../../domain/discovery.ts';
import type { IpamResourceCidr } from '../../domain/model/monitoring.ts';
import type { Write } from '../../ports/store.ts';

export type { ResourceCidrVerdict };

/**
 * Writes that move a CIDR from `previous` (as read, or undefined if new) to `next` (undefined when
 * the resource is gone from the scope) at sample time `now`. Empty when nothing changed.
 */
export function resourceCidrWrites(previous: IpamResourceCidr | undefined, next: ResourceCidrVerdict | undefined, now: string): Write[] {
  if (!previous && !next) return [];
  if (previous && !next) {
    const closed = historyRecordOf(previous, now);
    return [
      // Invariant: the record is the one read; a concurrent sweep or ModifyIpamResourceCidr makes this fail.
      { op: 'delete', entity: { type: 'resource-cidr', value: previous } },
      ...(closed ? [{ op: 'update', entity: { type: 'address-history', value: closed } } as Write] : []),
    ];
  }
  const candidate: IpamResourceCidr = {
    ...next!,
    historyStartedAt: previous?.historyStartedAt ?? now,
    historyVersion: previous?.historyVersion,
    version: previous?.version ?? 1,
  };
  if (!previous) {
    const opened = historyRecordOf(candidate);
    return [
      // Invariant: one record per CIDR and resource in a scope; a repeated sweep finds it and updates instead.
      { op: 'create', entity: { type: 'resource-cidr', value: candidate } },
      ...(opened ? [{ op: 'create', entity: { type: 'address-history', value: opened } } as Write] : []),
    ];
  }
  if (sameHistoryState(previous, candidate)) {
    if (isDeepStrictEqual(withoutUndefined(previous), withoutUndefined(candidate))) return [];
    return [{ op: 'update', entity: { type: 'resource-cidr', value: candidate } }];
  }
  if (previous.historyStartedAt === now) return replacedInPlace(candidate);
  const restarted: IpamResourceCidr = { ...candidate, historyStartedAt: now, historyVersion: undefined };
  const closed = historyRecordOf(previous, now);
  const opened = historyRecordOf(restarted);
  return [
    { op: 'update', entity: { type: 'resource-cidr', value: restarted } },
    // Invariant: the open record (at the version read) is closed once; its successor is created once.
    ...(closed ? [{ op: 'update', entity: { type: 'address-history', value: closed } } as Write] : []),
    ...(opened ? [{ op: 'create', entity: { type: 'address-history', value: opened } } as Write] : []),
  ];
}

/**
 * A change in the instant the open history record began (ignoring and un-ignoring in one
 * millisecond): the state that record describes lasted no time, and history is what was sampled
 * over time, so the new state takes its place rather than closing it at its own start. Closing it
 * and opening the successor would also write the one item `<start>#<resource>` twice in a commit.
 */
function replacedInPlace(candidate: IpamResourceCidr): Write[] {
  const replacing = historyRecordOf(candidate);
  const replaced: IpamResourceCidr = { ...candidate, historyVersion: replacing ? replacing.version + 1 : undefined };
  return [
    { op: 'update', entity: { type: 'resource-cidr', value: replaced } },
    // Invariant: the open record is still the one read; replacing it moves it on a version, which the record above remembers for its close.
    ...(replacing ? [{ op: 'update', entity: { type: 'address-history', value: replacing } } as Write] : []),
  ];
}

const withoutUndefined = (record: IpamResourceCidr): unknown => JSON.parse(JSON.stringify(record));
