// Pure rules of prefix list resolver targets (spec §12.3, DN-44): which version a target wants,
// whether it must sync, and what a sync does to its prefix list.
import type { AddressFamily } from './cidr.ts';
import { IpamError } from './errors.ts';
import type { IpamPrefixListResolverTarget, ManagedPrefixList, PrefixListEntry } from './model/prefix-list.ts';
import { sameEntries, syncedEntries } from './prefix-lists.ts';

/** Quota "Prefix list resolver targets per prefix list resolver" (UG L9669). */
export const TARGETS_PER_RESOLVER = 50;

/** The resolver version a target wants: the latest when tracking it, else the pinned one (0: none yet). */
export const wantedVersion = (target: Pick<IpamPrefixListResolverTarget, 'TrackLatestVersion' | 'DesiredVersion'>, latest: number) =>
  target.TrackLatestVersion ? latest : (target.DesiredVersion ?? 0);

/** DN-44: a target syncs when the version it wants (latest, or the desired one) is not the one last synced. */
export const needsSync = (target: IpamPrefixListResolverTarget, latest: number) => {
  const wanted = wantedVersion(target, latest);
  return wanted > 0 && wanted !== target.LastSyncedVersion;
};

/** The version mode asked for: TrackLatestVersion, or a DesiredVersion, never both. */
export function requireVersionMode(trackLatest: boolean, desired: number | undefined): void {
  if (trackLatest && desired !== undefined) {
    throw new IpamError(
      'InvalidParameterCombination',
      'DesiredVersion cannot be given with TrackLatestVersion=true; pin a version with TrackLatestVersion=false',
    );
  }
  if (desired !== undefined && (!Number.isInteger(desired) || desired < 1)) {
    throw new IpamError('InvalidParameterValue', `Value (${desired}) for parameter DesiredVersion is invalid`);
  }
}

/** A resolver of one family fills only lists of that family (DN-43). */
export function requireSameFamily(resolverFamily: AddressFamily, list: Pick<ManagedPrefixList, 'PrefixListId' | 'AddressFamily'>): void {
  if (list.AddressFamily.toLowerCase() !== resolverFamily) {
    throw new IpamError(
      'InvalidParameterValue',
      `The prefix list ${list.PrefixListId} is ${list.AddressFamily}; the resolver's address family is ${resolverFamily}`,
    );
  }
}

export type SyncPlan =
  | { kind: 'failed'; message: string }
  /** The list already holds the version's CIDRs: nothing to write to it. */
  | { kind: 'unchanged' }
  | { kind: 'write'; entries: PrefixListEntry[] };

/**
 * What syncing `version` (its CIDRs) into the list does: fail, leaving the list alone, when the
 * list is gone, sync is disabled on it, or it cannot hold the CIDRs (UG L2852); else replace its
 * entries by the CIDRs as its next version, unless it holds exactly them already.
 */
export function planSync(
  target: Pick<IpamPrefixListResolverTarget, 'PrefixListId' | 'PrefixListRegion' | 'IpamPrefixListResolverId'>,
  list: ManagedPrefixList | undefined,
  version: number,
  cidrs: readonly string[],
): SyncPlan {
  if (!list) return { kind: 'failed', message: `The prefix list ${target.PrefixListId} was not found in ${target.PrefixListRegion}` };
  if (list.IpamPrefixListResolverSyncEnabled === false) {
    return {
      kind: 'failed',
      message: `Synchronization is disabled on the prefix list ${list.PrefixListId} (IpamPrefixListResolverSyncEnabled=false)`,
    };
  }
  const entries = syncedEntries(cidrs);
  if (entries.length > list.MaxEntries) {
    return {
      kind: 'failed',
      message: `Version ${version} of ${target.IpamPrefixListResolverId} has ${entries.length} CIDRs; the prefix list ${list.PrefixListId} holds at most ${list.MaxEntries} entries (MaxEntries)`,
    };
  }
  return sameEntries(entries, list.entries) ? { kind: 'unchanged' } : { kind: 'write', entries };
}

/** The guide (UG L1214): the previous 10 versions are kept for each target, for rollback. */
export const VERSIONS_KEPT_PER_TARGET = 10;

/** The versions numbered `top` and the 9 below it (that exist: from 1). */
const windowEndingAt = (top: number): number[] => Array.from({ length: Math.min(top, VERSIONS_KEPT_PER_TARGET) }, (_, i) => top - i);

/**
 * The resolver versions retention keeps (spec §12.4, DN-44): the latest 10 (with or without
 * targets), and for each target the versions it references (DesiredVersion, LastSyncedVersion)
 * with the 10 up to the newer of them — its most recent synced/desired versions, as numbers.
 */
export function keptResolverVersions(
  latest: number,
  targets: readonly Pick<IpamPrefixListResolverTarget, 'TrackLatestVersion' | 'DesiredVersion' | 'LastSyncedVersion'>[],
): Set<number> {
  const kept = new Set(windowEndingAt(latest));
  for (const target of targets) {
    const referenced = [target.DesiredVersion, target.LastSyncedVersion, target.TrackLatestVersion ? latest : undefined].filter(
      (n): n is number => n !== undefined && n > 0,
    );
    for (const n of referenced) kept.add(n);
    if (referenced.length > 0) for (const n of windowEndingAt(Math.max(...referenced))) kept.add(n);
  }
  return kept;
}

export interface RetentionPlan<V> {
  /** Out of the kept set and unmarked: marked to go 7 days on. */
  mark: V[];
  /** Marked and kept again (a target references it): the mark is cleared — a referenced version is never purged. */
  unmark: V[];
  /** Marked, not kept, and past the mark: deleted now (DynamoDB's TTL may be late). */
  purge: V[];
}

/** What retention does to a resolver's versions, given the kept set and whether each mark has passed. */
export function planRetention<V extends { Version: number; retainedUntil?: string }>(
  versions: readonly V[],
  kept: ReadonlySet<number>,
  isGone: (version: V) => boolean,
): RetentionPlan<V> {
  const plan: RetentionPlan<V> = { mark: [], unmark: [], purge: [] };
  for (const version of versions) {
    if (kept.has(version.Version)) {
      if (version.retainedUntil !== undefined) plan.unmark.push(version);
    } else if (version.retainedUntil === undefined) plan.mark.push(version);
    else if (isGone(version)) plan.purge.push(version);
  }
  return plan;
}
