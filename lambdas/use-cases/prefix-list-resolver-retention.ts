// Retention of prefix list resolver versions (spec §12.4, DN-44, UG L1214): each target keeps its
// 10 most recent versions and every version it references; the latest 10 are always kept (so a
// resolver without targets keeps those). A version out of that set is marked to go 7 days later
// (retainedUntil, DynamoDB's TTL attribute) and the mark is cleared if a target references it
// again first; readers treat a version as gone from the mark's instant (liveResolverVersion).
// Run after an evaluation that wrote a version or synced a target, and after a target is created,
// modified or deleted: the only moments the kept set changes. Nothing runs while nothing changes.
import { isForgottenResolverVersion, resolverVersionRetainedUntil } from '../domain/expiry.ts';
import type { PrefixListResolverVersion } from '../domain/model/prefix-list-resolver.ts';
import { keptResolverVersions, planRetention } from '../domain/prefix-list-targets.ts';
import type { Write } from '../ports/store.ts';
import type { Dependencies } from './kernel/context.ts';

type RetentionDependencies = Pick<Dependencies, 'store' | 'now' | 'log'>;

/** Writes per commit (the store's transactions hold 100 items). */
const WRITES_PER_COMMIT = 50;

/** One version of a resolver, unless retention has let it go. */
export async function liveResolverVersion(
  deps: Pick<Dependencies, 'store' | 'now'>,
  resolverId: string,
  number: number,
): Promise<PrefixListResolverVersion | undefined> {
  const version = await deps.store.getPrefixListResolverVersion(resolverId, number);
  return version && !isForgottenResolverVersion(version, deps.now()) ? version : undefined;
}

/** Every version of a resolver that retention has not let go, oldest first. */
export async function liveResolverVersions(deps: Pick<Dependencies, 'store' | 'now'>, resolverId: string) {
  const now = deps.now();
  return (await deps.store.listPrefixListResolverVersions(resolverId)).filter((version) => !isForgottenResolverVersion(version, now));
}

/**
 * Marks, unmarks and purges a resolver's versions as the kept set says. Never throws: a commit
 * that loses a race (a version marked meanwhile) is left to the next run, which reads again.
 */
export async function retainResolverVersions(deps: RetentionDependencies, resolverId: string): Promise<void> {
  try {
    const resolver = await deps.store.getPrefixListResolver(resolverId);
    if (!resolver) return;
    const [targets, versions] = await Promise.all([
      (resolver.targetCount ?? 0) > 0 ? deps.store.listPrefixListResolverTargets(resolverId) : Promise.resolve([]),
      deps.store.listPrefixListResolverVersions(resolverId),
    ]);
    const now = deps.now();
    const plan = planRetention(versions, keptResolverVersions(resolver.latestVersion, targets), (v) => isForgottenResolverVersion(v, now));
    const update = (value: PrefixListResolverVersion): Write => ({
      // Invariant: the mark changes only on the version record as read (a concurrent mark or unmark retries next run).
      op: 'update',
      entity: { type: 'prefix-list-resolver-version', value: { ...value, version: value.version ?? 0 } },
    });
    const writes: Write[] = [
      ...plan.mark.map((v) => update({ ...v, retainedUntil: resolverVersionRetainedUntil(now) })),
      ...plan.unmark.map(({ retainedUntil: _mark, ...v }) => update(v)),
      // Invariant: a version is purged only as read: marked and past the mark (an unmark meanwhile stops it).
      ...plan.purge.map(
        (v): Write => ({ op: 'delete', entity: { type: 'prefix-list-resolver-version', value: { ...v, version: v.version ?? 0 } } }),
      ),
    ];
    for (let i = 0; i < writes.length; i += WRITES_PER_COMMIT) await deps.store.commit(writes.slice(i, i + WRITES_PER_COMMIT));
  } catch (error) {
    deps.log.error('could not apply version retention to a prefix list resolver', { resolverId, error });
  }
}
