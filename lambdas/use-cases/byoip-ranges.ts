// EC2's own BYOIP, outside IPAM (issue 21): ProvisionByoipCidr, DeprovisionByoipCidr, and the
// IPv6 address pools such ranges create (DescribeIpv6Pools, GetAssociatedIpv6PoolCidrs).
//
// A range is proved by the same signed message as an IPAM BYOIP CIDR (remarks-x509, checked by
// the provision-byoip-range workflow against the range's RDAP certificate) and gets an address
// pool of its own (`ipv4pool-ec2-…`, `ipv6pool-ec2-…`), answered as its StatusMessage. It lives
// on the account's BYOIP record of its Region and CIDR (ByoipCidrAdvertisement.range), beside the
// advertisement, so DescribeByoipCidrs, Advertise and Withdraw see one record per CIDR.
//
// An IPv4 range's pool is a public IPv4 pool like CreatePublicIpv4Pool's (as in EC2): its
// successful verification creates the `public-ipv4-pool` record (public-ipv4-pools.ts), which
// then holds the range's addresses for Elastic IPs; the range record keeps only the pool's id.
import { parseAuthorizationMessage } from '../domain/byoip-verification.ts';
import { type Cidr, cidrsOverlap, formatCidr, parseCidr } from '../domain/cidr.ts';
import { awsWords, IpamError } from '../domain/errors.ts';
import { byoipRangeRetainedUntil, isForgottenByoipRange } from '../domain/expiry.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newByoipAddressPoolId } from '../domain/ids.ts';
import type { ByoipCidrAdvertisement, ByoipRange } from '../domain/model/public-space.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { ByoipVerificationFailed, requireMostSpecificByoip, verifySignedCidrMessage } from './byoip-provisioning.ts';
import { retryOnConflict } from './free-space.ts';
import { byoipPublicIpv4Pool, publicIpv4PoolDeleted } from './public-ipv4-pools.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import type { Announcement } from './kernel/outbox.ts';
import { commitAnnouncing } from './kernel/outbox.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { commitAndStart } from './kernel/workflow.ts';

/** A BYOIP record that holds a range outside IPAM. */
export type RangeRecord = ByoipCidrAdvertisement & { range: ByoipRange };

/** The record's range unless it was forgotten (finished long enough ago). */
export function liveRange(record: ByoipCidrAdvertisement | undefined, now: Date): RangeRecord | undefined {
  return record?.range && !isForgottenByoipRange(record.range, now) ? (record as RangeRecord) : undefined;
}

/** A range EC2 still holds for the account: provisioning or provisioned, and not moved into IPAM. */
const holdsRange = (range: ByoipRange) =>
  (range.state === 'pending-provision' || range.state === 'provisioned') && range.transfer?.state !== 'complete-transfer';

/** The account's ranges outside IPAM in a Region that DescribeByoipCidrs lists (a moved one is IPAM's now). */
export async function listedRanges(deps: Dependencies, ownerId: string, region: string): Promise<RangeRecord[]> {
  const now = deps.now();
  return (await deps.store.listByoipAdvertisements(ownerId, region))
    .map((record) => liveRange(record, now))
    .filter((record): record is RangeRecord => record !== undefined && record.range.transfer?.state !== 'complete-transfer');
}

/** The caller's range outside IPAM in the request's Region, by its text in any spelling. */
export async function findRange(deps: Dependencies, context: RequestContext, cidrText: string): Promise<RangeRecord | undefined> {
  const cidr = formatCidr(parseCidr(cidrText));
  return liveRange(await deps.store.getByoipAdvertisement(context.accountId, context.region, cidr), deps.now());
}

/** The ByoipCidr answer: StatusMessage is the address pool on success and the reason on failure (the EC2 model's words). */
export function presentRange(record: RangeRecord, state = rangeState(record)) {
  const { range } = record;
  return {
    Cidr: record.cidr,
    Description: range.description,
    StatusMessage:
      range.state === 'failed-provision' ? range.failureMessage : range.state === 'pending-provision' ? undefined : range.poolId,
    State: state,
    NetworkBorderGroup: range.networkBorderGroup,
    AsnAssociations: record.associatedAsns.map((Asn) => ({ Asn, Cidr: record.cidr, State: 'associated' })),
  };
}

