// CreateIpamResourceDiscovery, DescribeIpamResourceDiscoveries, ModifyIpamResourceDiscovery,
// DeleteIpamResourceDiscovery, AssociateIpamResourceDiscovery, DisassociateIpamResourceDiscovery,
// DescribeIpamResourceDiscoveryAssociations (spec §10, §11).
//
// A resource discovery answers in its own Region, an association in its IPAM's home Region
// (DN-05). Only its owner changes a resource discovery; an account it was shared with (AWS RAM,
// AWSRAMPermissionIpamResourceDiscovery) may also see it, read what it discovered and associate
// it with its own IPAM (spec §1.4, an organisation's discovery shared with another's IPAM).
import { IpamError, messages } from '../domain/errors.ts';
import type { IpamResourceDiscovery, IpamResourceDiscoveryAssociation } from '../domain/model/discovery.ts';
import { changeOuExclusions } from '../domain/ou-exclusions.ts';
import type { SharedAction } from '../domain/sharing.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { StoreConflict, type Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { MAX_OPERATING_REGIONS, regionNames } from './ipams.ts';
import { requireIpam, requireSettled } from './kernel/lookup.ts';
import { sharedAccess } from './sharing/access.ts';
import { commitAndSettle, commitAndStart } from './kernel/workflow.ts';
import { associationsOf, deleteObservations, newAssociation, newResourceDiscovery } from './resource-discovery-records.ts';

/** Not adjustable (UG L2360); an IPAM's default discovery does not count (see the report of issue 6). */
const RESOURCE_DISCOVERIES_PER_REGION = 1;
/** The default association included (UG L2508). */
const ASSOCIATIONS_PER_IPAM = 5;

export const presentResourceDiscovery = (record: IpamResourceDiscovery) => publicView(record);
export const presentAssociation = (record: IpamResourceDiscoveryAssociation) => publicView(record);

const resourceDiscoveryNotFound = (id: string) =>
  new IpamError('InvalidIpamResourceDiscoveryId.NotFound', messages.notFound('ipam-resource-discovery', id));
const associationNotFound = (id: string) =>
  new IpamError('InvalidIpamResourceDiscoveryAssociationId.NotFound', messages.notFound('ipam-resource-discovery-association', id));

export const resourceDiscoveryVisible = (context: RequestContext, record: IpamResourceDiscovery) =>
  record.OwnerId === context.accountId && record.IpamResourceDiscoveryRegion === context.region;
export const associationVisible = (context: RequestContext, record: IpamResourceDiscoveryAssociation) =>
  record.OwnerId === context.accountId && record.IpamRegion === context.region;

/**
 * The resource discovery, if the caller owns it or, for `action`, a share allows it. A principal
 * that may not do `action` (or any owner-only change) gets UnauthorizedOperation; anyone else
 * the NotFound of a missing discovery.
 */
export async function requireResourceDiscovery(
  deps: Dependencies,
  context: RequestContext,
  id: string,
  action?: SharedAction,
): Promise<IpamResourceDiscovery> {
  const record = await deps.store.getResourceDiscovery(id);
  if (record && resourceDiscoveryVisible(context, record)) return record;
  if (record && record.OwnerId !== context.accountId && record.IpamResourceDiscoveryRegion === context.region) {
    const allows = await sharedAccess(deps, context.accountId, record.IpamResourceDiscoveryArn, record.OwnerId);
    if (action && allows(action)) return record;
    if (allows('DescribeIpamResourceDiscoveries')) throw new IpamError('UnauthorizedOperation', messages.unauthorized());
  }
  throw resourceDiscoveryNotFound(id);
}

export async function requireAssociation(
  deps: Dependencies,
  context: RequestContext,
  id: string,
): Promise<IpamResourceDiscoveryAssociation> {
  const record = await deps.store.getResourceDiscoveryAssociation(id);
  if (!record || !associationVisible(context, record)) throw associationNotFound(id);
  return record;
}

interface CreateIpamResourceDiscoveryInput {
  Description?: string;
  OperatingRegions?: { RegionName?: string }[];
  TagSpecifications?: TagSpecification[];
}

