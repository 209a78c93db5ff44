// The records IPAM keeps. Public fields use the EC2 API's member names so that presenting a
// record is a pick, not a translation; camelCase fields are internal and never leave the service.
import type { AddressFamily } from './cidr.ts';

export type { AddressFamily };

export interface Tag {
  Key: string;
  Value: string;
}

/** The 12-value state enum shared by IPAMs, scopes and pools. */
export type ResourceState =
  | 'create-in-progress'
  | 'create-complete'
  | 'create-failed'
  | 'modify-in-progress'
  | 'modify-complete'
  | 'modify-failed'
  | 'delete-in-progress'
  | 'delete-complete'
  | 'delete-failed'
  | 'isolate-in-progress'
  | 'isolate-complete'
  | 'restore-in-progress';

export type PoolCidrState =
  | 'pending-provision'
  | 'provisioned'
  | 'failed-provision'
  | 'pending-deprovision'
  | 'deprovisioned'
  | 'failed-deprovision'
  | 'pending-import'
  | 'failed-import';

export type AllocationResourceType = 'ipam-pool' | 'vpc' | 'ec2-public-ipv4-pool' | 'custom' | 'subnet' | 'eip' | 'anycast-ip-list';

/** Optimistic concurrency: a write that depends on a record names the version it read. */
export interface Versioned {
  version: number;
}

export interface Ipam extends Versioned {
  OwnerId: string;
  IpamId: string;
  IpamArn: string;
  IpamRegion: string;
  PublicDefaultScopeId: string;
  PrivateDefaultScopeId: string;
  ScopeCount: number;
  Description?: string;
  OperatingRegions: { RegionName: string }[];
  State: ResourceState;
  StateMessage?: string;
  Tags: Tag[];
  Tier: 'free' | 'advanced';
  EnablePrivateGua: boolean;
  MeteredAccount: 'ipam-owner' | 'resource-owner';
  ResourceDiscoveryAssociationCount: number;
  /** Created with the IPAM, deleted with it (spec §10.2); absent only on IPAMs stored before resource discoveries existed. */
  DefaultResourceDiscoveryId?: string;
  DefaultResourceDiscoveryAssociationId?: string;
  /** Internal: verification tokens of this IPAM (quota 100); absent = 0. */
  verificationTokenCount?: number;
}

export interface IpamScope extends Versioned {
  OwnerId: string;
  IpamScopeId: string;
  IpamScopeArn: string;
  IpamArn: string;
  IpamRegion: string;
  IpamScopeType: 'public' | 'private';
  IsDefault: boolean;
  Description?: string;
  PoolCount: number;
  State: ResourceState;
  Tags: Tag[];
  /** Internal: the IPAM this scope belongs to (IpamArn carries it too, but ids are what we key on). */
  ipamId: string;
}

export interface IpamPool extends Versioned {
  OwnerId: string;
  IpamPoolId: string;
  SourceIpamPoolId?: string;
  IpamPoolArn: string;
  IpamScopeArn: string;
  IpamScopeType: 'public' | 'private';
  IpamArn: string;
  IpamRegion: string;
  Locale: string;
  PoolDepth: number;
  State: ResourceState;
  StateMessage?: string;
  Description?: string;
  AutoImport: boolean;
  PubliclyAdvertisable?: boolean;
  AddressFamily: AddressFamily;
  AllocationMinNetmaskLength?: number;
  AllocationMaxNetmaskLength?: number;
  AllocationDefaultNetmaskLength?: number;
  AllocationResourceTags: Tag[];
  Tags: Tag[];
  AwsService?: 'ec2' | 'global-services';
  PublicIpSource?: 'amazon' | 'byoip';
  ipamId: string;
  ipamScopeId: string;
  /** CIDRs currently provisioned (or being provisioned): deletion needs zero. */
  provisionedCidrCount: number;
  /** Pools whose source is this pool: deletion needs zero. */
  childPoolCount: number;
}

export interface IpamPoolCidr extends Versioned {
  IpamPoolCidrId: string;
  Cidr?: string;
  State: PoolCidrState;
  FailureReason?: { Code: 'cidr-not-available' | 'limit-exceeded'; Message: string };
  NetmaskLength: number;
  ipamPoolId: string;
  /** Where the space came from: the source pool, or the scope for a top-level pool. */
  sourceSpaceId: string;
  /** The allocation that holds this CIDR in the source space while it is provisioned. */
  sourceAllocationId?: string;
  /** BYOIP only: the proof of control the provisioning workflow verifies before taking the space. */
  byoipProof?: ByoipProof;
  /**
   * Finished records only (deprovisioned, failed-provision): when the record is forgotten. Reads
   * ignore it from then on; DynamoDB's TTL deletes it some time later.
   */
  retainedUntil?: string;
}