export function rangeState(record: RangeRecord): string {
  if (record.range.state !== 'provisioned') return record.range.state;
  if (record.advertised) return 'advertised';
  return record.range.publiclyAdvertisable ? 'provisioned' : 'provisioned-not-publicly-advertisable';
}

/** The write that stores a changed record: its first write creates it. */
export const rangeRecordWrite = (changed: ByoipCidrAdvertisement): Write =>
  changed.version === 0
    ? { op: 'create', entity: { type: 'byoip-advertisement', value: { ...changed, version: 1 } } }
    : // Invariant: the record (range, advertisement, associations) is still as read.
      { op: 'update', entity: { type: 'byoip-advertisement', value: changed } };

/** The range's state change, announced as its owner in its Region. */
export function rangeStateChange(record: RangeRecord, previousState: string | undefined, state = rangeState(record)): Announcement {
  return {
    event: {
      'detail-type': 'BYOIP CIDR State Change',
      detail: {
        cidr: record.cidr,
        poolId: record.range.poolId,
        previousState,
        state,
        statusMessage: record.range.state === 'failed-provision' ? record.range.failureMessage : undefined,
      },
    },
    accountId: record.ownerId,
    region: record.region,
  };
}

interface ProvisionByoipCidrInput {
  Cidr: string;
  CidrAuthorizationContext?: { Message?: unknown; Signature?: unknown };
  PubliclyAdvertisable?: boolean;
  Description?: string;
  PoolTagSpecifications?: TagSpecification[];
  MultiRegion?: boolean;
  NetworkBorderGroup?: string;
}

export async function provisionByoipCidr(deps: Dependencies, context: RequestContext, input: ProvisionByoipCidrInput) {
  const cidr = parseCidr(input.Cidr);
  const text = formatCidr(cidr);
  if (cidr.family === 'ipv4' && input.PubliclyAdvertisable === false) {
    throw new IpamError(
      'InvalidParameterCombination',
      'PubliclyAdvertisable applies to IPv6 ranges only; an IPv4 range is always advertisable',
    );
  }
  const publiclyAdvertisable = input.PubliclyAdvertisable ?? true;
  requireMostSpecificByoip(cidr, publiclyAdvertisable, 'EC2 BYOIP');
  // The model calls MultiRegion "Reserved": nothing accepts it yet.
  if (input.MultiRegion === true) throw new IpamError('InvalidParameterValue', 'MultiRegion is reserved and cannot be true');
  const networkBorderGroup = requireNetworkBorderGroup(context.region, cidr, input.NetworkBorderGroup);
  const { Message, Signature } = input.CidrAuthorizationContext ?? {};
  if (typeof Message !== 'string' || typeof Signature !== 'string') {
    throw new IpamError('InvalidParameterCombination', awsWords.missingCidrAuthorizationContext());
  }
  parseAuthorizationMessage(Message); // a malformed message is the caller's mistake, refused now
  const poolTags = tagsFromSpecifications(input.PoolTagSpecifications, cidr.family === 'ipv4' ? 'ipv4pool-ec2' : 'ipv6pool-ec2');
  return retryOnConflict(async () => {
    const now = deps.now();
    const records = await deps.store.listByoipAdvertisements(context.accountId, context.region);
    for (const other of records) {
      const held = liveRange(other, now);
      // A range moved into IPAM still takes its space: IPAM holds it now.
      const occupies = held && (held.range.state === 'pending-provision' || held.range.state === 'provisioned');
      if (!occupies || !cidrsOverlap(parseCidr(held.cidr), cidr)) continue;
      const where =
        held.range.transfer?.state === 'complete-transfer' ? `moved to IPAM pool ${held.range.transfer.ipamPoolId}` : rangeState(held);
      throw new IpamError(
        'InvalidParameterValue',
        held.cidr === text
          ? `The range ${text} is already ${where} in ${context.region}`
          : `The range ${text} overlaps ${held.cidr}, which is ${where} in ${context.region}`,
      );
    }
    const existing = records.find((record) => record.cidr === text);
    const range: ByoipRange = {
      state: 'pending-provision',
      poolId: newByoipAddressPoolId(cidr.family),
      publiclyAdvertisable,
      description: input.Description,
      networkBorderGroup,
      poolTags,
      message: Message,
      signature: Signature,
    };
    const record: RangeRecord = {
      ...(existing ?? {
        ownerId: context.accountId,
        region: context.region,
        cidr: text,
        advertised: false,
        associatedAsns: [],
        version: 0,
      }),
      range,
    };
    await commitAndStart(
      deps,
      // Invariant (through the record's version or its absence): no other request provisioned this CIDR meanwhile.
      [rangeRecordWrite(record)],
      'provision-byoip-range',
      { ownerId: context.accountId, region: context.region, cidr: text },
      [rangeStateChange(record, undefined)],
    );
    return { ByoipCidr: presentRange(record) };
  });
}

