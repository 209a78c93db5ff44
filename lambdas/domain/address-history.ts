// Address history (spec §17) is derived from resource CIDRs: while a CIDR keeps one resource,
// owner and state, one history record is open; any change closes it and opens the next.
import type { AddressHistoryRecord, IpamResourceCidr } from './model/monitoring.ts';

const HISTORY_TYPES = new Set(['vpc', 'subnet', 'eip']);

/** The history record that describes `resourceCidr` since its historyStartedAt (closed when `sampledEndTime` is given). */
export function historyRecordOf(resourceCidr: IpamResourceCidr, sampledEndTime?: string): AddressHistoryRecord | undefined {
  if (!HISTORY_TYPES.has(resourceCidr.ResourceType)) return undefined;
  const isVpc = resourceCidr.ResourceType === 'vpc';
  return {
    ResourceOwnerId: resourceCidr.ResourceOwnerId,
    ResourceRegion: resourceCidr.ResourceRegion,
    ResourceType: resourceCidr.ResourceType as AddressHistoryRecord['ResourceType'],
    ResourceId: resourceCidr.ResourceId,
    ResourceCidr: resourceCidr.ResourceCidr,
    ResourceName: resourceCidr.ResourceName,
    // Compliance and overlap appear on VPC records only (spec §8.5).
    ResourceComplianceStatus: isVpc ? resourceCidr.ComplianceStatus : undefined,
    ResourceOverlapStatus: isVpc ? resourceCidr.OverlapStatus : undefined,
    VpcId: resourceCidr.VpcId,
    SampledStartTime: resourceCidr.historyStartedAt,
    SampledEndTime: sampledEndTime,
    ipamScopeId: resourceCidr.IpamScopeId,
    version: resourceCidr.historyVersion ?? 1,
  };
}

/** Whether two verdicts on the same CIDR belong to the same history record. */
export function sameHistoryState(a: IpamResourceCidr, b: IpamResourceCidr): boolean {
  return (
    a.IpamScopeId === b.IpamScopeId &&
    a.ResourceId === b.ResourceId &&
    a.ResourceOwnerId === b.ResourceOwnerId &&
    a.ResourceName === b.ResourceName &&
    a.VpcId === b.VpcId &&
    a.ComplianceStatus === b.ComplianceStatus &&
    a.OverlapStatus === b.OverlapStatus
  );
}
