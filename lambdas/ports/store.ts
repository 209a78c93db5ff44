// The storage contract the use cases need. Two adapters, DynamoDB (adapters/dynamodb) and in
// memory (adapters/memory); one contract suite, test/adapters/store-contract.ts, runs against both.
//
// Writes are optimistic: a use case reads, checks its rules on what it read, and commits a list
// of writes whose conditions (`create` = must not exist, `update`/`delete`/`check` = must still be
// at the version read) make the commit fail with `StoreConflict` if anything it relied on changed.
// The whole list commits atomically or not at all.
import type {
  DiscoveredAccount,
  DiscoveredPublicAddress,
  DiscoveredResourceCidr,
  IpamResourceDiscovery,
  IpamResourceDiscoveryAssociation,
  ResourceDiscoverySlot,
} from '../domain/model/discovery.ts';
import type { OutboxEntry, RecentEvent } from '../domain/model/events.ts';
import type { ClientTokenRecord, SweepLease, WorkflowExecution } from '../domain/model/execution.ts';
import type { Ipam, IpamRegionSlot, IpamScope } from '../domain/model/ipam.ts';
import type { AddressHistoryRecord, IpamResourceCidr, PoolMonitorState, ResourceCidrOverride } from '../domain/model/monitoring.ts';
import type { FreeBlock, IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../domain/model/pool.ts';
import type { IpamPolicy } from '../domain/model/ipam-policy.ts';
import type { IpamPrefixListResolver, PrefixListResolverVersion } from '../domain/model/prefix-list-resolver.ts';
import type {
  AddressCooldown,
  Byoasn,
  ByoipCidrAdvertisement,
  ElasticIp,
  IpamExternalResourceVerificationToken,
  PublicIpv4Pool,
} from '../domain/model/public-space.ts';
import type { ResourceShare, ResourceShareAssociation, ResourceShareInvitation, ShareView } from '../domain/model/sharing.ts';
import type { AddressFamily, Cidr } from '../domain/cidr.ts';
import type { Subnet, Vpc } from '../domain/model/vpc.ts';
import type { IpamPrefixListResolverTarget, ManagedPrefixList, PrefixListVersion } from '../domain/model/prefix-list.ts';
import type { ForwardedIntent, ForwardedLink } from '../domain/model/forwarded.ts';
import { IpamError } from '../domain/errors.ts';

export type Entity =
  | { type: 'ipam'; value: Ipam }
  | { type: 'scope'; value: IpamScope }
  | { type: 'pool'; value: IpamPool }
  | { type: 'pool-cidr'; value: IpamPoolCidr }
  | { type: 'allocation'; value: IpamPoolAllocation }
  | { type: 'free-block'; value: FreeBlock }
  | { type: 'ipam-region-slot'; value: IpamRegionSlot }
  | { type: 'client-token'; value: ClientTokenRecord }
  | { type: 'execution'; value: WorkflowExecution }
  | { type: 'resource-discovery'; value: IpamResourceDiscovery }
  | { type: 'resource-discovery-slot'; value: ResourceDiscoverySlot }
  | { type: 'resource-discovery-association'; value: IpamResourceDiscoveryAssociation }
  | { type: 'resource-cidr'; value: IpamResourceCidr }
  | { type: 'resource-cidr-override'; value: ResourceCidrOverride }
  | { type: 'address-history'; value: AddressHistoryRecord }
  | { type: 'pool-monitor-state'; value: PoolMonitorState }
  | { type: 'sweep-lease'; value: SweepLease }
  | { type: 'byoasn'; value: Byoasn }
  | { type: 'byoip-advertisement'; value: ByoipCidrAdvertisement }
  | { type: 'verification-token'; value: IpamExternalResourceVerificationToken }
  | { type: 'ipam-policy'; value: IpamPolicy }
  | { type: 'prefix-list-resolver'; value: IpamPrefixListResolver }
  | { type: 'prefix-list-resolver-version'; value: PrefixListResolverVersion }
  | { type: 'elastic-ip'; value: ElasticIp }
  | { type: 'public-ipv4-pool'; value: PublicIpv4Pool }
  | { type: 'address-cooldown'; value: AddressCooldown }
  | { type: 'vpc'; value: Vpc }
  | { type: 'subnet'; value: Subnet }
  | { type: 'managed-prefix-list'; value: ManagedPrefixList }
  /** Written once (create) when its version is made; never updated. */
  | { type: 'prefix-list-version'; value: PrefixListVersion }
  | { type: 'prefix-list-resolver-target'; value: IpamPrefixListResolverTarget }
  | { type: 'outbox-entry'; value: OutboxEntry }
  | { type: 'recent-event'; value: RecentEvent }
  | { type: 'forwarded-intent'; value: ForwardedIntent }
  | { type: 'forwarded-link'; value: ForwardedLink }
  | { type: 'resource-share'; value: ResourceShare }
  | { type: 'resource-share-association'; value: ResourceShareAssociation }
  | { type: 'resource-share-invitation'; value: ResourceShareInvitation }
  | Observation;

/**
 * What a discovery sweep saw. Observations are replaced wholesale by the next sweep of the same
 * resource discovery, Region and account, so they are written without conditions (last sweep wins).
 */
export type Observation =
  | { type: 'discovered-resource-cidr'; value: DiscoveredResourceCidr }
  | { type: 'discovered-account'; value: DiscoveredAccount }
  | { type: 'discovered-public-address'; value: DiscoveredPublicAddress };

export interface ObservationWrite {
  op: 'put' | 'delete';
  entity: Observation;
}

export type Write =
  /** Fails if the entity already exists. */
  | { op: 'create'; entity: Entity }
  /**
   * Stores `entity` with version + 1; fails unless the stored version is `entity.value.version`.
   * A record stored without a version (a custom allocation) is updated with version undefined:
   * it must exist and still have none, and carries version 1 from then on.
   */
  | { op: 'update'; entity: Entity & { value: { version: number } } }
  /** Fails unless the entity exists (and, for versioned entities, is at the version given). */
  | { op: 'delete'; entity: Entity }
  /** Writes nothing; fails unless the versioned entity is still at the version given. */
  | { op: 'check'; entity: Entity & { value: { version: number } } }
  /** Writes nothing; fails if the entity exists (it appeared since it was read as missing). */
  | { op: 'absent'; entity: Entity };

/** A commit lost a race or a condition no longer held: re-read and decide again. */
export class StoreConflict extends Error {
  constructor(message = 'A concurrent change won; re-read and retry') {
    super(message);
    this.name = 'StoreConflict';
  }
}

/**
 * The store stayed unavailable (throttled, failing or unreachable) through the adapter's own
 * retries. Callers see EC2's `Unavailable` (HTTP 503), which AWS clients retry; the state machines
 * retry a task that throws it (its name). A commit that throws it may or may not have landed:
 * callers that must know re-read, or retry with their ClientToken.
 */
export class StoreUnavailable extends IpamError {
  constructor(message = 'The IPAM store is unavailable right now; retry the request') {
    super('Unavailable', message);
    this.name = 'StoreUnavailable';
  }
}

export interface Page<T> {
  items: T[];
  /** Opaque position after the last item; absent on the last page. */
  next?: string;
}

export interface PageRequest {
  limit: number;
  after?: string;
}

/**
 * The IPAM resource tree: IPAMs, their scopes, pools, the CIDRs provisioned to pools, and the
 * allocations made from them.
 */
export interface PoolTreeStore {
  /** One IPAM, by id. */
  getIpam(ipamId: string): Promise<Ipam | undefined>;
  /** Every IPAM an account owns. */
  listIpams(ownerId: string): Promise<Ipam[]>;
  /** One scope, by id. */
  getScope(scopeId: string): Promise<IpamScope | undefined>;
  /** Every scope an account owns. */
  listScopes(ownerId: string): Promise<IpamScope[]>;
  /** One pool, by id. */
  getPool(poolId: string): Promise<IpamPool | undefined>;
  /** Every pool an account owns. */
  listPools(ownerId: string): Promise<IpamPool[]>;
  /** One CIDR provisioned to a pool. */
  getPoolCidr(poolId: string, poolCidrId: string): Promise<IpamPoolCidr | undefined>;
  /** Every CIDR provisioned to a pool. */
  listPoolCidrs(poolId: string): Promise<IpamPoolCidr[]>;
  /** One allocation of a pool. */
  getAllocation(poolId: string, allocationId: string): Promise<IpamPoolAllocation | undefined>;
  /** A pool's allocations, one page at a time. */
  listAllocations(poolId: string, page: PageRequest): Promise<Page<IpamPoolAllocation>>;
}

/**
 * The allocator's view of a space (a pool, or a scope for top-level pools): its free blocks, which
 * allocations and provisions take from and releases give back to.
 */
export interface FreeSpaceStore {
  /** Free blocks of a space in best-fit order for a /prefixLength request: smallest block first, lowest address among equals. */
  freeBlocksForPrefix(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock>;
  /**
   * Free blocks of a space that can hold a /prefixLength, largest first (the reverse of best-fit
   * order). A split puts its pieces after the block it deletes in this order, so a scan of it
   * misses no free space that only splits moved meanwhile (see freeSpaceEpoch).
   */
  freeBlocksLargestFirst(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock>;
  /**
   * The space's free-space epoch: a value that changes with every commit that grows the space
   * (domain/free-space.ts spacesGrown: a release, a merge, a provision) and with no other, read as
   * of one instant — a growing commit still in flight reads as a value never returned before.
   */
  freeSpaceEpoch(spaceId: string, family: AddressFamily): Promise<string | undefined>;
  /**
   * The free block that contains `cidr`, if any (strongly consistent, but its ancestors are read
   * at different instants: a miss while others split or merge proves nothing; see
   * use-cases/free-space.ts findSpecificPlacement).
   */
  freeBlockContaining(spaceId: string, cidr: Cidr): Promise<FreeBlock | undefined>;
  /** The free block that is exactly `cidr`, if any (strongly consistent). */
  getFreeBlock(spaceId: string, cidr: Cidr): Promise<FreeBlock | undefined>;
  /** Those of `cidrs` that are free blocks exactly, in one strongly consistent read. */
  getFreeBlocks(spaceId: string, cidrs: readonly Cidr[]): Promise<FreeBlock[]>;
  /**
   * Everything a release reads, in one strongly consistent read: the pool, the allocation, and
   * those of `buddies` that are free blocks of the pool.
   */
  getReleaseView(
    poolId: string,
    allocationId: string,
    buddies: readonly Cidr[],
  ): Promise<{ pool?: IpamPool; allocation?: IpamPoolAllocation; freeBuddies: FreeBlock[] }>;
  /** Every free block of a space (for accounting and tests; not on a hot path). */
  listFreeBlocks(spaceId: string, family: AddressFamily): Promise<FreeBlock[]>;
}

/** The answers remembered for ClientTokens (see use-cases/kernel/idempotency.ts). */
export interface ClientTokenStore {
  /** The ClientToken an account used on one action, with the request's hash and its first result. */
  getClientToken(accountId: string, action: string, clientToken: string): Promise<ClientTokenRecord | undefined>;
}

/** The records of workflow executions, which make workflows durable (see ports/workflows.ts). */
export interface ExecutionStore {
  /** One execution record, open or closed. */
  getExecution(executionId: string): Promise<WorkflowExecution | undefined>;
  /** Executions not yet closed, oldest first (an eventually consistent index: a just-committed one may be missing). */
  listOpenExecutions(): Promise<WorkflowExecution[]>;
}

/** The outbox: events committed with the changes they report, until delivered (use-cases/kernel/outbox.ts). */
export interface OutboxStore {
  /** Entries not yet delivered created at or after `from` (an ISO time), oldest first, at most `limit` (strongly consistent). */
  listOutboxEntries(from: string, limit: number): Promise<OutboxEntry[]>;
  /**
   * Keeps delivered events as `recentEvents` and forgets their entries, in the same batches, puts
   * before deletes: unconditional, not atomic (an entry deleted twice, or already gone, is fine;
   * a recent event put twice is the same record).
   */
  deleteOutboxEntries(entries: readonly OutboxEntry[], recentEvents?: readonly RecentEvent[]): Promise<void>;
  /**
   * One account's recent events in one Region, newest first, one page at a time (eventually
   * consistent; expired ones may still be listed: domain/expiry.ts decides).
   */
  listRecentEvents(accountId: string, region: string, page: PageRequest): Promise<Page<RecentEvent>>;
}

/**
 * What discovery and monitoring keep: resource discoveries and their associations with IPAMs,
 * what the sweeps observed, the resource CIDRs and address history derived from it, manual
 * overrides, pool monitoring state and the sweep's lease.
 */
export interface DiscoveryStore {
  /** One resource discovery, by id. */
  getResourceDiscovery(resourceDiscoveryId: string): Promise<IpamResourceDiscovery | undefined>;
  /** One owner's resource discoveries, or every owner's (the sweep) when ownerId is undefined. */
  listResourceDiscoveries(ownerId?: string): Promise<IpamResourceDiscovery[]>;
  /** One association of a resource discovery with an IPAM, by id. */
  getResourceDiscoveryAssociation(associationId: string): Promise<IpamResourceDiscoveryAssociation | undefined>;
  /** One owner's associations, or every owner's (the sweep) when ownerId is undefined. */
  listResourceDiscoveryAssociations(ownerId?: string): Promise<IpamResourceDiscoveryAssociation[]>;
  /** What a resource discovery saw in one Region (every account), optionally only one account's. */
  listDiscoveredResourceCidrs(resourceDiscoveryId: string, region: string, accountId?: string): Promise<DiscoveredResourceCidr[]>;
  /** The public addresses a resource discovery saw in one Region (every account), optionally only one account's. */
  listDiscoveredPublicAddresses(resourceDiscoveryId: string, region: string, accountId?: string): Promise<DiscoveredPublicAddress[]>;
  /** Every account × Region the resource discovery tried, optionally one Region's. */
  listDiscoveredAccounts(resourceDiscoveryId: string, region?: string): Promise<DiscoveredAccount[]>;
  /** Puts and deletes observations in batches: not atomic, not conditional (see Observation). */
  writeObservations(writes: ObservationWrite[]): Promise<void>;
  /** One resource's CIDR as an IPAM scope tracks it. */
  getResourceCidr(scopeId: string, region: string, resourceId: string, cidr: string): Promise<IpamResourceCidr | undefined>;
  /** Every resource CIDR a scope tracks. */
  listResourceCidrs(scopeId: string): Promise<IpamResourceCidr[]>;
  /** What a user decided about one resource CIDR of an IPAM (ignored, moved scope), if anything. */
  getResourceCidrOverride(ipamId: string, region: string, resourceId: string, cidr: string): Promise<ResourceCidrOverride | undefined>;
  /** Every resource CIDR override of an IPAM. */
  listResourceCidrOverrides(ipamId: string): Promise<ResourceCidrOverride[]>;
  /** History of exactly one CIDR in one scope, oldest first. */
  listAddressHistory(scopeId: string, cidr: string): Promise<AddressHistoryRecord[]>;
  /** The utilisation band last reported for a pool, if a sweep has reported one. */
  getPoolMonitorState(poolId: string): Promise<PoolMonitorState | undefined>;
  /** The lease that keeps discovery sweeps to one at a time, if a sweep has ever taken it. */
  getSweepLease(): Promise<SweepLease | undefined>;
}

/** Public address space an account brings or takes: BYOASN, BYOIP advertising and verification, Elastic IPs from pools. */
export interface PublicSpaceStore {
  /** One ASN an account brought. */
  getByoasn(ownerId: string, asn: string): Promise<Byoasn | undefined>;
  /** Every ASN an account brought, in any Region. */
  listByoasns(ownerId: string): Promise<Byoasn[]>;
  /** The advertising record of one BYOIP CIDR of an account in one Region (none: withdrawn, no ASNs). */
  getByoipAdvertisement(ownerId: string, region: string, cidr: string): Promise<ByoipCidrAdvertisement | undefined>;
  /** Every BYOIP CIDR advertisement of an account in one Region. */
  listByoipAdvertisements(ownerId: string, region: string): Promise<ByoipCidrAdvertisement[]>;
  /** One IPAM policy, by id. */
  getIpamPolicy(policyId: string): Promise<IpamPolicy | undefined>;
  /** Every IPAM policy of an account, in any Region. */
  listIpamPolicies(ownerId: string): Promise<IpamPolicy[]>;
  /** One IPAM prefix list resolver, by id. */
  getPrefixListResolver(resolverId: string): Promise<IpamPrefixListResolver | undefined>;
  /** Every prefix list resolver of an account, in any Region, by id. */
  listPrefixListResolvers(ownerId: string): Promise<IpamPrefixListResolver[]>;
  /** One version of a resolver, by number (strongly consistent). */
  getPrefixListResolverVersion(resolverId: string, version: number): Promise<PrefixListResolverVersion | undefined>;
  /** Every version of a resolver, oldest first (strongly consistent). */
  listPrefixListResolverVersions(resolverId: string): Promise<PrefixListResolverVersion[]>;
  /** One external resource verification token, by id. */
  getVerificationToken(tokenId: string): Promise<IpamExternalResourceVerificationToken | undefined>;
  /** Every token of an account's IPAMs, in any Region. */
  listVerificationTokens(ownerId: string): Promise<IpamExternalResourceVerificationToken[]>;
  /** One IPAM-pool Elastic IP of an account in one Region, by allocation id. */
  getElasticIp(ownerId: string, region: string, allocationId: string): Promise<ElasticIp | undefined>;
  /** Every IPAM-pool Elastic IP of an account in one Region. */
  listElasticIps(ownerId: string, region: string): Promise<ElasticIp[]>;
  /** One public IPv4 pool of an account, by id, whatever its Region. */
  getPublicIpv4Pool(ownerId: string, poolId: string): Promise<PublicIpv4Pool | undefined>;
  /** Every public IPv4 pool of an account, in any Region, by id. */
  listPublicIpv4Pools(ownerId: string): Promise<PublicIpv4Pool[]>;
  /** The released addresses of a pool (IPAM pool or public IPv4 pool) with a cool-down record, expired or not. */
  listAddressCooldowns(poolId: string): Promise<AddressCooldown[]>;
}

/** EC2 resources kept by this service: VPCs and their subnets in embedded mode (issue 16); managed prefix lists always. */
export interface Ec2CompanionStore {
  /** One VPC of an account in one Region, by id. */
  getVpc(ownerId: string, region: string, vpcId: string): Promise<Vpc | undefined>;
  /** Every VPC of an account in one Region, by id. */
  listVpcs(ownerId: string, region: string): Promise<Vpc[]>;
  /** The subnets of an account in one Region (strongly consistent), optionally only one VPC's; by VPC, then id. */
  listSubnets(ownerId: string, region: string, vpcId?: string): Promise<Subnet[]>;
  /** One managed prefix list of an account in one Region, by id. */
  getManagedPrefixList(ownerId: string, region: string, prefixListId: string): Promise<ManagedPrefixList | undefined>;
  /** Every managed prefix list of an account in one Region, by id. */
  listManagedPrefixLists(ownerId: string, region: string): Promise<ManagedPrefixList[]>;
  /** The entries of one version of a prefix list, if that version was made. */
  getPrefixListVersion(prefixListId: string, version: number): Promise<PrefixListVersion | undefined>;
  /** Every version of a prefix list still stored, oldest first (strongly consistent): what its delete removes. */
  listPrefixListVersions(prefixListId: string): Promise<PrefixListVersion[]>;
  /** One prefix list resolver target, by id. */
  getPrefixListResolverTarget(targetId: string): Promise<IpamPrefixListResolverTarget | undefined>;
  /** Every target of a resolver, by id (an eventually consistent index). */
  listPrefixListResolverTargets(resolverId: string): Promise<IpamPrefixListResolverTarget[]>;
  /** Forwarding mode: every forwarded create still in flight (or left by a crash), oldest first. */
  listForwardedIntents(): Promise<ForwardedIntent[]>;
  /** Forwarding mode: the allocation link of an upstream resource of an account in one Region, by the id its delete names. */
  getForwardedLink(ownerId: string, region: string, resourceId: string): Promise<ForwardedLink | undefined>;
  /** Forwarding mode: every allocation link of an account in one Region. */
  listForwardedLinks(ownerId: string, region: string): Promise<ForwardedLink[]>;
}

/**
 * Resource shares (AWS RAM): shares, their associations with resources and principals, and
 * invitations. A shared pool's access check reads sharesOfEntity(pool ARN) from the index, then
 * each share whole and strongly consistent from the table, so a revocation counts at once.
 */
export interface SharingStore {
  /** One share and every association it has (any status), in one read; undefined when there is no such share. */
  getShareView(resourceShareArn: string): Promise<ShareView | undefined>;
  /** Every share an account owns, any status. */
  listResourceShares(ownerId: string): Promise<ResourceShare[]>;
  /** The associations that name `entity` (a resource ARN or a principal), any share, any status (an eventually consistent index). */
  listAssociationsOfEntity(entity: string): Promise<ResourceShareAssociation[]>;
  /** One invitation, by ARN. */
  getResourceShareInvitation(invitationArn: string): Promise<ResourceShareInvitation | undefined>;
  /** Every invitation an account received. */
  listResourceShareInvitations(receiverAccountId: string): Promise<ResourceShareInvitation[]>;
}

/** The one way every role's entities are written (see the top of this file). */
export interface Committer {
  /**
   * Applies all writes atomically, or throws StoreConflict and applies none. A commit that grows a
   * free space (domain/free-space.ts spacesGrown) advances that space's free-space epoch with it.
   */
  commit(writes: Write[]): Promise<void>;
}

/**
 * The whole contract, which both adapters implement. Code that needs only part of storage names
 * the roles it uses instead (e.g. `FreeSpaceStore & Committer`).
 */
export interface Store
  extends PoolTreeStore,
    FreeSpaceStore,
    ClientTokenStore,
    ExecutionStore,
    OutboxStore,
    DiscoveryStore,
    PublicSpaceStore,
    Ec2CompanionStore,
    SharingStore,
    Committer {}
