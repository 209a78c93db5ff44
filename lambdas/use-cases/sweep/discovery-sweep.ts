// The discovery sweep (spec §8, §10.7, §15, §17): what exists → discovered records → each IPAM's
// verdicts (resource CIDRs, history), auto-import and auto-release, events and metrics.
// Run by the EventBridge schedule in the cloud and by a timer (or on demand) locally; locally also
// for one account and Region when one of its embedded VPCs or subnets changes (refreshDiscovery).
//
// Every step can be repeated after a crash: observations are replaced wholesale, releases and
// imports re-check the allocations, and resource-CIDR and history writes are conditional with
// deterministic keys — so the next sweep finishes whatever a crashed one left half done.
import { accountRegionKey, type DiscoveredRecords, discoveredFromSnapshot } from '../../domain/discovery.ts';
import type { DiscoveredAccount, IpamResourceDiscovery, IpamResourceDiscoveryAssociation } from '../../domain/model/discovery.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { discoveryTargets } from '../../domain/organization-discovery.ts';
import { InventoryFailure } from '../../ports/inventory.ts';
import type { ObservationWrite } from '../../ports/store.ts';
import type { SweepDependencies } from '../kernel/context.ts';
import { forEachConcurrently } from './concurrency.ts';
import { IpamGone, type SuccessfulRead, sweepIpam } from './ipam-sweep.ts';
import { HeldSweepLease, SweepLeaseLost } from './sweep-lease.ts';
import { isSettled } from '../kernel/lookup.ts';
import { sharedAccess } from '../sharing/access.ts';

export interface SweepReport {
  /** Set when another sweep holds the lease: this one did nothing. */
  skipped?: 'another sweep is running';
  /** Set when this sweep could not renew its lease: it stopped writing part way (the next sweep finishes). */
  stopped?: 'lost the lease';
  resourceDiscoveries: number;
  accountsRead: number;
  accountsFailed: number;
  ipamsEvaluated: number;
  imported: number;
  released: number;
}

/** Accounts × Regions read at the same time: EC2 reads are slow, but each account has its own rate limits. */
const READ_CONCURRENCY = 8;

const NOTHING_DONE = { resourceDiscoveries: 0, accountsRead: 0, accountsFailed: 0, ipamsEvaluated: 0, imported: 0, released: 0 };

export async function runDiscoverySweep(deps: SweepDependencies): Promise<SweepReport> {
  const lease = await HeldSweepLease.take(deps);
  if (!lease) return { skipped: 'another sweep is running', ...NOTHING_DONE };
  try {
    return await sweep({ ...deps, store: lease.store }, () => lease.assertHeld());
  } catch (error) {
    if (error instanceof SweepLeaseLost) return { stopped: 'lost the lease', ...NOTHING_DONE };
    throw error;
  } finally {
    await lease.release();
  }
}

/** One account in one Region whose resources changed. */
export interface AccountRegion {
  accountId: string;
  region: string;
}

/**
 * Discovery of a few accounts now, between sweeps (issue 16: embedded VPCs and subnets are seen
 * when they change, not at the next sweep): the sweep's own steps, for these accounts and Regions
 * and the IPAMs their resource discoveries feed. It takes no lease: its host runs it one at a
 * time and never beside a sweep (adapters/local/discovery-refresher.ts). Forgetting accounts a
 * discovery no longer covers stays the sweep's job.
 */
export async function refreshDiscovery(deps: SweepDependencies, changed: readonly AccountRegion[]): Promise<SweepReport> {
  return sweep(deps, undefined, new Set(changed.map(({ accountId, region }) => accountRegionKey(accountId, region))));
}

/**
 * Reads every covered account (or only those of `only`), then evaluates every IPAM they feed.
 * `assertHeld` throws SweepLeaseLost once the sweep's lease is gone: it stops between IPAMs.
 */
