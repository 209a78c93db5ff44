// Where discovery learns what exists: one account in one Region at a time. Two adapters: the EC2
// read APIs (@aws-sdk/client-ec2, member accounts through STS AssumeRole; the endpoint is
// configurable, so moto serves in tests) and a static inventory file for teams without AWS.
// Shapes are the few EC2 fields discovery uses, named as EC2 names them.
import type { Tag } from '../domain/model.ts';

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

/** Why an account could not be read; surfaces as the discovered account's FailureReason. */
export class InventoryFailure extends Error {
  readonly code: 'assume-role-failure' | 'throttling-failure' | 'unauthorized-failure';

  constructor(code: InventoryFailure['code'], message: string) {
    super(message);
    this.name = 'InventoryFailure';
    this.code = code;
  }
}

export interface InventorySource {
  /**
   * Reads one account in one Region: the service's own account with its own credentials, any
   * other through the configured role. Throws InventoryFailure for the failures a user can fix
   * (role not assumable, not authorised, throttled); anything else is a bug or an outage.
   */
  read(accountId: string, region: string): Promise<InventorySnapshot>;
}
