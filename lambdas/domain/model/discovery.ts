// Resource discoveries, their associations with IPAMs, and what they discover (spec §10, §11).
import type { ResourceState } from './ipam.ts';
import type { Tag, Versioned } from './record.ts';

export type AssociationState =
  | 'associate-in-progress'
  | 'associate-complete'
  | 'associate-failed'
  | 'disassociate-in-progress'
  | 'disassociate-complete'
  | 'disassociate-failed'
  | 'isolate-in-progress'
  | 'isolate-complete'
  | 'restore-in-progress';

export interface IpamResourceDiscovery extends Versioned {
  OwnerId: string;
  IpamResourceDiscoveryId: string;
  IpamResourceDiscoveryArn: string;
  IpamResourceDiscoveryRegion: string;
  Description?: string;
  OperatingRegions: { RegionName: string }[];
  IsDefault: boolean;
  State: ResourceState;
  Tags: Tag[];
  OrganizationalUnitExclusions: { OrganizationsEntityPath: string }[];
  /** Internal: the IPAM a default resource discovery was created with (it goes with that IPAM). */
  ipamId?: string;
  /** Internal: associations that name it; deletion needs zero. */
  associationCount: number;
}

/** The slot that makes "one created resource discovery per account and Region" a conditional write. */
export interface ResourceDiscoverySlot {
  accountId: string;
  region: string;
  resourceDiscoveryId: string;
}

export interface IpamResourceDiscoveryAssociation extends Versioned {
  OwnerId: string;
  IpamResourceDiscoveryAssociationId: string;
  IpamResourceDiscoveryAssociationArn: string;
  IpamResourceDiscoveryId: string;
  IpamId: string;
  IpamArn: string;
  IpamRegion: string;
  IsDefault: boolean;
  ResourceDiscoveryStatus: 'active' | 'not-found';
  State: AssociationState;
  Tags: Tag[];
}

/** Resource types a discovery reports (GetIpamDiscoveredResourceCidrs / GetIpamResourceCidrs). */
export type DiscoveredResourceType = 'vpc' | 'subnet' | 'eip' | 'public-ipv4-pool' | 'ipv6-pool' | 'eni' | 'anycast-ip-list';

/** One CIDR one resource discovery saw in one account and Region (IpamDiscoveredResourceCidr). */
export interface DiscoveredResourceCidr {
  IpamResourceDiscoveryId: string;
  ResourceRegion: string;
  ResourceId: string;
  ResourceOwnerId: string;
  ResourceCidr: string;
  IpSource?: 'amazon' | 'byoip' | 'none';
  ResourceType: DiscoveredResourceType;
  ResourceTags: Tag[];
  /** 0–1: share of the resource's space in use (VPC: covered by subnets; subnet: addresses in use; pool: allocated to EIPs). */
  IpUsage?: number;
  VpcId?: string;
  SubnetId?: string;
  NetworkInterfaceAttachmentStatus?: 'available' | 'in-use';
  /** Last successful discovery that saw it. */
  SampleTime: string;
  AvailabilityZoneId?: string;
  /** Internal: the resource's Name tag, for GetIpamResourceCidrs and history. */
  resourceName?: string;
}

/** One account in one Region of one resource discovery, with how its last discovery went (IpamDiscoveredAccount). */
export interface DiscoveredAccount {
  AccountId: string;
  DiscoveryRegion: string;
  FailureReason?: { Code: 'assume-role-failure' | 'throttling-failure' | 'unauthorized-failure'; Message: string };
  LastAttemptedDiscoveryTime: string;
  LastSuccessfulDiscoveryTime?: string;
  OrganizationalUnitId?: string;
  /** Internal: the resource discovery that reports it. */
  resourceDiscoveryId: string;
}

export type PublicAddressType =
  | 'service-managed-ip'
  | 'service-managed-byoip'
  | 'amazon-owned-eip'
  | 'amazon-owned-contig'
  | 'byoip'
  | 'ec2-public-ip'
  | 'anycast-ip-list-ip';

export type PublicAddressService =
  | 'nat-gateway'
  | 'database-migration-service'
  | 'redshift'
  | 'elastic-container-service'
  | 'relational-database-service'
  | 'site-to-site-vpn'
  | 'load-balancer'
  | 'global-accelerator'
  | 'cloudfront'
  | 'other';

/** One public IPv4 address a resource discovery saw (IpamDiscoveredPublicAddress). */
export interface DiscoveredPublicAddress {
  IpamResourceDiscoveryId: string;
  AddressRegion: string;
  Address: string;
  AddressOwnerId: string;
  AddressAllocationId?: string;
  AssociationStatus: 'associated' | 'disassociated';
  AddressType: PublicAddressType;
  Service: PublicAddressService;
  ServiceResource?: string;
  VpcId?: string;
  SubnetId?: string;
  PublicIpv4PoolId?: string;
  NetworkInterfaceId?: string;
  NetworkInterfaceDescription?: string;
  InstanceId?: string;
  /** An Elastic IP's tags; `{}` for an address without any, as EC2 answers (get-ipam-discovered-public-addresses.rst). */
  Tags: { EipTags?: Tag[] };
  NetworkBorderGroup: string;
  SecurityGroups?: { GroupName: string; GroupId: string }[];
  SampleTime: string;
}
