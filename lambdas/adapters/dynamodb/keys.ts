// Every key of the single table is built here, and only here.
//
// Access patterns:
// | item             | PK                               | SK                          | GSI1PK                   | GSI1SK  | serves                                   |
// |------------------|----------------------------------|-----------------------------|--------------------------|---------|------------------------------------------|
// | IPAM             | IPAM#<ipamId>                    | META                        | OWNER#<account>#ipam     | <id>    | get by id; DescribeIpams per owner       |
// | scope            | SCOPE#<scopeId>                  | META                        | OWNER#<account>#scope    | <id>    | get by id; DescribeIpamScopes per owner  |
// | pool             | POOL#<poolId>                    | META                        | OWNER#<account>#pool     | <id>    | get by id; DescribeIpamPools per owner   |
// | pool CIDR        | POOL#<poolId>                    | CIDR#<poolCidrId>           |                          |         | GetIpamPoolCidrs; at most one per (pool, CIDR); finished ones TTL 24 h |
// | allocation       | POOL#<poolId>                    | ALLOC#<allocationId>        |                          |         | GetIpamPoolAllocations (paged)           |
// | free block       | FREE#<spaceId>#<family>          | bestFitKey: <host bits, 3 digits>#<start, 32 hex> | |         | best fit: one ascending query from bestFitKeyFloor(n); largest first: the same query descending; containing block: batch get of the ancestors |
// | free-space epoch | FREE-EPOCH#<spaceId>#<family>    | META                        |                          |         | changed by every commit that grows the space (spacesGrown); exact "no room" (use-cases/free-space.ts); TTL 30 days after the last change |
// | IPAM region slot | IPAMSLOT#<account>#<region>      | META                        |                          |         | one IPAM per account and Region          |
// | client token     | TOKEN#<account>#<action>#<token> | META                        |                          |         | idempotent retries                       |
// | workflow execution | EXEC#<executionId>             | META                        | EXECUTIONS#open (only while open) | <startedAt>#<id> | get by id; open executions to resume at start; closed ones TTL 7 days |
// | resource discovery | RD#<id>                        | META                        | RESOURCE-DISCOVERIES     | <owner>#<id> | get by id; per owner (begins_with); every one (sweep) |
// | RD slot          | RDSLOT#<account>#<region>        | META                        |                          |         | one created resource discovery per account and Region |
// | RD association   | RDASSOC#<id>                     | META                        | RESOURCE-DISCOVERY-ASSOCIATIONS | <owner>#<id> | get by id; per owner; every one (sweep) |
// | discovered CIDR  | DISCOVERED#<rd>#<region>#resource-cidr  | <account>#<resourceId>#<cidr> |              |         | GetIpamDiscoveredResourceCidrs; one account's part replaced per sweep |
// | discovered address | DISCOVERED#<rd>#<region>#public-address | <account>#<address>       |              |         | GetIpamDiscoveredPublicAddresses          |
// | discovered account | DISCOVERED#<rd>#account          | <region>#<account>          |                          |         | GetIpamDiscoveredAccounts                |
// | resource CIDR    | RESOURCE-CIDRS#<scopeId>          | <region>#<resourceId>#<cidr> |                         |         | GetIpamResourceCidrs; the sweep's last verdict per CIDR |
// | CIDR override    | RESOURCE-CIDR-OVERRIDES#<ipamId>  | <region>#<resourceId>#<cidr> |                         |         | ignored / moved CIDRs (ModifyIpamResourceCidr) |
// | address history  | HISTORY#<scopeId>#<cidr>          | <SampledStartTime>#<resourceId> |                      |         | GetIpamAddressHistory (exact CIDR); TTL 3 years after the end |
// | pool monitor     | MONITOR#<poolId>                  | META                        |                          |         | utilisation threshold last reported      |
// | sweep lease      | SWEEP                             | LEASE                       |                          |         | one discovery sweep at a time            |
// | BYOASN           | BYOASN#<account>                  | <asn>                       |                          |         | one record per account and ASN; DescribeIpamByoasn; failed and deprovisioned ones TTL 7 days |
// | BYOIP advertisement | BYOIP#<account>#<region>       | <cidr>                      |                          |         | advertisement and ASN associations of a BYOIP CIDR, and the range if provisioned outside IPAM; DescribeByoipCidrs, DescribeIpv6Pools; finished ranges TTL 24 h |
// | IPAM policy      | IPAMPOLICY#<policyId>             | META                        | IPAM-POLICIES            | <owner>#<id> | get by id; per owner (begins_with)  |
// | prefix list resolver | PLR#<resolverId>              | META                        | PREFIX-LIST-RESOLVERS    | <owner>#<id> | get by id; per owner (begins_with)  |
// | resolver version | PLR#<resolverId>                  | VERSION#<number, 10 digits> |                          |         | GetIpamPrefixListResolverVersions (numeric order); one version by number |
// | verification token | VERTOKEN#<tokenId>              | META                        | VERIFICATION-TOKENS      | <owner>#<id> | get by id; per owner (begins_with)  |
// | Elastic IP       | EIP#<account>#<region>            | <allocationId>              |                          |         | IPAM-pool EIPs: Release by id; DescribeAddresses per account and Region |
// | public IPv4 pool | PUBLIC-IPV4-POOL#<account>        | <poolId>                    |                          |         | get by owner and id in any Region; DescribePublicIpv4Pools per account |
// | address cool-down | COOLDOWN#<poolId>                | <address>                   |                          |         | released EIP addresses not handed out again yet (IPAM_RELEASE_COOLDOWN_S) |
// | VPC              | VPC#<account>#<region>            | <vpcId>                     |                          |         | embedded VPCs: get by id; DescribeVpcs per account and Region |
// | subnet           | SUBNET#<account>#<region>         | <vpcId>#<subnetId>          |                          |         | DescribeSubnets per account and Region; a VPC's subnets (begins_with) |
// | prefix list      | PREFIXLIST#<account>#<region>     | <prefixListId>              |                          |         | managed prefix lists: get by id; DescribeManagedPrefixLists per account and Region |
// | prefix list version | PLVERSION#<prefixListId>       | <version, 10 digits>        |                          |         | the entries of each version (GetManagedPrefixListEntries TargetVersion, Restore) |
// | resolver target  | PLRTARGET#<targetId>              | META                        | PLR-TARGETS#<resolverId> | <targetId> | get by id; a resolver's targets (sync on a new version, the sweep, Describe) |
// | forwarded intent | FORWARDED-INTENTS                 | <createdAt>#<intentId>      |                          |         | forwarding mode: creates in flight, oldest first; few and short-lived (the recovery lists them all) |
// | outbox entry     | OUTBOX#<first hex digit of outboxId> | <createdAt>#<outboxId>  |                          |         | events of one commit until delivered; the redelivery queries the 16 partitions oldest first (strongly consistent); TTL 7 days |
// | recent event     | RECENT-EVENTS#<account>#<region>  | <time>#<eventId>            |                          |         | ListRecentEvents: one account's delivered events in a Region, newest first (descending query); put with the outbox entry's delete; TTL 7 days (configurable) |
// | forwarded link   | FORWARDED#<account>#<region>      | <resourceId>                |                          |         | forwarding mode: upstream resource id → the allocation holding its CIDR (deletes release it) |
// | organisations    | ORGANIZATIONS                     | META                        |                          |         | the organisation document (docs/organizations.md); versioned, one conditional put per change |
// | resource share   | RSHARE#<shareArn>                 | META                        | RESOURCE-SHARES          | <owner>#<arn> | the share and its associations in one query; GetResourceShares per owner |
// | share association | RSHARE#<shareArn>                | ASSOC#<type>#<entity>       | SHARED-ENTITY#<entity>   | <shareArn> | a share's resources and principals; the shares naming a resource or principal |
// | share invitation | RSINVITE#<invitationArn>          | META                        | RESOURCE-SHARE-INVITATIONS#<receiver> | <arn> | get by ARN; GetResourceShareInvitations per receiver |
//
// Reads by key (get by id, a partition) are strongly consistent; GSI1 is eventually consistent, so
// it serves listings only, never a lookup of a named record (use-cases/describe.ts).
//
// Free-block sort keys order by prefix length descending, then address ascending, which is
// exactly best-fit order (domain/free-space.ts): the first block at or after the floor for /n is
// the smallest that holds a /n.
import type { AddressFamily, Cidr } from '../../domain/cidr.ts';
import { enclosingCidr, parseCidr } from '../../domain/cidr.ts';
import { bestFitKey, bestFitKeyFloor } from '../../domain/free-space.ts';
import type { OutboxEntry, RecentEvent } from '../../domain/model/events.ts';
import type { Entity } from '../../ports/store.ts';

