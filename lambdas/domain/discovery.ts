// What a discovery sweep decides, as pure functions (spec §5.4, §5.5, §8, §9, §10.7, §18):
// inventory snapshot → discovered records; discovered records + pools + allocations → each
// scope's verdicts, the CIDRs to auto-import and the allocations to auto-release.
import { type Cidr, cidrSize, cidrsOverlap, compareCidrs, containsCidr, formatCidr, parseCidr } from './cidr.ts';
import type { DiscoveredPublicAddress, DiscoveredResourceCidr, DiscoveredResourceType, PublicAddressService } from './model/discovery.ts';
import type { Ipam, IpamScope } from './model/ipam.ts';
import type { ComplianceStatus, IpamResourceCidr, ResourceCidrOverride } from './model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from './model/pool.ts';
import type { Tag } from './model/record.ts';
import { carriesRequiredTags } from './pool-rules.ts';
import type {
  InventoryAddress,
  InventoryNetworkInterface,
  InventoryPublicIpv4Pool,
  InventorySnapshot,
  InventorySubnet,
  InventoryVpc,
} from './inventory.ts';

/** A judgement on one resource CIDR in one scope: the record without the bookkeeping the store and history add. */
export type ResourceCidrVerdict = Omit<IpamResourceCidr, 'version' | 'historyStartedAt' | 'historyVersion'>;

// ---- Inventory snapshot → discovered records ----

/** EC2 keeps the first four addresses and the last of every IPv4 subnet. */
const RESERVED_SUBNET_ADDRESSES = 5n;

const nameOf = (tags: Tag[]) => tags.find((tag) => tag.Key === 'Name')?.Value;

/** part / whole as a usage share, part clamped to [0, whole]. */
function share(part: bigint, whole: bigint): number {
  if (whole <= 0n) return 0;
  const clamped = part < 0n ? 0n : part > whole ? whole : part;
  return Number(clamped) / Number(whole);
}

export interface DiscoveredRecords {
  resourceCidrs: DiscoveredResourceCidr[];
  publicAddresses: DiscoveredPublicAddress[];
}

/** Everything one read of one account in one Region shows, as the records GetIpamDiscovered* return. */
export function discoveredFromSnapshot(
  resourceDiscoveryId: string,
  region: string,
  accountId: string,
  snapshot: InventorySnapshot,
  sampleTime: string,
): DiscoveredRecords {
  const common = { IpamResourceDiscoveryId: resourceDiscoveryId, ResourceRegion: region, SampleTime: sampleTime };
  const resourceCidrs: DiscoveredResourceCidr[] = [
    ...snapshot.vpcs.flatMap((vpc) => vpcCidrs(vpc, snapshot.subnets).map((record) => ({ ...common, ...record }))),
    ...snapshot.subnets.flatMap((subnet) => subnetCidrs(subnet).map((record) => ({ ...common, ...record }))),
    ...snapshot.addresses.map((address) => ({ ...common, ...eipCidr(address, accountId) })),
    ...snapshot.publicIpv4Pools.flatMap((pool) => publicPoolCidrs(pool, accountId).map((record) => ({ ...common, ...record }))),
  ];
  return { resourceCidrs, publicAddresses: publicAddressesOf(resourceDiscoveryId, region, accountId, snapshot, sampleTime) };
}

type ResourceCidrFields = Omit<DiscoveredResourceCidr, 'IpamResourceDiscoveryId' | 'ResourceRegion' | 'SampleTime'>;

/** A VPC's or subnet's space: private unless public (an IPv6 GUA block), then Amazon's (or brought: BYOIP). */
const ipSourceOfNetwork = (cidr: Cidr) => (defaultScopeKindOf('vpc', cidr) === 'private' ? 'none' : 'amazon');

