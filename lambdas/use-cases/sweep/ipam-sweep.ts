// One IPAM's part of a discovery sweep, in order: complete pending scope moves (DN-38), release
// allocations whose resource is gone or ignored, import what auto-import pools may take (DN-23),
// write each scope's verdicts with their history and events, publish its monitoring.
import { parseCidr } from '../../domain/cidr.ts';
import {
  accountRegionKey,
  dedupeDiscovered,
  discoveredFromSnapshot,
  type EvaluatedResourceCidr,
  evaluateIpam,
  importCandidates,
  type IpamView,
  resourceCidrKey,
  vanishedAllocations,
} from '../../domain/discovery.ts';
import type { DiscoveredPublicAddress, IpamResourceDiscovery } from '../../domain/model/discovery.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import type { Ipam } from '../../domain/model/ipam.ts';
import type { IpamResourceCidr } from '../../domain/model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation } from '../../domain/model/pool.ts';
import type { IpamEvent, OutboxEntry } from '../../domain/model/events.ts';
import { type Store, StoreConflict, type Write } from '../../ports/store.ts';
import { giveBackExpiredHolds, importResourceAllocation, releaseAllocation } from '../allocations.ts';
import { forEachConcurrently } from './concurrency.ts';
import type { SweepDependencies } from '../kernel/context.ts';
import { retryOnConflict } from '../free-space.ts';
import { isSettled } from '../kernel/lookup.ts';
import { publishIpamMonitoring } from './monitoring.ts';
import { deliverEntries, outboxFor } from '../kernel/outbox.ts';
import { SweepLeaseLost } from './sweep-lease.ts';
import { resourceCidrWrites } from './resource-cidr-records.ts';
import { reevaluateIpamResolvers, versionCreationMetrics } from '../prefix-list-resolver-evaluation.ts';

/** Resource-CIDR commits in flight at once: each is a small transaction on its own CIDR. */
const WRITE_CONCURRENCY = 8;
const ALLOCATIONS_PAGE = 1000;

interface IpamSweepOutcome {
  imported: number;
  released: number;
}

/** One account in one Region that a resource discovery read successfully in this sweep. */
export interface SuccessfulRead {
  resourceDiscoveryId: string;
  accountId: string;
  region: string;
}

/** The IPAM a sweep was writing for is being deleted, or is gone: none of the writes failing this landed. */
export class IpamGone extends Error {
  constructor(ipamId: string) {
    super(`IPAM ${ipamId} was deleted during the sweep`);
    this.name = 'IpamGone';
  }
}

/**
 * Sweeps one IPAM with what its associated resource discoveries saw. Undefined when the IPAM is
 * gone or not settled; throws IpamGone when DeleteIpam began while it ran.
 */
export async function sweepIpam(
  sweepDeps: SweepDependencies,
  ipamId: string,
  discoveries: IpamResourceDiscovery[],
  succeeded: readonly SuccessfulRead[],
  sampleTime: string,
): Promise<IpamSweepOutcome | undefined> {
  const ipam = await sweepDeps.store.getIpam(ipamId);
  if (!ipam || !isSettled(ipam.State)) return undefined;
  const deps = { ...sweepDeps, store: whileIpamLives(sweepDeps.store, ipam) };
  const sources = discoverySources(ipam, discoveries);
  const discovered = dedupeDiscovered(
    (
      await Promise.all(
        sources.map(({ discovery, region }) => deps.store.listDiscoveredResourceCidrs(discovery.IpamResourceDiscoveryId, region)),
      )
    ).flat(),
  );
  const sourceKeys = new Set(sources.map(({ discovery, region }) => `${discovery.IpamResourceDiscoveryId}#${region}`));
  const readAccounts = new Set(
    succeeded
      .filter((read) => sourceKeys.has(`${read.resourceDiscoveryId}#${read.region}`))
      .map((read) => accountRegionKey(read.accountId, read.region)),
  );

  let view = await loadView(deps, ipam, discovered);
  if (await completePendingMoves(deps, view)) view = { ...view, overrides: await deps.store.listResourceCidrOverrides(ipam.IpamId) };
  // Holds of the release cool-down whose time is up give their space back; the re-read below drops them.
  await giveBackExpiredHolds(deps, view.pools, view.allocations);
  const released = await releaseVanished(deps, view, readAccounts, sampleTime);
  view = { ...view, allocations: await allocationsOf(deps, view.pools) };
  const imported = await importDiscovered(deps, view);
  view = { ...view, allocations: await allocationsOf(deps, view.pools) };

  await writeVerdicts(deps, view, evaluateIpam(view), sampleTime);
  await publishMonitoring(deps, view, sources);
  // The sweep is the periodic re-evaluation of the IPAM's prefix list resolvers (spec §12.4); none: no read.
  const evaluated = await reevaluateIpamResolvers(sweepDeps, ipam);
  if (evaluated.length > 0) await deps.metrics.publish(versionCreationMetrics(evaluated));
  return { imported, released };
}