export interface ItemKey {
  PK: string;
  SK: string;
}

export interface ItemKeys extends ItemKey {
  GSI1PK?: string;
  GSI1SK?: string;
}

const META = 'META';

export const ownerIndexKey = (accountId: string, type: 'ipam' | 'scope' | 'pool') => `OWNER#${accountId}#${type}`;

export const ipamKey = (ipamId: string): ItemKey => ({ PK: `IPAM#${ipamId}`, SK: META });
export const scopeKey = (scopeId: string): ItemKey => ({ PK: `SCOPE#${scopeId}`, SK: META });
export const poolKey = (poolId: string): ItemKey => ({ PK: `POOL#${poolId}`, SK: META });
export const poolCidrKey = (poolId: string, poolCidrId: string): ItemKey => ({ PK: `POOL#${poolId}`, SK: `CIDR#${poolCidrId}` });
export const allocationKey = (poolId: string, allocationId: string): ItemKey => ({
  PK: `POOL#${poolId}`,
  SK: `ALLOC#${allocationId}`,
});
export const poolChildrenPrefix = { cidrs: 'CIDR#', allocations: 'ALLOC#' } as const;
export const poolPartition = (poolId: string) => `POOL#${poolId}`;

export const freeSpacePartition = (spaceId: string, family: AddressFamily) => `FREE#${spaceId}#${family}`;
/** Sort key from which the best-fit query for a /prefixLength starts. */
export const freeBlockSortFloor = bestFitKeyFloor;
export const freeBlockKey = (spaceId: string, cidr: Cidr): ItemKey => ({
  PK: freeSpacePartition(spaceId, cidr.family),
  SK: bestFitKey(cidr),
});