/** The Region itself, or one of its Local Zone groups (`us-west-2-lax-1`) for IPv4. */
function requireNetworkBorderGroup(region: string, cidr: Cidr, requested: string | undefined): string {
  if (requested === undefined || requested === region) return region;
  if (cidr.family === 'ipv6') {
    throw new IpamError(
      'InvalidParameterValue',
      `BYOIPv6 ranges cannot be provisioned in Local Zones; the network border group must be ${region}`,
    );
  }
  if (!requested.startsWith(`${region}-`)) {
    throw new IpamError('InvalidParameterValue', `The network border group ${requested} is not in ${region}`);
  }
  return requested;
}

/** Workflow task: verify the signed message and settle the range as provisioned or failed-provision. A registry outage throws, to be retried. */
export async function verifyByoipRange(deps: Dependencies, ownerId: string, region: string, cidr: string): Promise<void> {
  const record = liveRange(await deps.store.getByoipAdvertisement(ownerId, region, cidr), deps.now());
  if (record?.range.state !== 'pending-provision') return; // settled already: a retried task does nothing
  let problem: string | undefined;
  try {
    await verifySignedCidrMessage(deps, ownerId, parseCidr(cidr), record.range.message, record.range.signature);
  } catch (error) {
    if (!(error instanceof ByoipVerificationFailed)) throw error;
    problem = error.message;
  }
  await settleRange(deps, record, problem);
}

/** Workflow task on the failure branch: the check could not be made, so the range is not provisioned. */
export async function failByoipRange(deps: Dependencies, ownerId: string, region: string, cidr: string, reason: string): Promise<void> {
  const record = liveRange(await deps.store.getByoipAdvertisement(ownerId, region, cidr), deps.now());
  if (record?.range.state !== 'pending-provision') return;
  await settleRange(deps, record, `Provisioning failed: ${reason}`);
}

async function settleRange(deps: Dependencies, pending: RangeRecord, problem: string | undefined): Promise<void> {
  const range: ByoipRange = problem
    ? { ...pending.range, state: 'failed-provision', failureMessage: problem, retainedUntil: byoipRangeRetainedUntil(deps.now()) }
    : { ...pending.range, state: 'provisioned' };
  const settled: RangeRecord = { ...pending, range };
  const pool = !problem && parseCidr(pending.cidr).family === 'ipv4' ? byoipPublicIpv4Pool({ ...pending, ...pending.range }) : undefined;
  // Invariant: the record is still pending, so it settles (and its IPv4 pool is made) exactly once.
  await commitAnnouncing(
    deps,
    [rangeRecordWrite(settled), ...(pool ? [pool.write] : [])],
    [rangeStateChange(settled, 'pending-provision'), ...(pool ? [pool.announcement] : [])],
  );
}