function vpcCidrs(vpc: InventoryVpc, subnets: InventorySubnet[]): ResourceCidrFields[] {
  const subnetCidrsOfVpc = subnets.filter((subnet) => subnet.VpcId === vpc.VpcId).flatMap((subnet) => subnet.Cidrs.map(parseCidr));
  return vpc.Cidrs.map((text) => {
    const cidr = parseCidr(text);
    // Subnets of a VPC never overlap, so their sizes add up.
    const covered = subnetCidrsOfVpc.filter((subnet) => containsCidr(cidr, subnet)).reduce((sum, subnet) => sum + cidrSize(subnet), 0n);
    return {
      ResourceId: vpc.VpcId,
      ResourceOwnerId: vpc.OwnerId,
      ResourceCidr: formatCidr(cidr),
      IpSource: ipSourceOfNetwork(cidr),
      ResourceType: 'vpc',
      ResourceTags: vpc.Tags,
      IpUsage: share(covered, cidrSize(cidr)),
      VpcId: vpc.VpcId,
      resourceName: nameOf(vpc.Tags),
    };
  });
}

function subnetCidrs(subnet: InventorySubnet): ResourceCidrFields[] {
  return subnet.Cidrs.map((text) => {
    const cidr = parseCidr(text);
    // IPv6 subnet usage is not calculated (spec §8.7).
    const usage =
      cidr.family === 'ipv4' && subnet.AvailableIpAddressCount !== undefined
        ? share(cidrSize(cidr) - RESERVED_SUBNET_ADDRESSES - BigInt(subnet.AvailableIpAddressCount), cidrSize(cidr))
        : undefined;
    return {
      ResourceId: subnet.SubnetId,
      ResourceOwnerId: subnet.OwnerId,
      ResourceCidr: formatCidr(cidr),
      IpSource: ipSourceOfNetwork(cidr),
      ResourceType: 'subnet',
      ResourceTags: subnet.Tags,
      IpUsage: usage,
      VpcId: subnet.VpcId,
      SubnetId: subnet.SubnetId,
      AvailabilityZoneId: subnet.AvailabilityZoneId,
      resourceName: nameOf(subnet.Tags),
    };
  });
}

const isAmazonPool = (pool: string | undefined) => pool === undefined || pool === 'amazon';

function eipCidr(address: InventoryAddress, accountId: string): ResourceCidrFields {
  return {
    ResourceId: address.AllocationId,
    ResourceOwnerId: accountId,
    ResourceCidr: `${address.PublicIp}/32`,
    IpSource: isAmazonPool(address.PublicIpv4Pool) ? 'amazon' : 'byoip',
    ResourceType: 'eip',
    ResourceTags: address.Tags,
    NetworkInterfaceAttachmentStatus: address.AssociationId || address.NetworkInterfaceId ? 'in-use' : 'available',
    resourceName: nameOf(address.Tags),
  };
}

function publicPoolCidrs(pool: InventoryPublicIpv4Pool, accountId: string): ResourceCidrFields[] {
  const usage = share(BigInt(pool.TotalAddressCount - pool.TotalAvailableAddressCount), BigInt(pool.TotalAddressCount));
  return pool.Cidrs.map((cidr) => ({
    ResourceId: pool.PoolId,
    ResourceOwnerId: accountId,
    ResourceCidr: cidr,
    // Public IPv4 pools hold brought addresses (BYOIP).
    IpSource: 'byoip',
    ResourceType: 'public-ipv4-pool',
    ResourceTags: pool.Tags,
    IpUsage: usage,
    resourceName: nameOf(pool.Tags),
  }));
}

