// MoveByoipCidrToIpam (S12, "Transfer a BYOIP IPv4 CIDR to IPAM"): the owner of a BYOIPv4 range
// provisioned outside IPAM moves it into a top-level public pool whose locale is the range's
// Region — its own pool, or another account's pool shared with it under the
// AWSRAMPermissionIpamPoolByoipCidrImport permission.
//
// The pool CIDR waits in pending-import and the range answers pending-transfer; the
// import-byoip-cidr workflow then provisions the CIDR to the pool allocated whole to the range's
// public IPv4 pool (ResourceType ec2-public-ipv4-pool, owned by the range's account) and marks the
// range complete-transfer in the same commit — or ends them failed-import and failed-transfer.
// The same commit gives the range's public IPv4 pool (made by ProvisionByoipCidr) that allocation,
// so its Elastic IPs stay and DeprovisionPublicIpv4PoolCidr later returns the block to the IPAM pool.
// Asking again answers the transfer's state, as the guide polls it (a failure once, with its reason).
import { formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { newAllocationId } from '../domain/ids.ts';
import type { IpamPool, IpamPoolAllocation } from '../domain/model/pool.ts';
import type { ByoipTransfer } from '../domain/model/public-space.ts';
import { findRange, liveRange, type RangeRecord, rangeRecordWrite } from './byoip-ranges.ts';
import type { Write } from '../ports/store.ts';
import { retryOnConflict } from './free-space.ts';
import { tierGuard } from './ipam-tiers.ts';
import { FreeTierRefusal } from '../domain/ipam-tier.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { findPoolCidr, requireSettled } from './kernel/lookup.ts';
import { acceptImport, completeProvision, failPoolCidr } from './pool-cidrs.ts';
import { sharedAccess } from './sharing/access.ts';

interface MoveByoipCidrToIpamInput {
  Cidr: string;
  IpamPoolId: string;
  IpamPoolOwner: string;
}

/** `pending-transfer` and `complete-transfer` are the guide's words; the model's ByoipCidrState has neither, and SDKs pass them through. */
const transferAnswer = (cidr: string, transfer: ByoipTransfer) => ({ ByoipCidr: { Cidr: cidr, State: transfer.state } });

export async function moveByoipCidrToIpam(deps: Dependencies, context: RequestContext, input: MoveByoipCidrToIpamInput) {
  const cidr = parseCidr(input.Cidr);
  const text = formatCidr(cidr);
  if (cidr.family === 'ipv6')
    throw new IpamError('InvalidParameterValue', `The CIDR ${text} is IPv6; only BYOIPv4 ranges can be moved to IPAM`);
  return retryOnConflict(async () => {
    const record = await findRange(deps, context, text);
    const notProvisioned = new IpamError(
      'InvalidParameterValue',
      `The CIDR ${text} is not a BYOIP range provisioned to this account in ${context.region}`,
    );
    if (!record) throw notProvisioned;
    const transfer = record.range.transfer;
    if (transfer?.ipamPoolId === input.IpamPoolId && transfer.state !== 'failed-transfer') return transferAnswer(text, transfer);
    if (transfer?.ipamPoolId === input.IpamPoolId && transfer.state === 'failed-transfer') {
      // The poll learns of the failure once, with the reason; asking again starts a new move.
      // Invariant: the range is still as read, so the failure is reported once.
      await deps.store.commit([rangeRecordWrite({ ...record, range: { ...record.range, transfer: undefined } })]);
      return { ByoipCidr: { Cidr: text, State: transfer.state, StatusMessage: transfer.failureMessage } };
    }
    if (record.range.state !== 'provisioned' || transfer?.state === 'complete-transfer') throw notProvisioned;
    if (transfer?.state === 'pending-transfer') {
      throw new IpamError('IncorrectState', `The range ${text} is already being moved to IPAM pool ${transfer.ipamPoolId}`);
    }
    if (record.advertised) throw new IpamError('IncorrectState', `The range ${text} is advertised; withdraw it before moving it to IPAM`);
    const pool = await requireImportPool(deps, context, input);
    const pending: ByoipTransfer = {
      ipamPoolId: pool.IpamPoolId,
      ipamPoolOwner: pool.OwnerId,
      ipamPoolCidrId: '',
      state: 'pending-transfer',
    };
    await acceptImport(
      deps,
      pool,
      cidr,
      (poolCidr) => [
        // Invariant: the range is still provisioned, withdrawn and not moving, as read.
        rangeRecordWrite({ ...record, range: { ...record.range, transfer: { ...pending, ipamPoolCidrId: poolCidr.IpamPoolCidrId } } }),
      ],
      { ownerId: context.accountId, region: context.region, cidr: text },
    );
    return transferAnswer(text, pending);
  });
}

/** The target pool: named with its owner, importable by the caller, top-level public BYOIPv4 for EC2 in the range's Region. */
async function requireImportPool(deps: Dependencies, context: RequestContext, input: MoveByoipCidrToIpamInput): Promise<IpamPool> {
  const notFound = new IpamError('InvalidIpamPoolId.NotFound', messages.notFound('ipam-pool', input.IpamPoolId));
  const pool = await deps.store.getPool(input.IpamPoolId);
  if (!pool || pool.OwnerId !== input.IpamPoolOwner) throw notFound;
  if (pool.OwnerId !== context.accountId) {
    const allows = await sharedAccess(deps, context.accountId, pool.IpamPoolArn, pool.OwnerId);
    if (!allows('ImportByoipCidrToIpam')) {
      // A principal that may see the pool learns it needs the import permission; anyone else learns nothing.
      if (allows('DescribeIpamPools')) throw new IpamError('UnauthorizedOperation', messages.unauthorized());
      throw notFound;
    }
  }
  if (pool.SourceIpamPoolId || pool.IpamScopeType !== 'public' || pool.PublicIpSource === 'amazon' || pool.AddressFamily !== 'ipv4') {
    throw new IpamError('InvalidParameterValue', `Pool ${pool.IpamPoolId} is not a top-level public IPv4 pool of brought (BYOIP) space`);
  }
  if (pool.AwsService !== 'ec2') throw new IpamError('InvalidParameterValue', `Pool ${pool.IpamPoolId} has no AwsService ec2`);
  if (pool.Locale !== context.region) {
    throw new IpamError(
      'InvalidParameterValue',
      `Pool ${pool.IpamPoolId} has locale ${pool.Locale}, not ${context.region}, the Region of the range`,
    );
  }
  requireSettled('pool', pool.IpamPoolId, pool.State);
  return pool;
}

interface ImportArgs {
  ownerId: string;
  region: string;
  cidr: string;
  poolId: string;
  poolCidrId: string;
}

/** Workflow task: provision the pending-import CIDR with its allocation and complete the range's transfer in one commit. */
export async function importByoipCidr(deps: Dependencies, args: ImportArgs): Promise<void> {
  await completeProvision(deps, args.poolId, args.poolCidrId, async (pool, cidr) => {
    const range = await movingRange(deps, args);
    if (!range) return { refusal: `The range ${cidr} is no longer provisioned in ${args.region} and moving to pool ${pool.IpamPoolId}` };
    const allocation: IpamPoolAllocation = {
      IpamPoolAllocationId: newAllocationId(),
      Cidr: cidr,
      ResourceId: range.range.poolId,
      ResourceType: 'ec2-public-ipv4-pool',
      ResourceRegion: args.region,
      ResourceOwner: args.ownerId,
      Tags: [],
      ipamPoolId: pool.IpamPoolId,
      within: cidr,
      createdAt: deps.now().toISOString(),
    };
    let guard: Write[];
    try {
      guard = await tierGuard(deps, [pool], args.ownerId);
    } catch (error) {
      // The IPAM moved to the free tier since the request: it takes no range of another account.
      if (error instanceof FreeTierRefusal) return { refusal: error.message };
      throw error;
    }
    const moved: RangeRecord = { ...range, range: { ...range.range, transfer: { ...range.range.transfer!, state: 'complete-transfer' } } };
    // The range's public IPv4 pool now holds the block through this allocation, so
    // DeprovisionPublicIpv4PoolCidr gives it back to the IPAM pool (S12 C5).
    const publicPool = await deps.store.getPublicIpv4Pool(args.ownerId, range.range.poolId);
    const held = publicPool && {
      ...publicPool,
      ranges: publicPool.ranges.map((entry) =>
        entry.cidr === cidr ? { ...entry, ipamPoolId: pool.IpamPoolId, ipamPoolAllocationId: allocation.IpamPoolAllocationId } : entry,
      ),
    };
    return {
      writes: [
        { op: 'create', entity: { type: 'allocation', value: allocation } },
        ...guard,
        // Invariant (the range's update): it is still provisioned and moving here, so it moves once.
        rangeRecordWrite(moved),
        // Invariant (the pool's update): it is at the version read (its Elastic IPs unchanged).
        ...(held ? [{ op: 'update' as const, entity: { type: 'public-ipv4-pool' as const, value: held } }] : []),
      ],
    };
  });
  // The provisioning may have ended the record failed-import (no room in the scope, the range gone): so does the transfer.
  const record = await findPoolCidr(deps, args.poolId, args.poolCidrId);
  if (record?.State === 'failed-import') await failTransfer(deps, args, record.FailureReason?.Message ?? 'Import failed');
}

/** Workflow task on the failure branch: the pool CIDR ends failed-import and the range failed-transfer (it stays provisioned outside IPAM). */
export async function failByoipImport(deps: Dependencies, args: ImportArgs, reason: string): Promise<void> {
  await failPoolCidr(deps, args.poolId, args.poolCidrId, reason);
  await failTransfer(deps, args, `Import failed: ${reason}`);
}

async function movingRange(deps: Dependencies, args: ImportArgs): Promise<RangeRecord | undefined> {
  const range = liveRange(await deps.store.getByoipAdvertisement(args.ownerId, args.region, args.cidr), deps.now());
  const transfer = range?.range.transfer;
  const moving =
    range?.range.state === 'provisioned' && transfer?.state === 'pending-transfer' && transfer.ipamPoolCidrId === args.poolCidrId;
  return moving ? range : undefined;
}

async function failTransfer(deps: Dependencies, args: ImportArgs, reason: string): Promise<void> {
  await retryOnConflict(async () => {
    const range = await movingRange(deps, args);
    if (!range) return;
    const failed: RangeRecord = {
      ...range,
      range: { ...range.range, transfer: { ...range.range.transfer!, state: 'failed-transfer', failureMessage: reason } },
    };
    // Invariant: the transfer is still pending, so it fails once.
    await deps.store.commit([rangeRecordWrite(failed)]);
  });
}