export async function createIpamResourceDiscovery(deps: Dependencies, context: RequestContext, input: CreateIpamResourceDiscoveryInput) {
  const requested = regionNames(input.OperatingRegions, 'OperatingRegions');
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-resource-discovery');
  // The current Region is always an operating Region, listed once (UG L2380).
  const regions = [...new Set([...requested, context.region])];
  const record = newResourceDiscovery(context, regions, { IsDefault: false, Tags: tags, Description: input.Description });
  const slot = { accountId: context.accountId, region: context.region, resourceDiscoveryId: record.IpamResourceDiscoveryId };
  try {
    await commitAndStart(
      deps,
      [
        { op: 'create', entity: { type: 'resource-discovery', value: record } },
        // Invariant: one resource discovery per account and Region — the slot exists while it does.
        { op: 'create', entity: { type: 'resource-discovery-slot', value: slot } },
      ],
      'resource-creation',
      { resourceType: 'resource-discovery', id: record.IpamResourceDiscoveryId },
    );
  } catch (error) {
    // The ids are new, so only the slot can be taken.
    if (error instanceof StoreConflict) {
      throw new IpamError(
        'ResourceLimitExceeded',
        messages.limitExceeded('resource discoveries', RESOURCE_DISCOVERIES_PER_REGION, RESOURCE_DISCOVERIES_PER_REGION),
      );
    }
    throw error;
  }
  return { IpamResourceDiscovery: presentResourceDiscovery(record) };
}

interface ModifyIpamResourceDiscoveryInput {
  IpamResourceDiscoveryId: string;
  Description?: string;
  AddOperatingRegions?: { RegionName?: string }[];
  RemoveOperatingRegions?: { RegionName?: string }[];
  AddOrganizationalUnitExclusions?: { OrganizationsEntityPath?: string }[];
  RemoveOrganizationalUnitExclusions?: { OrganizationsEntityPath?: string }[];
}

const entityPaths = (list: { OrganizationsEntityPath?: string }[] | undefined) =>
  (list ?? []).map((item) => item.OrganizationsEntityPath ?? '');

export async function modifyIpamResourceDiscovery(deps: Dependencies, context: RequestContext, input: ModifyIpamResourceDiscoveryInput) {
  const added = regionNames(input.AddOperatingRegions, 'AddOperatingRegions');
  const removed = regionNames(input.RemoveOperatingRegions, 'RemoveOperatingRegions');
  return retryOnConflict(async () => {
    const record = await requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId);
    requireSettled('resource discovery', record.IpamResourceDiscoveryId, record.State);
    if (record.IsDefault && (added.length > 0 || removed.length > 0)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The default resource discovery '${record.IpamResourceDiscoveryId}' operates in the Regions of IPAM ${record.ipamId}; change them with ModifyIpam`,
      );
    }
    if (removed.includes(record.IpamResourceDiscoveryRegion)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The Region ${record.IpamResourceDiscoveryRegion} of the resource discovery cannot be removed from its operating Regions`,
      );
    }
    const regions = [...new Set([...record.OperatingRegions.map((region) => region.RegionName), ...added])].filter(
      (region) => !removed.includes(region),
    );
    if (regions.length > MAX_OPERATING_REGIONS) {
      throw new IpamError('InvalidParameterValue', `A resource discovery can have at most ${MAX_OPERATING_REGIONS} operating Regions`);
    }
    const exclusions = changeOuExclusions(
      record.OrganizationalUnitExclusions.map((exclusion) => exclusion.OrganizationsEntityPath),
      entityPaths(input.AddOrganizationalUnitExclusions),
      entityPaths(input.RemoveOrganizationalUnitExclusions),
    );
    const updated: IpamResourceDiscovery = {
      ...record,
      Description: input.Description ?? record.Description,
      OperatingRegions: regions.map((RegionName) => ({ RegionName })),
      OrganizationalUnitExclusions: exclusions.map((OrganizationsEntityPath) => ({ OrganizationsEntityPath })),
      State: 'modify-in-progress',
    };
    // Invariant: the change applies to the exclusions and Regions it was validated against.
    await commitAndSettle(
      deps,
      [{ op: 'update', entity: { type: 'resource-discovery', value: updated } }],
      'resource-discovery',
      record.IpamResourceDiscoveryId,
      'modify',
    );
    return { IpamResourceDiscovery: presentResourceDiscovery({ ...updated, version: updated.version + 1 }) };
  });
}

interface DeleteIpamResourceDiscoveryInput {
  IpamResourceDiscoveryId: string;
}

