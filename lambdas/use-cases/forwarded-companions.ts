// The EC2 companions in forwarding mode (issue 16): the VPCs, subnets and CIDR blocks live on an
// upstream EC2 endpoint (deps.ec2Upstream); this service does the IPAM part. A create that names
// a pool passes exactly the rules of the embedded path (vpcs.ts, allocations.ts), takes its space
// with an allocation and an intent record in one commit, calls the upstream with the explicit
// CIDR, then links the allocation to the id the upstream returned and deletes the intent. An
// upstream refusal releases the allocation and reaches the caller unchanged; no answer at all is
// settled by asking the upstream (resolveForwardedIntents, also run at start-up after a crash).
// Deletes go upstream first and release the allocation after the upstream's success.
// Requests without a pool go upstream as they are.
import { parseCidr } from '../domain/cidr.ts';
import { IpamError, UpstreamError } from '../domain/errors.ts';
import type { ForwardedIntent, ForwardedLink, ForwardedResourceKind } from '../domain/model/forwarded.ts';
import type { IpamPoolAllocation } from '../domain/model/pool.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { type AllocationRequest, placeAllocation, releaseAllocation, takeForResource } from './allocations.ts';
import { retryOnConflict } from './free-space.ts';
import { type Dependencies, type Output, type RequestContext, upstreamOf } from './kernel/context.ts';
import { subnetPoolRequest } from './subnets.ts';
import { vpcPoolRequest } from './vpc-blocks.ts';
import { requireSubnetIpv4Netmask, vpcIpv4Ask } from '../domain/vpc-cidr-rules.ts';

const ipv6PoolsNotForwarded = () =>
  new IpamError('InvalidParameterValue', 'IPv6 IPAM pools are not supported in forwarding mode yet (issue 16)');

/** The members only this service understands: the upstream gets the explicit CIDR instead. */
function withoutIpv4PoolMembers<T extends { Ipv4IpamPoolId?: string; Ipv4NetmaskLength?: number }>(input: T) {
  const { Ipv4IpamPoolId: _pool, Ipv4NetmaskLength: _netmask, ...rest } = input;
  return rest;
}

// ---- VPCs ----

type CreateVpcInput = {
  CidrBlock?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  TagSpecifications?: TagSpecification[];
};

export async function forwardCreateVpc(deps: Dependencies, context: RequestContext, input: CreateVpcInput): Promise<Output> {
  const upstream = upstreamOf(deps);
  if (input.Ipv6IpamPoolId !== undefined) throw ipv6PoolsNotForwarded();
  if (input.Ipv4IpamPoolId === undefined) return upstream.call(context.region, 'CreateVpc', input);
  const ask = vpcIpv4Ask(input)!;
  const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');
  const request = await vpcPoolRequest(deps, context, { ...ask, poolId: input.Ipv4IpamPoolId }, tags);
  const taken = await takeWithIntent(deps, context, request, { kind: 'vpc' });
  return createUpstream(
    deps,
    taken,
    (cidr) => upstream.call(context.region, 'CreateVpc', { ...withoutIpv4PoolMembers(input), CidrBlock: cidr }),
    (output) => (output.Vpc as { VpcId?: string } | undefined)?.VpcId,
  );
}

/** Deletes upstream, then releases the VPC's allocations: its primary CIDR's and those of its associated CIDR blocks. */
export async function forwardDeleteVpc(deps: Dependencies, context: RequestContext, input: { VpcId: string }): Promise<Output> {
  const output = await upstreamOf(deps).call(context.region, 'DeleteVpc', input);
  const links = await deps.store.listForwardedLinks(context.accountId, context.region);
  for (const link of links.filter((found) => found.resourceId === input.VpcId || found.vpcId === input.VpcId)) {
    await releaseLinked(deps, link);
  }
  return output;
}

type AssociateVpcCidrBlockInput = {
  VpcId: string;
  CidrBlock?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
};

/**
 * A secondary IPv4 CIDR block from a pool: the pool's rules apply to the VPC (its tags are read
 * upstream); the allocation names the VPC from the start, the link the association id.
 */