/** Attempts of one commit while only the IPAM's version moves (a tag, a new scope): then the writes' own conflict counts. */
const IPAM_CHECK_ATTEMPTS = 3;

/**
 * The store as this IPAM's sweep writes to it: every commit also checks the IPAM at the version
 * read. DeleteIpam first moves the IPAM to delete-in-progress (a new version), then deletes what
 * hangs off it; so a sweep that read the IPAM before cannot (re)create its resource CIDRs,
 * history, overrides, allocations or monitor state after: the commit fails, the IPAM is re-read,
 * and the sweep skips it (IpamGone). Any other change of the IPAM only moves the version checked.
 */
function whileIpamLives(store: Store, read: Ipam): Store {
  let ipam = read;
  const commit = async (writes: Write[]): Promise<void> => {
    if (writes.length === 0) return store.commit(writes);
    // An import for another account carries the IPAM itself (ipam-tiers.ts tierGuard), conditional
    // on the version it read: the IPAM is then exactly that at commit, so that one must not be deleting.
    const own = writes.find((write) => write.entity.type === 'ipam' && write.entity.value.IpamId === ipam.IpamId);
    if (own) {
      if ((own.entity.value as Ipam).State === 'delete-in-progress') throw new IpamGone(ipam.IpamId);
      return store.commit(writes);
    }
    for (let attempt = 1; ; attempt++) {
      try {
        // Invariant: the IPAM still exists, not being deleted, at the version this sweep last read.
        return await store.commit([...writes, { op: 'check', entity: { type: 'ipam', value: ipam } }]);
      } catch (error) {
        if (!(error instanceof StoreConflict)) throw error;
        const current = await store.getIpam(ipam.IpamId);
        if (!current || current.State === 'delete-in-progress') throw new IpamGone(ipam.IpamId);
        if (current.version === ipam.version || attempt >= IPAM_CHECK_ATTEMPTS) throw error;
        ipam = current;
      }
    }
  };
  return new Proxy(store, {
    get: (target, name) => {
      if (name === 'commit') return commit;
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface DiscoverySource {
  discovery: IpamResourceDiscovery;
  region: string;
}

/** The Regions each resource discovery reports to this IPAM: those both operate in. */
function discoverySources(ipam: Ipam, discoveries: IpamResourceDiscovery[]): DiscoverySource[] {
  const ipamRegions = new Set(ipam.OperatingRegions.map((region) => region.RegionName));
  return discoveries.flatMap((discovery) =>
    discovery.OperatingRegions.filter((region) => ipamRegions.has(region.RegionName)).map((region) => ({
      discovery,
      region: region.RegionName,
    })),
  );
}

async function loadView(deps: SweepDependencies, ipam: Ipam, discovered: IpamView['discovered']): Promise<IpamView> {
  const [scopes, pools, overrides] = await Promise.all([
    deps.store.listScopes(ipam.OwnerId),
    deps.store.listPools(ipam.OwnerId),
    deps.store.listResourceCidrOverrides(ipam.IpamId),
  ]);
  const ipamPools = pools.filter((pool) => pool.ipamId === ipam.IpamId);
  const poolCidrs = new Map(
    await Promise.all(ipamPools.map(async (pool) => [pool.IpamPoolId, await deps.store.listPoolCidrs(pool.IpamPoolId)] as const)),
  );
  return {
    ipam,
    scopes: scopes.filter((scope) => scope.ipamId === ipam.IpamId),
    pools: ipamPools,
    poolCidrs,
    allocations: await allocationsOf(deps, ipamPools),
    discovered,
    overrides,
  };
}

async function allocationsOf(deps: SweepDependencies, pools: IpamPool[]): Promise<IpamPoolAllocation[]> {
  const perPool = await Promise.all(
    pools.map(async (pool) => {
      const allocations: IpamPoolAllocation[] = [];
      let after: string | undefined;
      do {
        const page = await deps.store.listAllocations(pool.IpamPoolId, { limit: ALLOCATIONS_PAGE, after });
        allocations.push(...page.items);
        after = page.next;
      } while (after);
      return allocations;
    }),
  );
  return perPool.flat();
}

/** DN-38: a move waits until the CIDR has no allocation left; then it happens. True when any completed. */
async function completePendingMoves(deps: SweepDependencies, view: IpamView): Promise<boolean> {
  let moved = false;
  for (const override of view.overrides) {
    if (override.pendingMoveToScopeId === undefined) continue;
    const allocated = view.allocations.some(
      (allocation) => allocation.ResourceId === override.resourceId && allocation.Cidr === override.resourceCidr,
    );
    if (allocated) continue;
    try {
      // Invariant: the override is as read — a concurrent ModifyIpamResourceCidr decides again on the next sweep.
      await deps.store.commit([
        {
          op: 'update',
          entity: {
            type: 'resource-cidr-override',
            value: { ...override, scopeId: override.pendingMoveToScopeId, pendingMoveToScopeId: undefined },
          },
        },
      ]);
      moved = true;
    } catch (error) {
      if (!(error instanceof StoreConflict)) throw error;
    }
  }
  return moved;
}

async function releaseVanished(
  deps: SweepDependencies,
  view: IpamView,
  readAccounts: ReadonlySet<string>,
  sampleTime: string,
): Promise<number> {
  const pools = new Map(view.pools.map((pool) => [pool.IpamPoolId, pool]));
  const candidates = vanishedAllocations(view, readAccounts);
  const seenNow = await seenAgain(
    deps,
    candidates.filter(({ cause }) => cause === 'auto-release').map(({ allocation }) => allocation),
    sampleTime,
  );
  let released = 0;
  for (const { allocation, cause } of candidates) {
    if (cause === 'auto-release' && seenNow.has(`${allocation.ResourceId}#${allocation.Cidr}`)) continue;
    const pool = pools.get(allocation.ipamPoolId);
    if (pool && (await releaseAllocation(deps, pool, allocation, cause))) released++;
  }
  return released;
}

/**
 * The resources (`<id>#<cidr>`) the accounts of these allocations show now. The allocations were
 * listed after the accounts were read, so a VPC created in between (an embedded VPC commits its
 * allocation with it) has an allocation this sweep's read could not see; a second read, made
 * after the listing, sees it. An account that cannot be read again keeps its allocations.
 */
async function seenAgain(deps: SweepDependencies, allocations: IpamPoolAllocation[], sampleTime: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const accounts = new Map(
    allocations.map((allocation) => [
      accountRegionKey(allocation.ResourceOwner, allocation.ResourceRegion!),
      { accountId: allocation.ResourceOwner, region: allocation.ResourceRegion! },
    ]),
  );
  for (const { accountId, region } of accounts.values()) {
    let snapshot: InventorySnapshot;
    try {
      snapshot = await deps.inventory.read(accountId, region);
    } catch {
      for (const allocation of allocations) {
        if (allocation.ResourceOwner === accountId && allocation.ResourceRegion === region)
          seen.add(`${allocation.ResourceId}#${allocation.Cidr}`);
      }
      continue;
    }
    for (const found of discoveredFromSnapshot('recheck', region, accountId, snapshot, sampleTime).resourceCidrs) {
      seen.add(`${found.ResourceId}#${found.ResourceCidr}`);
    }
  }
  return seen;
}

/** Candidates overlapping one imported before them find their space taken: that is how the largest wins. */
async function importDiscovered(deps: SweepDependencies, view: IpamView): Promise<number> {
  const importing = view.pools.filter((pool) => pool.AutoImport && isSettled(pool.State));
  let imported = 0;
  for (const { pool, found } of importCandidates(view, importing)) {
    const resource = { type: 'vpc' as const, id: found.ResourceId, owner: found.ResourceOwnerId, region: found.ResourceRegion };
    if (await importResourceAllocation(deps, pool, parseCidr(found.ResourceCidr), resource)) imported++;
  }
  return imported;
}

// ---- Verdicts, history, events ----

type CidrIdentity = Pick<IpamResourceCidr, 'ResourceRegion' | 'ResourceId' | 'ResourceCidr'>;
const keyOf = (record: CidrIdentity) => resourceCidrKey(record.ResourceRegion, record.ResourceId, record.ResourceCidr);

/**
 * Each scope's records brought to the new verdicts, one CIDR per commit (its history and its
 * events move with it); the events of every commit are delivered together at the end.
 */
async function writeVerdicts(
  deps: SweepDependencies,
  view: IpamView,
  evaluated: EvaluatedResourceCidr[],
  sampleTime: string,
): Promise<void> {
  const committed: OutboxEntry[] = [];
  const { OwnerId: accountId, IpamRegion: region } = view.ipam;
  for (const scope of view.scopes) {
    const previous = new Map((await deps.store.listResourceCidrs(scope.IpamScopeId)).map((record) => [keyOf(record), record]));
    const next = new Map(
      evaluated.filter((entry) => entry.verdict.IpamScopeId === scope.IpamScopeId).map((entry) => [keyOf(entry.verdict), entry]),
    );
    const keys = [...new Set([...previous.keys(), ...next.keys()])];
    await forEachConcurrently(keys, WRITE_CONCURRENCY, async (key) => {
      const entry = next.get(key);
      const first = previous.get(key);
      const identity: CidrIdentity = first ?? entry!.verdict;
      await retryOnConflict(async (attempt) => {
        const current =
          attempt === 0
            ? first
            : await deps.store.getResourceCidr(scope.IpamScopeId, identity.ResourceRegion, identity.ResourceId, identity.ResourceCidr);
        const writes = resourceCidrWrites(current, entry?.verdict, sampleTime);
        if (writes.length === 0) return;
        const events = entry ? changeEvents(current, entry) : [];
        const outbox = outboxFor(
          deps,
          events.map((event) => ({ event, accountId, region })),
        );
        await deps.store.commit([...writes, ...outbox.writes]);
        committed.push(...outbox.entries);
      });
    });
  }
  await deliverEntries(deps, committed);
}

/** Compliance changes (and CIDRs that arrive noncompliant), and CIDRs that start overlapping. */
function changeEvents(before: IpamResourceCidr | undefined, { verdict, overlapsWith }: EvaluatedResourceCidr): IpamEvent[] {
  const resource = {
    ipamId: verdict.IpamId,
    ipamScopeId: verdict.IpamScopeId,
    resourceId: verdict.ResourceId,
    resourceType: verdict.ResourceType,
    resourceCidr: verdict.ResourceCidr,
    resourceRegion: verdict.ResourceRegion,
    resourceOwnerId: verdict.ResourceOwnerId,
  };
  const events: IpamEvent[] = [];
  const status = verdict.ComplianceStatus;
  if (status !== undefined && status !== before?.ComplianceStatus && (before !== undefined || status === 'noncompliant')) {
    events.push({
      'detail-type': 'IPAM Resource CIDR Compliance Change',
      detail: { ...resource, ipamPoolId: verdict.IpamPoolId, previousStatus: before?.ComplianceStatus, status },
    });
  }
  if (verdict.OverlapStatus === 'overlapping' && before?.OverlapStatus !== 'overlapping') {
    events.push({ 'detail-type': 'IPAM Resource CIDR Overlap Detected', detail: { ...resource, overlapsWith } });
  }
  return events;
}

// ---- Monitoring ----

async function publishMonitoring(deps: SweepDependencies, view: IpamView, sources: DiscoverySource[]): Promise<void> {
  try {
    const resourceCidrs = (await Promise.all(view.scopes.map((scope) => deps.store.listResourceCidrs(scope.IpamScopeId)))).flat();
    const addresses = (
      await Promise.all(
        sources.map(({ discovery, region }) => deps.store.listDiscoveredPublicAddresses(discovery.IpamResourceDiscoveryId, region)),
      )
    ).flat();
    await publishIpamMonitoring(deps, {
      ipam: view.ipam,
      scopes: view.scopes,
      pools: view.pools,
      poolCidrs: new Map(view.poolCidrs),
      allocations: byPool(view.pools, view.allocations),
      resourceCidrs,
      publicAddresses: latestAddresses(addresses),
    });
  } catch (error) {
    if (error instanceof IpamGone || error instanceof SweepLeaseLost) throw error;
    // Monitoring must never break a sweep: its verdicts are written already.
    deps.log.error('could not publish IPAM monitoring', { ipamId: view.ipam.IpamId, error });
  }
}

function byPool(pools: IpamPool[], allocations: IpamPoolAllocation[]): Map<string, IpamPoolAllocation[]> {
  const grouped = new Map<string, IpamPoolAllocation[]>(pools.map((pool) => [pool.IpamPoolId, []]));
  for (const allocation of allocations) grouped.get(allocation.ipamPoolId)?.push(allocation);
  return grouped;
}

/** One record per Region and address: several resource discoveries may see the same one. */
function latestAddresses(addresses: DiscoveredPublicAddress[]): DiscoveredPublicAddress[] {
  const latest = new Map<string, DiscoveredPublicAddress>();
  for (const address of addresses) {
    const key = `${address.AddressRegion}#${address.Address}`;
    const kept = latest.get(key);
    if (!kept || kept.SampleTime < address.SampleTime) latest.set(key, address);
  }
  return [...latest.values()];
}
