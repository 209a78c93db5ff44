// CreateIpam, DescribeIpams, ModifyIpam, DeleteIpam.
import { parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { arnOf, newIpamId } from '../domain/ids.ts';
import type { Ipam, IpamScope } from '../domain/model/ipam.ts';
import type { IpamPool, IpamPoolAllocation } from '../domain/model/pool.ts';
import { downgradeRefusal, type MeteredAccount, meteringAfter, requireResourceOwnerMetering } from '../domain/ipam-tier.ts';
import { isAwsRegion } from '../domain/regions.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { StoreConflict, type Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { requireIpam, requireModification, requireSettled } from './kernel/lookup.ts';
import { deletePoolTree } from './pools.ts';
import { healScopeSpace, newScope, scopeDeletionWrites } from './scopes.ts';
import { retryOnConflict } from './free-space.ts';
import { purgeVerificationTokens } from './verification-tokens.ts';
import { deletePrefixListResolversOf } from './prefix-list-resolvers.ts';
import { commitAndSettle, commitAndStart } from './kernel/workflow.ts';
import {
  associationsOf,
  defaultDiscoveryOf,
  defaultResourceDiscovery,
  deleteObservations,
  ipamDiscoveryDeletion,
  purgeIpamMonitoringData,
} from './resource-discovery-records.ts';

export const MAX_OPERATING_REGIONS = 50;
const IPAMS_PER_REGION = 1;
/** The free tier keeps only the default association: other resource discoveries need the advanced tier (DN-10). */
const FREE_TIER_ASSOCIATIONS = 1;
const PRIVATE_GUA_SPACE = parseCidr('2000::/3');

type RegionList = { RegionName?: string }[] | undefined;

/** The Region names of an OperatingRegions-style list, each a valid Region, at most 50. */
export function regionNames(regions: RegionList, parameter: string): string[] {
  const names = (regions ?? []).map((region) => region.RegionName ?? '');
  if (names.length > MAX_OPERATING_REGIONS) {
    throw new IpamError('InvalidParameterValue', `${parameter} can list at most ${MAX_OPERATING_REGIONS} Regions`);
  }
  for (const name of names) {
    if (!isAwsRegion(name)) throw new IpamError('InvalidParameterValue', `The Region '${name}' in ${parameter} is not a valid Region`);
  }
  return names;
}

export const presentIpam = (ipam: Ipam) => publicView(ipam);

interface CreateIpamInput {
  Description?: string;
  OperatingRegions?: { RegionName?: string }[];
  Tier?: 'free' | 'advanced';
  EnablePrivateGua?: boolean;
  MeteredAccount?: MeteredAccount;
  TagSpecifications?: TagSpecification[];
}

export async function createIpam(deps: Dependencies, context: RequestContext, input: CreateIpamInput) {
  const requested = regionNames(input.OperatingRegions, 'OperatingRegions');
  // The home Region is always an operating Region, listed once.
  const operatingRegions = [...new Set([...requested, context.region])].map((RegionName) => ({ RegionName }));
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam');
  if (input.MeteredAccount === 'resource-owner') {
    requireResourceOwnerMetering(
      { OwnerId: context.accountId, IpamRegion: context.region },
      await deps.organization.organizationOf(context.accountId),
    );
  }
  const metering = meteringAfter({ MeteredAccount: 'ipam-owner' }, input.MeteredAccount, deps.now());

  const ipamId = newIpamId();
  const ipamArn = arnOf(context.accountId, 'ipam', ipamId);
  const publicScope = newScope(context, ipamId, ipamArn, 'public', true);
  const privateScope = newScope(context, ipamId, ipamArn, 'private', true);
  const discovery = defaultResourceDiscovery(context, {
    OwnerId: context.accountId,
    IpamId: ipamId,
    IpamArn: ipamArn,
    IpamRegion: context.region,
    OperatingRegions: operatingRegions,
  });
  const ipam: Ipam = {
    OwnerId: context.accountId,
    IpamId: ipamId,
    IpamArn: ipamArn,
    IpamRegion: context.region,
    PublicDefaultScopeId: publicScope.scope.IpamScopeId,
    PrivateDefaultScopeId: privateScope.scope.IpamScopeId,
    ScopeCount: 2,
    Description: input.Description,
    OperatingRegions: operatingRegions,
    State: 'create-in-progress',
    Tags: tags,
    Tier: input.Tier ?? 'advanced',
    EnablePrivateGua: input.EnablePrivateGua ?? false,
    ...metering,
    ResourceDiscoveryAssociationCount: 1,
    DefaultResourceDiscoveryId: discovery.resourceDiscovery.IpamResourceDiscoveryId,
    DefaultResourceDiscoveryAssociationId: discovery.association.IpamResourceDiscoveryAssociationId,
    version: 1,
  };
  const slot = { accountId: context.accountId, region: context.region, ipamId };
  try {
    await commitAndStart(
      deps,
      [
        { op: 'create', entity: { type: 'ipam', value: ipam } },
        // Invariant: one IPAM per account and Region — the slot exists while the IPAM does.
        { op: 'create', entity: { type: 'ipam-region-slot', value: slot } },
        ...publicScope.writes,
        ...privateScope.writes,
        ...discovery.writes,
      ],
      'resource-creation',
      { resourceType: 'ipam', id: ipamId },
    );
  } catch (error) {
    const existing = (await deps.store.listIpams(context.accountId)).filter((other) => other.IpamRegion === context.region);
    if (existing.length >= IPAMS_PER_REGION) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('ipams', existing.length, IPAMS_PER_REGION));
    }
    throw error;
  }
  return { Ipam: presentIpam(ipam) };
}