export interface IpamPoolAllocation {
  IpamPoolAllocationId: string;
  Cidr: string;
  Description?: string;
  ResourceId?: string;
  ResourceType: AllocationResourceType;
  ResourceRegion?: string;
  ResourceOwner: string;
  Tags: Tag[];
  /** The space (pool, or scope for top-level pool CIDRs) the allocation was carved from. */
  ipamPoolId: string;
  /** The provisioned CIDR it lies in: released space merges back up to this boundary. */
  within: string;
  createdAt: string;
}

/**
 * A piece of unallocated space, in buddy-system canonical form. `spaceId` is the pool that owns
 * it, or a scope: a scope's free space is the whole address space, and provisioning a CIDR to a
 * top-level pool allocates it from there, so top-level pools of a scope can never overlap.
 */
export interface FreeBlock {
  spaceId: string;
  cidr: string;
  /** The provisioned CIDR this block lies in: merging stops at its boundary. */
  within: string;
}

/** The slot that makes "one IPAM per account and Region" a conditional write. */
export interface IpamRegionSlot {
  accountId: string;
  region: string;
  ipamId: string;
}

/** A ClientToken remembered with a hash of the request and the first result. */
export interface ClientTokenRecord extends Versioned {
  accountId: string;
  action: string;
  clientToken: string;
  requestHash: string;
  /** JSON of the first response; absent while the first request is still running. */
  response?: string;
  startedAt: string;
}

/** One workflow per file: statemachines/<name>.asl.json. */
export type WorkflowName =
  | 'resource-creation'
  | 'provision-pool-cidr'
  | 'provision-byoip-cidr'
  | 'provision-byoasn'
  | 'deprovision-pool-cidr'
  | 'delete-pool'
  | 'delete-ipam';

/**
 * One run of a workflow (statemachines/<workflow>.asl.json), recorded in the same commit as the
 * pending state it will settle, and closed by the workflow's last task. An open record is the
 * promise that something will finish the job: the local engine resumes open ones at start.
 */
export interface WorkflowExecution extends Versioned {
  /** Also the Step Functions execution name. */
  executionId: string;
  workflow: WorkflowName;
  args: Record<string, unknown>;
  status: 'open' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt?: string;
  /** Why it failed: the error the workflow's Catch caught. */
  error?: string;
}

// ---- Discovery and monitoring (spec §8, §10, §17, §18) ----

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
  Tags?: { EipTags: Tag[] };
  NetworkBorderGroup?: string;
  SecurityGroups?: { GroupName: string; GroupId: string }[];
  SampleTime: string;
}

export type ManagementState = 'managed' | 'unmanaged' | 'ignored';
export type ComplianceStatus = 'compliant' | 'noncompliant' | 'unmanaged' | 'ignored';
export type OverlapStatus = 'overlapping' | 'nonoverlapping' | 'ignored';

/**
 * A resource CIDR as an IPAM sees it in one of its scopes (IpamResourceCidr): the discovered
 * CIDR judged against the IPAM's pools. Rewritten by every sweep; its last state is also the
 * open address-history record of the CIDR (AddressHistoryRecord from historyStartedAt).
 */
export interface IpamResourceCidr extends Versioned {
  IpamId: string;
  IpamScopeId: string;
  IpamPoolId?: string;
  ResourceRegion: string;
  ResourceOwnerId: string;
  ResourceId: string;
  ResourceName?: string;
  ResourceCidr: string;
  ResourceType: DiscoveredResourceType;
  ResourceTags: Tag[];
  IpUsage?: number;
  /** Absent for types IPAM cannot manage (subnets): "-" in the console. */
  ComplianceStatus?: ComplianceStatus;
  ManagementState?: ManagementState;
  OverlapStatus?: OverlapStatus;
  VpcId?: string;
  AvailabilityZoneId?: string;
  /** Internal: SampledStartTime of the open history record that describes this state. */
  historyStartedAt: string;
}

/**
 * What a user decided about one resource CIDR with ModifyIpamResourceCidr (spec §8.6, §9): it is
 * ignored, and/or it lives in another private scope than the default one. Sweeps read it; only
 * ModifyIpamResourceCidr writes it. Keyed by IPAM, Region, resource and CIDR.
 */
export interface ResourceCidrOverride extends Versioned {
  ipamId: string;
  resourceRegion: string;
  resourceId: string;
  resourceCidr: string;
  ignored: boolean;
  /** The private scope the CIDR was moved to (absent: the default scope for its kind). */
  scopeId?: string;
  /** A requested move that waits for the CIDR's allocation to be released (spec DN-38). */
  pendingMoveToScopeId?: string;
}

/**
 * One stretch of time during which a CIDR had one resource, owner and state (IpamAddressHistoryRecord).
 * Version 1 while open; closing it (SampledEndTime) is an update, so a repeated sweep cannot close or open it twice.
 */