export async function deleteIpamResourceDiscovery(deps: Dependencies, context: RequestContext, input: DeleteIpamResourceDiscoveryInput) {
  return retryOnConflict(async () => {
    const record = await requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId);
    if (record.IsDefault) {
      throw new IpamError(
        'InvalidParameterValue',
        `The resource discovery '${record.IpamResourceDiscoveryId}' is the default resource discovery of IPAM ${record.ipamId}: a default resource discovery cannot be deleted; it goes with its IPAM`,
      );
    }
    if (record.State === 'delete-in-progress') {
      throw new IpamError('IncorrectState', `The resource discovery '${record.IpamResourceDiscoveryId}' is already being deleted`);
    }
    requireUnassociated(record);
    const deleting: IpamResourceDiscovery = { ...record, State: 'delete-in-progress' };
    // Invariant: still associated with no IPAM (an association updates the record). From here on
    // it takes no association and is not swept (both need it settled); settle-state removes it.
    await commitAndSettle(
      deps,
      [{ op: 'update', entity: { type: 'resource-discovery', value: deleting } }],
      'resource-discovery',
      record.IpamResourceDiscoveryId,
      'delete',
    );
    return { IpamResourceDiscovery: presentResourceDiscovery(deleting) };
  });
}

function requireUnassociated(record: IpamResourceDiscovery): void {
  if (record.associationCount > 0) {
    throw new IpamError(
      'DependencyViolation',
      `The resource discovery '${record.IpamResourceDiscoveryId}' is still associated with ${record.associationCount} IPAM(s); disassociate it first`,
    );
  }
}

/** settle-state's removal of a resource discovery being deleted: the record and its slot, then what it discovered. */
export async function removeDeletedResourceDiscovery(deps: Dependencies, id: string): Promise<void> {
  const removed = await retryOnConflict(async () => {
    const record = await deps.store.getResourceDiscovery(id);
    if (record?.State !== 'delete-in-progress') return undefined; // removed already: a retried task does nothing
    requireUnassociated(record);
    const slot = { accountId: record.OwnerId, region: record.IpamResourceDiscoveryRegion, resourceDiscoveryId: id };
    await deps.store.commit([
      // Invariant: still associated with no IPAM (an association updates the record).
      { op: 'delete', entity: { type: 'resource-discovery', value: record } },
      { op: 'delete', entity: { type: 'resource-discovery-slot', value: slot } },
    ]);
    return record;
  });
  if (removed) await deleteObservations(deps, removed);
}

interface AssociateIpamResourceDiscoveryInput {
  IpamId: string;
  IpamResourceDiscoveryId: string;
  TagSpecifications?: TagSpecification[];
}

export async function associateIpamResourceDiscovery(
  deps: Dependencies,
  context: RequestContext,
  input: AssociateIpamResourceDiscoveryInput,
) {
  const tags = associationTags(input.TagSpecifications);
  return retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    // Looked up in every Region of the owner, so that a discovery in the wrong Region gets the reason below.
    const record = await deps.store.getResourceDiscovery(input.IpamResourceDiscoveryId);
    if (!record || !(await mayAssociate(deps, context, record))) throw resourceDiscoveryNotFound(input.IpamResourceDiscoveryId);
    requireSettled('resource discovery', record.IpamResourceDiscoveryId, record.State);
    if (record.IpamResourceDiscoveryRegion !== ipam.IpamRegion) {
      throw new IpamError(
        'InvalidParameterValue',
        `The resource discovery '${record.IpamResourceDiscoveryId}' was created in ${record.IpamResourceDiscoveryRegion}; it can only be associated with an IPAM whose home Region is ${record.IpamResourceDiscoveryRegion}, not ${ipam.IpamRegion}`,
      );
    }
    if (ipam.Tier === 'free') {
      throw new IpamError(
        'InvalidParameterValue',
        `The IPAM '${ipam.IpamId}' is in the free tier, which has only its default resource discovery; move it to the advanced tier first`,
      );
    }
    const existing = (await associationsOf(deps, ipam)).find(
      (association) => association.IpamResourceDiscoveryId === record.IpamResourceDiscoveryId,
    );
    if (existing) {
      throw new IpamError(
        'InvalidParameterValue',
        `The resource discovery '${record.IpamResourceDiscoveryId}' is already associated with IPAM ${ipam.IpamId} (${existing.IpamResourceDiscoveryAssociationId})`,
      );
    }
    if (ipam.ResourceDiscoveryAssociationCount >= ASSOCIATIONS_PER_IPAM) {
      throw new IpamError(
        'ResourceLimitExceeded',
        messages.limitExceeded('resource discovery associations', ipam.ResourceDiscoveryAssociationCount, ASSOCIATIONS_PER_IPAM),
      );
    }
    const association = newAssociation(ipam, record.IpamResourceDiscoveryId, false, tags);
    const id = association.IpamResourceDiscoveryAssociationId;
    await commitAndSettle(
      deps,
      [
        { op: 'create', entity: { type: 'resource-discovery-association', value: association } },
        // Invariant: the IPAM's version serialises its associations — the count, the limit and "not yet associated" hold.
        {
          op: 'update',
          entity: { type: 'ipam', value: { ...ipam, ResourceDiscoveryAssociationCount: ipam.ResourceDiscoveryAssociationCount + 1 } },
        },
        // Invariant: the discovery's association count stays exact, so it cannot be deleted while associated.
        { op: 'update', entity: { type: 'resource-discovery', value: { ...record, associationCount: record.associationCount + 1 } } },
      ],
      'resource-discovery-association',
      id,
      'associate',
    );
    return { IpamResourceDiscoveryAssociation: presentAssociation(association) };
  });
}

