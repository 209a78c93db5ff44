// The maths behind the CloudWatch metrics of spec §15 and the pool utilisation thresholds: what
// each metric's value and dimensions are, given the records one sweep saw. No I/O here.
import { type AddressFamily, cidrSize, parseCidr } from './cidr.ts';
import type { DiscoveredPublicAddress, PublicAddressType } from './model/discovery.ts';
import type { Ipam, IpamScope } from './model/ipam.ts';
import type { IpamResourceCidr } from './model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from './model/pool.ts';

/** One CloudWatch metric value (the metrics port publishes these). */
export interface MetricDatum {
  name: string;
  unit: 'Count' | 'Percent' | 'Seconds';
  value: number;
  /** Case-exact dimension names of the guide: PoolID, ScopeID, Locale, AddressFamily, IpamId, VpcID, … */
  dimensions: Record<string, string>;
}

/** The workflow reconciler's metrics (use-cases/kernel/reconcile.ts), which the open-executions alarm reads; the dimension keeps them apart from the guide's. */
export const RECONCILER_METRICS = {
  open: 'OpenWorkflowExecutions',
  oldestAge: 'OldestOpenWorkflowExecutionAge',
  dimensions: { Service: 'ipam-workflows' },
} as const;

/** What the outbox's redelivery pass publishes (use-cases/kernel/outbox.ts); the undelivered-events alarm watches the age. */
export const OUTBOX_METRICS = {
  oldestAge: 'OldestUndeliveredEventAge',
  redelivered: 'RedeliveredEventEntries',
  dimensions: { Service: 'ipam-events' },
} as const;

/** Quota "Resource utilization metrics" (UG L9676): per resource type, family and selection rule. */
const RESOURCE_METRICS_PER_RULE = 50;

const FAMILY_DIMENSION: Record<AddressFamily, string> = { ipv4: 'IPv4', ipv6: 'IPv6' };
const NO_LOCALE = 'None';

const count = (name: string, value: number, dimensions: Record<string, string>): MetricDatum => ({
  name,
  unit: 'Count',
  value,
  dimensions,
});
const percent = (name: string, value: number, dimensions: Record<string, string>): MetricDatum => ({
  name,
  unit: 'Percent',
  value,
  dimensions,
});

/** part / whole as a percentage with four decimals, truncated, so a threshold is never reached by rounding up. */
function percentOf(part: bigint, whole: bigint): number {
  return Number((part * 1_000_000n) / whole) / 10_000;
}

const familyOf = (cidr: string): AddressFamily => parseCidr(cidr).family;
const sizeOf = (cidr: string): bigint => cidrSize(parseCidr(cidr));

// ---- Pools ----

interface PoolUtilisation {
  /** Allocated to child pools. */
  percentAllocated: number;
  /** Allocated to resources and manual (custom) allocations. */
  percentAssigned: number;
  percentAvailable: number;
  /** What the thresholds are compared with: allocated + assigned. */
  percentUsed: number;
}

/** Shares of a pool's provisioned space; undefined while nothing is provisioned (there is no whole to share). */
export function poolUtilisation(poolCidrs: IpamPoolCidr[], allocations: IpamPoolAllocation[]): PoolUtilisation | undefined {
  const provisioned = sum(
    poolCidrs.filter((record) => record.State === 'provisioned' && record.Cidr).map((record) => sizeOf(record.Cidr!)),
  );
  if (provisioned === 0n) return undefined;
  const toPools = sum(
    allocations.filter((allocation) => allocation.ResourceType === 'ipam-pool').map((allocation) => sizeOf(allocation.Cidr)),
  );
  const toResources = sum(
    allocations.filter((allocation) => allocation.ResourceType !== 'ipam-pool').map((allocation) => sizeOf(allocation.Cidr)),
  );
  return {
    percentAllocated: percentOf(toPools, provisioned),
    percentAssigned: percentOf(toResources, provisioned),
    percentAvailable: percentOf(provisioned - toPools - toResources, provisioned),
    percentUsed: percentOf(toPools + toResources, provisioned),
  };
}

