// GetIpamAddressHistory (spec §17, DN-50): which resources held exactly this CIDR during a time
// window. Records are written by resourceCidrWrites as sweeps see CIDRs change hands or state.
import { type Cidr, formatCidr, parseAddress, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import type { AddressHistoryRecord } from '../domain/model/monitoring.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { requireScope } from './kernel/lookup.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

interface GetIpamAddressHistoryInput extends ListRequest {
  Cidr: string;
  IpamScopeId: string;
  VpcId?: string;
  StartTime?: Date;
  EndTime?: Date;
}

const MAX_RESULTS_DEFAULT = 100;

export async function getIpamAddressHistory(deps: Dependencies, context: RequestContext, input: GetIpamAddressHistoryInput) {
  const cidr = formatCidr(cidrOrAddress(input.Cidr));
  const now = deps.now().getTime();
  // Omitting both times asks for what holds the CIDR now (spec §17).
  const end = input.EndTime?.getTime() ?? now;
  const start = input.StartTime?.getTime() ?? end;
  if (start > end) {
    throw new IpamError(
      'InvalidParameterValue',
      `StartTime (${input.StartTime!.toISOString()}) must not be after EndTime (${new Date(end).toISOString()})`,
    );
  }
  // Owner and home Region only (UG L4929): elsewhere the scope answers NotFound, like every IPAM object (DN-05).
  const scope = await requireScope(deps, context, input.IpamScopeId);
  const records = (await deps.store.listAddressHistory(scope.IpamScopeId, cidr)).filter(
    (record) =>
      Date.parse(record.SampledStartTime) <= end &&
      (record.SampledEndTime === undefined ? now : Date.parse(record.SampledEndTime)) >= start &&
      (input.VpcId === undefined || record.VpcId === input.VpcId || record.ResourceId === input.VpcId),
  );
  // The window as asked (not as resolved against "now"), so the next page's request matches the token.
  const query = queryFingerprint([
    'GetIpamAddressHistory',
    context.accountId,
    scope.IpamScopeId,
    cidr,
    input.VpcId,
    input.StartTime,
    input.EndTime,
  ]);
  const page = pageOf(deps.paginationSecret, query, records, newestFirstKey, input, MAX_RESULTS_DEFAULT);
  return { HistoryRecords: page.items.map(presentHistoryRecord), NextToken: page.nextToken };
}

/** The console takes an address as well as a CIDR: an address is its own /32 or /128. */
function cidrOrAddress(text: string): Cidr {
  if (typeof text === 'string' && !text.includes('/')) {
    const address = parseAddress(text);
    return parseCidr(`${text}/${address.family === 'ipv4' ? 32 : 128}`);
  }
  return parseCidr(text);
}

/** Ascending order of this key is newest SampledStartTime first, then resource id (DN-50). */
function newestFirstKey(record: AddressHistoryRecord): string {
  const millisBeforeEpochEnd = 9_999_999_999_999 - Date.parse(record.SampledStartTime);
  return `${String(millisBeforeEpochEnd).padStart(13, '0')}#${record.ResourceId}`;
}

/** Times leave as Dates: the protocol encoders write timestamp members from Dates. */
function presentHistoryRecord(record: AddressHistoryRecord) {
  return {
    ...publicView(record),
    SampledStartTime: new Date(record.SampledStartTime),
    SampledEndTime: record.SampledEndTime === undefined ? undefined : new Date(record.SampledEndTime),
  };
}
