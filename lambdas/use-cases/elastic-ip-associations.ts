// AssociateAddress and DisassociateAddress for the Elastic IPs this service keeps (issue 21; the
// guide's S7 step 7, S9 step 10, S14 step 7 and their clean-ups). The instance or network
// interface comes from deps.instances (ports/ec2-instances.ts): the embedded instances file, or
// the upstream's in forwarding mode, where an address this service does not keep is the
// upstream's and the call goes there as it came.
import { IpamError } from '../domain/errors.ts';
import { newElasticIpAssociationId } from '../domain/ids.ts';
import type { ElasticIpAssociationChange } from '../domain/model/events.ts';
import type { ElasticIp } from '../domain/model/public-space.ts';
import type { NetworkAttachment } from '../ports/ec2-instances.ts';
import type { Write } from '../ports/store.ts';
import { requireElasticIpByAllocationId } from './elastic-ips.ts';
import { retryOnConflict } from './free-space.ts';
import { type Dependencies, type Output, type RequestContext, upstreamOf } from './kernel/context.ts';
import { commitAnnouncing } from './kernel/outbox.ts';

interface AssociateAddressInput {
  AllocationId?: string;
  PublicIp?: string;
  InstanceId?: string;
  NetworkInterfaceId?: string;
  PrivateIpAddress?: string;
  AllowReassociation?: boolean;
}

const addressNotFound = (publicIp: string) => new IpamError('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);

/** The association's fields of an Elastic IP record (all absent when it is not associated). */
const ASSOCIATION_FIELDS = ['AssociationId', 'InstanceId', 'NetworkInterfaceId', 'NetworkInterfaceOwnerId', 'PrivateIpAddress'] as const;

function withoutAssociation(eip: ElasticIp): ElasticIp {
  const copy = { ...eip };
  for (const field of ASSOCIATION_FIELDS) delete copy[field];
  return copy;
}

function associationChange(eip: ElasticIp, change: 'associated' | 'disassociated') {
  const event: ElasticIpAssociationChange = {
    'detail-type': 'Elastic IP Association Change',
    detail: {
      allocationId: eip.AllocationId,
      publicIp: eip.PublicIp,
      associationId: eip.AssociationId!,
      change,
      networkInterfaceId: eip.NetworkInterfaceId!,
      instanceId: eip.InstanceId,
      privateIpAddress: eip.PrivateIpAddress!,
    },
  };
  return { event, accountId: eip.ownerId, region: eip.region };
}

/** The caller's Elastic IP named by AllocationId or PublicIp, in the request's Region; undefined if PublicIp names none. */
async function findElasticIp(deps: Dependencies, context: RequestContext, input: { AllocationId?: string; PublicIp?: string }) {
  if (input.AllocationId !== undefined) return deps.store.getElasticIp(context.accountId, context.region, input.AllocationId);
  if (input.PublicIp === undefined)
    throw new IpamError('MissingParameter', 'The request must contain the parameter AllocationId or PublicIp');
  return (await deps.store.listElasticIps(context.accountId, context.region)).find((eip) => eip.PublicIp === input.PublicIp);
}

/** Where the address goes: the instance's primary network interface, or the interface named. */
async function requireTarget(deps: Dependencies, context: RequestContext, input: AssociateAddressInput): Promise<NetworkAttachment> {
  if (input.InstanceId !== undefined && input.NetworkInterfaceId !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either InstanceId or NetworkInterfaceId, not both');
  }
  const instances = deps.instances;
  if (input.InstanceId !== undefined) {
    const found = instances && (await instances.findInstance(context.accountId, context.region, input.InstanceId));
    if (!found) throw new IpamError('InvalidInstanceID.NotFound', `The instance ID '${input.InstanceId}' does not exist`);
    return found;
  }
  if (input.NetworkInterfaceId !== undefined) {
    const found = instances && (await instances.findNetworkInterface(context.accountId, context.region, input.NetworkInterfaceId));
    if (!found)
      throw new IpamError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`);
    return found;
  }
  throw new IpamError('MissingParameter', 'The request must contain the parameter InstanceId or NetworkInterfaceId');
}

/**
 * Associates the EIP with a private address of the target (its primary one by default). An EIP
 * associated elsewhere moves only with AllowReassociation; an EIP already on that private
 * address is disassociated from it in the same commit (EC2 keeps one public address per private one).
 */
export async function associateAddress(deps: Dependencies, context: RequestContext, input: AssociateAddressInput) {
  const first = await findElasticIp(deps, context, input);
  if (!first) {
    throw input.AllocationId !== undefined
      ? new IpamError('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`)
      : addressNotFound(input.PublicIp!);
  }
  const target = await requireTarget(deps, context, input);
  const privateIp = input.PrivateIpAddress ?? target.PrivateIpAddresses[0];
  if (privateIp === undefined || !target.PrivateIpAddresses.includes(privateIp)) {
    throw new IpamError(
      'InvalidParameterValue',
      `The private IP address ${input.PrivateIpAddress ?? '(none)'} is not assigned to network interface ${target.NetworkInterfaceId}`,
    );
  }
  const AssociationId = newElasticIpAssociationId();
  await retryOnConflict(async (attempt) => {
    const eip = attempt === 0 ? first : await requireElasticIpByAllocationId(deps, context, first.AllocationId);
    const sameTarget = eip.NetworkInterfaceId === target.NetworkInterfaceId && eip.PrivateIpAddress === privateIp;
    if (eip.AssociationId !== undefined && !sameTarget && input.AllowReassociation !== true) {
      throw new IpamError(
        'Resource.AlreadyAssociated',
        `resource ${eip.AllocationId} is already associated with associate-id ${eip.AssociationId}`,
      );
    }
    const associated: ElasticIp = {
      ...withoutAssociation(eip),
      AssociationId,
      NetworkInterfaceId: target.NetworkInterfaceId,
      NetworkInterfaceOwnerId: target.OwnerId,
      PrivateIpAddress: privateIp,
      ...(target.InstanceId === undefined ? {} : { InstanceId: target.InstanceId }),
    };
    const displaced = (await deps.store.listElasticIps(context.accountId, context.region)).filter(
      (other) =>
        other.AllocationId !== eip.AllocationId &&
        other.NetworkInterfaceId === target.NetworkInterfaceId &&
        other.PrivateIpAddress === privateIp,
    );
    const writes: Write[] = [
      // Invariant (update): the EIP is at the version read, so its old association is the one replaced.
      { op: 'update', entity: { type: 'elastic-ip', value: associated } },
      // Invariant (update): each EIP displaced from the private address is still the one read there.
      ...displaced.map((other): Write => ({ op: 'update', entity: { type: 'elastic-ip', value: withoutAssociation(other) } })),
    ];
    const announcements = [
      ...[eip, ...displaced].filter((old) => old.AssociationId !== undefined).map((old) => associationChange(old, 'disassociated')),
      associationChange(associated, 'associated'),
    ];
    await commitAnnouncing(deps, writes, announcements);
  });
  return { AssociationId };
}