/** Pool metrics (dimensions per DN-48): utilisation shares and the compliance of the managed CIDRs allocated from it. */
export function poolMetrics(pool: IpamPool, utilisation: PoolUtilisation | undefined, resourceCidrs: IpamResourceCidr[]): MetricDatum[] {
  const dimensions = {
    PoolID: pool.IpamPoolId,
    ScopeID: pool.ipamScopeId,
    Locale: pool.Locale || NO_LOCALE,
    AddressFamily: FAMILY_DIMENSION[pool.AddressFamily],
  };
  const managed = resourceCidrs.filter((record) => record.ManagementState === 'managed' && record.IpamPoolId === pool.IpamPoolId);
  return [
    ...(utilisation
      ? [
          percent('PercentAllocated', utilisation.percentAllocated, dimensions),
          percent('PercentAssigned', utilisation.percentAssigned, dimensions),
          percent('PercentAvailable', utilisation.percentAvailable, dimensions),
        ]
      : []),
    count('CompliantResourceCidrs', managed.filter((record) => record.ComplianceStatus === 'compliant').length, dimensions),
    count('NoncompliantResourceCidrs', managed.filter((record) => record.ComplianceStatus === 'noncompliant').length, dimensions),
  ];
}

// ---- Scopes ----

/** Scope metrics per address family (dimensions per DN-48); zeros too, so graphs and alarms see every sweep. */
export function scopeMetrics(scope: IpamScope, resourceCidrs: IpamResourceCidr[]): MetricDatum[] {
  const inScope = resourceCidrs.filter((record) => record.IpamScopeId === scope.IpamScopeId);
  return (['ipv4', 'ipv6'] as const).flatMap((family) => {
    const records = inScope.filter((record) => familyOf(record.ResourceCidr) === family);
    const dimensions = { ScopeID: scope.IpamScopeId, AddressFamily: FAMILY_DIMENSION[family] };
    const counted = (name: string, test: (record: IpamResourceCidr) => boolean) => count(name, records.filter(test).length, dimensions);
    return [
      counted('CompliantResourceCidrs', (record) => record.ComplianceStatus === 'compliant'),
      counted('NoncompliantResourceCidrs', (record) => record.ComplianceStatus === 'noncompliant'),
      counted('ManagedResourceCidrs', (record) => record.ManagementState === 'managed'),
      counted('UnmanagedResourceCidrs', (record) => record.ManagementState === 'unmanaged'),
      counted('OverlappingResourceCidrs', (record) => record.OverlapStatus === 'overlapping'),
    ];
  });
}

// ---- Resources (§15.2, selection §15.3 / DN-49) ----

/** One resource's usage across its CIDRs of one family in one scope. */
export interface ResourceUsage {
  /** Unique within its (type, family) group: scope and resource id. */
  key: string;
  percent: number;
  totalSize: bigint;
  /** Qualifies for the "other" rule: holds (or, for a subnet, its VPC holds) a CIDR allocated from a pool. */
  managed: boolean;
  dimensions: Record<string, string>;
}

/**
 * The resources whose usage is published: the `limit` highest, then the `limit` lowest of the
 * rest, then up to `limit` "other" managed ones, largest total CIDR size first. Each resource
 * once; ties go to the lower key.
 */