/** Which AWS service manages a network interface, by its type, then by the description the service gives it (DN-51). */
const SERVICE_BY_INTERFACE_TYPE: Readonly<Record<string, PublicAddressService>> = {
  nat_gateway: 'nat-gateway',
  network_load_balancer: 'load-balancer',
  gateway_load_balancer: 'load-balancer',
  load_balancer: 'load-balancer',
  global_accelerator_managed: 'global-accelerator',
};
/** The first capture group, when there is one, names the service's resource. */
const SERVICE_BY_DESCRIPTION: readonly [RegExp, PublicAddressService][] = [
  [/^Interface for NAT Gateway (nat-[0-9a-f]+)/, 'nat-gateway'],
  [/^ELB (\S+)/, 'load-balancer'],
  [/^RDSNetworkInterface/, 'relational-database-service'],
  [/^DMSNetworkInterface/, 'database-migration-service'],
  [/^RedshiftNetworkInterface/, 'redshift'],
  [/^(arn:aws[\w-]*:ecs:\S+)/, 'elastic-container-service'],
  [/^GlobalAccelerator/, 'global-accelerator'],
];

function serviceOf(eni: Pick<InventoryNetworkInterface, 'InterfaceType' | 'Description'>): {
  service: PublicAddressService;
  resource?: string;
} {
  for (const [pattern, service] of SERVICE_BY_DESCRIPTION) {
    const match = pattern.exec(eni.Description ?? '');
    if (match) return { service, resource: match[1] };
  }
  const byType = eni.InterfaceType === undefined ? undefined : SERVICE_BY_INTERFACE_TYPE[eni.InterfaceType];
  return { service: byType ?? 'other' };
}

function interfaceFields(eni: InventoryNetworkInterface | undefined) {
  if (!eni) return { Service: 'other' as const };
  const { service, resource } = serviceOf(eni);
  return {
    Service: service,
    ServiceResource: resource,
    VpcId: eni.VpcId,
    SubnetId: eni.SubnetId,
    NetworkInterfaceId: eni.NetworkInterfaceId,
    // EC2 gives an interface without a description "" (get-ipam-discovered-public-addresses.rst).
    NetworkInterfaceDescription: eni.Description ?? '',
    InstanceId: eni.InstanceId,
    SecurityGroups: eni.Groups,
  };
}

/**
 * Elastic IPs, and the public IPs of network interfaces that are not Elastic IPs (spec §18). Each
 * has Tags and a NetworkBorderGroup, as in EC2's answer (get-ipam-discovered-public-addresses.rst):
 * the Availability Zone of the interface the address is on ("Defaults to an AZ network border
 * group", EC2 model), else the Elastic IP's own network border group, else the Region.
 */
function publicAddressesOf(
  resourceDiscoveryId: string,
  region: string,
  accountId: string,
  snapshot: InventorySnapshot,
  sampleTime: string,
): DiscoveredPublicAddress[] {
  const common = { IpamResourceDiscoveryId: resourceDiscoveryId, AddressRegion: region, AddressOwnerId: accountId, SampleTime: sampleTime };
  const interfaces = new Map(snapshot.networkInterfaces.map((eni) => [eni.NetworkInterfaceId, eni]));
  const elasticIps = new Set(snapshot.addresses.map((address) => address.PublicIp));
  const eips = snapshot.addresses.map((address): DiscoveredPublicAddress => {
    const eni = address.NetworkInterfaceId === undefined ? undefined : interfaces.get(address.NetworkInterfaceId);
    const amazon = isAmazonPool(address.PublicIpv4Pool);
    return {
      ...common,
      ...interfaceFields(eni),
      Address: address.PublicIp,
      AddressAllocationId: address.AllocationId,
      AssociationStatus: address.AssociationId ? 'associated' : 'disassociated',
      AddressType: amazon ? 'amazon-owned-eip' : 'byoip',
      PublicIpv4PoolId: amazon ? undefined : address.PublicIpv4Pool,
      NetworkInterfaceId: address.NetworkInterfaceId,
      InstanceId: address.InstanceId ?? eni?.InstanceId,
      Tags: address.Tags.length > 0 ? { EipTags: address.Tags } : {},
      NetworkBorderGroup: eni?.AvailabilityZone ?? address.NetworkBorderGroup ?? region,
    };
  });
  const others = snapshot.networkInterfaces
    .filter((eni) => eni.AllocationId === undefined && !elasticIps.has(eni.PublicIp))
    .map(
      (eni): DiscoveredPublicAddress => ({
        ...common,
        ...interfaceFields(eni),
        Address: eni.PublicIp,
        AssociationStatus: 'associated',
        AddressType: eni.RequesterManaged ? 'service-managed-ip' : 'ec2-public-ip',
        Tags: {},
        NetworkBorderGroup: eni.AvailabilityZone ?? region,
      }),
    );
  return [...eips, ...others];
}

