// Syncing prefix list resolver targets (spec §12.3–12.4, DN-44): a target whose wanted version
// (the resolver's latest, or its DesiredVersion) is not the one last synced gets that version's
// CIDRs as its prefix list's next version, in one commit with the target's new state; a list that
// is gone, has sync disabled or cannot hold the CIDRs is left alone and the target is sync-failed.
// Run when a target is created or modified, when its resolver makes a version
// (prefix-list-resolver-evaluation.ts), when its list's sync switch is turned back on or resized,
// and after every evaluation of its resolver (so the sweep retries failed targets). Deleting a
// target (or its resolver) gives the list back to its owner.
import type { IpamPrefixListResolverTarget, ManagedPrefixList, PrefixListEntry, PrefixListState } from '../domain/model/prefix-list.ts';
import type { MetricDatum } from '../domain/monitoring.ts';
import { needsSync, planSync, wantedVersion } from '../domain/prefix-list-targets.ts';
import type { Write } from '../ports/store.ts';
import { retryOnConflict } from './free-space.ts';
import { liveResolverVersion } from './prefix-list-resolver-retention.ts';
import type { Dependencies } from './kernel/context.ts';

export type SyncDependencies = Pick<Dependencies, 'store' | 'log' | 'now'>;

export interface SyncOutcome {
  target: IpamPrefixListResolverTarget;
  synced: boolean;
}

/**
 * The writes that make `entries` the list's next version, with `State`: the list at its next
 * Version and that version's entries, created once.
 */
export function newVersionWrites(
  list: ManagedPrefixList,
  entries: PrefixListEntry[],
  State: PrefixListState,
  changes: Partial<ManagedPrefixList> = {},
) {
  const next: ManagedPrefixList = { ...list, ...changes, entries, Version: list.Version + 1, State };
  const writes: Write[] = [
    // Invariant: the list is changed at the store version read, so the Version check and the
    // MaxEntries check made on what was read still hold (a concurrent edit retries or is refused).
    { op: 'update', entity: { type: 'managed-prefix-list', value: next } },
    // Invariant: each version is made once; its entries never change afterwards.
    { op: 'create', entity: { type: 'prefix-list-version', value: { prefixListId: list.PrefixListId, version: next.Version, entries } } },
  ];
  return { next, writes };
}

/** The writes that remove a target: the target, its place in the resolver's count, the list's mark. */
export async function targetDeleteWrites(deps: Pick<Dependencies, 'store'>, target: IpamPrefixListResolverTarget): Promise<Write[]> {
  const [resolver, list] = await Promise.all([
    deps.store.getPrefixListResolver(target.IpamPrefixListResolverId),
    deps.store.getManagedPrefixList(target.OwnerId, target.PrefixListRegion, target.PrefixListId),
  ]);
  const writes: Write[] = [
    // Invariant: deleted at the version read, so a sync committed meanwhile retries the delete.
    { op: 'delete', entity: { type: 'prefix-list-resolver-target', value: target } },
  ];
  if (resolver) {
    const targetCount = Math.max(0, (resolver.targetCount ?? 1) - 1);
    writes.push({ op: 'update', entity: { type: 'prefix-list-resolver', value: { ...resolver, targetCount } } });
  }
  if (list?.IpamPrefixListResolverTargetId === target.IpamPrefixListResolverTargetId) {
    // The list is the customer's again: hand edits allowed; its sync switch goes with the target.
    const { IpamPrefixListResolverTargetId: _id, IpamPrefixListResolverSyncEnabled: _sync, ...unmanaged } = list;
    writes.push({ op: 'update', entity: { type: 'managed-prefix-list', value: unmanaged } });
  }
  return writes;
}

/** Deletes every target of a resolver (its deletion, or its IPAM's), giving each list back. */
export async function deleteResolverTargets(deps: Pick<Dependencies, 'store'>, resolverId: string): Promise<void> {
  for (const listed of await deps.store.listPrefixListResolverTargets(resolverId)) {
    await retryOnConflict(async () => {
      const target = await deps.store.getPrefixListResolverTarget(listed.IpamPrefixListResolverTargetId);
      if (target) await deps.store.commit(await targetDeleteWrites(deps, target));
    });
  }
}

