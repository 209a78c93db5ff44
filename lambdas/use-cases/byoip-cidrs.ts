// AdvertiseByoipCidr, WithdrawByoipCidr, DescribeByoipCidrs.
//
// A BYOIP CIDR is a provisioned CIDR of a public-scope BYOIP pool with `AwsService` ec2 and a
// locale: it is used — and advertised — in that Region (UG S9 step 6: "describe-byoip-cidrs
// --region <locale> now lists the CIDR"). The pool CIDR record stays the truth about provisioning;
// advertisement and ASN associations live beside it in a ByoipCidrAdvertisement. Advertising only
// changes state: nothing is announced (X-BGP).
import { formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import type { IpamPool, IpamPoolCidr } from '../domain/model/pool.ts';
import type { ByoipCidrAdvertisement } from '../domain/model/public-space.ts';
import type { Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { findRange, listedRanges, presentRange, type RangeRecord, rangeRecordWrite, rangeState, rangeStateChange } from './byoip-ranges.ts';
import { retryOnConflict } from './free-space.ts';
import { commitAnnouncing } from './kernel/outbox.ts';
import { publicIpv4PoolRanges } from './public-ipv4-pools.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

/** `Asn` value (or its absence) meaning Amazon's own ASN as origin. */
const AMAZON_ASN = 'AWS';
/** Moving the origin from Amazon's ASN to a custom one is allowed once an hour (UG L5350). */
const CUSTOM_ASN_SWITCH_INTERVAL_MS = 3600 * 1000;

export interface ByoipCidr {
  cidr: string;
  pool: IpamPool;
  poolCidr: IpamPoolCidr;
  /** IPv4 always; IPv6 unless its pool tree was created with PubliclyAdvertisable false. */
  advertisable: boolean;
}

/** A pool whose BYOIP CIDRs EC2 uses (and advertises) in its locale; top-level BYOIP pools have no locale. */
const isRegionalByoipPool = (pool: IpamPool) =>
  pool.IpamScopeType === 'public' && pool.PublicIpSource !== 'amazon' && pool.AwsService === 'ec2' && pool.Locale !== 'None';

/** The account's BYOIP CIDRs in one Region; a CIDR that a pool tree holds at several depths counts once, at the shallowest. */
async function listByoipCidrs(deps: Dependencies, ownerId: string, region: string): Promise<ByoipCidr[]> {
  const pools = await deps.store.listPools(ownerId);
  const poolsById = new Map(pools.map((pool) => [pool.IpamPoolId, pool]));
  const regional = pools.filter((pool) => isRegionalByoipPool(pool) && pool.Locale === region).sort((a, b) => a.PoolDepth - b.PoolDepth);
  const found = new Map<string, ByoipCidr>();
  for (const pool of regional) {
    for (const poolCidr of await deps.store.listPoolCidrs(pool.IpamPoolId)) {
      if (poolCidr.State !== 'provisioned' || !poolCidr.Cidr || found.has(poolCidr.Cidr)) continue;
      found.set(poolCidr.Cidr, { cidr: poolCidr.Cidr, pool, poolCidr, advertisable: isAdvertisable(pool, poolsById) });
    }
  }
  return [...found.values()];
}

/** IPv6 space is advertisable unless a pool on the way up to the top-level pool says otherwise (UG L211). */
function isAdvertisable(pool: IpamPool, poolsById: Map<string, IpamPool>): boolean {
  if (pool.AddressFamily === 'ipv4') return true;
  for (let current: IpamPool | undefined = pool; current; current = poolsById.get(current.SourceIpamPoolId ?? '')) {
    if (current.PubliclyAdvertisable === false) return false;
  }
  return true;
}

/** The caller's BYOIP CIDR in the request's Region, by its text in any spelling. */
export async function requireByoipCidr(deps: Dependencies, context: RequestContext, cidrText: string): Promise<ByoipCidr> {
  const cidr = formatCidr(parseCidr(cidrText));
  const found = (await listByoipCidrs(deps, context.accountId, context.region)).find((candidate) => candidate.cidr === cidr);
  if (!found)
    throw new IpamError('InvalidParameterValue', `The CIDR ${cidr} is not a provisioned BYOIP CIDR of this account in ${context.region}`);
  return found;
}

const withdrawnAdvertisement = (ownerId: string, region: string, cidr: string): ByoipCidrAdvertisement => ({
  ownerId,
  region,
  cidr,
  advertised: false,
  associatedAsns: [],
  version: 0,
});

/** The stored advertisement of a CIDR, or a fresh withdrawn one (version 0: not stored yet). */
export async function advertisementOf(deps: Dependencies, byoip: ByoipCidr): Promise<ByoipCidrAdvertisement> {
  const { OwnerId, Locale } = byoip.pool;
  return (await deps.store.getByoipAdvertisement(OwnerId, Locale, byoip.cidr)) ?? withdrawnAdvertisement(OwnerId, Locale, byoip.cidr);
}

/**
 * Writes that store a changed advertisement and touch the pool CIDR record: a deprovision that read
 * the CIDR before this change then loses its race and re-reads what it must refuse.
 */
export function advertisementWrites(byoip: ByoipCidr, changed: ByoipCidrAdvertisement): Write[] {
  return [
    changed.version === 0
      ? { op: 'create', entity: { type: 'byoip-advertisement', value: { ...changed, version: 1 } } }
      : // Invariant: the advertisement and associations are still as read.
        { op: 'update', entity: { type: 'byoip-advertisement', value: changed } },
    // Invariant: the CIDR is still provisioned, and a concurrent deprovision that did not see this change fails.
    { op: 'update', entity: { type: 'pool-cidr', value: byoip.poolCidr } },
  ];
}

/** What AWS says of a provisioned IPAM BYOIP CIDR (the guide's BYOIP IPv4 tutorial, seed S9 step A3); of an advertised one, nothing known. */
const PROVISIONED_STATUS = 'Cidr successfully provisioned';

function presentByoipCidr(byoip: ByoipCidr, advertisement: ByoipCidrAdvertisement) {
  const state = advertisement.advertised ? 'advertised' : byoip.advertisable ? 'provisioned' : 'provisioned-not-publicly-advertisable';
  return {
    Cidr: byoip.cidr,
    Description: byoip.pool.Description,
    StatusMessage: state === 'advertised' ? undefined : PROVISIONED_STATUS,
    State: state,
    NetworkBorderGroup: byoip.pool.Locale,
    AsnAssociations: advertisement.associatedAsns.map((Asn) => ({ Asn, Cidr: byoip.cidr, State: 'associated' })),
  };
}

/** Why a pool CIDR cannot be deprovisioned while it is a BYOIP CIDR in use (S5 C4), if it is. */
export async function byoipCidrInUse(deps: Dependencies, pool: IpamPool, cidr: string): Promise<IpamError | undefined> {
  if (!isRegionalByoipPool(pool)) return undefined;
  const advertisement = await deps.store.getByoipAdvertisement(pool.OwnerId, pool.Locale, cidr);
  if (advertisement?.advertised) {
    return new IpamError('IncorrectState', `The BYOIP CIDR ${cidr} is advertised; withdraw it before deprovisioning it`);
  }
  if (advertisement && advertisement.associatedAsns.length > 0) {
    return new IpamError(
      'DependencyViolation',
      `The BYOIP CIDR ${cidr} is associated with ASN ${advertisement.associatedAsns.join(', ')}; disassociate it before deprovisioning the CIDR`,
    );
  }
  return undefined;
}

interface AdvertiseByoipCidrInput {
  Cidr: string;
  Asn?: string;
  NetworkBorderGroup?: string;
}

export async function advertiseByoipCidr(deps: Dependencies, context: RequestContext, input: AdvertiseByoipCidrInput) {
  const origin = input.Asn ?? AMAZON_ASN;
  return retryOnConflict(async () => {
    const range = await heldRange(deps, context, input.Cidr);
    if (range) return advertiseRange(deps, range, origin, input.NetworkBorderGroup);
    const byoip = await requireByoipCidr(deps, context, input.Cidr);
    if (!byoip.advertisable)
      throw new IpamError('IncorrectState', `The BYOIP CIDR ${byoip.cidr} is provisioned as not publicly advertisable`);
    if (input.NetworkBorderGroup !== undefined && input.NetworkBorderGroup !== byoip.pool.Locale) {
      throw new IpamError(
        'InvalidParameterValue',
        `The network border group ${input.NetworkBorderGroup} is not ${byoip.pool.Locale}, the Region of ${byoip.cidr}`,
      );
    }
    const current = await advertisementOf(deps, byoip);
    if (origin !== AMAZON_ASN && !current.associatedAsns.includes(origin)) {
      throw new IpamError('InvalidParameterValue', `The ASN ${origin} is not associated with the CIDR ${byoip.cidr}; associate it first`);
    }
    const currentOrigin = current.advertised ? current.originAsn : undefined;
    if (currentOrigin === origin) return { ByoipCidr: presentByoipCidr(byoip, current) };
    let customAsnSwitchedAt = current.customAsnSwitchedAt;
    if (origin !== AMAZON_ASN) {
      const now = deps.now();
      if (customAsnSwitchedAt && now.getTime() - Date.parse(customAsnSwitchedAt) < CUSTOM_ASN_SWITCH_INTERVAL_MS) {
        throw new IpamError(
          'IncorrectState',
          `The origin of ${byoip.cidr} switched to a custom ASN at ${customAsnSwitchedAt}; it can switch to a custom ASN again one hour after that`,
        );
      }
      customAsnSwitchedAt = now.toISOString();
    }
    const advertised: ByoipCidrAdvertisement = { ...current, advertised: true, originAsn: origin, customAsnSwitchedAt };
    await deps.store.commit(advertisementWrites(byoip, advertised));
    return { ByoipCidr: presentByoipCidr(byoip, advertised) };
  });
}

export async function withdrawByoipCidr(deps: Dependencies, context: RequestContext, input: { Cidr: string }) {
  return retryOnConflict(async () => {
    const range = await heldRange(deps, context, input.Cidr);
    if (range) return withdrawRange(deps, range);
    const byoip = await requireByoipCidr(deps, context, input.Cidr);
    const current = await advertisementOf(deps, byoip);
    if (!current.advertised) throw new IpamError('IncorrectState', `The BYOIP CIDR ${byoip.cidr} is not advertised`);
    const withdrawn: ByoipCidrAdvertisement = { ...current, advertised: false, originAsn: undefined };
    await deps.store.commit(advertisementWrites(byoip, withdrawn));
    return { ByoipCidr: presentByoipCidr(byoip, withdrawn) };
  });
}

/** IPAM's BYOIP CIDRs and the ranges provisioned outside IPAM (byoip-ranges.ts), one list by CIDR. */
export async function describeByoipCidrs(deps: Dependencies, context: RequestContext, input: ListRequest) {
  if (input.MaxResults === undefined) throw new IpamError('MissingParameter', 'The request must contain the parameter MaxResults');
  const byoipCidrs = await listByoipCidrs(deps, context.accountId, context.region);
  const advertisements = new Map(
    (await deps.store.listByoipAdvertisements(context.accountId, context.region)).map((record) => [record.cidr, record]),
  );
  const listed = [
    ...byoipCidrs.map((byoip) => ({
      cidr: byoip.cidr,
      present: () =>
        presentByoipCidr(byoip, advertisements.get(byoip.cidr) ?? withdrawnAdvertisement(context.accountId, context.region, byoip.cidr)),
    })),
    ...(await listedRanges(deps, context.accountId, context.region))
      .filter((range) => !byoipCidrs.some((byoip) => byoip.cidr === range.cidr))
      .map((range) => ({ cidr: range.cidr, present: () => presentRange(range) })),
  ];
  // The ranges of the caller's public IPv4 pools are BYOIP CIDRs of the caller too (the guide, S9 A3).
  for (const cidr of await publicIpv4PoolRanges(deps, context.accountId, context.region)) {
    if (listed.some((item) => item.cidr === cidr)) continue;
    // A range moved into IPAM stays in its pool, but is the IPAM pool owner's BYOIP CIDR now.
    if (advertisements.get(cidr)?.range?.transfer?.state === 'complete-transfer') continue;
    const provisioned = { Cidr: cidr, StatusMessage: PROVISIONED_STATUS, State: 'provisioned', NetworkBorderGroup: context.region };
    listed.push({ cidr, present: () => ({ ...provisioned, Description: undefined, AsnAssociations: [] }) });
  }
  const query = queryFingerprint(['DescribeByoipCidrs', context.accountId, context.region]);
  const page = pageOf(deps.paginationSecret, query, listed, (item) => item.cidr, input, input.MaxResults);
  return { ByoipCidrs: page.items.map((item) => item.present()), NextToken: page.nextToken };
}

// ---- ranges provisioned outside IPAM --------------------------------------------------------------
//
// EC2 answers Advertise and Withdraw of such a range with the state it had when the request was
// accepted and its address pool as StatusMessage (AWS CLI examples advertise-byoip-cidr.rst:
// "provisioned", withdraw-byoip-cidr.rst: "advertised"); the change then shows in
// DescribeByoipCidrs. IPAM's BYOIP CIDRs answer the new state, as the guide's tutorials show.

/** The caller's range outside IPAM that EC2 still holds (not moved into IPAM), if the CIDR names one. */
async function heldRange(deps: Dependencies, context: RequestContext, cidrText: string): Promise<RangeRecord | undefined> {
  const range = await findRange(deps, context, cidrText);
  const held = range && (range.range.state === 'pending-provision' || range.range.state === 'provisioned');
  return held && range.range.transfer?.state !== 'complete-transfer' ? range : undefined;
}

async function advertiseRange(deps: Dependencies, range: RangeRecord, origin: string, networkBorderGroup: string | undefined) {
  if (range.range.state !== 'provisioned')
    throw new IpamError('IncorrectState', `The range ${range.cidr} is ${range.range.state}, not provisioned`);
  if (!range.range.publiclyAdvertisable) {
    throw new IpamError('IncorrectState', `The range ${range.cidr} is provisioned as not publicly advertisable`);
  }
  if (networkBorderGroup !== undefined && networkBorderGroup !== range.range.networkBorderGroup) {
    throw new IpamError(
      'InvalidParameterValue',
      `The network border group ${networkBorderGroup} is not ${range.range.networkBorderGroup}, where ${range.cidr} is provisioned`,
    );
  }
  // ASNs are associated with IPAM's BYOIP CIDRs only (AssociateIpamByoasn), so a range outside IPAM has Amazon's.
  if (origin !== AMAZON_ASN)
    throw new IpamError('InvalidParameterValue', `The ASN ${origin} is not associated with the CIDR ${range.cidr}`);
  const before = rangeState(range);
  if (range.advertised) return { ByoipCidr: presentRange(range, before) };
  if (range.range.transfer?.state === 'pending-transfer') {
    throw new IpamError('IncorrectState', `The range ${range.cidr} is being moved to IPAM pool ${range.range.transfer.ipamPoolId}`);
  }
  const advertised: RangeRecord = { ...range, advertised: true, originAsn: AMAZON_ASN };
  await commitAnnouncing(deps, [rangeRecordWrite(advertised)], [rangeStateChange(advertised, before)]);
  return { ByoipCidr: presentRange(advertised, before) };
}

async function withdrawRange(deps: Dependencies, range: RangeRecord) {
  if (!range.advertised) throw new IpamError('IncorrectState', `The BYOIP CIDR ${range.cidr} is not advertised`);
  const withdrawn: RangeRecord = { ...range, advertised: false, originAsn: undefined };
  await commitAnnouncing(deps, [rangeRecordWrite(withdrawn)], [rangeStateChange(withdrawn, 'advertised')]);
  return { ByoipCidr: presentRange(withdrawn, 'advertised') };
}
