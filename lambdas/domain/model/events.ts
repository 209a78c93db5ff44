// The events other systems react to (docs/events.md documents each schema), and the outbox that
// carries them: each change commits its events with it (use-cases/kernel/outbox.ts), so a change
// and its announcement stand or fall together; delivery happens after the commit and is retried
// until it succeeds (domain/expiry.ts: for a week). Each event keeps one id for life, so a consumer that sees it twice can tell.

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

export interface ResourceShareChange {
  'detail-type': 'RAM Resource Share Change';
  detail: {
    resourceShareArn: string;
    name: string;
    /** The share's owner; the event's account is the caller (a principal accepting or rejecting an invitation is not the owner). */
    owningAccountId: string;
    change:
      | 'created'
      | 'updated'
      | 'deleted'
      | 'associated'
      | 'disassociated'
      | 'permission-associated'
      | 'invitation-accepted'
      | 'invitation-rejected';
    status: string;
    /** Resource ARNs and principals whose association changed. */
    resources?: string[];
    principals?: string[];
  };
}

/** BYOASN: each state an ASN enters (provisioning accepted, provisioned, failed, deprovisioned). */
export interface ByoasnStateChange {
  'detail-type': 'IPAM BYOASN State Change';
  detail: {
    ipamId: string;
    asn: string;
    previousState?: string;
    state: string;
    statusMessage?: string;
  };
}

/** BYOASN: an ASN associated with or disassociated from a BYOIP CIDR of its IPAM. */
export interface ByoasnAssociationChange {
  'detail-type': 'IPAM BYOASN Association Change';
  detail: {
    ipamId: string;
    asn: string;
    cidr: string;
    change: 'associated' | 'disassociated';
  };
}

/** A BYOIP range provisioned outside IPAM (ProvisionByoipCidr): each state it enters, and its move into IPAM. */
export interface ByoipCidrStateChange {
  'detail-type': 'BYOIP CIDR State Change';
  detail: {
    cidr: string;
    poolId: string;
    previousState?: string;
    state: string;
    statusMessage?: string;
  };
}

/** An EC2 public IPv4 pool changed (issue 21): created or deleted, or a range came from or went back to an IPAM pool. */
export interface PublicIpv4PoolChange {
  'detail-type': 'Public IPv4 Pool Change';
  detail: {
    poolId: string;
    change: 'created' | 'deleted' | 'cidr-provisioned' | 'cidr-deprovisioned';
    /** The range provisioned or deprovisioned, and the IPAM pool it came from. */
    cidr?: string;
    ipamPoolId?: string;
  };
}

/** An Elastic IP was associated with or disassociated from a network interface (issue 21). */
export interface ElasticIpAssociationChange {
  'detail-type': 'Elastic IP Association Change';
  detail: {
    allocationId: string;
    publicIp: string;
    associationId: string;
    change: 'associated' | 'disassociated';
    networkInterfaceId: string;
    instanceId?: string;
    privateIpAddress: string;
  };
}

export type IpamEvent =
  | ByoasnStateChange
  | ByoasnAssociationChange
  | ByoipCidrStateChange
  | PoolCidrStateChange
  | PoolAllocationChange
  | ResourceCidrComplianceChange
  | ResourceCidrOverlapDetected
  | PoolUtilisationThresholdCrossed
  | OrganizationAdminAccountChange
  | ResourceShareChange
  | PublicIpv4PoolChange
  | ElasticIpAssociationChange;

/** One event as it is delivered: what changed, as whom and where, when it was committed, and its id. */
export interface OutboxEvent {
  /** A UUID fixed when the change commits: every delivery of the event carries it, so consumers deduplicate on it. */
  eventId: string;
  /** The account the event is published as (the IPAM owner's, or the caller's for share changes). */
  accountId: string;
  region: string;
  /** When the change committed (ISO 8601): the event's time on every delivery. */
  time: string;
  event: IpamEvent;
}

/** The events of one commit not yet delivered: written in the commit, deleted once every event is out. */
export interface OutboxEntry {
  outboxId: string;
  /** The commit's time; entries are redelivered oldest first. */
  createdAt: string;
  /** In the order the change produced them. */
  events: OutboxEvent[];
}

/**
 * A delivered event kept to be read back (ListRecentEvents; the console's dashboard) until
 * retainedUntil: written when its outbox entry is forgotten, in the same batch as that delete.
 */
export interface RecentEvent extends OutboxEvent {
  /** When the record is gone for every reader (domain/expiry.ts); DynamoDB's TTL removes it later. */
  retainedUntil: string;
}