async function sweep(deps: SweepDependencies, assertHeld = () => {}, only?: ReadonlySet<string>): Promise<SweepReport> {
  const sampleTime = deps.now().toISOString();
  const discoveries = (await deps.store.listResourceDiscoveries()).filter((discovery) => isSettled(discovery.State));
  const reads = await discoverAccounts(deps, discoveries, sampleTime, only);
  const report: SweepReport = {
    ...NOTHING_DONE,
    resourceDiscoveries: discoveries.length,
    accountsRead: reads.read,
    accountsFailed: reads.failed,
  };
  const fed = new Set(reads.succeeded.map((read) => read.resourceDiscoveryId));
  for (const [ipamId, associations] of associationsByIpam(await deps.store.listResourceDiscoveryAssociations())) {
    // A refresh leaves alone the IPAMs none of the accounts it read feeds.
    if (only && !associations.some((association) => fed.has(association.IpamResourceDiscoveryId))) continue;
    assertHeld();
    const associated = await stillShared(
      deps,
      associations.flatMap((association) =>
        discoveries
          .filter((discovery) => discovery.IpamResourceDiscoveryId === association.IpamResourceDiscoveryId)
          .map((discovery) => ({ association, discovery })),
      ),
    );
    try {
      const outcome = await sweepIpam(deps, ipamId, associated, reads.succeeded, sampleTime);
      if (!outcome) continue;
      report.ipamsEvaluated++;
      report.imported += outcome.imported;
      report.released += outcome.released;
    } catch (error) {
      if (error instanceof SweepLeaseLost) throw error;
      // DeleteIpam won the race: none of this sweep's writes for the IPAM landed.
      if (error instanceof IpamGone) deps.log.info('IPAM deleted during the sweep; skipped', { ipamId });
      // One IPAM's trouble must not stop the others; the next sweep tries it again.
      else deps.log.error('could not sweep an IPAM', { ipamId, error });
    }
  }
  return report;
}

/**
 * The discoveries of the pairs that may feed their IPAM: the IPAM owner's own, and another
 * account's while a share still lets the IPAM's owner associate it (unshared: it stops feeding).
 */
async function stillShared(
  deps: SweepDependencies,
  pairs: { association: IpamResourceDiscoveryAssociation; discovery: IpamResourceDiscovery }[],
): Promise<IpamResourceDiscovery[]> {
  const kept = await Promise.all(
    pairs.map(async ({ association, discovery }) => {
      if (discovery.OwnerId === association.OwnerId) return discovery;
      const allows = await sharedAccess(deps, association.OwnerId, discovery.IpamResourceDiscoveryArn, discovery.OwnerId);
      return allows('AssociateIpamResourceDiscovery') ? discovery : undefined;
    }),
  );
  return kept.filter((discovery): discovery is IpamResourceDiscovery => discovery !== undefined);
}

// ---- Reading every account ----

interface Reads {
  succeeded: SuccessfulRead[];
  read: number;
  failed: number;
}

interface AccountRead {
  discovery: IpamResourceDiscovery;
  region: string;
  accountId: string;
  organizationalUnitId?: string;
  /** The discovered-account record of the previous sweep. */
  before?: DiscoveredAccount;
}