export const freeSpaceEpochKey = (spaceId: string, family: AddressFamily): ItemKey => ({ PK: `FREE-EPOCH#${spaceId}#${family}`, SK: META });

/** Keys of every block that could contain `cidr`: itself and each ancestor up to /0. */
export function containingFreeBlockKeys(spaceId: string, cidr: Cidr): ItemKey[] {
  const keys: ItemKey[] = [];
  for (let prefixLength = cidr.prefixLength; prefixLength >= 0; prefixLength--) {
    keys.push(freeBlockKey(spaceId, enclosingCidr(cidr, prefixLength)));
  }
  return keys;
}

const ipamRegionSlotKey = (accountId: string, region: string): ItemKey => ({
  PK: `IPAMSLOT#${accountId}#${region}`,
  SK: META,
});
export const clientTokenKey = (accountId: string, action: string, clientToken: string): ItemKey => ({
  PK: `TOKEN#${accountId}#${action}#${clientToken}`,
  SK: META,
});

export const executionKey = (executionId: string): ItemKey => ({ PK: `EXEC#${executionId}`, SK: META });
/** Sparse: only open executions carry GSI1 keys, so closing one (a put without them) drops it from the index. */
export const OPEN_EXECUTIONS_INDEX_KEY = 'EXECUTIONS#open';

export const RESOURCE_DISCOVERIES_INDEX_KEY = 'RESOURCE-DISCOVERIES';
export const ASSOCIATIONS_INDEX_KEY = 'RESOURCE-DISCOVERY-ASSOCIATIONS';
export const resourceDiscoveryKey = (id: string): ItemKey => ({ PK: `RD#${id}`, SK: META });
export const associationKey = (id: string): ItemKey => ({ PK: `RDASSOC#${id}`, SK: META });
const resourceDiscoverySlotKey = (accountId: string, region: string): ItemKey => ({ PK: `RDSLOT#${accountId}#${region}`, SK: META });
/** GSI1 sort key of owned records listed across owners: `<owner>#<id>`, so one owner's are a begins_with. */
const ownedSortKey = (ownerId: string, id: string) => `${ownerId}#${id}`;
export const ownedSortPrefix = (ownerId: string) => `${ownerId}#`;