export async function forwardAssociateVpcCidrBlock(
  deps: Dependencies,
  context: RequestContext,
  input: AssociateVpcCidrBlockInput,
): Promise<Output> {
  const upstream = upstreamOf(deps);
  if (input.Ipv6IpamPoolId !== undefined) throw ipv6PoolsNotForwarded();
  if (input.Ipv4IpamPoolId === undefined) return upstream.call(context.region, 'AssociateVpcCidrBlock', input);
  const ask = vpcIpv4Ask(input)!;
  const { Vpcs } = await upstream.call(context.region, 'DescribeVpcs', { VpcIds: [input.VpcId] });
  const vpcTags = ((Vpcs as { Tags?: { Key: string; Value: string }[] }[] | undefined)?.[0]?.Tags ?? []).map(({ Key, Value }) => ({
    Key,
    Value,
  }));
  const request = await vpcPoolRequest(deps, context, { ...ask, poolId: input.Ipv4IpamPoolId }, vpcTags);
  const taken = await takeWithIntent(deps, context, request, { kind: 'vpc-cidr-block', vpcId: input.VpcId });
  return createUpstream(
    deps,
    taken,
    (cidr) => upstream.call(context.region, 'AssociateVpcCidrBlock', { ...withoutIpv4PoolMembers(input), CidrBlock: cidr }),
    (output) => (output.CidrBlockAssociation as { AssociationId?: string } | undefined)?.AssociationId,
  );
}

export async function forwardDisassociateVpcCidrBlock(
  deps: Dependencies,
  context: RequestContext,
  input: { AssociationId: string },
): Promise<Output> {
  const output = await upstreamOf(deps).call(context.region, 'DisassociateVpcCidrBlock', input);
  const link = await deps.store.getForwardedLink(context.accountId, context.region, input.AssociationId);
  if (link) await releaseLinked(deps, link);
  return output;
}

// ---- Subnets ----

type CreateSubnetInput = {
  VpcId: string;
  CidrBlock?: string;
  Ipv4IpamPoolId?: string;
  Ipv4NetmaskLength?: number;
  Ipv6IpamPoolId?: string;
  TagSpecifications?: TagSpecification[];
};

/** A subnet from a pool: any allocation's rules, the subnet netmask bound, and the pool's resource rules on the subnet's tags. */
export async function forwardCreateSubnet(deps: Dependencies, context: RequestContext, input: CreateSubnetInput): Promise<Output> {
  const upstream = upstreamOf(deps);
  if (input.Ipv6IpamPoolId !== undefined) throw ipv6PoolsNotForwarded();
  if (input.Ipv4IpamPoolId === undefined) return upstream.call(context.region, 'CreateSubnet', input);
  if (input.CidrBlock !== undefined && input.Ipv4NetmaskLength !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'Specify either CidrBlock or Ipv4NetmaskLength with Ipv4IpamPoolId, not both');
  }
  if (input.CidrBlock !== undefined) {
    const cidr = parseCidr(input.CidrBlock);
    requireSubnetIpv4Netmask(cidr.family === 'ipv4' ? cidr.prefixLength : -1, input.CidrBlock);
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'subnet');
  const request = await subnetPoolRequest(deps, context, { ...input, Ipv4IpamPoolId: input.Ipv4IpamPoolId }, tags);
  const taken = await takeWithIntent(deps, context, request, { kind: 'subnet', vpcId: input.VpcId });
  return createUpstream(
    deps,
    taken,
    (cidr) => upstream.call(context.region, 'CreateSubnet', { ...withoutIpv4PoolMembers(input), CidrBlock: cidr }),
    (output) => (output.Subnet as { SubnetId?: string } | undefined)?.SubnetId,
  );
}

export async function forwardDeleteSubnet(deps: Dependencies, context: RequestContext, input: { SubnetId: string }): Promise<Output> {
  const output = await upstreamOf(deps).call(context.region, 'DeleteSubnet', input);
  const link = await deps.store.getForwardedLink(context.accountId, context.region, input.SubnetId);
  if (link) await releaseLinked(deps, link);
  return output;
}

// ---- The IPAM part, shared by every forwarded create ----

interface Taken {
  allocation: IpamPoolAllocation;
  intent: ForwardedIntent;
}

/**
 * The space of a forwarded create: its allocation (`vpc` or `subnet`, the caller's, in the
 * request's Region; the resource id comes later, but a CIDR block's VPC is known) and its intent
 * in one commit.
 */
