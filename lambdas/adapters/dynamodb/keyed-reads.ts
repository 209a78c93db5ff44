// The Store's reads that are one key or one partition, written once for every adapter: each is a
// key builder from keys.ts plus one of three primitives (get an item, query a partition, query the
// GSI1 index), which each adapter implements in its own way. What is left in an adapter is what
// differs: paging, free-space order, batch reads, commits and observations.
import type {
  DiscoveredAccount,
  DiscoveredPublicAddress,
  DiscoveredResourceCidr,
  IpamResourceDiscovery,
  IpamResourceDiscoveryAssociation,
} from '../../domain/model/discovery.ts';
import type { OutboxEntry } from '../../domain/model/events.ts';
import type { ClientTokenRecord, SweepLease, WorkflowExecution } from '../../domain/model/execution.ts';
import type { Ipam, IpamScope } from '../../domain/model/ipam.ts';
import type { AddressHistoryRecord, IpamResourceCidr, PoolMonitorState, ResourceCidrOverride } from '../../domain/model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../domain/model/pool.ts';
import type { Subnet, Vpc } from '../../domain/model/vpc.ts';
import type { IpamPrefixListResolverTarget, ManagedPrefixList, PrefixListVersion } from '../../domain/model/prefix-list.ts';
import type { ForwardedIntent, ForwardedLink } from '../../domain/model/forwarded.ts';
import type { IpamPolicy } from '../../domain/model/ipam-policy.ts';
import type { IpamPrefixListResolver, PrefixListResolverVersion } from '../../domain/model/prefix-list-resolver.ts';
import type {
  AddressCooldown,
  Byoasn,
  ByoipCidrAdvertisement,
  ElasticIp,
  IpamExternalResourceVerificationToken,
  PublicIpv4Pool,
} from '../../domain/model/public-space.ts';
import type { ResourceShare, ResourceShareAssociation, ResourceShareInvitation, ShareView } from '../../domain/model/sharing.ts';
import {
  ASSOCIATIONS_INDEX_KEY,
  accountSortPrefix,
  allocationKey,
  associationKey,
  byoasnKey,
  byoasnPartition,
  byoipAdvertisementKey,
  byoipAdvertisementPartition,
  clientTokenKey,
  discoveredAccountPartition,
  discoveredPublicAddressPartition,
  discoveredResourceCidrPartition,
  elasticIpKey,
  elasticIpPartition,
  publicIpv4PoolKey,
  publicIpv4PoolPartition,
  addressCooldownPartition,
  FORWARDED_INTENTS_PARTITION,
  forwardedLinkKey,
  forwardedLinkPartition,
  subnetPartition,
  subnetSortPrefix,
  vpcKey,
  vpcPartition,
  prefixListKey,
  prefixListPartition,
  prefixListVersionKey,
  prefixListVersionPartition,
  prefixListResolverTargetKey,
  resolverTargetsIndexKey,
  executionKey,
  historyPartition,
  invitationKey,
  invitationsIndexKey,
  type ItemKey,
  ipamKey,
  OPEN_EXECUTIONS_INDEX_KEY,
  OUTBOX_PARTITIONS,
  overrideKey,
  overridePartition,
  ownedSortPrefix,
  ownerIndexKey,
  poolChildrenPrefix,
  poolCidrKey,
  poolKey,
  poolMonitorKey,
  poolPartition,
  RESOURCE_DISCOVERIES_INDEX_KEY,
  RESOURCE_SHARES_INDEX_KEY,
  resourceSharePartition,
  sharedEntityIndexKey,
  regionSortPrefix,
  resourceCidrKey,
  resourceCidrPartition,
  resourceDiscoveryKey,
  scopeKey,
  sweepLeaseKey,
  VERIFICATION_TOKENS_INDEX_KEY,
  IPAM_POLICIES_INDEX_KEY,
  ipamPolicyKey,
  PREFIX_LIST_RESOLVER_VERSION_PREFIX,
  PREFIX_LIST_RESOLVERS_INDEX_KEY,
  prefixListResolverKey,
  prefixListResolverPartition,
  prefixListResolverVersionKey,
  verificationTokenKey,
} from './keys.ts';

