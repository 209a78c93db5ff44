// A subnet's IPv6 CIDR block in embedded mode (issue 16): given at CreateSubnet or added later by
// AssociateSubnetCidrBlock, and removed by DisassociateSubnetCidrBlock. EC2's rules: one IPv6
// block per subnet, /44–/64 in steps of 4, inside one of its VPC's IPv6 blocks, overlapping no
// other subnet's. Every change commits with an update of the VPC's version, as CreateSubnet does,
// so changes in one VPC are checked against what the last one left.
import { cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { newSubnetCidrAssociationId } from '../domain/ids.ts';
import type { Subnet, SubnetIpv6CidrBlockAssociation, Vpc } from '../domain/model/vpc.ts';
import { requireSubnetIpv6Cidr } from '../domain/vpc-cidr-rules.ts';
import { retryOnConflict } from './free-space.ts';
import { type Dependencies, publicView, type RequestContext } from './kernel/context.ts';
import { presentBlockChange } from './vpc-blocks.ts';
import { requireVpc } from './vpcs.ts';

/** What a request may ask of a subnet's IPv6 block; from pools is not served yet. */
export interface SubnetIpv6Members {
  Ipv6CidrBlock?: string;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
}

/** The explicit IPv6 block asked for, canonical and of a subnet's size, if any. */
export function subnetIpv6Ask(input: SubnetIpv6Members): string | undefined {
  if (input.Ipv6IpamPoolId !== undefined || input.Ipv6NetmaskLength !== undefined) {
    throw new IpamError(
      'InvalidParameterValue',
      'IPv6 subnet CIDR blocks from IPAM pools (Ipv6IpamPoolId) are not supported by this service yet: name the block with Ipv6CidrBlock',
    );
  }
  if (input.Ipv6CidrBlock === undefined) return undefined;
  const cidr = parseCidr(input.Ipv6CidrBlock);
  requireSubnetIpv6Cidr(cidr, input.Ipv6CidrBlock);
  return formatCidr(cidr);
}

/**
 * A new IPv6 block association for a subnet of `vpc`: InvalidSubnet.Range outside the VPC's IPv6
 * blocks, InvalidSubnet.Conflict over another subnet's IPv6 block (`siblings`, read before).
 */
export function subnetIpv6Association(vpc: Vpc, siblings: readonly Subnet[], cidrText: string): SubnetIpv6CidrBlockAssociation {
  const cidr = parseCidr(cidrText);
  if (!(vpc.Ipv6CidrBlockAssociationSet ?? []).some((association) => containsCidr(parseCidr(association.Ipv6CidrBlock), cidr))) {
    throw new IpamError(
      'InvalidSubnet.Range',
      `The CIDR '${cidrText}' is invalid: it is not within the IPv6 CIDR blocks of VPC ${vpc.VpcId}`,
    );
  }
  for (const sibling of siblings) {
    const clash = sibling.Ipv6CidrBlockAssociationSet?.find((association) => cidrsOverlap(parseCidr(association.Ipv6CidrBlock), cidr));
    if (clash) {
      throw new IpamError(
        'InvalidSubnet.Conflict',
        `The CIDR '${cidrText}' conflicts with another subnet: ${sibling.SubnetId} (${clash.Ipv6CidrBlock})`,
      );
    }
  }
  return { AssociationId: newSubnetCidrAssociationId(), Ipv6CidrBlock: cidrText, Ipv6CidrBlockState: { State: 'associated' } };
}

/** What a caller sees of a subnet: EC2's members only. */
export function presentSubnet(subnet: Subnet) {
  const view = publicView(subnet);
  if (!subnet.Ipv6CidrBlockAssociationSet?.length) delete view.Ipv6CidrBlockAssociationSet;
  return view;
}

/**
 * A new subnet as CreateSubnet answers it, settled here but read like EC2's answer (AWS CLI
 * example create-subnet.rst): the subnet `available`, its IPv6 block `associating`.
 */
export function presentSubnetAsCreated(subnet: Subnet) {
  const view = presentSubnet(subnet);
  if (subnet.Ipv6CidrBlockAssociationSet?.length) {
    view.Ipv6CidrBlockAssociationSet = subnet.Ipv6CidrBlockAssociationSet.map((association) =>
      presentBlockChange(association, 'associating'),
    );
  }
  return view;
}

/** The caller's subnet (request Region) by id, with its VPC, or InvalidSubnetID.NotFound. */
async function requireSubnet(deps: Dependencies, context: RequestContext, subnetId: string) {
  const subnet = (await deps.store.listSubnets(context.accountId, context.region)).find((found) => found.SubnetId === subnetId);
  if (!subnet) throw new IpamError('InvalidSubnetID.NotFound', messages.notFound('subnet', subnetId));
  return subnet;
}

interface AssociateSubnetCidrBlockInput extends SubnetIpv6Members {
  SubnetId: string;
}

export async function associateSubnetCidrBlock(deps: Dependencies, context: RequestContext, input: AssociateSubnetCidrBlockInput) {
  const cidr = subnetIpv6Ask(input);
  if (cidr === undefined) throw new IpamError('MissingParameter', messages.missingParameter('Ipv6CidrBlock'));
  return retryOnConflict(async () => {
    const subnet = await requireSubnet(deps, context, input.SubnetId);
    if (subnet.Ipv6CidrBlockAssociationSet?.length) {
      throw new IpamError(
        'InvalidParameterValue',
        `The subnet ${subnet.SubnetId} already has an IPv6 CIDR block (${subnet.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock}): a subnet holds one`,
      );
    }
    const vpc = await requireVpc(deps, context, subnet.VpcId);
    const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    const association = subnetIpv6Association(vpc, siblings, cidr);
    await deps.store.commit([
      // Invariant (update): the VPC is at the version read, so no subnet block changed in it since
      // the siblings were read, and no VPC block the new one lies in was removed.
      { op: 'update', entity: { type: 'vpc', value: vpc } },
      // Invariant (update): the subnet is as read (it still has no IPv6 block).
      { op: 'update', entity: { type: 'subnet', value: { ...subnet, Ipv6CidrBlockAssociationSet: [association] } } },
    ]);
    // Settled at once; answered `associating` as EC2's (AWS CLI example associate-subnet-cidr-block.rst).
    return { SubnetId: subnet.SubnetId, Ipv6CidrBlockAssociation: presentBlockChange(association, 'associating') };
  });
}

interface DisassociateSubnetCidrBlockInput {
  AssociationId: string;
}

/**
 * Removes a subnet's IPv6 block: gone at once, answered `disassociating` as EC2's (AWS CLI
 * example disassociate-subnet-cidr-block.rst).
 */
export async function disassociateSubnetCidrBlock(deps: Dependencies, context: RequestContext, input: DisassociateSubnetCidrBlockInput) {
  return retryOnConflict(async () => {
    const subnets = await deps.store.listSubnets(context.accountId, context.region);
    const subnet = subnets.find((found) =>
      found.Ipv6CidrBlockAssociationSet?.some((association) => association.AssociationId === input.AssociationId),
    );
    if (!subnet) {
      throw new IpamError(
        'InvalidSubnetCidrBlockAssociationID.NotFound',
        messages.notFound('subnet CIDR block association', input.AssociationId),
      );
    }
    const association = subnet.Ipv6CidrBlockAssociationSet!.find((found) => found.AssociationId === input.AssociationId)!;
    const vpc = await requireVpc(deps, context, subnet.VpcId);
    const { Ipv6CidrBlockAssociationSet: _removed, ...rest } = subnet;
    await deps.store.commit([
      // Invariant (update): the VPC is at the version read (subnet changes in it go one at a time).
      { op: 'update', entity: { type: 'vpc', value: vpc } },
      // Invariant (update): the subnet is as read, so the block is removed once.
      { op: 'update', entity: { type: 'subnet', value: rest } },
    ]);
    return { SubnetId: subnet.SubnetId, Ipv6CidrBlockAssociation: presentBlockChange(association, 'disassociating') };
  });
}
