// What discovery reads about one account in one Region: the few EC2 fields it judges by, named as
// EC2 names them. Adapters fill these in (the EC2 read APIs, a static inventory file); discovery's
// rules (discovery.ts) turn them into discovered records.
import type { Tag } from './model/record.ts';

export interface InventoryVpc {
  VpcId: string;
  OwnerId: string;
  /** Every associated IPv4 and IPv6 CIDR block of the VPC (state associated). */
  Cidrs: string[];
  Tags: Tag[];
}

export interface InventorySubnet {
  SubnetId: string;
  VpcId: string;
  OwnerId: string;
  /** The IPv4 CIDR and any associated IPv6 CIDR blocks. */
  Cidrs: string[];
  AvailabilityZoneId?: string;
  /** IPv4 addresses still free (EC2's AvailableIpAddressCount), for IP usage. */
  AvailableIpAddressCount?: number;
  Tags: Tag[];
}

export interface InventoryAddress {
  /** Elastic IP allocation id (eipalloc-…). */
  AllocationId: string;
  PublicIp: string;
  AssociationId?: string;
  NetworkInterfaceId?: string;
  InstanceId?: string;
  /** `amazon`, or the id of the BYOIP public IPv4 pool it came from. */
  PublicIpv4Pool?: string;
  NetworkBorderGroup?: string;
  Tags: Tag[];
}

/** A network interface that carries a public IPv4 address (auto-assigned or an EIP). */
export interface InventoryNetworkInterface {
  NetworkInterfaceId: string;
  PublicIp: string;
  /** Present when the public IP is an Elastic IP. */
  AllocationId?: string;
  InterfaceType?: string;
  RequesterId?: string;
  RequesterManaged?: boolean;
  Description?: string;
  VpcId?: string;
  SubnetId?: string;
  /** The interface's Availability Zone: the network border group of its public IP in discovery. */
  AvailabilityZone?: string;
  InstanceId?: string;
  Status?: string;
  Groups: { GroupName: string; GroupId: string }[];
  IpOwnerId?: string;
}

export interface InventoryPublicIpv4Pool {
  PoolId: string;
  /** The pool's address ranges as CIDRs. */
  Cidrs: string[];
  TotalAddressCount: number;
  TotalAvailableAddressCount: number;
  Tags: Tag[];
}

/** Everything discovery needs from one account in one Region. */
export interface InventorySnapshot {
  vpcs: InventoryVpc[];
  subnets: InventorySubnet[];
  addresses: InventoryAddress[];
  networkInterfaces: InventoryNetworkInterface[];
  publicIpv4Pools: InventoryPublicIpv4Pool[];
}