async function discoverAccounts(
  deps: SweepDependencies,
  discoveries: IpamResourceDiscovery[],
  sampleTime: string,
  only?: ReadonlySet<string>,
): Promise<Reads> {
  const reads: Reads = { succeeded: [], read: 0, failed: 0 };
  // Resource discoveries that cover the same account and Region share one read of it.
  const snapshots = new Map<string, Promise<InventorySnapshot>>();
  const readOnce = (accountId: string, region: string) => {
    const key = accountRegionKey(accountId, region);
    if (!snapshots.has(key)) snapshots.set(key, deps.inventory.read(accountId, region));
    return snapshots.get(key)!;
  };
  const work: AccountRead[] = [];
  const dropped: DiscoveredAccount[] = [];
  // Read once: every resource discovery of this sweep sees the same organisation.
  const organizations = await deps.organization.list();
  for (const discovery of discoveries) {
    const before = await deps.store.listDiscoveredAccounts(discovery.IpamResourceDiscoveryId);
    const targets = discoveryTargets(discovery, organizations, deps.discovery);
    const covered = new Set<string>();
    for (const { RegionName: region } of discovery.OperatingRegions) {
      for (const { accountId, organizationalUnitId } of targets) {
        if (only && !only.has(accountRegionKey(accountId, region))) continue;
        covered.add(accountRegionKey(accountId, region));
        work.push({
          discovery,
          region,
          accountId,
          organizationalUnitId,
          before: before.find((record) => record.AccountId === accountId && record.DiscoveryRegion === region),
        });
      }
    }
    if (!only) dropped.push(...before.filter((record) => !covered.has(accountRegionKey(record.AccountId, record.DiscoveryRegion))));
  }
  await forgetAccounts(deps, dropped);
  await forEachConcurrently(work, READ_CONCURRENCY, async (task) => {
    const outcome = await discoverAccount(deps, task, readOnce, sampleTime);
    if (outcome === 'failed') reads.failed++;
    if (outcome !== 'read') return;
    reads.read++;
    reads.succeeded.push({ resourceDiscoveryId: task.discovery.IpamResourceDiscoveryId, accountId: task.accountId, region: task.region });
  });
  return reads;
}

/**
 * Reads one account in one Region for one resource discovery and records what it saw, or why it
 * could not see; `gone` when the discovery began to be deleted meanwhile (nothing of it kept).
 */
async function discoverAccount(
  deps: SweepDependencies,
  { discovery, region, accountId, organizationalUnitId, before }: AccountRead,
  read: (accountId: string, region: string) => Promise<InventorySnapshot>,
  sampleTime: string,
): Promise<'read' | 'failed' | 'gone'> {
  const account: DiscoveredAccount = {
    AccountId: accountId,
    DiscoveryRegion: region,
    LastAttemptedDiscoveryTime: sampleTime,
    LastSuccessfulDiscoveryTime: before?.LastSuccessfulDiscoveryTime,
    OrganizationalUnitId: organizationalUnitId,
    resourceDiscoveryId: discovery.IpamResourceDiscoveryId,
  };
  try {
    const seen = discoveredFromSnapshot(discovery.IpamResourceDiscoveryId, region, accountId, await read(accountId, region), sampleTime);
    await replaceObservations(deps, discovery.IpamResourceDiscoveryId, region, accountId, seen);
    await deps.store.writeObservations([
      { op: 'put', entity: { type: 'discovered-account', value: { ...account, LastSuccessfulDiscoveryTime: sampleTime } } },
    ]);
    if (!(await stillDiscovering(deps, discovery))) {
      await forgetAccounts(deps, [account]);
      return 'gone';
    }
    return 'read';
  } catch (error) {
    if (error instanceof SweepLeaseLost) throw error;
    if (error instanceof InventoryFailure) {
      // What it saw last time stays: a failed read says nothing about what exists.
      const failed = { ...account, FailureReason: { Code: error.code, Message: error.message } };
      await deps.store.writeObservations([{ op: 'put', entity: { type: 'discovered-account', value: failed } }]);
      if (!(await stillDiscovering(deps, discovery))) await forgetAccounts(deps, [failed]);
    } else {
      deps.log.error('could not discover an account', { resourceDiscoveryId: discovery.IpamResourceDiscoveryId, accountId, region, error });
    }
    return 'failed';
  }
}

/**
 * Whether what a resource discovery saw may stay, asked after writing it. Observations are
 * written without conditions, so a sweep that read the discovery before it (or its IPAM) began
 * to be deleted could write them after the deletion's clean-up listed them: it takes them back
 * itself. The deletion marks first (IPAM delete-in-progress, or the record gone), cleans up
 * after; this asks after writing — so either the clean-up sees the writes or this sees the mark.
 */