// ---- Scopes ----

/** Space that is never routed on the internet (RFC 1918, 6598, 6890 special-purpose; IPv6 ULA, link-local, multicast). */
const NON_PUBLIC_SPACE = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '224.0.0.0/4',
  '240.0.0.0/4',
  'fc00::/7',
  'fe80::/10',
  'ff00::/8',
].map(parseCidr);

const isPublicSpace = (cidr: Cidr) => !NON_PUBLIC_SPACE.some((space) => containsCidr(space, cidr));
/** Resources that are public IP addresses themselves. */
const PUBLIC_ADDRESS_TYPES: ReadonlySet<DiscoveredResourceType> = new Set(['eip', 'public-ipv4-pool', 'ipv6-pool', 'anycast-ip-list']);

/**
 * The default scope of a resource CIDR no pool and no move places, by what the resource is (see
 * docs/behaviour.md). Public addresses (Elastic IPs, public pools) are public. A VPC's (subnet's,
 * interface's) IPv4 space is private whatever its addresses: AWS's CLI example of
 * get-ipam-resource-cidrs lists a VPC 172.33.0.0/16 in the private scope. Its IPv6 blocks are
 * public when they are internet space (Amazon-provided, BYOIPv6: "advertised on the internet from
 * AWS"), private when ULA; a private GUA block only comes from a private-scope pool, which places it.
 */
export function defaultScopeKindOf(type: DiscoveredResourceType, cidr: Cidr): 'private' | 'public' {
  if (PUBLIC_ADDRESS_TYPES.has(type)) return 'public';
  return cidr.family === 'ipv6' && isPublicSpace(cidr) ? 'public' : 'private';
}

// ---- One IPAM's view of what was discovered ----

/** Everything about one IPAM a sweep judges with. */
export interface IpamView {
  ipam: Ipam;
  scopes: IpamScope[];
  pools: IpamPool[];
  /** Pool CIDRs by pool id. */
  poolCidrs: ReadonlyMap<string, IpamPoolCidr[]>;
  /** Every allocation of the IPAM's pools. */
  allocations: IpamPoolAllocation[];
  /** What its resource discoveries saw in its operating Regions, deduplicated (dedupeDiscovered). */
  discovered: DiscoveredResourceCidr[];
  overrides: ResourceCidrOverride[];
}

/** A resource CIDR's identity within an IPAM: Region, resource and CIDR (the key of overrides and resource-CIDR records). */
export const resourceCidrKey = (region: string | undefined, resourceId: string | undefined, cidr: string) =>
  `${region}#${resourceId}#${cidr}`;
const keyOfDiscovered = (found: DiscoveredResourceCidr) => resourceCidrKey(found.ResourceRegion, found.ResourceId, found.ResourceCidr);
/** An allocation belongs to a resource CIDR when the resource and the CIDR are the same. */
const allocatedResourceKey = (resourceId: string | undefined, cidr: string) => `${resourceId}#${cidr}`;
export const accountRegionKey = (accountId: string, region: string) => `${accountId}#${region}`;

/** Several resource discoveries may see the same CIDR: one record per Region, resource and CIDR, the latest sample. */
export function dedupeDiscovered(records: DiscoveredResourceCidr[]): DiscoveredResourceCidr[] {
  const latest = new Map<string, DiscoveredResourceCidr>();
  for (const record of records) {
    const key = keyOfDiscovered(record);
    const kept = latest.get(key);
    if (!kept || kept.SampleTime < record.SampleTime) latest.set(key, record);
  }
  return [...latest.values()];
}

