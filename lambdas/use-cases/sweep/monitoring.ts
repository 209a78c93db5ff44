// Per-IPAM monitoring after each sweep (spec §15): CloudWatch metrics with the guide's names and
// dimensions, and an event when a pool's utilisation crosses a configured threshold.
import type { DiscoveredPublicAddress } from '../../domain/model/discovery.ts';
import type { Ipam, IpamScope } from '../../domain/model/ipam.ts';
import type { IpamResourceCidr, PoolMonitorState } from '../../domain/model/monitoring.ts';
import type { IpamPool, IpamPoolAllocation, IpamPoolCidr } from '../../domain/model/pool.ts';
import {
  poolMetrics,
  poolUtilisation,
  publicIpMetrics,
  resourceUsageMetrics,
  scopeMetrics,
  thresholdCrossing,
  thresholdReached,
} from '../../domain/monitoring.ts';
import type { SweepDependencies } from '../kernel/context.ts';
import { retryOnConflict } from '../free-space.ts';
import { type Announcement, commitAnnouncing } from '../kernel/outbox.ts';

/** Everything a sweep knows about one IPAM once its verdicts are written. */
export interface IpamObservation {
  ipam: Ipam;
  scopes: IpamScope[];
  pools: IpamPool[];
  /** Pool CIDRs by pool id. */
  poolCidrs: Map<string, IpamPoolCidr[]>;
  /** Allocations by pool id (after this sweep's imports and releases). */
  allocations: Map<string, IpamPoolAllocation[]>;
  /** The verdicts just written, every scope of the IPAM. */
  resourceCidrs: IpamResourceCidr[];
  /** Public addresses the IPAM's resource discoveries saw, its operating Regions only. */
  publicAddresses: DiscoveredPublicAddress[];
}

export async function publishIpamMonitoring(deps: SweepDependencies, observation: IpamObservation): Promise<void> {
  const { pools, resourceCidrs } = observation;
  const utilisationOf = (poolId: string) =>
    poolUtilisation(observation.poolCidrs.get(poolId) ?? [], observation.allocations.get(poolId) ?? []);
  const utilisations = new Map(pools.map((pool) => [pool.IpamPoolId, utilisationOf(pool.IpamPoolId)]));
  const data = [
    ...pools.flatMap((pool) => poolMetrics(pool, utilisations.get(pool.IpamPoolId), resourceCidrs)),
    ...observation.scopes.flatMap((scope) => scopeMetrics(scope, resourceCidrs)),
    ...resourceUsageMetrics(resourceCidrs),
    ...publicIpMetrics(observation.ipam, observation.publicAddresses),
  ];
  await Promise.all(pools.map((pool) => reportThresholdCrossing(deps, pool, utilisations.get(pool.IpamPoolId)?.percentUsed ?? 0)));
  await deps.metrics.publish(data);
}

/** Records the pool's new utilisation band and, when it moved, announces the crossing once. */
async function reportThresholdCrossing(deps: SweepDependencies, pool: IpamPool, percentUsed: number): Promise<void> {
  const thresholds = deps.discovery.utilisationThresholds;
  await retryOnConflict(async () => {
    const state = await deps.store.getPoolMonitorState(pool.IpamPoolId);
    const previous = state?.thresholdReached ?? 0;
    const current = thresholdReached(percentUsed, thresholds);
    const crossed = thresholdCrossing(previous, current, thresholds);
    if (!crossed) return undefined;
    const next: PoolMonitorState = { ipamPoolId: pool.IpamPoolId, thresholdReached: current, version: state?.version ?? 1 };
    // The crossing is computed from the sweep's figures, but the band it moves is a record: the
    // event commits with the band, so a crossing recorded is a crossing announced.
    const announced: Announcement = {
      event: {
        'detail-type': 'IPAM Pool Utilization Threshold Crossed',
        detail: { ipamId: pool.ipamId, ipamScopeId: pool.ipamScopeId, ipamPoolId: pool.IpamPoolId, percentUsed, ...crossed },
      },
      accountId: pool.OwnerId,
      region: pool.IpamRegion,
    };
    // Invariant: each crossing is reported once; a sweep racing on the same band loses here, re-reads and finds nothing to report.
    await commitAnnouncing(deps, [{ op: state ? 'update' : 'create', entity: { type: 'pool-monitor-state', value: next } }], [announced]);
  });
}