async function takeWithIntent(
  deps: Dependencies,
  context: RequestContext,
  request: AllocationRequest,
  resource: { kind: ForwardedResourceKind; vpcId?: string },
): Promise<Taken> {
  const { pool } = request;
  const owned = { ownerId: context.accountId, region: context.region };
  return retryOnConflict(async (attempt) => {
    const placement = await placeAllocation(deps, request, attempt);
    let intent: ForwardedIntent | undefined;
    const allocation = await takeForResource(
      deps,
      pool,
      placement,
      {
        type: resource.kind === 'subnet' ? 'subnet' : 'vpc',
        id: resource.kind === 'vpc-cidr-block' ? resource.vpcId : undefined,
        owner: context.accountId,
        region: context.region,
      },
      'api',
      ({ IpamPoolAllocationId, Cidr }) => {
        intent = {
          // One intent per allocation: the allocation's id names it.
          intentId: IpamPoolAllocationId,
          kind: resource.kind,
          ...owned,
          ipamPoolId: pool.IpamPoolId,
          ipamPoolAllocationId: IpamPoolAllocationId,
          cidr: Cidr,
          vpcId: resource.vpcId,
          createdAt: deps.now().toISOString(),
        };
        // Invariant (create): the intent is written with the allocation it names, so a crash
        // before the upstream answers leaves both for the recovery, never an orphan allocation.
        return [{ op: 'create', entity: { type: 'forwarded-intent', value: intent } }];
      },
    );
    return { allocation, intent: intent! };
  });
}

/**
 * Creates upstream with the allocated CIDR. Success links the allocation to the returned id; an
 * upstream refusal (4xx) releases it and is rethrown as the upstream worded it; no answer (a
 * timeout, a dropped connection) or a 5xx leaves it unknown whether the resource exists, so the
 * upstream is asked (and if it cannot be, the intent stays for the recovery).
 */
async function createUpstream(
  deps: Dependencies,
  taken: Taken,
  create: (cidr: string) => Promise<Output>,
  idOf: (output: Output) => string | undefined,
): Promise<Output> {
  let output: Output;
  try {
    output = await create(taken.allocation.Cidr);
  } catch (error) {
    // A 4xx is a refusal: nothing was made. A 5xx or no answer may have made it: ask.
    if (error instanceof UpstreamError && error.httpStatus < 500) await releaseIntent(deps, taken.intent);
    else await resolveIntent(deps, taken.intent).catch(() => undefined);
    throw error;
  }
  const resourceId = idOf(output);
  if (resourceId === undefined) {
    await resolveIntent(deps, taken.intent).catch(() => undefined);
    throw new Error(`The upstream answered ${taken.intent.kind} creation without an id`);
  }
  await linkIntent(deps, taken.intent, resourceId);
  return output;
}

/** Whether the intent is still open (not resolved by its create or by a recovery meanwhile). */
async function isOpen(deps: Dependencies, intent: ForwardedIntent): Promise<boolean> {
  return (await deps.store.listForwardedIntents()).some((open) => open.intentId === intent.intentId);
}

/** Links the intent's allocation to the upstream resource and closes the intent, in one commit. */
async function linkIntent(deps: Dependencies, intent: ForwardedIntent, resourceId: string): Promise<void> {
  const link: ForwardedLink = {
    resourceId,
    kind: intent.kind,
    ownerId: intent.ownerId,
    region: intent.region,
    ipamPoolId: intent.ipamPoolId,
    ipamPoolAllocationId: intent.ipamPoolAllocationId,
    cidr: intent.cidr,
    vpcId: intent.vpcId,
  };
  await retryOnConflict(async (attempt) => {
    if (attempt > 0 && !(await isOpen(deps, intent))) return;
    const allocation = await deps.store.getAllocation(intent.ipamPoolId, intent.ipamPoolAllocationId);
    const writes: Write[] = [
      // Invariant (delete): the intent is still open, so it is resolved exactly once.
      { op: 'delete', entity: { type: 'forwarded-intent', value: intent } },
      // Invariant (create): one link per upstream resource id.
      { op: 'create', entity: { type: 'forwarded-link', value: link } },
    ];
    if (allocation?.version !== undefined && allocation.ResourceId === undefined) {
      // Invariant (update): the allocation is still the one taken for this create, not released meanwhile.
      writes.push({
        op: 'update',
        entity: { type: 'allocation', value: { ...allocation, ResourceId: resourceId, version: allocation.version } },
      });
    }
    await deps.store.commit(writes);
  });
}

/** Releases the intent's allocation and closes the intent, in one commit. */
async function releaseIntent(deps: Dependencies, intent: ForwardedIntent): Promise<void> {
  const closeIntent = async (attempt: number): Promise<Write[]> =>
    attempt > 0 && !(await isOpen(deps, intent))
      ? []
      : // Invariant (delete): the intent is still open, so it is resolved exactly once.
        [{ op: 'delete', entity: { type: 'forwarded-intent', value: intent } }];
  const pool = await deps.store.getPool(intent.ipamPoolId);
  const allocation = pool && (await deps.store.getAllocation(intent.ipamPoolId, intent.ipamPoolAllocationId));
  if (pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, closeIntent))) return;
  // The allocation is gone already (a pool cascade): only the intent is left to close.
  await retryOnConflict(async (attempt) => deps.store.commit(await closeIntent(attempt)));
}