/** Disassociates by AssociationId (or by PublicIp); an EIP that is not associated stays as it is. */
export async function disassociateAddress(
  deps: Dependencies,
  context: RequestContext,
  input: { AssociationId?: string; PublicIp?: string },
) {
  const find = async () => {
    if (input.AssociationId === undefined) {
      const eip = await findElasticIp(deps, context, { PublicIp: input.PublicIp });
      if (!eip) throw addressNotFound(input.PublicIp!);
      return eip;
    }
    const eip = (await deps.store.listElasticIps(context.accountId, context.region)).find(
      (found) => found.AssociationId === input.AssociationId,
    );
    if (!eip) throw new IpamError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
    return eip;
  };
  await retryOnConflict(async () => {
    const eip = await find();
    if (eip.AssociationId === undefined) return;
    // Invariant (update): the EIP is at the version read, so the association removed is the one found.
    await commitAnnouncing(
      deps,
      [{ op: 'update', entity: { type: 'elastic-ip', value: withoutAssociation(eip) } }],
      [associationChange(eip, 'disassociated')],
    );
  });
  return {};
}

/** Forwarding mode: an address this service keeps is associated here (with the upstream's instances); any other goes upstream. */
export async function forwardAssociateAddress(deps: Dependencies, context: RequestContext, input: AssociateAddressInput): Promise<Output> {
  if (await findElasticIp(deps, context, input)) return associateAddress(deps, context, input);
  return upstreamOf(deps).call(context.region, 'AssociateAddress', { ...input });
}

export async function forwardDisassociateAddress(
  deps: Dependencies,
  context: RequestContext,
  input: { AssociationId?: string; PublicIp?: string },
): Promise<Output> {
  const kept = await deps.store.listElasticIps(context.accountId, context.region);
  const ours =
    input.AssociationId !== undefined
      ? kept.some((eip) => eip.AssociationId === input.AssociationId)
      : kept.some((eip) => eip.PublicIp === input.PublicIp);
  if (ours) return disassociateAddress(deps, context, input);
  return upstreamOf(deps).call(context.region, 'DisassociateAddress', { ...input });
}