/** Syncs one target if it needs it; undefined when it did not (or is gone). */
export async function syncPrefixListResolverTarget(deps: SyncDependencies, targetId: string): Promise<SyncOutcome | undefined> {
  return retryOnConflict(async (): Promise<SyncOutcome | undefined> => {
    const target = await deps.store.getPrefixListResolverTarget(targetId);
    const resolver = target && (await deps.store.getPrefixListResolver(target.IpamPrefixListResolverId));
    if (!target || !resolver || !needsSync(target, resolver.latestVersion)) return undefined;
    const wanted = wantedVersion(target, resolver.latestVersion);
    const version = await liveResolverVersion(deps, resolver.IpamPrefixListResolverId, wanted);
    const list = await deps.store.getManagedPrefixList(target.OwnerId, target.PrefixListRegion, target.PrefixListId);
    const plan = version
      ? planSync(target, list, wanted, version.cidrs)
      : { kind: 'failed' as const, message: `Version ${wanted} of ${resolver.IpamPrefixListResolverId} does not exist` };
    if (plan.kind === 'failed') {
      if (target.State === 'sync-failed' && target.StateMessage === plan.message) return { target, synced: false };
      const failed: IpamPrefixListResolverTarget = { ...target, State: 'sync-failed', StateMessage: plan.message };
      // Invariant: the failure is recorded on the target as read (a concurrent modify retries this sync).
      await deps.store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-target', value: failed } }]);
      return { target: { ...failed, version: target.version + 1 }, synced: false };
    }
    const synced: IpamPrefixListResolverTarget = { ...target, State: 'sync-complete', StateMessage: undefined, LastSyncedVersion: wanted };
    const listWrites: Write[] =
      plan.kind === 'write'
        ? newVersionWrites(list!, plan.entries, 'modify-complete').writes
        : // Invariant: the list still holds the version's CIDRs (not edited since read).
          [{ op: 'check', entity: { type: 'managed-prefix-list', value: list! } }];
    await deps.store.commit([
      // Invariant: LastSyncedVersion moves from the value read, with the list's entries in the same commit.
      { op: 'update', entity: { type: 'prefix-list-resolver-target', value: synced } },
      ...listWrites,
    ]);
    return { target: { ...synced, version: target.version + 1 }, synced: true };
  });
}

/** Syncs every target of a resolver that needs it. Never throws: a target that fails is logged and left to the next sweep. */
export async function syncResolverTargets(deps: SyncDependencies, resolverId: string): Promise<SyncOutcome[]> {
  const outcomes: SyncOutcome[] = [];
  try {
    for (const target of await deps.store.listPrefixListResolverTargets(resolverId)) {
      try {
        const outcome = await syncPrefixListResolverTarget(deps, target.IpamPrefixListResolverTargetId);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        deps.log.error('could not sync a prefix list resolver target', { targetId: target.IpamPrefixListResolverTargetId, error });
      }
    }
  } catch (error) {
    deps.log.error('could not list the targets of a prefix list resolver', { resolverId, error });
  }
  return outcomes;
}

/** The list's target, synced now (its sync switch was turned back on, or it was resized). */
export async function syncTargetOfList(deps: SyncDependencies, list: ManagedPrefixList): Promise<void> {
  if (list.IpamPrefixListResolverTargetId === undefined || list.IpamPrefixListResolverSyncEnabled === false) return;
  try {
    await syncPrefixListResolverTarget(deps, list.IpamPrefixListResolverTargetId);
  } catch (error) {
    deps.log.error('could not sync a prefix list resolver target', { targetId: list.IpamPrefixListResolverTargetId, error });
  }
}

/** The guide's sync metrics (spec §15.2, UG L2852–2853), dimension IpamPrefixListResolverId: one datum per sync attempted. */
export function syncMetrics(outcomes: readonly SyncOutcome[]): MetricDatum[] {
  return outcomes.map(({ target, synced }) => ({
    name: synced ? 'IpamPrefixListResolverSyncSuccess' : 'IpamPrefixListResolverSyncFailure',
    unit: 'Count',
    value: 1,
    dimensions: { IpamPrefixListResolverId: target.IpamPrefixListResolverId },
  }));
}