export interface AddressHistoryRecord extends Versioned {
  ResourceOwnerId: string;
  ResourceRegion: string;
  ResourceType: 'vpc' | 'subnet' | 'eip' | 'instance' | 'network-interface';
  ResourceId: string;
  ResourceCidr: string;
  ResourceName?: string;
  /** VPC records only. */
  ResourceComplianceStatus?: ComplianceStatus;
  /** VPC records only. */
  ResourceOverlapStatus?: OverlapStatus;
  VpcId?: string;
  SampledStartTime: string;
  /** Absent while the record is still current. */
  SampledEndTime?: string;
  /** Internal: the scope the record belongs to. */
  ipamScopeId: string;
}

/** Per pool: the utilisation band last reported, so a sweep emits an event only when a threshold is crossed. */
export interface PoolMonitorState extends Versioned {
  ipamPoolId: string;
  /** Highest configured threshold (percent) the pool's used share was at or above; 0 when below all. */
  thresholdReached: number;
}

/** "One sweep at a time": a lease item taken with a conditional write. */
export interface SweepLease extends Versioned {
  holder: string;
  /** ISO time after which another sweep may take the lease (a crashed sweep never blocks for long). */
  leaseUntil: string;
}

// ---- BYOASN and BYOIP advertising (issue 7) ----

export type AsnState =
  | 'pending-provision'
  | 'provisioned'
  | 'failed-provision'
  | 'pending-deprovision'
  | 'deprovisioned'
  | 'failed-deprovision';

/** An autonomous system number an account brought to one of its IPAMs (Byoasn). One record per account and ASN. */
export interface Byoasn extends Versioned {
  Asn: string;
  IpamId: string;
  State: AsnState;
  StatusMessage?: string;
  /** Internal: the owner, and the IPAM's home Region (where DescribeIpamByoasn lists it). */
  ownerId: string;
  ipamRegion: string;
  /** Internal: BYOIP CIDRs it is associated with; deprovisioning needs zero. */
  associationCount: number;
}

export type AsnAssociationState =
  | 'pending-association'
  | 'associated'
  | 'failed-association'
  | 'pending-disassociation'
  | 'disassociated'
  | 'failed-disassociation';

/**
 * What IPAM remembers of one BYOIP CIDR beyond its pool CIDR record: whether it is advertised,
 * with which origin ASN, and the ASNs associated with it. Keyed by owner, Region (the pool's
 * locale) and CIDR; created on first use — no record means withdrawn, with no associations.
 */
export interface ByoipCidrAdvertisement extends Versioned {
  ownerId: string;
  region: string;
  cidr: string;
  advertised: boolean;
  /** Origin ASN while advertised: `AWS` (Amazon's) or an associated custom ASN. */
  originAsn?: string;
  /** When the origin last switched from Amazon's ASN to a custom one (at most once an hour). */
  customAsnSwitchedAt?: string;
  /** ASNs currently associated (State associated). */
  associatedAsns: string[];
}

// ---- BYOIP verification tokens (issue 7) ----

export type VerificationTokenState =
  | 'create-in-progress'
  | 'create-complete'
  | 'create-failed'
  | 'delete-in-progress'
  | 'delete-complete'
  | 'delete-failed';

/**
 * A token an IPAM issues for the dns-token BYOIP method: TokenValue goes into TXT records named
 * after TokenName. `Status` (valid | expired) is not stored: it follows from NotAfter at read time.
 */
export interface IpamExternalResourceVerificationToken extends Versioned {
  IpamExternalResourceVerificationTokenId: string;
  IpamExternalResourceVerificationTokenArn: string;
  IpamId: string;
  IpamArn: string;
  IpamRegion: string;
  TokenValue: string;
  TokenName: string;
  /** ISO time after which the token no longer proves anything. */
  NotAfter: string;
  State: VerificationTokenState;
  Tags: Tag[];
  /** Internal: the IPAM's owner, who alone sees and uses the token. */
  ownerId: string;
}

/** What a BYOIP provisioning request offered as proof of control (VerificationMethod). */
export type ByoipProof = { method: 'remarks-x509'; message: string; signature: string } | { method: 'dns-token'; tokenId: string };

// ---- Elastic IPs from IPAM pools (issue 7, 30-eips-iam-quotas §1) ----

/**
 * An Elastic IP handed out from an IPAM pool (AllocateAddress with IpamPoolId). The address is
 * held by the `eip` allocation `ipamPoolAllocationId`, written in the same commit.
 */
export interface ElasticIp {
  AllocationId: string;
  PublicIp: string;
  /** The IPAM pool id, not an `ipv4pool-ec2-` id (UG L9272–9278). */
  PublicIpv4Pool: string;
  NetworkBorderGroup: string;
  Domain: 'vpc';
  Tags: Tag[];
  /** Internal: the allocating account and the Region it was made in (the pool's locale). */
  ownerId: string;
  region: string;
  ipamPoolId: string;
  ipamPoolAllocationId: string;
}