/** Resource types a pool can allocate to (spec §8.1): the ones judged for management, compliance and overlap. */
/** Types that can hold an IPAM allocation (spec §8.1); the others carry no management, compliance or overlap state. */
export const MANAGEABLE_TYPES: ReadonlySet<DiscoveredResourceType> = new Set(['vpc', 'eip', 'public-ipv4-pool']);
/** Allocations made for a resource (not reservations, not child pools). */
const RESOURCE_ALLOCATION_TYPES: ReadonlySet<IpamPoolAllocation['ResourceType']> = new Set([
  'vpc',
  'eip',
  'ec2-public-ipv4-pool',
  'subnet',
]);
const isResourceAllocation = (allocation: IpamPoolAllocation) => RESOURCE_ALLOCATION_TYPES.has(allocation.ResourceType);

/** The helpers every judgement of one IPAM shares: pools by id, allocations by resource, overrides by CIDR, and where each CIDR lives. */
function ipamIndex(view: IpamView) {
  const pools = new Map(view.pools.map((pool) => [pool.IpamPoolId, pool]));
  const scopeIds = new Set(view.scopes.map((scope) => scope.IpamScopeId));
  const resourceAllocations = new Map<string, IpamPoolAllocation>();
  for (const allocation of view.allocations.filter(isResourceAllocation)) {
    resourceAllocations.set(allocatedResourceKey(allocation.ResourceId, allocation.Cidr), allocation);
  }
  const overrides = new Map(
    view.overrides.map((override) => [resourceCidrKey(override.resourceRegion, override.resourceId, override.resourceCidr), override]),
  );
  const allocationOf = (found: DiscoveredResourceCidr) =>
    resourceAllocations.get(allocatedResourceKey(found.ResourceId, found.ResourceCidr));
  const overrideOf = (found: DiscoveredResourceCidr) => overrides.get(keyOfDiscovered(found));

  /** Scope of a CIDR on its own: public addresses in the public scope; a moved CIDR where it was moved; a managed one with its pool; else by what the resource is. */
  const ownScopeOf = (found: DiscoveredResourceCidr): string => {
    if (PUBLIC_ADDRESS_TYPES.has(found.ResourceType)) return view.ipam.PublicDefaultScopeId;
    const movedTo = overrideOf(found)?.scopeId;
    if (movedTo !== undefined && scopeIds.has(movedTo)) return movedTo;
    const allocation = allocationOf(found);
    const pool = allocation && pools.get(allocation.ipamPoolId);
    if (pool) return pool.ipamScopeId;
    const kind = defaultScopeKindOf(found.ResourceType, parseCidr(found.ResourceCidr));
    return kind === 'private' ? view.ipam.PrivateDefaultScopeId : view.ipam.PublicDefaultScopeId;
  };
  const vpcCidrs = new Map<string, DiscoveredResourceCidr[]>();
  for (const found of view.discovered.filter((candidate) => candidate.ResourceType === 'vpc')) {
    const key = `${found.ResourceRegion}#${found.ResourceId}`;
    vpcCidrs.set(key, [...(vpcCidrs.get(key) ?? []), found]);
  }
  /** Subnets go where the VPC CIDR that holds them goes, so moving a VPC CIDR carries its subnets along (spec §9). */
  const scopeOf = (found: DiscoveredResourceCidr): string => {
    if (found.ResourceType !== 'subnet' || found.VpcId === undefined) return ownScopeOf(found);
    const cidr = parseCidr(found.ResourceCidr);
    const vpc = vpcCidrs
      .get(`${found.ResourceRegion}#${found.VpcId}`)
      ?.find((candidate) => containsCidr(parseCidr(candidate.ResourceCidr), cidr));
    return ownScopeOf(vpc ?? found);
  };
  return { pools, allocationOf, overrideOf, scopeOf };
}