export async function deprovisionByoipCidr(deps: Dependencies, context: RequestContext, input: { Cidr: string }) {
  return retryOnConflict(async () => {
    const record = await findRange(deps, context, input.Cidr);
    if (!record || !holdsRange(record.range)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The CIDR ${input.Cidr} is not a BYOIP range provisioned to this account in ${context.region}`,
      );
    }
    if (record.range.state !== 'provisioned') throw new IpamError('IncorrectState', `The range ${record.cidr} is ${record.range.state}`);
    if (record.advertised)
      throw new IpamError('IncorrectState', `The range ${record.cidr} is advertised; withdraw it before deprovisioning it`);
    if (record.range.transfer?.state === 'pending-transfer') {
      throw new IpamError('IncorrectState', `The range ${record.cidr} is being moved to IPAM pool ${record.range.transfer.ipamPoolId}`);
    }
    // EC2 deletes the range's address pool, and refuses while "IP addresses [are] allocated from its address range".
    const pool = await deps.store.getPublicIpv4Pool(record.ownerId, record.range.poolId);
    if (pool && pool.allocated.length > 0) {
      throw new IpamError(
        'IncorrectState',
        `The range ${record.cidr} has ${pool.allocated.length} IP addresses allocated from its address range; release them before deprovisioning it`,
      );
    }
    const before = rangeState(record);
    // Nothing outside is asked, so the deprovision completes with the request; the answer is the
    // state it started from, as EC2 answers (describe-byoip-cidrs shows deprovisioned).
    const deprovisioned: RangeRecord = {
      ...record,
      range: { ...record.range, state: 'deprovisioned', retainedUntil: byoipRangeRetainedUntil(deps.now()) },
    };
    await commitAnnouncing(
      deps,
      // Invariant (the pool's delete): it is at the version read, so no Elastic IP took an address meanwhile.
      [
        rangeRecordWrite(deprovisioned),
        ...(pool ? [{ op: 'delete' as const, entity: { type: 'public-ipv4-pool' as const, value: pool } }] : []),
      ],
      [rangeStateChange(deprovisioned, before), ...(pool ? [publicIpv4PoolDeleted(pool)] : [])],
    );
    return { ByoipCidr: presentRange(deprovisioned, 'pending-deprovision') };
  });
}

// ---- IPv6 address pools -------------------------------------------------------------------------

interface Ipv6Pool {
  PoolId: string;
  Description?: string;
  PoolCidrBlocks: { Cidr: string }[];
  Tags: { Key: string; Value: string }[];
}

/** The Region's IPv6 pools of the account: one per provisioned BYOIPv6 range. */
async function ipv6Pools(deps: Dependencies, context: RequestContext): Promise<Ipv6Pool[]> {
  return (await listedRanges(deps, context.accountId, context.region))
    .filter((record) => record.range.state === 'provisioned' && parseCidr(record.cidr).family === 'ipv6')
    .map((record) => ({
      PoolId: record.range.poolId,
      Description: record.range.description,
      PoolCidrBlocks: [{ Cidr: record.cidr }],
      Tags: record.range.poolTags,
    }));
}

const poolNotFound = (poolId: string) => new IpamError('InvalidPoolID.NotFound', `The pool ID '${poolId}' does not exist`);

export async function describeIpv6Pools(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { PoolIds?: string[]; Filters?: Filter[] },
) {
  const matches = compileFilters<Ipv6Pool>(input.Filters, []);
  let pools = await ipv6Pools(deps, context);
  if (input.PoolIds?.length) {
    const missing = input.PoolIds.find((poolId) => !pools.some((pool) => pool.PoolId === poolId));
    if (missing) throw poolNotFound(missing);
    pools = pools.filter((pool) => input.PoolIds!.includes(pool.PoolId));
  }
  const query = queryFingerprint(['DescribeIpv6Pools', context.accountId, context.region, input.PoolIds, input.Filters]);
  const page = pageOf(deps.paginationSecret, query, pools.filter(matches), (pool) => pool.PoolId, input, 1000);
  return { Ipv6Pools: page.items, NextToken: page.nextToken };
}

/** Which CIDRs of the pool VPCs use: none, as nothing here associates IPv6 from an EC2 pool (Ipv6Pool of AssociateVpcCidrBlock). */
export async function getAssociatedIpv6PoolCidrs(deps: Dependencies, context: RequestContext, input: ListRequest & { PoolId: string }) {
  if (!(await ipv6Pools(deps, context)).some((pool) => pool.PoolId === input.PoolId)) throw poolNotFound(input.PoolId);
  return { Ipv6CidrAssociations: [] };
}