export abstract class KeyedReads {
  /** The record stored under `key`, strongly consistent. */
  protected abstract get<T>(key: ItemKey): Promise<T | undefined>;
  /** Every record of a table partition (optionally only sort keys starting with sortPrefix), in sort-key order. */
  protected abstract queryRecords<T>(partition: string, sortPrefix?: string): Promise<T[]>;
  /** Records of a table partition whose sort keys are at or after `from`, in sort-key order, at most `limit`. */
  protected abstract queryRecordsFrom<T>(partition: string, from: string, limit: number): Promise<T[]>;
  /** Every record under one GSI1 partition (optionally only sort keys starting with sortPrefix), in sort-key order. */
  protected abstract queryIndex<T>(partition: string, sortPrefix?: string): Promise<T[]>;

  getIpam(ipamId: string) {
    return this.get<Ipam>(ipamKey(ipamId));
  }
  listIpams(ownerId: string) {
    return this.queryIndex<Ipam>(ownerIndexKey(ownerId, 'ipam'));
  }
  getScope(scopeId: string) {
    return this.get<IpamScope>(scopeKey(scopeId));
  }
  listScopes(ownerId: string) {
    return this.queryIndex<IpamScope>(ownerIndexKey(ownerId, 'scope'));
  }
  getPool(poolId: string) {
    return this.get<IpamPool>(poolKey(poolId));
  }
  listPools(ownerId: string) {
    return this.queryIndex<IpamPool>(ownerIndexKey(ownerId, 'pool'));
  }
  getPoolCidr(poolId: string, poolCidrId: string) {
    return this.get<IpamPoolCidr>(poolCidrKey(poolId, poolCidrId));
  }
  listPoolCidrs(poolId: string) {
    return this.queryRecords<IpamPoolCidr>(poolPartition(poolId), poolChildrenPrefix.cidrs);
  }
  getAllocation(poolId: string, allocationId: string) {
    return this.get<IpamPoolAllocation>(allocationKey(poolId, allocationId));
  }
  getClientToken(accountId: string, action: string, clientToken: string) {
    return this.get<ClientTokenRecord>(clientTokenKey(accountId, action, clientToken));
  }
  getExecution(executionId: string) {
    return this.get<WorkflowExecution>(executionKey(executionId));
  }
  listOpenExecutions() {
    return this.queryIndex<WorkflowExecution>(OPEN_EXECUTIONS_INDEX_KEY);
  }

