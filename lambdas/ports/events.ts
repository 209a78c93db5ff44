// Events other systems react to: EventBridge PutEvents on our bus in the cloud, a JSON-lines file
// in the data dir locally. One detail type per kind of change; docs/events.md documents each schema.
// Events are published after the change is committed, best effort: a failed publish is logged and
// never undoes or fails the change.

export const EVENT_SOURCE = 'self-hosted.ipam';

export interface PoolCidrStateChange {
  'detail-type': 'IPAM Pool CIDR State Change';
  detail: {
    ipamId: string;
    ipamPoolId: string;
    ipamPoolCidrId: string;
    cidr?: string;
    previousState?: string;
    state: string;
    failureReason?: string;
  };
}

export interface PoolAllocationChange {
  'detail-type': 'IPAM Pool Allocation Change';
  detail: {
    ipamId: string;
    ipamPoolId: string;
    ipamPoolAllocationId: string;
    cidr: string;
    change: 'created' | 'released';
    /** api: AllocateIpamPoolCidr/ReleaseIpamPoolAllocation; the others come from discovery sweeps and ModifyIpamResourceCidr. */
    cause: 'api' | 'auto-import' | 'auto-release' | 'ignored';
    resourceType: string;
    resourceId?: string;
    resourceOwner?: string;
    resourceRegion?: string;
  };
}

interface ResourceCidrComplianceChange {
  'detail-type': 'IPAM Resource CIDR Compliance Change';
  detail: {
    ipamId: string;
    ipamScopeId: string;
    ipamPoolId?: string;
    resourceId: string;
    resourceType: string;
    resourceCidr: string;
    resourceRegion: string;
    resourceOwnerId: string;
    previousStatus?: string;
    status: string;
  };
}

interface ResourceCidrOverlapDetected {
  'detail-type': 'IPAM Resource CIDR Overlap Detected';
  detail: {
    ipamId: string;
    ipamScopeId: string;
    resourceId: string;
    resourceType: string;
    resourceCidr: string;
    resourceRegion: string;
    resourceOwnerId: string;
    /** The CIDRs it overlaps, as `<resource id> <cidr>` (or `<allocation id> <cidr>` for manual allocations). */
    overlapsWith: string[];
  };
}

interface PoolUtilisationThresholdCrossed {
  'detail-type': 'IPAM Pool Utilization Threshold Crossed';
  detail: {
    ipamId: string;
    ipamScopeId: string;
    ipamPoolId: string;
    /** Percent of the pool's provisioned space allocated to pools or resources (100 − PercentAvailable). */
    percentUsed: number;
    threshold: number;
    direction: 'above' | 'below';
  };
}

interface OrganizationAdminAccountChange {
  'detail-type': 'IPAM Organization Admin Account Change';
  detail: {
    organizationId: string;
    delegatedAdminAccountId: string;
    /** enabled: EnableIpamOrganizationAdminAccount; disabled: DisableIpamOrganizationAdminAccount. */
    change: 'enabled' | 'disabled';
  };
}

export type IpamEvent =
  | PoolCidrStateChange
  | PoolAllocationChange
  | ResourceCidrComplianceChange
  | ResourceCidrOverlapDetected
  | PoolUtilisationThresholdCrossed
  | OrganizationAdminAccountChange;

export interface EventPublisher {
  /** Publishes in order; never throws (failures are logged by the adapter). */
  publish(events: IpamEvent[], context: { accountId: string; region: string; time: Date }): Promise<void>;
}