interface ModifyIpamInput {
  IpamId: string;
  Description?: string;
  AddOperatingRegions?: { RegionName?: string }[];
  RemoveOperatingRegions?: { RegionName?: string }[];
  Tier?: 'free' | 'advanced';
  EnablePrivateGua?: boolean;
  MeteredAccount?: MeteredAccount;
}

export async function modifyIpam(deps: Dependencies, context: RequestContext, input: ModifyIpamInput) {
  requireModification(input, 'IpamId', 'ipam');
  const added = regionNames(input.AddOperatingRegions, 'AddOperatingRegions');
  const removed = regionNames(input.RemoveOperatingRegions, 'RemoveOperatingRegions');
  return retryOnConflict(async () => {
    let ipam = await requireIpam(deps, context, input.IpamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    if (input.MeteredAccount === 'resource-owner' && ipam.MeteredAccount !== 'resource-owner') {
      requireResourceOwnerMetering(ipam, await deps.organization.organizationOf(ipam.OwnerId));
    }
    const { MeteredAccount, meteredAccountChangedAt } = meteringAfter(ipam, input.MeteredAccount, deps.now());
    // Scopes before pools: a pool created after this read changes its scope, which fails the checks below.
    const scopes = (await deps.store.listScopes(ipam.OwnerId)).filter((scope) => scope.ipamId === ipam.IpamId);
    const pools = (await deps.store.listPools(context.accountId)).filter((pool) => pool.ipamId === ipam.IpamId);
    if (removed.includes(ipam.IpamRegion)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The home Region ${ipam.IpamRegion} of the IPAM cannot be removed from its operating Regions`,
      );
    }
    for (const region of removed) {
      const user = pools.find((pool) => pool.Locale === region);
      if (user) {
        throw new IpamError('InvalidParameterValue', `The Region ${region} cannot be removed: it is the locale of pool ${user.IpamPoolId}`);
      }
    }
    const regions = [...new Set([...ipam.OperatingRegions.map((r) => r.RegionName), ...added])].filter((r) => !removed.includes(r));
    if (regions.length > MAX_OPERATING_REGIONS) {
      throw new IpamError('InvalidParameterValue', `An IPAM can have at most ${MAX_OPERATING_REGIONS} operating Regions`);
    }
    const checks: Write[] = [];
    if (removed.length > 0 || (input.Tier === 'free' && ipam.Tier !== 'free')) {
      // Invariant: no pool was created since the pools were listed (the decisions above depend on them).
      checks.push(...scopes.map((scope): Write => ({ op: 'check', entity: { type: 'scope', value: scope } })));
    }
    if (input.Tier === 'free' && ipam.Tier !== 'free') {
      if ((ipam.policyCount ?? 0) > 0) throw downgradeRefusal('policies', await policiesBlocking(deps, ipam));
      const privatePool = pools.find((pool) => pool.IpamScopeType === 'private');
      if (privatePool) throw downgradeRefusal('privatePools', `pool ${privatePool.IpamPoolId} is in a private scope`);
      const extraScope = scopes.find((scope) => !scope.IsDefault);
      if (extraScope) throw downgradeRefusal('privateScopes', `scope ${extraScope.IpamScopeId} is not a default scope`);
      const elsewhere = pools.find((pool) => pool.Locale !== ipam.IpamRegion);
      if (elsewhere)
        throw downgradeRefusal('foreignLocales', `pool ${elsewhere.IpamPoolId} has locale ${elsewhere.Locale}, not ${ipam.IpamRegion}`);
      if (ipam.ResourceDiscoveryAssociationCount > FREE_TIER_ASSOCIATIONS) {
        const extra = (await associationsOf(deps, ipam)).find((association) => !association.IsDefault);
        throw downgradeRefusal('associations', `association ${extra?.IpamResourceDiscoveryAssociationId} is not the default`);
      }
      if (ipam.prefixListResolverCount) {
        // The count is on the IPAM record, whose version this commit checks: a resolver created meanwhile retries.
        const resolver = (await deps.store.listPrefixListResolvers(ipam.OwnerId)).find((each) => each.ipamId === ipam.IpamId);
        throw downgradeRefusal('prefixListResolvers', `resolver ${resolver?.IpamPrefixListResolverId ?? ''} uses IPAM ${ipam.IpamId}`);
      }
      ipam = await markFreeTierCheck(deps, ipam);
      const foreign = await foreignAllocation(deps, ipam, pools);
      if (foreign) {
        await clearFreeTierCheck(deps, ipam);
        throw downgradeRefusal(
          'foreignAllocations',
          `allocation ${foreign.IpamPoolAllocationId} of pool ${foreign.ipamPoolId} belongs to account ${foreign.ResourceOwner}`,
        );
      }
    }
    if (input.EnablePrivateGua === false && ipam.EnablePrivateGua) {
      for (const pool of pools.filter((p) => p.IpamScopeType === 'private' && p.AddressFamily === 'ipv6')) {
        const cidrs = await deps.store.listPoolCidrs(pool.IpamPoolId);
        const gua = cidrs.find((c) => c.State === 'provisioned' && c.Cidr && isPrivateGua(c.Cidr));
        if (gua) {
          throw new IpamError(
            'IncorrectState',
            `Private GUA cannot be disabled while pool ${pool.IpamPoolId} holds the GUA CIDR ${gua.Cidr}`,
          );
        }
        // The pool's version is part of the decision: a GUA provisioned meanwhile fails the commit.
        checks.push({ op: 'check', entity: { type: 'pool', value: pool } });
      }
    }
    const { freeTierCheck: _done, ...unmarked } = ipam;
    const updated: Ipam = {
      ...unmarked,
      Description: input.Description ?? ipam.Description,
      OperatingRegions: regions.map((RegionName) => ({ RegionName })),
      Tier: input.Tier ?? ipam.Tier,
      EnablePrivateGua: input.EnablePrivateGua ?? ipam.EnablePrivateGua,
      MeteredAccount,
      meteredAccountChangedAt,
      State: 'modify-in-progress',
    };
    await commitAndSettle(
      deps,
      [
        // Invariant: the IPAM is at the version read (on a move to the free tier: the marked one,
        // so no allocation to another account saw it since the allocations were read; tierGuard).
        { op: 'update', entity: { type: 'ipam', value: updated } },
        ...checks,
        ...(await defaultDiscoveryRegionWrites(deps, ipam, regions)),
      ],
      'ipam',
      ipam.IpamId,
      'modify',
    );
    return { Ipam: presentIpam({ ...updated, version: updated.version + 1 }) };
  });
}

/**
 * The IPAM marked before a move to the free tier reads its allocations (ipam-tiers.ts tierGuard):
 * from the mark on, an allocation to another account either fails (it read the IPAM before) or
 * clears the mark (it read it after), and the move's commit at the marked version then fails.
 */
async function markFreeTierCheck(deps: Dependencies, ipam: Ipam): Promise<Ipam> {
  const marked: Ipam = { ...ipam, freeTierCheck: true };
  // Invariant: the IPAM is at the version read (every decision above was made on it).
  await deps.store.commit([{ op: 'update', entity: { type: 'ipam', value: marked } }]);
  return { ...marked, version: marked.version + 1 };
}

/** Takes the mark off after a refused move, so allocations to other accounts stop paying for it; a lost race leaves it to them. */
async function clearFreeTierCheck(deps: Dependencies, ipam: Ipam): Promise<void> {
  const { freeTierCheck: _done, ...cleared } = ipam;
  try {
    // Invariant: the IPAM is at the marked version; anyone who changed it since took the mark off already.
    await deps.store.commit([{ op: 'update', entity: { type: 'ipam', value: cleared } }]);
  } catch (error) {
    if (!(error instanceof StoreConflict)) throw error;
  }
}

/** What a move to the free tier says of the IPAM's policies: one by id, if the listing has caught up. */
async function policiesBlocking(deps: Dependencies, ipam: Ipam): Promise<string> {
  const policy = (await deps.store.listIpamPolicies(ipam.OwnerId)).find((p) => p.IpamId === ipam.IpamId);
  const count = ipam.policyCount ?? 0;
  return `IPAM ${ipam.IpamId} has ${count} IPAM ${count === 1 ? 'policy' : 'policies'}${policy ? ` (${policy.IpamPolicyId})` : ''}`;
}

/** An allocation of the IPAM's pools to an account other than its owner, if any (the fifth downgrade precondition). */
async function foreignAllocation(deps: Dependencies, ipam: Ipam, pools: IpamPool[]): Promise<IpamPoolAllocation | undefined> {
  for (const pool of pools) {
    let after: string | undefined;
    do {
      const page = await deps.store.listAllocations(pool.IpamPoolId, { limit: 1000, after });
      // A hold (the release cool-down) is released already: it only keeps its space taken.
      const found = page.items.find((allocation) => !allocation.heldUntil && allocation.ResourceOwner !== ipam.OwnerId);
      if (found) return found;
      after = page.next;
    } while (after);
  }
  return undefined;
}

/** The default resource discovery discovers where its IPAM operates: it follows every change. */
async function defaultDiscoveryRegionWrites(deps: Dependencies, ipam: Ipam, regions: string[]): Promise<Write[]> {
  const discovery = await defaultDiscoveryOf(deps, ipam);
  const current = discovery?.OperatingRegions.map((region) => region.RegionName) ?? [];
  if (!discovery || (current.length === regions.length && current.every((region) => regions.includes(region)))) return [];
  const OperatingRegions = regions.map((RegionName) => ({ RegionName }));
  // Invariant: the default discovery's Regions are its IPAM's; a concurrent change to it retries.
  return [{ op: 'update', entity: { type: 'resource-discovery', value: { ...discovery, OperatingRegions } } }];
}

function isPrivateGua(cidr: string): boolean {
  const parsed = parseCidr(cidr);
  return parsed.family === 'ipv6' && parsed.start >> 125n === PRIVATE_GUA_SPACE.start >> 125n;
}

interface DeleteIpamInput {
  IpamId: string;
  Cascade?: boolean;
}

export async function deleteIpam(deps: Dependencies, context: RequestContext, input: DeleteIpamInput) {
  const cascade = input.Cascade ?? false;
  return retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    if (ipam.State === 'delete-in-progress') throw new IpamError('IncorrectState', `The IPAM '${ipam.IpamId}' is already being deleted`);
    const pools = (await deps.store.listPools(ipam.OwnerId)).filter((pool) => pool.ipamId === ipam.IpamId);
    if (cascade) {
      const publicPool = pools.find((pool) => pool.IpamScopeType === 'public');
      if (publicPool) {
        throw new IpamError(
          'InvalidParameterCombination',
          `Cascade cannot delete an IPAM with pools in its public scope (${publicPool.IpamPoolId}); delete them first`,
        );
      }
    } else {
      requireNothingLeft(ipam, pools, await scopesOf(deps, ipam));
    }
    const deleting: Ipam = { ...ipam, State: 'delete-in-progress' };
    // From here on the IPAM takes no new scopes or pools: both need it settled.
    await commitAndStart(deps, [{ op: 'update', entity: { type: 'ipam', value: deleting } }], 'delete-ipam', {
      ipamId: ipam.IpamId,
      cascade,
    });
    return { Ipam: presentIpam(deleting) };
  });
}

function requireNothingLeft(ipam: Ipam, pools: IpamPool[], scopes: IpamScope[]): void {
  const extraScope = scopes.find((scope) => !scope.IsDefault);
  if (pools.length > 0 || extraScope) {
    throw new IpamError(
      'DependencyViolation',
      `The IPAM '${ipam.IpamId}' still has ${pools.length > 0 ? `pools (${pools[0]!.IpamPoolId})` : `scope ${extraScope!.IpamScopeId}`}; delete them first or use Cascade`,
    );
  }
}

/** Workflow task: with Cascade, every pool tree of the IPAM goes, bottom-up. */
export async function deleteIpamPools(deps: Dependencies, ipamId: string, cascade: boolean): Promise<void> {
  const ipam = await deps.store.getIpam(ipamId);
  if (!ipam || !cascade) return;
  const pools = (await deps.store.listPools(ipam.OwnerId)).filter((pool) => pool.ipamId === ipamId);
  for (const pool of pools.filter((p) => p.SourceIpamPoolId === undefined)) await deletePoolTree(deps, pool.IpamPoolId, true);
}

/**
 * Workflow task: first, what discovery and monitoring recorded for the IPAM and its verification
 * tokens; then the IPAM, its Region slot, its (now empty) scopes, its resource discovery
 * associations and default resource discovery, in one transaction. In that order so that a task
 * retried after a crash, which finds the IPAM still there, finishes the clean-up (one that finds
 * it gone has nothing left to do). Sweeps write nothing more for an IPAM being deleted
 * (sweep/ipam-sweep.ts, whileIpamLives; observations: discovery-sweep.ts, stillDiscovering).
 */
export async function deleteIpamRecord(deps: Dependencies, ipamId: string, cascade: boolean): Promise<void> {
  const found = await deps.store.getIpam(ipamId);
  if (!found) return; // deleted already: a retried task does nothing
  const scopes = await retryOnConflict(() => scopesOf(deps, found));
  await purgeIpamMonitoringData(
    deps,
    ipamId,
    scopes.map((scope) => scope.IpamScopeId),
  );
  const defaultDiscovery = await defaultDiscoveryOf(deps, found);
  if (defaultDiscovery) await deleteObservations(deps, defaultDiscovery);
  await purgeVerificationTokens(deps, found.OwnerId, ipamId);
  await deletePrefixListResolversOf(deps, ipamId);
  for (const scope of scopes) await healScopeSpace(deps, scope.IpamScopeId);
  await retryOnConflict(async () => {
    // Decided on this attempt's reads, so a scope or pool created meanwhile is either seen here
    // or makes the commit fail: nothing is left behind without its IPAM.
    const ipam = await deps.store.getIpam(ipamId);
    if (!ipam) return;
    const scopes = await scopesOf(deps, ipam);
    const pools = (await deps.store.listPools(ipam.OwnerId)).filter((pool) => pool.ipamId === ipamId);
    // Cascade takes the extra scopes along (their pools went in the task before); without it, anything left refuses.
    requireNothingLeft(ipam, pools, cascade ? scopes.filter((scope) => scope.IsDefault) : scopes);
    const discovery = await ipamDiscoveryDeletion(deps, ipam);
    // A policy cannot outlive its IPAM (DN-13); deleted at the version read, so one changed meanwhile retries.
    const policies = (await deps.store.listIpamPolicies(ipam.OwnerId)).filter((policy) => policy.IpamId === ipamId);
    await deps.store.commit([
      // Invariant: nothing changed the IPAM or its scopes (no new pool, scope or association) since the checks.
      { op: 'delete', entity: { type: 'ipam', value: ipam } },
      { op: 'delete', entity: { type: 'ipam-region-slot', value: { accountId: ipam.OwnerId, region: ipam.IpamRegion, ipamId } } },
      ...scopes.flatMap((scope) => scopeDeletionWrites(scope)),
      ...discovery.writes,
      ...policies.map((policy): Write => ({ op: 'delete', entity: { type: 'ipam-policy', value: policy } })),
    ]);
  });
}

/** The IPAM's scopes as they are now: the owner listing is an index that can lag behind, ScopeCount does not. */
async function scopesOf(deps: Dependencies, ipam: Ipam): Promise<IpamScope[]> {
  const scopes: IpamScope[] = [];
  for (const listed of (await deps.store.listScopes(ipam.OwnerId)).filter((scope) => scope.ipamId === ipam.IpamId)) {
    const fresh = await deps.store.getScope(listed.IpamScopeId);
    if (fresh) scopes.push(fresh);
  }
  if (scopes.length !== ipam.ScopeCount) {
    throw new StoreConflict(`IPAM ${ipam.IpamId} has ${ipam.ScopeCount} scopes but ${scopes.length} are listed yet`);
  }
  return scopes;
}