// ---- Verdicts ----

/** Whether a resource region satisfies a pool's locale: the Region itself, or one of its Local Zones. */
const withinLocale = (locale: string, region: string) => locale === 'None' || locale === region || locale.startsWith(`${region}-`);

/** DN-22: netmask bounds, required tags, locale. */
function complianceOf(found: DiscoveredResourceCidr, pool: IpamPool): ComplianceStatus {
  const prefixLength = parseCidr(found.ResourceCidr).prefixLength;
  const { AllocationMinNetmaskLength: min, AllocationMaxNetmaskLength: max } = pool;
  if ((min !== undefined && prefixLength < min) || (max !== undefined && prefixLength > max)) return 'noncompliant';
  if (!carriesRequiredTags(pool.AllocationResourceTags, found.ResourceTags)) return 'noncompliant';
  return withinLocale(pool.Locale, found.ResourceRegion) ? 'compliant' : 'noncompliant';
}

export interface EvaluatedResourceCidr {
  verdict: ResourceCidrVerdict;
  /** What it overlaps in its scope, as `<resource id> <cidr>` or `<allocation id> <cidr>` (empty unless overlapping). */
  overlapsWith: string[];
}

/** Every discovered CIDR of the IPAM judged in its scope: management, compliance and overlap (spec §8.3–8.5). */
export function evaluateIpam(view: IpamView): EvaluatedResourceCidr[] {
  const { pools, allocationOf, overrideOf, scopeOf } = ipamIndex(view);
  const evaluated = view.discovered.map((found): EvaluatedResourceCidr => {
    const scopeId = scopeOf(found);
    const allocation = allocationOf(found);
    const pool = allocation && pools.get(allocation.ipamPoolId);
    const managedBy = pool?.ipamScopeId === scopeId ? pool : undefined;
    const verdict: ResourceCidrVerdict = {
      IpamId: view.ipam.IpamId,
      IpamScopeId: scopeId,
      IpamPoolId: managedBy?.IpamPoolId,
      ResourceRegion: found.ResourceRegion,
      ResourceOwnerId: found.ResourceOwnerId,
      ResourceId: found.ResourceId,
      ResourceName: found.resourceName,
      ResourceCidr: found.ResourceCidr,
      ResourceType: found.ResourceType,
      ResourceTags: found.ResourceTags,
      IpUsage: found.IpUsage,
      VpcId: found.VpcId,
      AvailabilityZoneId: found.AvailabilityZoneId,
      ...statesOf(found, managedBy, overrideOf(found)?.ignored ?? false),
    };
    return { verdict, overlapsWith: [] };
  });
  markOverlaps(evaluated, view);
  return evaluated.sort((a, b) => verdictOrder(a.verdict).localeCompare(verdictOrder(b.verdict)));
}

const verdictOrder = (verdict: ResourceCidrVerdict) =>
  `${verdict.IpamScopeId}#${resourceCidrKey(verdict.ResourceRegion, verdict.ResourceId, verdict.ResourceCidr)}`;

/** Management and compliance; overlap starts as nonoverlapping and markOverlaps corrects it. */
function statesOf(found: DiscoveredResourceCidr, managedBy: IpamPool | undefined, ignored: boolean): Partial<ResourceCidrVerdict> {
  if (ignored) return { ManagementState: 'ignored', ComplianceStatus: 'ignored', OverlapStatus: 'ignored' };
  // A subnet drawn from a resource planning pool (S13) is managed by it; it lies inside its VPC by
  // design, so it takes no part in overlap (no OverlapStatus).
  if (found.ResourceType === 'subnet' && managedBy) return { ManagementState: 'managed', ComplianceStatus: complianceOf(found, managedBy) };
  // Other subnets and unmanageable types carry no states (the console's "-").
  if (!MANAGEABLE_TYPES.has(found.ResourceType)) return {};
  if (!managedBy) return { ManagementState: 'unmanaged', ComplianceStatus: 'unmanaged', OverlapStatus: 'nonoverlapping' };
  return { ManagementState: 'managed', ComplianceStatus: complianceOf(found, managedBy), OverlapStatus: 'nonoverlapping' };
}