export const discoveredResourceCidrPartition = (rdId: string, region: string) => `DISCOVERED#${rdId}#${region}#resource-cidr`;
export const discoveredPublicAddressPartition = (rdId: string, region: string) => `DISCOVERED#${rdId}#${region}#public-address`;
export const discoveredAccountPartition = (rdId: string) => `DISCOVERED#${rdId}#account`;
export const accountSortPrefix = (accountId: string) => `${accountId}#`;
export const regionSortPrefix = (region: string) => `${region}#`;

export const resourceCidrPartition = (scopeId: string) => `RESOURCE-CIDRS#${scopeId}`;
const resourceCidrSortKey = (region: string, resourceId: string, cidr: string) => `${region}#${resourceId}#${cidr}`;
export const resourceCidrKey = (scopeId: string, region: string, resourceId: string, cidr: string): ItemKey => ({
  PK: resourceCidrPartition(scopeId),
  SK: resourceCidrSortKey(region, resourceId, cidr),
});
export const overridePartition = (ipamId: string) => `RESOURCE-CIDR-OVERRIDES#${ipamId}`;
export const overrideKey = (ipamId: string, region: string, resourceId: string, cidr: string): ItemKey => ({
  PK: overridePartition(ipamId),
  SK: resourceCidrSortKey(region, resourceId, cidr),
});
export const historyPartition = (scopeId: string, cidr: string) => `HISTORY#${scopeId}#${cidr}`;
export const poolMonitorKey = (poolId: string): ItemKey => ({ PK: `MONITOR#${poolId}`, SK: META });
export const sweepLeaseKey: ItemKey = { PK: 'SWEEP', SK: 'LEASE' };

export const byoasnPartition = (accountId: string) => `BYOASN#${accountId}`;
export const byoasnKey = (accountId: string, asn: string): ItemKey => ({ PK: byoasnPartition(accountId), SK: asn });
export const byoipAdvertisementPartition = (accountId: string, region: string) => `BYOIP#${accountId}#${region}`;
export const byoipAdvertisementKey = (accountId: string, region: string, cidr: string): ItemKey => ({
  PK: byoipAdvertisementPartition(accountId, region),
  SK: cidr,
});

export const IPAM_POLICIES_INDEX_KEY = 'IPAM-POLICIES';
export const ipamPolicyKey = (policyId: string): ItemKey => ({ PK: `IPAMPOLICY#${policyId}`, SK: META });

export const PREFIX_LIST_RESOLVERS_INDEX_KEY = 'PREFIX-LIST-RESOLVERS';
export const prefixListResolverPartition = (resolverId: string) => `PLR#${resolverId}`;
export const prefixListResolverKey = (resolverId: string): ItemKey => ({ PK: prefixListResolverPartition(resolverId), SK: META });
export const PREFIX_LIST_RESOLVER_VERSION_PREFIX = 'VERSION#';
/** Zero-padded, so that sort-key order is numeric order. */
export const prefixListResolverVersionKey = (resolverId: string, version: number): ItemKey => ({
  PK: prefixListResolverPartition(resolverId),
  SK: `${PREFIX_LIST_RESOLVER_VERSION_PREFIX}${String(version).padStart(10, '0')}`,
});

export const VERIFICATION_TOKENS_INDEX_KEY = 'VERIFICATION-TOKENS';
export const verificationTokenKey = (tokenId: string): ItemKey => ({ PK: `VERTOKEN#${tokenId}`, SK: META });

export const elasticIpPartition = (accountId: string, region: string) => `EIP#${accountId}#${region}`;
export const elasticIpKey = (accountId: string, region: string, allocationId: string): ItemKey => ({
  PK: elasticIpPartition(accountId, region),
  SK: allocationId,
});

export const publicIpv4PoolPartition = (accountId: string) => `PUBLIC-IPV4-POOL#${accountId}`;
export const publicIpv4PoolKey = (accountId: string, poolId: string): ItemKey => ({ PK: publicIpv4PoolPartition(accountId), SK: poolId });
export const addressCooldownPartition = (poolId: string) => `COOLDOWN#${poolId}`;
export const addressCooldownKey = (poolId: string, address: string): ItemKey => ({ PK: addressCooldownPartition(poolId), SK: address });