async function stillDiscovering(deps: SweepDependencies, discovery: IpamResourceDiscovery): Promise<boolean> {
  const current = await deps.store.getResourceDiscovery(discovery.IpamResourceDiscoveryId);
  if (!current || current.State === 'delete-in-progress') return false;
  if (!current.IsDefault || current.ipamId === undefined) return true;
  const ipam = await deps.store.getIpam(current.ipamId);
  return ipam !== undefined && ipam.State !== 'delete-in-progress';
}

/**
 * Deletes what a resource discovery saw of accounts (in Regions) it no longer covers: the
 * delegation was disabled, an OU exclusion was added, the account left the organisation, or the
 * Region is no longer an operating Region. Their resources drop out of the IPAMs at this sweep.
 */
async function forgetAccounts(deps: SweepDependencies, accounts: DiscoveredAccount[]): Promise<void> {
  for (const account of accounts) {
    const { resourceDiscoveryId, DiscoveryRegion: region, AccountId: accountId } = account;
    const [cidrs, addresses] = await Promise.all([
      deps.store.listDiscoveredResourceCidrs(resourceDiscoveryId, region, accountId),
      deps.store.listDiscoveredPublicAddresses(resourceDiscoveryId, region, accountId),
    ]);
    await deps.store.writeObservations([
      ...cidrs.map((value): ObservationWrite => ({ op: 'delete', entity: { type: 'discovered-resource-cidr', value } })),
      ...addresses.map((value): ObservationWrite => ({ op: 'delete', entity: { type: 'discovered-public-address', value } })),
      { op: 'delete', entity: { type: 'discovered-account', value: account } },
    ]);
  }
}

/**
 * Puts what one account shows and deletes what it no longer shows. Records are keyed by their
 * owner, so only the account's own resources are kept: a resource shared with it from another
 * account is recorded when its owner's account is read.
 */
async function replaceObservations(
  deps: SweepDependencies,
  resourceDiscoveryId: string,
  region: string,
  accountId: string,
  seen: DiscoveredRecords,
): Promise<void> {
  const [cidrsBefore, addressesBefore] = await Promise.all([
    deps.store.listDiscoveredResourceCidrs(resourceDiscoveryId, region, accountId),
    deps.store.listDiscoveredPublicAddresses(resourceDiscoveryId, region, accountId),
  ]);
  const cidrs = seen.resourceCidrs.filter((record) => record.ResourceOwnerId === accountId);
  const seenCidrs = new Set(cidrs.map((record) => `${record.ResourceId}#${record.ResourceCidr}`));
  const seenAddresses = new Set(seen.publicAddresses.map((record) => record.Address));
  const writes: ObservationWrite[] = [
    ...cidrs.map((value): ObservationWrite => ({ op: 'put', entity: { type: 'discovered-resource-cidr', value } })),
    ...seen.publicAddresses.map((value): ObservationWrite => ({ op: 'put', entity: { type: 'discovered-public-address', value } })),
    ...cidrsBefore
      .filter((record) => !seenCidrs.has(`${record.ResourceId}#${record.ResourceCidr}`))
      .map((value): ObservationWrite => ({ op: 'delete', entity: { type: 'discovered-resource-cidr', value } })),
    ...addressesBefore
      .filter((record) => !seenAddresses.has(record.Address))
      .map((value): ObservationWrite => ({ op: 'delete', entity: { type: 'discovered-public-address', value } })),
  ];
  await deps.store.writeObservations(writes);
}

/** Associations in effect, by IPAM. */
function associationsByIpam(associations: IpamResourceDiscoveryAssociation[]): Map<string, IpamResourceDiscoveryAssociation[]> {
  const byIpam = new Map<string, IpamResourceDiscoveryAssociation[]>();
  for (const association of associations) {
    if (association.State !== 'associate-complete' || association.ResourceDiscoveryStatus !== 'active') continue;
    byIpam.set(association.IpamId, [...(byIpam.get(association.IpamId) ?? []), association]);
  }
  return byIpam;
}