/** Releases the allocation of an upstream resource that is gone, with its link, in one commit. */
async function releaseLinked(deps: Dependencies, link: ForwardedLink): Promise<void> {
  const dropLink = async (attempt: number): Promise<Write[]> =>
    attempt > 0 && !(await deps.store.getForwardedLink(link.ownerId, link.region, link.resourceId))
      ? []
      : // Invariant (delete): the link still exists, so the allocation is released once.
        [{ op: 'delete', entity: { type: 'forwarded-link', value: link } }];
  const pool = await deps.store.getPool(link.ipamPoolId);
  const allocation = pool && (await deps.store.getAllocation(link.ipamPoolId, link.ipamPoolAllocationId));
  if (pool && allocation && (await releaseAllocation(deps, pool, allocation, 'api', undefined, dropLink))) return;
  await retryOnConflict(async (attempt) => deps.store.commit(await dropLink(attempt)));
}

// ---- Recovery ----

/** The upstream id of what the intent was creating, if the upstream has it (and it is not linked to another allocation yet). */
async function findCreated(deps: Dependencies, intent: ForwardedIntent): Promise<string | undefined> {
  const upstream = upstreamOf(deps);
  const unlinked = async (ids: (string | undefined)[]) => {
    for (const id of ids) {
      if (id !== undefined && !(await deps.store.getForwardedLink(intent.ownerId, intent.region, id))) return id;
    }
    return undefined;
  };
  switch (intent.kind) {
    case 'vpc': {
      const { Vpcs } = await upstream.call(intent.region, 'DescribeVpcs', {
        Filters: [{ Name: 'cidr-block-association.cidr-block', Values: [intent.cidr] }],
      });
      return unlinked(((Vpcs ?? []) as { VpcId?: string }[]).map((vpc) => vpc.VpcId));
    }
    case 'subnet': {
      const { Subnets } = await upstream.call(intent.region, 'DescribeSubnets', {
        Filters: [
          { Name: 'vpc-id', Values: [intent.vpcId] },
          { Name: 'cidr-block', Values: [intent.cidr] },
        ],
      });
      return unlinked(((Subnets ?? []) as { SubnetId?: string }[]).map((subnet) => subnet.SubnetId));
    }
    case 'vpc-cidr-block': {
      let vpcs: { CidrBlockAssociationSet?: { AssociationId?: string; CidrBlock?: string; CidrBlockState?: { State?: string } }[] }[];
      try {
        vpcs = (await upstream.call(intent.region, 'DescribeVpcs', { VpcIds: [intent.vpcId] })).Vpcs as typeof vpcs;
      } catch (error) {
        if (error instanceof UpstreamError && error.code === 'InvalidVpcID.NotFound') return undefined;
        throw error;
      }
      const associations = (vpcs?.[0]?.CidrBlockAssociationSet ?? []).filter(
        (association) =>
          association.CidrBlock === intent.cidr && ['associating', 'associated'].includes(association.CidrBlockState?.State ?? ''),
      );
      return unlinked(associations.map((association) => association.AssociationId));
    }
  }
}

/** Settles one intent by asking the upstream: the resource exists → link it; else release the allocation. */
async function resolveIntent(deps: Dependencies, intent: ForwardedIntent): Promise<'linked' | 'released'> {
  const resourceId = await findCreated(deps, intent);
  if (resourceId === undefined) {
    await releaseIntent(deps, intent);
    return 'released';
  }
  await linkIntent(deps, intent, resourceId);
  return 'linked';
}

/**
 * The recovery of forwarded creates: every intent older than `olderThanSeconds` (0 at start-up,
 * when the data-dir lock rules out a create in flight) is settled by asking the upstream. An
 * intent the upstream cannot be asked about now stays for the next run.
 */
export async function resolveForwardedIntents(
  deps: Dependencies,
  options: { olderThanSeconds: number },
): Promise<{ linked: number; released: number; unresolved: number }> {
  const cutoff = deps.now().getTime() - options.olderThanSeconds * 1000;
  const report = { linked: 0, released: 0, unresolved: 0 };
  for (const intent of await deps.store.listForwardedIntents()) {
    if (Date.parse(intent.createdAt) > cutoff) continue;
    try {
      report[await resolveIntent(deps, intent)]++;
    } catch (error) {
      report.unresolved++;
      deps.log.error('could not resolve a forwarded create', { intentId: intent.intentId, kind: intent.kind, error });
    }
  }
  return report;
}