interface OverlapCandidate {
  cidr: Cidr;
  label: string;
  resourceId?: string;
  resourceType?: DiscoveredResourceType;
  evaluated?: EvaluatedResourceCidr;
}

/**
 * DN-36: within each scope, the non-ignored manageable CIDRs and the custom allocations of its
 * pools, same family, containment included. Aligned CIDRs nest or are disjoint, so in address
 * order each CIDR overlaps exactly the ones still open on a stack of enclosing CIDRs.
 */
function markOverlaps(evaluated: EvaluatedResourceCidr[], view: IpamView): void {
  const byScope = new Map<string, OverlapCandidate[]>();
  const add = (scopeId: string, candidate: OverlapCandidate) => {
    const candidates = byScope.get(scopeId) ?? [];
    candidates.push(candidate);
    byScope.set(scopeId, candidates);
  };
  for (const entry of evaluated) {
    const { verdict } = entry;
    if (verdict.OverlapStatus !== 'nonoverlapping') continue;
    const cidr = parseCidr(verdict.ResourceCidr);
    add(verdict.IpamScopeId, {
      cidr,
      label: `${verdict.ResourceId} ${verdict.ResourceCidr}`,
      resourceId: verdict.ResourceId,
      resourceType: verdict.ResourceType,
      evaluated: entry,
    });
  }
  const scopeOfPool = new Map(view.pools.map((pool) => [pool.IpamPoolId, pool.ipamScopeId]));
  // A hold of the release cool-down is released: its space is taken, but it overlaps nothing.
  for (const allocation of view.allocations.filter((candidate) => candidate.ResourceType === 'custom' && !candidate.heldUntil)) {
    const scopeId = scopeOfPool.get(allocation.ipamPoolId);
    if (scopeId !== undefined)
      add(scopeId, { cidr: parseCidr(allocation.Cidr), label: `${allocation.IpamPoolAllocationId} ${allocation.Cidr}` });
  }
  for (const candidates of byScope.values()) {
    // compareCidrs puts an enclosing CIDR before what it holds.
    const ordered = candidates.sort((a, b) => compareCidrs(a.cidr, b.cidr));
    const open: OverlapCandidate[] = [];
    for (const candidate of ordered) {
      while (open.length > 0 && !containsCidr(open[open.length - 1].cidr, candidate.cidr)) open.pop();
      for (const enclosing of open) if (countsAsOverlap(enclosing, candidate)) recordOverlap(enclosing, candidate);
      open.push(candidate);
    }
  }
}

/** A resource never overlaps itself, and an Elastic IP lies inside the public IPv4 pool it came from. */
function countsAsOverlap(a: OverlapCandidate, b: OverlapCandidate): boolean {
  if (a.resourceId !== undefined && a.resourceId === b.resourceId) return false;
  const types = new Set([a.resourceType, b.resourceType]);
  return !(types.has('eip') && types.has('public-ipv4-pool'));
}

function recordOverlap(a: OverlapCandidate, b: OverlapCandidate): void {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ]) {
    if (!self.evaluated) continue;
    self.evaluated.verdict.OverlapStatus = 'overlapping';
    self.evaluated.overlapsWith.push(other.label);
  }
}

// ---- Auto-import and auto-release ----

interface ImportCandidate {
  pool: IpamPool;
  found: DiscoveredResourceCidr;
}

