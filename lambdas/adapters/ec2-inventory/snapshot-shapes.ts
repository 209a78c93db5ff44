// EC2's describe answers → the inventory port's shapes. EC2 marks every member optional; these
// keep what discovery uses, with CIDRs in canonical text so they compare as strings.
import type { Address, NetworkInterface, PublicIpv4Pool, Subnet, Tag as Ec2Tag, Vpc } from '@aws-sdk/client-ec2';
import { formatCidr, parseCidr } from '../../domain/cidr.ts';
import type { Tag } from '../../domain/model/record.ts';
import type {
  InventoryAddress,
  InventoryNetworkInterface,
  InventoryPublicIpv4Pool,
  InventorySubnet,
  InventoryVpc,
} from '../../domain/inventory.ts';
import { cidrsOfRange } from './address-range.ts';

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`EC2 answered without ${what}`);
  return value;
}

/** moto answers '' where EC2 leaves a member out (an unassociated EIP's NetworkInterfaceId). */
function present(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}

/** EC2 leaves out host bits but not always leading zeros (2600:1f18:0800::/56). */
function canonicalCidr(text: string): string {
  return formatCidr(parseCidr(text));
}

/**
 * moto 5.2.1 serialises a subnet IPv6 block's state as the Python text "{'State': 'associated'}";
 * reading that as 'associated' keeps subnet IPv6 blocks testable against it.
 */
function isAssociated(state: string | undefined): boolean {
  return state === 'associated' || state === "{'State': 'associated'}";
}

export function tagsOf(tags: Ec2Tag[] | undefined): Tag[] {
  return (tags ?? []).map((tag) => ({ Key: tag.Key ?? '', Value: tag.Value ?? '' }));
}

export function vpcOf(vpc: Vpc): InventoryVpc {
  const ipv4 = (vpc.CidrBlockAssociationSet ?? [])
    .filter((block) => isAssociated(block.CidrBlockState?.State))
    .map((block) => block.CidrBlock);
  const ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? [])
    .filter((block) => isAssociated(block.Ipv6CidrBlockState?.State))
    .map((block) => block.Ipv6CidrBlock);
  return {
    VpcId: required(vpc.VpcId, 'VpcId'),
    OwnerId: required(vpc.OwnerId, 'OwnerId'),
    Cidrs: [...ipv4, ...ipv6].filter((cidr) => cidr !== undefined).map(canonicalCidr),
    Tags: tagsOf(vpc.Tags),
  };
}

export function subnetOf(subnet: Subnet): InventorySubnet {
  const ipv6 = (subnet.Ipv6CidrBlockAssociationSet ?? [])
    .filter((block) => isAssociated(block.Ipv6CidrBlockState?.State))
    .map((block) => block.Ipv6CidrBlock);
  return {
    SubnetId: required(subnet.SubnetId, 'SubnetId'),
    VpcId: required(subnet.VpcId, 'VpcId'),
    OwnerId: required(subnet.OwnerId, 'OwnerId'),
    // An IPv6-only subnet has no IPv4 CIDR.
    Cidrs: [subnet.CidrBlock, ...ipv6].filter((cidr) => cidr !== undefined).map(canonicalCidr),
    AvailabilityZoneId: subnet.AvailabilityZoneId,
    AvailableIpAddressCount: subnet.AvailableIpAddressCount,
    Tags: tagsOf(subnet.Tags),
  };
}

/** Elastic IPs of the vpc domain only; EC2-Classic addresses have no place in IPAM. */
export function isVpcAddress(address: Address): boolean {
  return address.Domain === 'vpc';
}

export function addressOf(address: Address): InventoryAddress {
  return {
    AllocationId: required(address.AllocationId, 'AllocationId'),
    PublicIp: required(address.PublicIp, 'PublicIp'),
    AssociationId: present(address.AssociationId),
    NetworkInterfaceId: present(address.NetworkInterfaceId),
    InstanceId: present(address.InstanceId),
    PublicIpv4Pool: present(address.PublicIpv4Pool),
    NetworkBorderGroup: present(address.NetworkBorderGroup),
    Tags: tagsOf(address.Tags),
  };
}

/** Only interfaces with a public IPv4 address matter to discovery. */
export function hasPublicIp(networkInterface: NetworkInterface): boolean {
  return Boolean(networkInterface.Association?.PublicIp);
}

export function networkInterfaceOf(networkInterface: NetworkInterface): InventoryNetworkInterface {
  const association = networkInterface.Association;
  return {
    NetworkInterfaceId: required(networkInterface.NetworkInterfaceId, 'NetworkInterfaceId'),
    PublicIp: required(association?.PublicIp, 'Association.PublicIp'),
    AllocationId: present(association?.AllocationId),
    IpOwnerId: present(association?.IpOwnerId),
    InterfaceType: present(networkInterface.InterfaceType),
    RequesterId: present(networkInterface.RequesterId),
    RequesterManaged: networkInterface.RequesterManaged,
    Description: present(networkInterface.Description),
    VpcId: present(networkInterface.VpcId),
    SubnetId: present(networkInterface.SubnetId),
    AvailabilityZone: present(networkInterface.AvailabilityZone),
    InstanceId: present(networkInterface.Attachment?.InstanceId),
    Status: present(networkInterface.Status),
    Groups: (networkInterface.Groups ?? []).map((group) => ({ GroupName: group.GroupName ?? '', GroupId: group.GroupId ?? '' })),
  };
}

export function publicIpv4PoolOf(pool: PublicIpv4Pool): InventoryPublicIpv4Pool {
  return {
    PoolId: required(pool.PoolId, 'PoolId'),
    Cidrs: (pool.PoolAddressRanges ?? []).flatMap((range) =>
      cidrsOfRange(required(range.FirstAddress, 'FirstAddress'), required(range.LastAddress, 'LastAddress')),
    ),
    TotalAddressCount: pool.TotalAddressCount ?? 0,
    TotalAvailableAddressCount: pool.TotalAvailableAddressCount ?? 0,
    Tags: tagsOf(pool.Tags),
  };
}
