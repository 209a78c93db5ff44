// A recent event (ListRecentEvents, docs/json-api.md) as one line of the dashboard: what it is
// about and the state it reports, read from its detail (docs/events.md lists each detail-type).
import type { ApiOutput } from './api/client.ts';

/** The detail members naming what an event is about, most specific first. */
const RESOURCE_MEMBERS = [
  'ipamPoolAllocationId',
  'resourceId',
  'ipamPoolId',
  'resourceShareArn',
  'allocationId',
  'poolId',
  'asn',
  'delegatedAdminAccountId',
];
/** The detail members giving an address range, shown beside the resource. */
const RANGE_MEMBERS = ['cidr', 'resourceCidr', 'publicIp'];

export interface EventLine {
  time: string;
  type: string;
  resource: string;
  state: string;
}

export function eventLine(event: ApiOutput): EventLine {
  const detail = (event.Detail ?? {}) as Record<string, unknown>;
  const text = (names: string[]) =>
    names.map((name) => detail[name]).find((value) => typeof value === 'string' && value !== '') as string | undefined;
  const resource = [text(RESOURCE_MEMBERS), text(RANGE_MEMBERS)].filter(Boolean).join(' ');
  return { time: String(event.Time ?? ''), type: String(event.DetailType ?? ''), resource, state: stateOf(detail) };
}

function stateOf(detail: Record<string, unknown>): string {
  if (typeof detail.state === 'string') return detail.previousState ? `${detail.previousState} → ${detail.state}` : detail.state;
  if (typeof detail.direction === 'string') return `${detail.direction} ${detail.threshold}% (${detail.percentUsed}% used)`;
  if (Array.isArray(detail.overlapsWith)) return `overlaps ${detail.overlapsWith.join(', ')}`;
  const word = [detail.change, detail.status].filter((value) => typeof value === 'string');
  return word.join(', ');
}
