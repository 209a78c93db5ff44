// The storage contract the use cases need. Two adapters, DynamoDB (adapters/dynamodb) and in
// memory (adapters/memory); one contract suite, test/adapters/store-contract.ts, runs against both.
//
// Writes are optimistic: a use case reads, checks its rules on what it read, and commits a list
// of writes whose conditions (`create` = must not exist, `update`/`delete`/`check` = must still be
// at the version read) make the commit fail with `StoreConflict` if anything it relied on changed.
// The whole list commits atomically or not at all.
import type {
  AddressHistoryRecord,
  Byoasn,
  ByoipCidrAdvertisement,
  ClientTokenRecord,
  DiscoveredAccount,
  DiscoveredPublicAddress,
  DiscoveredResourceCidr,
  ElasticIp,
  FreeBlock,
  Ipam,
  IpamPool,
  IpamPoolAllocation,
  IpamPoolCidr,
  IpamRegionSlot,
  IpamResourceCidr,
  IpamResourceDiscovery,
  IpamResourceDiscoveryAssociation,
  IpamExternalResourceVerificationToken,
  IpamScope,
  PoolMonitorState,
  ResourceCidrOverride,
  ResourceDiscoverySlot,
  SweepLease,
  WorkflowExecution,
} from '../domain/model.ts';
import type { AddressFamily, Cidr } from '../domain/cidr.ts';

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
  | { type: 'elastic-ip'; value: ElasticIp }
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
  /** Stores `entity` with version + 1; fails unless the stored version is `entity.value.version`. */
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

export interface Page<T> {
  items: T[];
  /** Opaque position after the last item; absent on the last page. */
  next?: string;
}

export interface PageRequest {
  limit: number;
  after?: string;
}

export interface Store {
  getIpam(ipamId: string): Promise<Ipam | undefined>;
  listIpams(ownerId: string): Promise<Ipam[]>;
  getScope(scopeId: string): Promise<IpamScope | undefined>;
  listScopes(ownerId: string): Promise<IpamScope[]>;
  getPool(poolId: string): Promise<IpamPool | undefined>;
  listPools(ownerId: string): Promise<IpamPool[]>;
  getPoolCidr(poolId: string, poolCidrId: string): Promise<IpamPoolCidr | undefined>;
  listPoolCidrs(poolId: string): Promise<IpamPoolCidr[]>;
  getAllocation(poolId: string, allocationId: string): Promise<IpamPoolAllocation | undefined>;
  listAllocations(poolId: string, page: PageRequest): Promise<Page<IpamPoolAllocation>>;
  getClientToken(accountId: string, action: string, clientToken: string): Promise<ClientTokenRecord | undefined>;
  getExecution(executionId: string): Promise<WorkflowExecution | undefined>;
  /** Executions not yet closed, oldest first (an eventually consistent index: a just-committed one may be missing). */
  listOpenExecutions(): Promise<WorkflowExecution[]>;

  /** Free blocks of a space in best-fit order for a /prefixLength request: smallest block first, lowest address among equals. */
  freeBlocksForPrefix(spaceId: string, family: AddressFamily, prefixLength: number): AsyncIterable<FreeBlock>;
  /** The free block that contains `cidr`, if any (strongly consistent). */
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

  /** Applies all writes atomically, or throws StoreConflict and applies none. */
  commit(writes: Write[]): Promise<void>;

  // ---- Discovery and monitoring ----
  getResourceDiscovery(resourceDiscoveryId: string): Promise<IpamResourceDiscovery | undefined>;
  /** One owner's resource discoveries, or every owner's (the sweep) when ownerId is undefined. */
  listResourceDiscoveries(ownerId?: string): Promise<IpamResourceDiscovery[]>;
  getResourceDiscoveryAssociation(associationId: string): Promise<IpamResourceDiscoveryAssociation | undefined>;
  /** One owner's associations, or every owner's (the sweep) when ownerId is undefined. */
  listResourceDiscoveryAssociations(ownerId?: string): Promise<IpamResourceDiscoveryAssociation[]>;
  /** What a resource discovery saw in one Region (every account), optionally only one account's. */
  listDiscoveredResourceCidrs(resourceDiscoveryId: string, region: string, accountId?: string): Promise<DiscoveredResourceCidr[]>;
  listDiscoveredPublicAddresses(resourceDiscoveryId: string, region: string, accountId?: string): Promise<DiscoveredPublicAddress[]>;
  /** Every account × Region the resource discovery tried, optionally one Region's. */
  listDiscoveredAccounts(resourceDiscoveryId: string, region?: string): Promise<DiscoveredAccount[]>;
  /** Puts and deletes observations in batches: not atomic, not conditional (see Observation). */
  writeObservations(writes: ObservationWrite[]): Promise<void>;
  getResourceCidr(scopeId: string, region: string, resourceId: string, cidr: string): Promise<IpamResourceCidr | undefined>;
  listResourceCidrs(scopeId: string): Promise<IpamResourceCidr[]>;
  getResourceCidrOverride(ipamId: string, region: string, resourceId: string, cidr: string): Promise<ResourceCidrOverride | undefined>;
  listResourceCidrOverrides(ipamId: string): Promise<ResourceCidrOverride[]>;
  /** History of exactly one CIDR in one scope, oldest first. */
  listAddressHistory(scopeId: string, cidr: string): Promise<AddressHistoryRecord[]>;
  getPoolMonitorState(poolId: string): Promise<PoolMonitorState | undefined>;
  getSweepLease(): Promise<SweepLease | undefined>;

  // ---- BYOASN and BYOIP advertising ----
  getByoasn(ownerId: string, asn: string): Promise<Byoasn | undefined>;
  /** Every ASN an account brought, in any Region. */
  listByoasns(ownerId: string): Promise<Byoasn[]>;
  getByoipAdvertisement(ownerId: string, region: string, cidr: string): Promise<ByoipCidrAdvertisement | undefined>;
  listByoipAdvertisements(ownerId: string, region: string): Promise<ByoipCidrAdvertisement[]>;

  // ---- BYOIP verification tokens ----
  getVerificationToken(tokenId: string): Promise<IpamExternalResourceVerificationToken | undefined>;
  /** Every token of an account's IPAMs, in any Region. */
  listVerificationTokens(ownerId: string): Promise<IpamExternalResourceVerificationToken[]>;

  // ---- Elastic IPs from IPAM pools ----
  getElasticIp(ownerId: string, region: string, allocationId: string): Promise<ElasticIp | undefined>;
  /** Every IPAM-pool Elastic IP of an account in one Region. */
  listElasticIps(ownerId: string, region: string): Promise<ElasticIp[]>;
}