export const vpcPartition = (accountId: string, region: string) => `VPC#${accountId}#${region}`;
export const vpcKey = (accountId: string, region: string, vpcId: string): ItemKey => ({ PK: vpcPartition(accountId, region), SK: vpcId });

export const subnetPartition = (accountId: string, region: string) => `SUBNET#${accountId}#${region}`;
export const subnetSortPrefix = (vpcId: string) => `${vpcId}#`;
export const subnetKey = (accountId: string, region: string, vpcId: string, subnetId: string): ItemKey => ({
  PK: subnetPartition(accountId, region),
  SK: `${subnetSortPrefix(vpcId)}${subnetId}`,
});

export const prefixListPartition = (accountId: string, region: string) => `PREFIXLIST#${accountId}#${region}`;
export const prefixListKey = (accountId: string, region: string, prefixListId: string): ItemKey => ({
  PK: prefixListPartition(accountId, region),
  SK: prefixListId,
});
export const prefixListVersionPartition = (prefixListId: string) => `PLVERSION#${prefixListId}`;
export const prefixListVersionKey = (prefixListId: string, version: number): ItemKey => ({
  PK: prefixListVersionPartition(prefixListId),
  SK: String(version).padStart(10, '0'),
});

export const prefixListResolverTargetKey = (targetId: string): ItemKey => ({ PK: `PLRTARGET#${targetId}`, SK: META });
export const resolverTargetsIndexKey = (resolverId: string) => `PLR-TARGETS#${resolverId}`;

export const FORWARDED_INTENTS_PARTITION = 'FORWARDED-INTENTS';
export const forwardedIntentKey = (createdAt: string, intentId: string): ItemKey => ({
  PK: FORWARDED_INTENTS_PARTITION,
  SK: `${createdAt}#${intentId}`,
});
export const forwardedLinkPartition = (accountId: string, region: string) => `FORWARDED#${accountId}#${region}`;
export const forwardedLinkKey = (accountId: string, region: string, resourceId: string): ItemKey => ({
  PK: forwardedLinkPartition(accountId, region),
  SK: resourceId,
});

/**
 * Every change writes an outbox entry (and deletes it once delivered): one partition would cap the
 * whole service near 1,000 writes a second, so entries spread over 16 by their UUID's first digit.
 */
export const OUTBOX_PARTITIONS = [...'0123456789abcdef'].map((digit) => `OUTBOX#${digit}`);
/** Sort keys start with the entry's time, so each partition lists oldest first and `from` a cut-off. */
export const outboxKey = (entry: Pick<OutboxEntry, 'outboxId' | 'createdAt'>): ItemKey => ({
  PK: `OUTBOX#${entry.outboxId[0]}`,
  SK: `${entry.createdAt}#${entry.outboxId}`,
});

/**
 * One partition per account and Region, read newest first. It takes one put per event delivered,
 * so an account's event rate in one Region caps near DynamoDB's 1,000 writes a second per
 * partition: above what one pool's allocations reach (docs/events.md).
 */
export const recentEventsPartition = (accountId: string, region: string) => `RECENT-EVENTS#${accountId}#${region}`;
export const recentEventKey = (event: Pick<RecentEvent, 'accountId' | 'region' | 'time' | 'eventId'>): ItemKey => ({
  PK: recentEventsPartition(event.accountId, event.region),
  SK: `${event.time}#${event.eventId}`,
});

/** The one item holding every organisation (adapters/dynamodb/organization-item.ts). */
export const organizationDocumentKey: ItemKey = { PK: 'ORGANIZATIONS', SK: META };
export const RESOURCE_SHARES_INDEX_KEY = 'RESOURCE-SHARES';
export const resourceSharePartition = (shareArn: string) => `RSHARE#${shareArn}`;
export const resourceShareKey = (shareArn: string): ItemKey => ({ PK: resourceSharePartition(shareArn), SK: META });
const shareAssociationKey = (shareArn: string, associationType: string, entity: string): ItemKey => ({
  PK: resourceSharePartition(shareArn),
  SK: `ASSOC#${associationType}#${entity}`,
});
export const sharedEntityIndexKey = (entity: string) => `SHARED-ENTITY#${entity}`;
export const invitationKey = (invitationArn: string): ItemKey => ({ PK: `RSINVITE#${invitationArn}`, SK: META });
export const invitationsIndexKey = (receiverAccountId: string) => `RESOURCE-SHARE-INVITATIONS#${receiverAccountId}`;

