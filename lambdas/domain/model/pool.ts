// Pools, the CIDRs provisioned to them, their allocations and their free space.
import type { AddressFamily } from '../cidr.ts';
import type { ResourceState } from './ipam.ts';
import type { ByoipProof } from './public-space.ts';
import type { Tag, Versioned } from './record.ts';

type PoolCidrState =
  | 'pending-provision'
  | 'provisioned'
  | 'failed-provision'
  | 'pending-deprovision'
  | 'deprovisioned'
  | 'failed-deprovision'
  | 'pending-import'
  | 'failed-import';

type AllocationResourceType = 'ipam-pool' | 'vpc' | 'ec2-public-ipv4-pool' | 'custom' | 'subnet' | 'eip' | 'anycast-ip-list';

/** The VPC a resource planning pool plans (S13): EC2's IpamPoolSourceResource. */
export interface IpamPoolSourceResource {
  ResourceId: string;
  ResourceType: 'vpc';
  ResourceRegion: string;
  ResourceOwner: string;
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
  /** Only on the resource planning pool itself (the one created with it), as EC2 returns it. */
  SourceResource?: IpamPoolSourceResource;
  /**
   * Internal: the VPC this pool's space lies in, on a resource planning pool and on every pool
   * below it (they inherit the planning configuration). Subnets of that VPC draw from these pools.
   */
  planningResource?: IpamPoolSourceResource;
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
  /** AWS gives no Code for a failed deprovision (terraform-provider-aws #30165): Code is optional. */
  FailureReason?: { Code?: 'cidr-not-available' | 'limit-exceeded'; Message: string };
  NetmaskLength: number;
  ipamPoolId: string;
  /** Where the space came from: the source pool, or the scope for a top-level pool. */
  sourceSpaceId: string;
  /** The allocation that holds this CIDR in the source space while it is provisioned. */
  sourceAllocationId?: string;
  /** BYOIP only: the proof of control the provisioning workflow verifies before taking the space. */
  byoipProof?: ByoipProof;
  /**
   * pending-deprovision only: accepted while allocations (or child pool CIDRs) lay inside the
   * CIDR, so none of its space was taken and the workflow ends it failed-deprovision, as AWS does.
   */
  allocationsInside?: boolean;
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
  /**
   * Set on a released allocation still held by the release cool-down (IPAM_RELEASE_COOLDOWN_S,
   * IPAM_FREE_TIER_RELEASE_COOLDOWN_S): its space stays taken, it is no longer shown or
   * releasable, and the sweep gives the space back after this time (ISO 8601).
   */
  heldUntil?: string;
  /**
   * Set only on an allocation waiting for its resource's id (a forwarded create in flight,
   * use-cases/forwarded-companions.ts): the id is then written by a conditional update.
   */
  version?: number;
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