/**
 * The association's tags. AWS's own CLI example of associate-ipam-resource-discovery tags with
 * ResourceType=ipam-resource-discovery and is answered an association with `"Tags": []`: such a
 * specification is accepted and tags nothing (the discovery may well be another account's).
 */
const associationTags = (specifications: TagSpecification[] | undefined) =>
  tagsFromSpecifications(
    specifications?.filter((specification) => specification.ResourceType !== 'ipam-resource-discovery'),
    'ipam-resource-discovery-association',
  );

/** The owner, or an account a share lets associate the discovery (it then feeds that account's IPAM). */
async function mayAssociate(deps: Dependencies, context: RequestContext, record: IpamResourceDiscovery): Promise<boolean> {
  if (record.OwnerId === context.accountId) return true;
  const allows = await sharedAccess(deps, context.accountId, record.IpamResourceDiscoveryArn, record.OwnerId);
  return allows('AssociateIpamResourceDiscovery');
}

interface DisassociateIpamResourceDiscoveryInput {
  IpamResourceDiscoveryAssociationId: string;
}

export async function disassociateIpamResourceDiscovery(
  deps: Dependencies,
  context: RequestContext,
  input: DisassociateIpamResourceDiscoveryInput,
) {
  return retryOnConflict(async () => {
    const association = await requireAssociation(deps, context, input.IpamResourceDiscoveryAssociationId);
    const id = association.IpamResourceDiscoveryAssociationId;
    if (association.IsDefault) {
      throw new IpamError(
        'InvalidParameterValue',
        `The association '${id}' is the default association of IPAM ${association.IpamId}: it cannot be disassociated; it goes with its IPAM`,
      );
    }
    if (association.State === 'disassociate-in-progress') {
      throw new IpamError('IncorrectState', `The association '${id}' is already being disassociated`);
    }
    const disassociating: IpamResourceDiscoveryAssociation = { ...association, State: 'disassociate-in-progress' };
    // Invariant: the association is the one read; a second disassociation of it fails. It still
    // counts for its IPAM and discovery until settle-state removes it.
    await commitAndSettle(
      deps,
      [{ op: 'update', entity: { type: 'resource-discovery-association', value: disassociating } }],
      'resource-discovery-association',
      id,
      'disassociate',
    );
    return { IpamResourceDiscoveryAssociation: presentAssociation(disassociating) };
  });
}

/** settle-state's removal of an association being disassociated; its IPAM and discovery count one association less. */
export async function removeDisassociatedAssociation(deps: Dependencies, id: string): Promise<void> {
  await retryOnConflict(async () => {
    const association = await deps.store.getResourceDiscoveryAssociation(id);
    if (association?.State !== 'disassociate-in-progress') return; // removed already (or with its IPAM)
    const writes: Write[] = [
      // Invariant: the association is the one read; it goes once.
      { op: 'delete', entity: { type: 'resource-discovery-association', value: association } },
    ];
    const ipam = await deps.store.getIpam(association.IpamId);
    if (ipam) {
      // Invariant: the IPAM's association count stays exact.
      writes.push({
        op: 'update',
        entity: { type: 'ipam', value: { ...ipam, ResourceDiscoveryAssociationCount: ipam.ResourceDiscoveryAssociationCount - 1 } },
      });
    }
    const record = await deps.store.getResourceDiscovery(association.IpamResourceDiscoveryId);
    if (record) {
      // Invariant: the discovery's association count stays exact.
      writes.push({
        op: 'update',
        entity: { type: 'resource-discovery', value: { ...record, associationCount: record.associationCount - 1 } },
      });
    }
    await deps.store.commit(writes);
  });
}
