// The records IPAM keeps. Public fields use the EC2 API's member names so that presenting a
// record is a pick, not a translation; camelCase fields are internal and never leave the service.
import type { WorkflowName } from '../ports/workflows.ts';
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

export type AllocationResourceType =
  | 'ipam-pool'
  | 'vpc'
  | 'ec2-public-ipv4-pool'
  | 'custom'
  | 'subnet'
  | 'eip'
  | 'anycast-ip-list';

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
