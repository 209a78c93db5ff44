// What the sweep judges and remembers of discovered CIDRs: resource CIDRs, the user's overrides,
// address history, pool utilisation bands (spec §8, §17, §18).
import type { DiscoveredResourceType } from './discovery.ts';
import type { Tag, Versioned } from './record.ts';

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
  /** Internal: that record's version when more than 1 (it was replaced in the instant it began). */
  historyVersion?: number;
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
 * Created at version 1 (replacing the state of a record in the instant it began moves it on, see
 * IpamResourceCidr.historyVersion); closing it (SampledEndTime) is an update, so a repeated sweep
 * cannot close or open it twice.
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