export function selectResourceUsages(usages: ResourceUsage[], limit = RESOURCE_METRICS_PER_RULE): ResourceUsage[] {
  const byKey = (a: ResourceUsage, b: ResourceUsage) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const highest = [...usages].sort((a, b) => b.percent - a.percent || byKey(a, b)).slice(0, limit);
  const chosen = new Set(highest);
  const lowest = usages
    .filter((usage) => !chosen.has(usage))
    .sort((a, b) => a.percent - b.percent || byKey(a, b))
    .slice(0, limit);
  for (const usage of lowest) chosen.add(usage);
  const others = usages
    .filter((usage) => usage.managed && !chosen.has(usage))
    .sort((a, b) => (a.totalSize === b.totalSize ? byKey(a, b) : a.totalSize > b.totalSize ? -1 : 1))
    .slice(0, limit);
  return [...highest, ...lowest, ...others];
}

/** VpcIPUsage (IPv4 and IPv6), SubnetIPUsage (IPv4) and PublicIPv4PoolIPUsage, as Percent 0–100. */
export function resourceUsageMetrics(resourceCidrs: IpamResourceCidr[], limit = RESOURCE_METRICS_PER_RULE): MetricDatum[] {
  const managedVpcs = new Set(
    resourceCidrs
      .filter((record) => record.ResourceType === 'vpc' && record.ManagementState === 'managed')
      .map((record) => `${record.IpamScopeId}#${record.ResourceId}`),
  );
  const groups: { metric: string; usages: ResourceUsage[] }[] = [
    ...(['ipv4', 'ipv6'] as const).map((family) => ({
      metric: 'VpcIPUsage',
      usages: usagesOf(
        resourceCidrs.filter((record) => record.ResourceType === 'vpc' && familyOf(record.ResourceCidr) === family),
        (record) => ({
          managed: managedVpcs.has(`${record.IpamScopeId}#${record.ResourceId}`),
          dimensions: {
            AddressFamily: FAMILY_DIMENSION[family],
            OwnerID: record.ResourceOwnerId,
            Region: record.ResourceRegion,
            ScopeID: record.IpamScopeId,
            VpcID: record.ResourceId,
          },
        }),
      ),
    })),
    {
      metric: 'SubnetIPUsage',
      // IPv6 subnet usage is not calculated (spec §8.7).
      usages: usagesOf(
        resourceCidrs.filter((record) => record.ResourceType === 'subnet' && familyOf(record.ResourceCidr) === 'ipv4'),
        (record) => ({
          managed: managedVpcs.has(`${record.IpamScopeId}#${record.VpcId}`),
          dimensions: {
            AddressFamily: 'IPv4',
            OwnerID: record.ResourceOwnerId,
            Region: record.ResourceRegion,
            ScopeID: record.IpamScopeId,
            SubnetID: record.ResourceId,
            ...(record.VpcId ? { VpcID: record.VpcId } : {}),
          },
        }),
      ),
    },
    {
      metric: 'PublicIPv4PoolIPUsage',
      usages: usagesOf(
        resourceCidrs.filter((record) => record.ResourceType === 'public-ipv4-pool'),
        (record, cidrs) => ({
          managed: cidrs.some((cidr) => cidr.ManagementState === 'managed'),
          dimensions: {
            OwnerID: record.ResourceOwnerId,
            PublicIPv4PoolID: record.ResourceId,
            Region: record.ResourceRegion,
            ScopeID: record.IpamScopeId,
          },
        }),
      ),
    },
  ];
  return groups.flatMap(({ metric, usages }) =>
    selectResourceUsages(usages, limit).map((usage) => percent(metric, usage.percent, usage.dimensions)),
  );
}

/**
 * Groups CIDRs by scope and resource; a resource's usage is its CIDRs' IpUsage weighted by size.
 * CIDRs without an IpUsage (not measured) do not count; a resource with none is left out.
 */
