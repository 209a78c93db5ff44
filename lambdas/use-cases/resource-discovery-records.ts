// Resource discovery records and the writes that span them and their IPAMs: shared by the
// resource discovery actions and the IPAM lifecycle (the default discovery is born and dies with
// its IPAM, spec §10.2).
import { arnOf, newResourceDiscoveryAssociationId, newResourceDiscoveryId } from '../domain/ids.ts';
import type { IpamResourceDiscovery, IpamResourceDiscoveryAssociation } from '../domain/model/discovery.ts';
import type { Ipam } from '../domain/model/ipam.ts';
import type { Tag } from '../domain/model/record.ts';
import { type ObservationWrite, StoreConflict, type Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';

/**
 * A created resource discovery answers create-in-progress until resource-creation settles it; an
 * IPAM's default one is part of the IPAM's creation, which the IPAM's own state tracks, so it is
 * born settled (as are the IPAM's default scopes and association).
 */
export function newResourceDiscovery(
  context: RequestContext,
  operatingRegions: string[],
  fields: Pick<IpamResourceDiscovery, 'IsDefault' | 'Tags' | 'Description' | 'ipamId'>,
): IpamResourceDiscovery {
  const id = newResourceDiscoveryId();
  return {
    OwnerId: context.accountId,
    IpamResourceDiscoveryId: id,
    IpamResourceDiscoveryArn: arnOf(context.accountId, 'ipam-resource-discovery', id),
    IpamResourceDiscoveryRegion: context.region,
    OperatingRegions: operatingRegions.map((RegionName) => ({ RegionName })),
    State: fields.IsDefault ? 'create-complete' : 'create-in-progress',
    OrganizationalUnitExclusions: [],
    associationCount: 0,
    version: 1,
    ...fields,
  };
}

export function newAssociation(
  ipam: Pick<Ipam, 'OwnerId' | 'IpamId' | 'IpamArn' | 'IpamRegion'>,
  resourceDiscoveryId: string,
  isDefault: boolean,
  tags: Tag[],
): IpamResourceDiscoveryAssociation {
  const id = newResourceDiscoveryAssociationId();
  return {
    OwnerId: ipam.OwnerId,
    IpamResourceDiscoveryAssociationId: id,
    IpamResourceDiscoveryAssociationArn: arnOf(ipam.OwnerId, 'ipam-resource-discovery-association', id),
    IpamResourceDiscoveryId: resourceDiscoveryId,
    IpamId: ipam.IpamId,
    IpamArn: ipam.IpamArn,
    IpamRegion: ipam.IpamRegion,
    IsDefault: isDefault,
    ResourceDiscoveryStatus: 'active',
    // Any other association answers associate-in-progress until settle-state settles it.
    State: isDefault ? 'associate-complete' : 'associate-in-progress',
    Tags: tags,
    version: 1,
  };
}

/** The default resource discovery of a new IPAM, already associated with it, and the writes that create both. */
export function defaultResourceDiscovery(
  context: RequestContext,
  ipam: Pick<Ipam, 'OwnerId' | 'IpamId' | 'IpamArn' | 'IpamRegion' | 'OperatingRegions'>,
) {
  const resourceDiscovery = newResourceDiscovery(
    context,
    ipam.OperatingRegions.map((region) => region.RegionName),
    { IsDefault: true, Tags: [], ipamId: ipam.IpamId },
  );
  resourceDiscovery.associationCount = 1;
  const association = newAssociation(ipam, resourceDiscovery.IpamResourceDiscoveryId, true, []);
  const writes: Write[] = [
    { op: 'create', entity: { type: 'resource-discovery', value: resourceDiscovery } },
    { op: 'create', entity: { type: 'resource-discovery-association', value: association } },
  ];
  return { resourceDiscovery, association, writes };
}

/**
 * The IPAM's associations as they are now. The owner listing is an index that can lag behind;
 * ResourceDiscoveryAssociationCount does not, so a mismatch is a race to retry.
 */
export async function associationsOf(deps: Dependencies, ipam: Ipam): Promise<IpamResourceDiscoveryAssociation[]> {
  const associations: IpamResourceDiscoveryAssociation[] = [];
  for (const listed of await deps.store.listResourceDiscoveryAssociations(ipam.OwnerId)) {
    if (listed.IpamId !== ipam.IpamId) continue;
    const fresh = await deps.store.getResourceDiscoveryAssociation(listed.IpamResourceDiscoveryAssociationId);
    if (fresh) associations.push(fresh);
  }
  if (associations.length !== ipam.ResourceDiscoveryAssociationCount) {
    throw new StoreConflict(
      `IPAM ${ipam.IpamId} has ${ipam.ResourceDiscoveryAssociationCount} associations but ${associations.length} are listed yet`,
    );
  }
  return associations;
}

export async function defaultDiscoveryOf(deps: Dependencies, ipam: Ipam): Promise<IpamResourceDiscovery | undefined> {
  return ipam.DefaultResourceDiscoveryId === undefined ? undefined : deps.store.getResourceDiscovery(ipam.DefaultResourceDiscoveryId);
}

/** Writes that remove every association of a deleted IPAM and its default resource discovery (returned for the cleanup after). */
export async function ipamDiscoveryDeletion(
  deps: Dependencies,
  ipam: Ipam,
): Promise<{ writes: Write[]; defaultDiscovery?: IpamResourceDiscovery }> {
  const writes: Write[] = [];
  for (const association of await associationsOf(deps, ipam)) {
    // Invariant: the association is the one read (the IPAM's version guards against new ones).
    writes.push({ op: 'delete', entity: { type: 'resource-discovery-association', value: association } });
    if (association.IsDefault) continue;
    const resourceDiscovery = await deps.store.getResourceDiscovery(association.IpamResourceDiscoveryId);
    if (resourceDiscovery) {
      // Invariant: the count of associations naming the discovery stays exact.
      writes.push({
        op: 'update',
        entity: { type: 'resource-discovery', value: { ...resourceDiscovery, associationCount: resourceDiscovery.associationCount - 1 } },
      });
    }
  }
  const defaultDiscovery = await defaultDiscoveryOf(deps, ipam);
  // Invariant: the default discovery is deleted as read (a concurrent change to its exclusions retries).
  if (defaultDiscovery) writes.push({ op: 'delete', entity: { type: 'resource-discovery', value: defaultDiscovery } });
  return { writes, defaultDiscovery };
}

/** Deletes what a resource discovery saw: in its operating Regions and wherever it found accounts before. */
export async function deleteObservations(deps: Dependencies, resourceDiscovery: IpamResourceDiscovery): Promise<void> {
  const id = resourceDiscovery.IpamResourceDiscoveryId;
  const accounts = await deps.store.listDiscoveredAccounts(id);
  const regions = new Set([
    ...resourceDiscovery.OperatingRegions.map((region) => region.RegionName),
    ...accounts.map((account) => account.DiscoveryRegion),
  ]);
  const writes: ObservationWrite[] = accounts.map((value) => ({ op: 'delete', entity: { type: 'discovered-account', value } }));
  for (const region of regions) {
    for (const value of await deps.store.listDiscoveredResourceCidrs(id, region))
      writes.push({ op: 'delete', entity: { type: 'discovered-resource-cidr', value } });
    for (const value of await deps.store.listDiscoveredPublicAddresses(id, region))
      writes.push({ op: 'delete', entity: { type: 'discovered-public-address', value } });
  }
  await deps.store.writeObservations(writes);
}

const TRANSACTION_LIMIT = 100;

/**
 * After an IPAM is deleted: its resource CIDRs, their address history and the user's overrides
 * ("deleting the IPAM deletes history", spec §17). History of CIDRs that no longer have a record
 * cannot be found by scope; it is unreachable (scope ids never come back) and expires by TTL.
 */
export async function purgeIpamMonitoringData(deps: Dependencies, ipamId: string, scopeIds: string[]): Promise<void> {
  for (const scopeId of scopeIds) await purgeScopeMonitoringData(deps, scopeId);
  await retryOnConflict(async () => {
    const overrides = await deps.store.listResourceCidrOverrides(ipamId);
    await commitInChunks(
      deps,
      overrides.map((value): Write => ({ op: 'delete', entity: { type: 'resource-cidr-override', value } })),
    );
  });
}

/**
 * After a scope is deleted: its resource CIDRs (a custom scope holds those moved to it) and their
 * address history, which nothing could reach any more, nor expire while the history is open.
 */
export async function purgeScopeMonitoringData(deps: Dependencies, scopeId: string): Promise<void> {
  await retryOnConflict(async () => {
    const records = await deps.store.listResourceCidrs(scopeId);
    const writes: Write[] = records.map((value) => ({ op: 'delete', entity: { type: 'resource-cidr', value } }));
    for (const cidr of new Set(records.map((record) => record.ResourceCidr))) {
      for (const value of await deps.store.listAddressHistory(scopeId, cidr))
        writes.push({ op: 'delete', entity: { type: 'address-history', value } });
    }
    await commitInChunks(deps, writes);
  });
}

/** Versioned deletes of records nothing else depends on: each chunk stands alone, a lost race re-lists. */
async function commitInChunks(deps: Dependencies, writes: Write[]): Promise<void> {
  for (let i = 0; i < writes.length; i += TRANSACTION_LIMIT) await deps.store.commit(writes.slice(i, i + TRANSACTION_LIMIT));
}
