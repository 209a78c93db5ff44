// CreateSubnet, DescribeSubnets and DeleteSubnet in embedded mode (issue 16): subnets of the VPCs
// this service keeps, by explicit CIDR, with an explicit IPv6 block if asked (subnet-cidr-blocks.ts).
// Subnets from IPAM pools (planning pools, S13) are not served yet.
import { cidrSize, cidrsOverlap, containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newSubnetId, regionalEc2Arn } from '../domain/ids.ts';
import type { Subnet } from '../domain/model/vpc.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { retryOnConflict } from './free-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { presentSubnet, subnetIpv6Ask, subnetIpv6Association } from './subnet-cidr-blocks.ts';
import { requireVpc } from './vpcs.ts';

/** EC2's bounds for a subnet's IPv4 CIDR block, and the addresses AWS reserves in each subnet. */
const SUBNET_NETMASK_MIN = 16;
const SUBNET_NETMASK_MAX = 28;
const RESERVED_ADDRESSES = 5;

const subnetNotFound = (subnetId: string) => new IpamError('InvalidSubnetID.NotFound', messages.notFound('subnet', subnetId));

interface CreateSubnetInput {
  VpcId: string;
  CidrBlock?: string;
  AvailabilityZone?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  Ipv6NetmaskLength?: number;
  Ipv6CidrBlock?: string;
  Ipv6Native?: boolean;
  TagSpecifications?: TagSpecification[];
}

export async function createSubnet(deps: Dependencies, context: RequestContext, input: CreateSubnetInput) {
  if (input.Ipv4IpamPoolId !== undefined) {
    throw new IpamError('InvalidParameterValue', 'Subnets from IPAM pools are not supported by this service yet (issue 16)');
  }
  if (input.Ipv6Native) {
    throw new IpamError(
      'InvalidParameterValue',
      'IPv6-only subnets (Ipv6Native) are not supported by this service yet: give a CidrBlock too',
    );
  }
  const ipv6 = subnetIpv6Ask(input);
  if (input.CidrBlock === undefined) throw new IpamError('MissingParameter', messages.missingParameter('CidrBlock'));
  const cidr = parseCidr(input.CidrBlock);
  const text = formatCidr(cidr);
  if (cidr.family !== 'ipv4' || cidr.prefixLength < SUBNET_NETMASK_MIN || cidr.prefixLength > SUBNET_NETMASK_MAX) {
    throw new IpamError(
      'InvalidSubnet.Range',
      `The CIDR '${input.CidrBlock}' is invalid: a subnet's IPv4 CIDR block must be between /${SUBNET_NETMASK_MIN} and /${SUBNET_NETMASK_MAX}`,
    );
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
  const SubnetId = newSubnetId();
  return retryOnConflict(async () => {
    const vpc = await requireVpc(deps, context, input.VpcId);
    if (!vpc.CidrBlockAssociationSet.some((association) => containsCidr(parseCidr(association.CidrBlock), cidr))) {
      throw new IpamError('InvalidSubnet.Range', `The CIDR '${text}' is invalid: it is not within the CIDR blocks of VPC ${vpc.VpcId}`);
    }
    const siblings = await deps.store.listSubnets(context.accountId, context.region, vpc.VpcId);
    const overlapping = siblings.find((subnet) => cidrsOverlap(parseCidr(subnet.CidrBlock), cidr));
    if (overlapping) {
      throw new IpamError(
        'InvalidSubnet.Conflict',
        `The CIDR '${text}' conflicts with another subnet: ${overlapping.SubnetId} (${overlapping.CidrBlock})`,
      );
    }
    const subnet: Subnet = {
      SubnetId,
      SubnetArn: regionalEc2Arn(context.region, context.accountId, 'subnet', SubnetId),
      VpcId: vpc.VpcId,
      OwnerId: context.accountId,
      CidrBlock: text,
      AvailableIpAddressCount: Number(cidrSize(cidr)) - RESERVED_ADDRESSES,
      AvailabilityZone: input.AvailabilityZone ?? `${context.region}a`,
      State: 'available',
      DefaultForAz: false,
      MapPublicIpOnLaunch: false,
      ...(ipv6 !== undefined && { Ipv6CidrBlockAssociationSet: [subnetIpv6Association(vpc, siblings, ipv6)] }),
      AssignIpv6AddressOnCreation: false,
      Tags: tags,
      region: context.region,
      version: 1,
    };
    await deps.store.commit([
      // Invariant (update): the VPC is at the version read, so no subnet was created in it, and
      // it was not deleted, since the siblings were read: the new subnet overlaps none of them.
      { op: 'update', entity: { type: 'vpc', value: vpc } },
      { op: 'create', entity: { type: 'subnet', value: subnet } },
    ]);
    return { Subnet: presentSubnet(subnet) };
  });
}

interface DeleteSubnetInput {
  SubnetId: string;
}

export async function deleteSubnet(deps: Dependencies, context: RequestContext, input: DeleteSubnetInput) {
  await retryOnConflict(async () => {
    const subnet = (await deps.store.listSubnets(context.accountId, context.region)).find((found) => found.SubnetId === input.SubnetId);
    if (!subnet) throw subnetNotFound(input.SubnetId);
    // Invariant (delete): the subnet still exists, so exactly one concurrent delete succeeds.
    await deps.store.commit([{ op: 'delete', entity: { type: 'subnet', value: subnet } }]);
  });
  return {};
}

interface DescribeSubnetsInput extends ListRequest {
  SubnetIds?: string[];
  Filters?: Filter[];
}

const SUBNET_FILTER_FIELDS = [
  'SubnetId',
  'SubnetArn',
  'VpcId',
  'OwnerId',
  'State',
  'CidrBlock',
  'AvailabilityZone',
  'DefaultForAz',
] as const;
const SUBNET_FILTER_EXTRAS: Record<string, (subnet: Subnet) => unknown> = {
  'cidr-block': (subnet) => subnet.CidrBlock,
  cidr: (subnet) => subnet.CidrBlock,
  'default-for-az': (subnet) => subnet.DefaultForAz,
  'ipv6-cidr-block-association.ipv6-cidr-block': (subnet) => ipv6Of(subnet).map((association) => association.Ipv6CidrBlock),
  'ipv6-cidr-block-association.association-id': (subnet) => ipv6Of(subnet).map((association) => association.AssociationId),
  'ipv6-cidr-block-association.state': (subnet) => ipv6Of(subnet).map((association) => association.Ipv6CidrBlockState.State),
};
const ipv6Of = (subnet: Subnet) => subnet.Ipv6CidrBlockAssociationSet ?? [];

/** The caller's subnets in the request's Region; an account with none gets an empty list. */
export async function describeSubnets(deps: Dependencies, context: RequestContext, input: DescribeSubnetsInput) {
  const matches = compileFilters<Subnet>(input.Filters, SUBNET_FILTER_FIELDS, SUBNET_FILTER_EXTRAS);
  const subnets = await deps.store.listSubnets(context.accountId, context.region);
  const ids = input.SubnetIds ?? [];
  const missing = ids.find((id) => !subnets.some((subnet) => subnet.SubnetId === id));
  if (missing !== undefined) throw subnetNotFound(missing);
  const selected = subnets.filter((subnet) => (ids.length === 0 || ids.includes(subnet.SubnetId)) && matches(subnet));
  const query = queryFingerprint(['DescribeSubnets', context.accountId, context.region, ids, input.Filters ?? []]);
  const page = pageOf(deps.paginationSecret, query, selected, (subnet) => subnet.SubnetId, input, 1000);
  return { Subnets: page.items.map(presentSubnet), NextToken: page.nextToken };
}