/** The full key set (table and index) an entity is stored under. */
export function keysOf(entity: Entity): ItemKeys {
  switch (entity.type) {
    case 'ipam':
      return { ...ipamKey(entity.value.IpamId), GSI1PK: ownerIndexKey(entity.value.OwnerId, 'ipam'), GSI1SK: entity.value.IpamId };
    case 'scope':
      return {
        ...scopeKey(entity.value.IpamScopeId),
        GSI1PK: ownerIndexKey(entity.value.OwnerId, 'scope'),
        GSI1SK: entity.value.IpamScopeId,
      };
    case 'pool':
      return { ...poolKey(entity.value.IpamPoolId), GSI1PK: ownerIndexKey(entity.value.OwnerId, 'pool'), GSI1SK: entity.value.IpamPoolId };
    case 'pool-cidr':
      return poolCidrKey(entity.value.ipamPoolId, entity.value.IpamPoolCidrId);
    case 'allocation':
      return allocationKey(entity.value.ipamPoolId, entity.value.IpamPoolAllocationId);
    case 'free-block':
      return freeBlockKey(entity.value.spaceId, parseCidr(entity.value.cidr));
    case 'ipam-region-slot':
      return ipamRegionSlotKey(entity.value.accountId, entity.value.region);
    case 'client-token':
      return clientTokenKey(entity.value.accountId, entity.value.action, entity.value.clientToken);
    case 'execution':
      return entity.value.status === 'open'
        ? {
            ...executionKey(entity.value.executionId),
            GSI1PK: OPEN_EXECUTIONS_INDEX_KEY,
            GSI1SK: `${entity.value.startedAt}#${entity.value.executionId}`,
          }
        : executionKey(entity.value.executionId);
    case 'resource-discovery': {
      const rd = entity.value;
      return {
        ...resourceDiscoveryKey(rd.IpamResourceDiscoveryId),
        GSI1PK: RESOURCE_DISCOVERIES_INDEX_KEY,
        GSI1SK: ownedSortKey(rd.OwnerId, rd.IpamResourceDiscoveryId),
      };
    }
    case 'resource-discovery-slot':
      return resourceDiscoverySlotKey(entity.value.accountId, entity.value.region);
    case 'resource-discovery-association': {
      const association = entity.value;
      return {
        ...associationKey(association.IpamResourceDiscoveryAssociationId),
        GSI1PK: ASSOCIATIONS_INDEX_KEY,
        GSI1SK: ownedSortKey(association.OwnerId, association.IpamResourceDiscoveryAssociationId),
      };
    }
    case 'discovered-resource-cidr': {
      const found = entity.value;
      return {
        PK: discoveredResourceCidrPartition(found.IpamResourceDiscoveryId, found.ResourceRegion),
        SK: `${accountSortPrefix(found.ResourceOwnerId)}${found.ResourceId}#${found.ResourceCidr}`,
      };
    }
    case 'discovered-public-address': {
      const found = entity.value;
      return {
        PK: discoveredPublicAddressPartition(found.IpamResourceDiscoveryId, found.AddressRegion),
        SK: `${accountSortPrefix(found.AddressOwnerId)}${found.Address}`,
      };
    }
    case 'discovered-account':
      return {
        PK: discoveredAccountPartition(entity.value.resourceDiscoveryId),
        SK: `${regionSortPrefix(entity.value.DiscoveryRegion)}${entity.value.AccountId}`,
      };
    case 'resource-cidr': {
      const record = entity.value;
      return resourceCidrKey(record.IpamScopeId, record.ResourceRegion, record.ResourceId, record.ResourceCidr);
    }
    case 'resource-cidr-override': {
      const override = entity.value;
      return overrideKey(override.ipamId, override.resourceRegion, override.resourceId, override.resourceCidr);
    }
    case 'address-history': {
      const record = entity.value;
      return { PK: historyPartition(record.ipamScopeId, record.ResourceCidr), SK: `${record.SampledStartTime}#${record.ResourceId}` };
    }
    case 'pool-monitor-state':
      return poolMonitorKey(entity.value.ipamPoolId);
    case 'sweep-lease':
      return sweepLeaseKey;
    case 'byoasn':
      return byoasnKey(entity.value.ownerId, entity.value.Asn);
    case 'byoip-advertisement':
      return byoipAdvertisementKey(entity.value.ownerId, entity.value.region, entity.value.cidr);
    case 'verification-token': {
      const token = entity.value;
      return {
        ...verificationTokenKey(token.IpamExternalResourceVerificationTokenId),
        GSI1PK: VERIFICATION_TOKENS_INDEX_KEY,
        GSI1SK: ownedSortKey(token.ownerId, token.IpamExternalResourceVerificationTokenId),
      };
    }
    case 'ipam-policy': {
      const policy = entity.value;
      return {
        ...ipamPolicyKey(policy.IpamPolicyId),
        GSI1PK: IPAM_POLICIES_INDEX_KEY,
        GSI1SK: ownedSortKey(policy.OwnerId, policy.IpamPolicyId),
      };
    }
    case 'prefix-list-resolver': {
      const resolver = entity.value;
      return {
        ...prefixListResolverKey(resolver.IpamPrefixListResolverId),
        GSI1PK: PREFIX_LIST_RESOLVERS_INDEX_KEY,
        GSI1SK: ownedSortKey(resolver.OwnerId, resolver.IpamPrefixListResolverId),
      };
    }
    case 'prefix-list-resolver-version':
      return prefixListResolverVersionKey(entity.value.resolverId, entity.value.Version);
    case 'elastic-ip':
      return elasticIpKey(entity.value.ownerId, entity.value.region, entity.value.AllocationId);
    case 'public-ipv4-pool':
      return publicIpv4PoolKey(entity.value.ownerId, entity.value.PoolId);
    case 'address-cooldown':
      return addressCooldownKey(entity.value.poolId, entity.value.address);
    case 'vpc':
      return vpcKey(entity.value.OwnerId, entity.value.region, entity.value.VpcId);
    case 'subnet':
      return subnetKey(entity.value.OwnerId, entity.value.region, entity.value.VpcId, entity.value.SubnetId);
    case 'managed-prefix-list':
      return prefixListKey(entity.value.OwnerId, entity.value.region, entity.value.PrefixListId);
    case 'prefix-list-version':
      return prefixListVersionKey(entity.value.prefixListId, entity.value.version);
    case 'prefix-list-resolver-target': {
      const target = entity.value;
      return {
        ...prefixListResolverTargetKey(target.IpamPrefixListResolverTargetId),
        GSI1PK: resolverTargetsIndexKey(target.IpamPrefixListResolverId),
        GSI1SK: target.IpamPrefixListResolverTargetId,
      };
    }
    case 'forwarded-intent':
      return forwardedIntentKey(entity.value.createdAt, entity.value.intentId);
    case 'outbox-entry':
      return outboxKey(entity.value);
    case 'recent-event':
      return recentEventKey(entity.value);
    case 'forwarded-link':
      return forwardedLinkKey(entity.value.ownerId, entity.value.region, entity.value.resourceId);
    case 'resource-share': {
      const share = entity.value;
      return {
        ...resourceShareKey(share.resourceShareArn),
        GSI1PK: RESOURCE_SHARES_INDEX_KEY,
        GSI1SK: ownedSortKey(share.owningAccountId, share.resourceShareArn),
      };
    }
    case 'resource-share-association': {
      const association = entity.value;
      return {
        ...shareAssociationKey(association.resourceShareArn, association.associationType, association.associatedEntity),
        GSI1PK: sharedEntityIndexKey(association.associatedEntity),
        GSI1SK: association.resourceShareArn,
      };
    }
    case 'resource-share-invitation': {
      const invitation = entity.value;
      return {
        ...invitationKey(invitation.resourceShareInvitationArn),
        GSI1PK: invitationsIndexKey(invitation.receiverAccountId),
        GSI1SK: invitation.resourceShareInvitationArn,
      };
    }
  }
}
