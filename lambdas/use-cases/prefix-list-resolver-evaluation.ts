// Evaluating prefix list resolvers (spec §12.4, DN-44): read the IPAM data a resolver's rules
// select from, resolve the CIDR set, and write a new version when it differs from the latest.
// Run after CreateIpamPrefixListResolver and ModifyIpamPrefixListResolver, after a pool CIDR is
// provisioned or deprovisioned and a resource CIDR is modified (reevaluateIpamResolvers), and by
// every discovery sweep for each IPAM it sweeps. Allocations and releases need no hook: they change
// no pool CIDR, and resource CIDRs change only through the sweep and ModifyIpamResourceCidr.
import { nextVersion, type PoolCidrCandidate, type ResolverSources, resolvePrefixListCidrs } from '../domain/prefix-list-resolvers.ts';
import type { MetricDatum } from '../domain/monitoring.ts';
import type { IpamPrefixListResolver, PrefixListResolverVersion } from '../domain/model/prefix-list-resolver.ts';
import { retryOnConflict } from './free-space.ts';
import { retainResolverVersions } from './prefix-list-resolver-retention.ts';
import { type SyncOutcome, syncMetrics, syncResolverTargets } from './prefix-list-sync.ts';
import type { Dependencies } from './kernel/context.ts';

export type EvaluationDependencies = Pick<Dependencies, 'store' | 'now' | 'log'>;

export interface EvaluationOutcome {
  /** The resolver as it is after the evaluation. */
  resolver: IpamPrefixListResolver;
  /** The version this evaluation created, if any. */
  created?: PrefixListResolverVersion;
  /** Why version creation failed (LastVersionCreationStatusMessage), if it did. */
  failure?: string;
  /** The targets synced after the evaluation (prefix-list-sync.ts), if it has any. */
  syncs?: SyncOutcome[];
}

/** The provisioned pool CIDRs and resource CIDRs of the scopes the rules name, and nothing for static rules. */
async function sourcesOf(deps: EvaluationDependencies, resolver: IpamPrefixListResolver): Promise<ResolverSources> {
  const scopesOf = (type: string) => new Set(resolver.rules.filter((rule) => rule.RuleType === type).map((rule) => rule.IpamScopeId!));
  const poolScopes = scopesOf('ipam-pool-cidr');
  const resourceScopes = scopesOf('ipam-resource-cidr');
  const poolCidrs: PoolCidrCandidate[] = [];
  if (poolScopes.size > 0) {
    const pools = (await deps.store.listPools(resolver.OwnerId)).filter(
      (pool) => pool.ipamId === resolver.ipamId && poolScopes.has(pool.ipamScopeId),
    );
    const cidrs = await Promise.all(pools.map((pool) => deps.store.listPoolCidrs(pool.IpamPoolId)));
    pools.forEach((pool, i) => {
      for (const poolCidr of cidrs[i]!) {
        if (poolCidr.State === 'provisioned' && poolCidr.Cidr) {
          poolCidrs.push({ ipamPoolId: pool.IpamPoolId, ipamScopeId: pool.ipamScopeId, cidr: poolCidr.Cidr });
        }
      }
    });
  }
  const resourceCidrs = (await Promise.all([...resourceScopes].map((scopeId) => deps.store.listResourceCidrs(scopeId)))).flat();
  return { poolCidrs, resourceCidrs };
}

/**
 * Evaluates one resolver: a new version when its rules now select a different CIDR set (v1 at the
 * first evaluation, even empty), a failure status when the set is over the entries quota, nothing
 * otherwise. Undefined when the resolver is gone. Each write is conditional on the resolver as
 * read, so two evaluations never write the same version number and a rule change wins over an
 * evaluation of the old rules (which then re-reads and evaluates the new ones). The pool and
 * resource CIDRs read are not part of the condition: every change to them is followed by an
 * evaluation of its own (the hooks, the sweep), which reads them after it, so the latest version
 * converges on the data even when an evaluation that read them just before wrote a version first.
 */