  // ---- Outbox ----
  async listOutboxEntries(from: string, limit: number) {
    // The oldest `limit` overall are among the oldest `limit` of each partition.
    const perPartition = await Promise.all(
      OUTBOX_PARTITIONS.map((partition) => this.queryRecordsFrom<OutboxEntry>(partition, from, limit)),
    );
    const sortKey = (entry: OutboxEntry) => `${entry.createdAt}#${entry.outboxId}`;
    return perPartition
      .flat()
      .sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1))
      .slice(0, limit);
  }

  // ---- Discovery and monitoring ----
  getResourceDiscovery(resourceDiscoveryId: string) {
    return this.get<IpamResourceDiscovery>(resourceDiscoveryKey(resourceDiscoveryId));
  }
  listResourceDiscoveries(ownerId?: string) {
    return this.queryIndex<IpamResourceDiscovery>(
      RESOURCE_DISCOVERIES_INDEX_KEY,
      ownerId === undefined ? undefined : ownedSortPrefix(ownerId),
    );
  }
  getResourceDiscoveryAssociation(associationId: string) {
    return this.get<IpamResourceDiscoveryAssociation>(associationKey(associationId));
  }
  listResourceDiscoveryAssociations(ownerId?: string) {
    return this.queryIndex<IpamResourceDiscoveryAssociation>(
      ASSOCIATIONS_INDEX_KEY,
      ownerId === undefined ? undefined : ownedSortPrefix(ownerId),
    );
  }
  listDiscoveredResourceCidrs(resourceDiscoveryId: string, region: string, accountId?: string) {
    return this.queryRecords<DiscoveredResourceCidr>(
      discoveredResourceCidrPartition(resourceDiscoveryId, region),
      accountId === undefined ? undefined : accountSortPrefix(accountId),
    );
  }
  listDiscoveredPublicAddresses(resourceDiscoveryId: string, region: string, accountId?: string) {
    return this.queryRecords<DiscoveredPublicAddress>(
      discoveredPublicAddressPartition(resourceDiscoveryId, region),
      accountId === undefined ? undefined : accountSortPrefix(accountId),
    );
  }
  listDiscoveredAccounts(resourceDiscoveryId: string, region?: string) {
    return this.queryRecords<DiscoveredAccount>(
      discoveredAccountPartition(resourceDiscoveryId),
      region === undefined ? undefined : regionSortPrefix(region),
    );
  }
  getResourceCidr(scopeId: string, region: string, resourceId: string, cidr: string) {
    return this.get<IpamResourceCidr>(resourceCidrKey(scopeId, region, resourceId, cidr));
  }
  listResourceCidrs(scopeId: string) {
    return this.queryRecords<IpamResourceCidr>(resourceCidrPartition(scopeId));
  }
  getResourceCidrOverride(ipamId: string, region: string, resourceId: string, cidr: string) {
    return this.get<ResourceCidrOverride>(overrideKey(ipamId, region, resourceId, cidr));
  }
  listResourceCidrOverrides(ipamId: string) {
    return this.queryRecords<ResourceCidrOverride>(overridePartition(ipamId));
  }
  listAddressHistory(scopeId: string, cidr: string) {
    return this.queryRecords<AddressHistoryRecord>(historyPartition(scopeId, cidr));
  }
  getPoolMonitorState(poolId: string) {
    return this.get<PoolMonitorState>(poolMonitorKey(poolId));
  }
  getSweepLease() {
    return this.get<SweepLease>(sweepLeaseKey);
  }

  // ---- BYOASN and BYOIP advertising ----
  getByoasn(ownerId: string, asn: string) {
    return this.get<Byoasn>(byoasnKey(ownerId, asn));
  }
  listByoasns(ownerId: string) {
    return this.queryRecords<Byoasn>(byoasnPartition(ownerId));
  }
  getByoipAdvertisement(ownerId: string, region: string, cidr: string) {
    return this.get<ByoipCidrAdvertisement>(byoipAdvertisementKey(ownerId, region, cidr));
  }
  listByoipAdvertisements(ownerId: string, region: string) {
    return this.queryRecords<ByoipCidrAdvertisement>(byoipAdvertisementPartition(ownerId, region));
  }
  getIpamPolicy(policyId: string) {
    return this.get<IpamPolicy>(ipamPolicyKey(policyId));
  }
  listIpamPolicies(ownerId: string) {
    return this.queryIndex<IpamPolicy>(IPAM_POLICIES_INDEX_KEY, ownedSortPrefix(ownerId));
  }
  getPrefixListResolver(resolverId: string) {
    return this.get<IpamPrefixListResolver>(prefixListResolverKey(resolverId));
  }
  listPrefixListResolvers(ownerId: string) {
    return this.queryIndex<IpamPrefixListResolver>(PREFIX_LIST_RESOLVERS_INDEX_KEY, ownedSortPrefix(ownerId));
  }
  getPrefixListResolverVersion(resolverId: string, version: number) {
    return this.get<PrefixListResolverVersion>(prefixListResolverVersionKey(resolverId, version));
  }
  listPrefixListResolverVersions(resolverId: string) {
    return this.queryRecords<PrefixListResolverVersion>(prefixListResolverPartition(resolverId), PREFIX_LIST_RESOLVER_VERSION_PREFIX);
  }
  getVerificationToken(tokenId: string) {
    return this.get<IpamExternalResourceVerificationToken>(verificationTokenKey(tokenId));
  }
  listVerificationTokens(ownerId: string) {
    return this.queryIndex<IpamExternalResourceVerificationToken>(VERIFICATION_TOKENS_INDEX_KEY, ownedSortPrefix(ownerId));
  }

  // ---- Elastic IPs from IPAM pools ----
  getElasticIp(ownerId: string, region: string, allocationId: string) {
    return this.get<ElasticIp>(elasticIpKey(ownerId, region, allocationId));
  }
  listElasticIps(ownerId: string, region: string) {
    return this.queryRecords<ElasticIp>(elasticIpPartition(ownerId, region));
  }

  // ---- Public IPv4 pools and released addresses cooling down ----
  getPublicIpv4Pool(ownerId: string, poolId: string) {
    return this.get<PublicIpv4Pool>(publicIpv4PoolKey(ownerId, poolId));
  }
  listPublicIpv4Pools(ownerId: string) {
    return this.queryRecords<PublicIpv4Pool>(publicIpv4PoolPartition(ownerId));
  }
  listAddressCooldowns(poolId: string) {
    return this.queryRecords<AddressCooldown>(addressCooldownPartition(poolId));
  }

  // ---- EC2 companions (embedded VPCs) ----
  getVpc(ownerId: string, region: string, vpcId: string) {
    return this.get<Vpc>(vpcKey(ownerId, region, vpcId));
  }
  listVpcs(ownerId: string, region: string) {
    return this.queryRecords<Vpc>(vpcPartition(ownerId, region));
  }
  listSubnets(ownerId: string, region: string, vpcId?: string) {
    return this.queryRecords<Subnet>(subnetPartition(ownerId, region), vpcId === undefined ? undefined : subnetSortPrefix(vpcId));
  }

  // ---- Managed prefix lists ----
  getManagedPrefixList(ownerId: string, region: string, prefixListId: string) {
    return this.get<ManagedPrefixList>(prefixListKey(ownerId, region, prefixListId));
  }
  listManagedPrefixLists(ownerId: string, region: string) {
    return this.queryRecords<ManagedPrefixList>(prefixListPartition(ownerId, region));
  }
  getPrefixListVersion(prefixListId: string, version: number) {
    return this.get<PrefixListVersion>(prefixListVersionKey(prefixListId, version));
  }
  listPrefixListVersions(prefixListId: string) {
    return this.queryRecords<PrefixListVersion>(prefixListVersionPartition(prefixListId));
  }
  getPrefixListResolverTarget(targetId: string) {
    return this.get<IpamPrefixListResolverTarget>(prefixListResolverTargetKey(targetId));
  }
  listPrefixListResolverTargets(resolverId: string) {
    return this.queryIndex<IpamPrefixListResolverTarget>(resolverTargetsIndexKey(resolverId));
  }

  // ---- EC2 companions, forwarding mode ----
  listForwardedIntents() {
    return this.queryRecords<ForwardedIntent>(FORWARDED_INTENTS_PARTITION);
  }
  getForwardedLink(ownerId: string, region: string, resourceId: string) {
    return this.get<ForwardedLink>(forwardedLinkKey(ownerId, region, resourceId));
  }
  listForwardedLinks(ownerId: string, region: string) {
    return this.queryRecords<ForwardedLink>(forwardedLinkPartition(ownerId, region));
  }

  // ---- Resource shares ----
  async getShareView(resourceShareArn: string): Promise<ShareView | undefined> {
    // The share (sort key META) and its associations (ASSOC#…) share one partition.
    const records = await this.queryRecords<ResourceShare | ResourceShareAssociation>(resourceSharePartition(resourceShareArn));
    const share = records.find((record): record is ResourceShare => !('associationType' in record));
    if (!share) return undefined;
    const associations = records.filter((record): record is ResourceShareAssociation => 'associationType' in record);
    return { share, associations };
  }
  listResourceShares(ownerId: string) {
    return this.queryIndex<ResourceShare>(RESOURCE_SHARES_INDEX_KEY, ownedSortPrefix(ownerId));
  }
  listAssociationsOfEntity(entity: string) {
    return this.queryIndex<ResourceShareAssociation>(sharedEntityIndexKey(entity));
  }
  getResourceShareInvitation(invitationArn: string) {
    return this.get<ResourceShareInvitation>(invitationKey(invitationArn));
  }
  listResourceShareInvitations(receiverAccountId: string) {
    return this.queryIndex<ResourceShareInvitation>(invitationsIndexKey(receiverAccountId));
  }
}