function usagesOf(
  records: IpamResourceCidr[],
  describe: (first: IpamResourceCidr, all: IpamResourceCidr[]) => Pick<ResourceUsage, 'managed' | 'dimensions'>,
): ResourceUsage[] {
  const byResource = new Map<string, IpamResourceCidr[]>();
  for (const record of records) {
    const key = `${record.IpamScopeId}#${record.ResourceId}`;
    byResource.set(key, [...(byResource.get(key) ?? []), record]);
  }
  return [...byResource].flatMap(([key, cidrs]) => {
    const measured = cidrs.filter((record) => record.IpUsage !== undefined);
    if (measured.length === 0) return [];
    const measuredSize = sum(measured.map((record) => sizeOf(record.ResourceCidr)));
    // IpUsage in millionths, weighted by size: the quotient is the percentage × 10⁴.
    const weighted = sum(measured.map((record) => BigInt(Math.round(record.IpUsage! * 1_000_000)) * sizeOf(record.ResourceCidr)));
    const percent = Number(weighted / measuredSize) / 10_000;
    return [{ key, percent, totalSize: sum(cidrs.map((record) => sizeOf(record.ResourceCidr))), ...describe(cidrs[0]!, cidrs) }];
  });
}

// ---- Public IP insights (§15.2, §18) ----

const PUBLIC_IP_METRICS: { name: string; types: PublicAddressType[]; association?: DiscoveredPublicAddress['AssociationStatus'] }[] = [
  { name: 'AmazonOwnedElasticIPs', types: ['amazon-owned-eip'] },
  { name: 'AssociatedAmazonOwnedElasticIPs', types: ['amazon-owned-eip'], association: 'associated' },
  { name: 'UnassociatedAmazonOwnedElasticIPs', types: ['amazon-owned-eip'], association: 'disassociated' },
  { name: 'BringYourOwnIPs', types: ['byoip'] },
  { name: 'AssociatedBringYourOwnIPs', types: ['byoip'], association: 'associated' },
  { name: 'UnassociatedBringYourOwnIPs', types: ['byoip'], association: 'disassociated' },
  { name: 'EC2PublicIPs', types: ['ec2-public-ip'] },
  { name: 'ServiceManagedIPs', types: ['service-managed-ip'] },
  { name: 'ServiceManagedBringYourOwnIPs', types: ['service-managed-byoip'] },
];

/**
 * Public IP insight counts per operating Region of the IPAM. An address several resource
 * discoveries saw counts once.
 */
export function publicIpMetrics(ipam: Ipam, addresses: DiscoveredPublicAddress[]): MetricDatum[] {
  const unique = [...new Map(addresses.map((address) => [`${address.AddressRegion}#${address.Address}`, address])).values()];
  const regions = [
    ...new Set([...ipam.OperatingRegions.map((region) => region.RegionName), ...unique.map((address) => address.AddressRegion)]),
  ].sort();
  return regions.flatMap((region) => {
    const inRegion = unique.filter((address) => address.AddressRegion === region);
    return PUBLIC_IP_METRICS.map(({ name, types, association }) =>
      count(
        name,
        inRegion.filter(
          (address) => types.includes(address.AddressType) && (association === undefined || address.AssociationStatus === association),
        ).length,
        { IpamId: ipam.IpamId, Region: region },
      ),
    );
  });
}

// ---- Utilisation thresholds ----

/** The highest threshold `percentUsed` is at or above; 0 when below all. */
export function thresholdReached(percentUsed: number, thresholds: number[]): number {
  return Math.max(0, ...thresholds.filter((threshold) => percentUsed >= threshold));
}

interface ThresholdCrossing {
  direction: 'above' | 'below';
  /** Above: the highest threshold now reached. Below: the lowest threshold no longer reached. */
  threshold: number;
}

/** How the band moved from `previous` (a thresholdReached result) to `current`; undefined when it did not. */
export function thresholdCrossing(previous: number, current: number, thresholds: number[]): ThresholdCrossing | undefined {
  if (current === previous) return undefined;
  if (current > previous) return { direction: 'above', threshold: current };
  const lowestLeft = [...thresholds].sort((a, b) => a - b).find((threshold) => threshold > current && threshold <= previous);
  return { direction: 'below', threshold: lowestLeft ?? previous };
}

function sum(values: bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