export async function evaluatePrefixListResolver(deps: EvaluationDependencies, resolverId: string): Promise<EvaluationOutcome | undefined> {
  const outcome = await retryOnConflict(async (): Promise<EvaluationOutcome | undefined> => {
    const resolver = await deps.store.getPrefixListResolver(resolverId);
    if (!resolver) return undefined;
    const cidrs = resolvePrefixListCidrs(resolver.AddressFamily, resolver.rules, await sourcesOf(deps, resolver));
    const latest =
      resolver.latestVersion > 0 ? await deps.store.getPrefixListResolverVersion(resolverId, resolver.latestVersion) : undefined;
    const decision = nextVersion(resolver.latestVersion, latest?.cidrs, cidrs);
    if (decision.kind !== 'new') {
      const failure = decision.kind === 'too-many' ? decision.message : undefined;
      const updated: IpamPrefixListResolver = {
        ...resolver,
        LastVersionCreationStatus: failure ? 'failure' : 'success',
        LastVersionCreationStatusMessage: failure,
      };
      const same =
        updated.LastVersionCreationStatus === resolver.LastVersionCreationStatus &&
        updated.LastVersionCreationStatusMessage === resolver.LastVersionCreationStatusMessage;
      if (same) return { resolver, failure };
      // Invariant: the status describes the rules and latest version read (a concurrent change retries).
      await deps.store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver', value: updated } }]);
      return { resolver: { ...updated, version: resolver.version + 1 }, failure };
    }
    const created: PrefixListResolverVersion = {
      version: 0,
      resolverId,
      Version: decision.Version,
      cidrs: decision.cidrs,
      createdAt: deps.now().toISOString(),
    };
    const updated: IpamPrefixListResolver = {
      ...resolver,
      latestVersion: created.Version,
      LastVersionCreationStatus: 'success',
      LastVersionCreationStatusMessage: undefined,
    };
    await deps.store.commit([
      // Invariant: versions are numbered 1, 2, … without gaps: the number follows the latest read, and the resolver is still at that version.
      { op: 'update', entity: { type: 'prefix-list-resolver', value: updated } },
      { op: 'create', entity: { type: 'prefix-list-resolver-version', value: created } },
    ]);
    return { resolver: { ...updated, version: resolver.version + 1 }, created };
  });
  // Its targets follow a new version; without one, those that failed or lag behind try again (the sweep's retry).
  if (outcome && (outcome.resolver.targetCount ?? 0) > 0) outcome.syncs = await syncResolverTargets(deps, resolverId);
  // The kept set moved only if a version was written or a target synced to another one.
  if (outcome && (outcome.created || outcome.syncs?.some(({ synced }) => synced))) await retainResolverVersions(deps, resolverId);
  return outcome;
}

/**
 * Evaluates every resolver of an IPAM; an IPAM without resolvers costs no read beyond the IPAM
 * (or none, given the IPAM). Never throws: a resolver that fails is logged and left to the next
 * sweep. Returns the outcomes, for the sweep's metrics.
 */
export async function reevaluateIpamResolvers(
  deps: EvaluationDependencies,
  ipamOrId: string | { IpamId: string; OwnerId: string; prefixListResolverCount?: number },
): Promise<EvaluationOutcome[]> {
  try {
    const ipam = typeof ipamOrId === 'string' ? await deps.store.getIpam(ipamOrId) : ipamOrId;
    if (!ipam?.prefixListResolverCount) return [];
    const resolvers = (await deps.store.listPrefixListResolvers(ipam.OwnerId)).filter((resolver) => resolver.ipamId === ipam.IpamId);
    const outcomes: EvaluationOutcome[] = [];
    for (const resolver of resolvers) {
      try {
        const outcome = await evaluatePrefixListResolver(deps, resolver.IpamPrefixListResolverId);
        if (outcome) outcomes.push(outcome);
      } catch (error) {
        deps.log.error('could not evaluate a prefix list resolver', { resolverId: resolver.IpamPrefixListResolverId, error });
      }
    }
    return outcomes;
  } catch (error) {
    deps.log.error('could not evaluate the prefix list resolvers of an IPAM', { ipam: ipamOrId, error });
    return [];
  }
}

/**
 * The guide's resolver metrics (spec §15.2, dimension IpamPrefixListResolverId): one datum per
 * version created or failed, and one per target sync attempted (IpamPrefixListResolverSync…).
 */
export function versionCreationMetrics(outcomes: readonly EvaluationOutcome[]): MetricDatum[] {
  return outcomes.flatMap((outcome): MetricDatum[] => {
    const dimensions = { IpamPrefixListResolverId: outcome.resolver.IpamPrefixListResolverId };
    const syncs = syncMetrics(outcome.syncs ?? []);
    if (outcome.created) return [{ name: 'IpamPrefixListResolverVersionCreationSuccess', unit: 'Count', value: 1, dimensions }, ...syncs];
    if (outcome.failure) return [{ name: 'IpamPrefixListResolverVersionCreationFailure', unit: 'Count', value: 1, dimensions }, ...syncs];
    return syncs;
  });
}