/**
 * DN-23: the VPC CIDRs each importing pool could take — inside one of its provisioned CIDRs and
 * clear of its allocations (spec §5.5) — pools deepest first, and within a pool the largest CIDR
 * first, ties by lowest resource id. Importing them in this order, each taking its space only if
 * still free, makes the largest of overlapping CIDRs win. Only pools with a locale import (DN-23):
 * EC2 accepts AutoImport on a pool without one, but "a locale must be set on the pool for this
 * feature to work" (the EC2 model's IpamPool.AutoImport).
 */
export function importCandidates(view: IpamView, importingPools: IpamPool[]): ImportCandidate[] {
  const { allocationOf, overrideOf, scopeOf } = ipamIndex(view);
  const candidates = view.discovered.filter((found) => found.ResourceType === 'vpc' && !overrideOf(found)?.ignored && !allocationOf(found));
  const pools = importingPools
    .filter((pool) => pool.Locale !== 'None')
    .sort((a, b) => b.PoolDepth - a.PoolDepth || a.IpamPoolId.localeCompare(b.IpamPoolId));
  return pools.flatMap((pool) => {
    const provisioned = (view.poolCidrs.get(pool.IpamPoolId) ?? [])
      .filter((record) => record.State === 'provisioned' && record.Cidr)
      .map((record) => parseCidr(record.Cidr!));
    const taken = view.allocations
      .filter((allocation) => allocation.ipamPoolId === pool.IpamPoolId)
      .map((allocation) => parseCidr(allocation.Cidr));
    const fits = (cidr: Cidr) =>
      provisioned.some((space) => containsCidr(space, cidr)) && !taken.some((allocated) => cidrsOverlap(allocated, cidr));
    return candidates
      .filter((found) => scopeOf(found) === pool.ipamScopeId && fits(parseCidr(found.ResourceCidr)))
      .sort(largestFirst)
      .map((found) => ({ pool, found }));
  });
}

function largestFirst(a: DiscoveredResourceCidr, b: DiscoveredResourceCidr): number {
  const byPrefix = parseCidr(a.ResourceCidr).prefixLength - parseCidr(b.ResourceCidr).prefixLength;
  if (byPrefix !== 0) return byPrefix;
  return (
    a.ResourceId.localeCompare(b.ResourceId) ||
    a.ResourceRegion.localeCompare(b.ResourceRegion) ||
    a.ResourceCidr.localeCompare(b.ResourceCidr)
  );
}

interface ReleaseCandidate {
  allocation: IpamPoolAllocation;
  cause: 'auto-release' | 'ignored';
}

/**
 * Resource allocations to give back: the resource CIDR is ignored, or its account and Region were
 * read successfully in this sweep (`readAccounts`, accountRegionKey) and the CIDR is gone. An
 * account that could not be read keeps its allocations. Reservations and child pools never go.
 */
export function vanishedAllocations(view: IpamView, readAccounts: ReadonlySet<string>): ReleaseCandidate[] {
  const discovered = new Set(view.discovered.map((found) => allocatedResourceKey(found.ResourceId, found.ResourceCidr)));
  const ignored = new Set(
    view.overrides
      .filter((override) => override.ignored)
      .map((override) => resourceCidrKey(override.resourceRegion, override.resourceId, override.resourceCidr)),
  );
  // An allocation with no resource id yet belongs to a forwarded create in flight: its recovery,
  // not discovery, decides what becomes of it.
  const settled = view.allocations.filter((allocation) => isResourceAllocation(allocation) && allocation.ResourceId !== undefined);
  return settled.flatMap((allocation): ReleaseCandidate[] => {
    if (ignored.has(resourceCidrKey(allocation.ResourceRegion, allocation.ResourceId, allocation.Cidr)))
      return [{ allocation, cause: 'ignored' }];
    const read =
      allocation.ResourceRegion !== undefined && readAccounts.has(accountRegionKey(allocation.ResourceOwner, allocation.ResourceRegion));
    return read && !discovered.has(allocatedResourceKey(allocation.ResourceId, allocation.Cidr))
      ? [{ allocation, cause: 'auto-release' }]
      : [];
  });
}
