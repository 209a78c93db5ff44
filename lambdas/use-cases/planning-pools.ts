// Resource planning pools (S13; spec §5.6, DN-24): a pool whose space is a CIDR of a VPC, so that
// the VPC's subnets can be created by netmask from it (or from the subnet pools below it).
//
// The VPC is a space of its own (space id = the VPC id), like a scope is for top-level pools: a
// planning pool's CIDR is an allocation in it, and the guide's rules follow from that — the CIDR
// must match one of the VPC's CIDR blocks, and each block backs one planning pool at a time.
// The space is seeded lazily: a block the VPC never gave to a planning pool is free without a
// free-block item (CreateVpc writes nothing more); the first provision takes it by listing it in
// `planningCidrs` on the VPC, and from then on it is a free block or an allocation like any space.
import { type Cidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { awsWords, IpamError, messages } from '../domain/errors.ts';
import type { Ipam, IpamScope } from '../domain/model/ipam.ts';
import type { IpamPool, IpamPoolSourceResource } from '../domain/model/pool.ts';
import { type Vpc, vpcCidrBlocks } from '../domain/model/vpc.ts';
import type { Write } from '../ports/store.ts';
import { findSpecificPlacement, takeWrites } from './free-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';

/** CreateIpamPool's SourceResource member (IpamPoolSourceResourceRequest). */
export interface SourceResourceInput {
  ResourceId?: string;
  ResourceType?: string;
  ResourceRegion?: string;
  ResourceOwner?: string;
}

const notDiscovered = (resourceId: string) =>
  new IpamError(
    'InvalidParameterValue',
    `The resource '${resourceId}' has not been discovered by IPAM, so it cannot be the source of a pool`,
  );

/**
 * The VPC a new resource planning pool plans, checked: a pool at the top of a scope (private for
 * IPv4), whose locale (given or derived) is the VPC's Region, for a VPC of the IPAM's account in
 * one of its operating Regions — the VPCs this IPAM discovers. Anything else is "not discovered".
 */
export async function planningSource(
  deps: Dependencies,
  context: RequestContext,
  target: { ipam: Ipam; scope: IpamScope; family: string; locale?: string; sourcePoolId?: string },
  input: SourceResourceInput,
): Promise<IpamPoolSourceResource> {
  if (target.sourcePoolId !== undefined) {
    throw new IpamError(
      'InvalidParameterCombination',
      'A resource planning pool takes its space from its SourceResource; it cannot also have a SourceIpamPoolId',
    );
  }
  if (input.ResourceId === undefined) throw new IpamError('MissingParameter', messages.missingParameter('SourceResource.ResourceId'));
  if ((input.ResourceType ?? 'vpc') !== 'vpc') {
    throw new IpamError('InvalidParameterValue', `SourceResource.ResourceType '${input.ResourceType}' is not supported; it must be vpc`);
  }
  // An IPv4 plan is of private space. An IPv6 plan lives in the scope its VPC block's pool is in:
  // private for a ULA (or private GUA) block, public for an Amazon-provided or BYOIP one — the
  // guide's tutorial runs "using an IPv6 CIDR range" of an Amazon-provided block, and EC2's
  // DeleteIpamPool cascades "pools in the public scope with a source resource". Which of the two
  // the CIDR provisioned must match is checked then (requirePlanningCidr).
  if (target.family === 'ipv4' && target.scope.IpamScopeType !== 'private') {
    throw new IpamError(
      'InvalidParameterCombination',
      `A resource planning pool plans a VPC's private IPv4 space: create it in a private scope, not ${target.scope.IpamScopeId}`,
    );
  }
  const region = input.ResourceRegion ?? target.locale ?? context.region;
  if (target.locale !== undefined && target.locale !== region) {
    throw new IpamError(
      'InvalidParameterCombination',
      `The locale of a resource planning pool is its VPC's Region ${region}, not ${target.locale}`,
    );
  }
  const owner = input.ResourceOwner ?? context.accountId;
  const discoverable = owner === target.ipam.OwnerId && target.ipam.OperatingRegions.some((operating) => operating.RegionName === region);
  const vpc = discoverable ? await deps.store.getVpc(owner, region, input.ResourceId) : undefined;
  if (!vpc) throw notDiscovered(input.ResourceId);
  if (target.family === 'ipv6' && !vpc.Ipv6CidrBlockAssociationSet?.length) {
    throw new IpamError('InvalidParameterValue', `The VPC ${vpc.VpcId} has no IPv6 CIDR block for an IPv6 resource planning pool to plan`);
  }
  return { ResourceId: input.ResourceId, ResourceType: 'vpc', ResourceRegion: region, ResourceOwner: owner };
}

/** A resource planning pool itself (not a pool below one): its CIDRs come from its VPC. */
export const isPlanningRoot = (pool: IpamPool) => pool.SourceResource !== undefined && pool.SourceIpamPoolId === undefined;

const vpcOf = (deps: Dependencies, resource: IpamPoolSourceResource) =>
  deps.store.getVpc(resource.ResourceOwner, resource.ResourceRegion, resource.ResourceId);

const isVpcCidr = (vpc: Vpc, cidr: string) => vpcCidrBlocks(vpc).includes(cidr);

/**
 * ProvisionIpamPoolCidr to a resource planning pool: "The CIDR you provision to the resource
 * planning pool must match the CIDR provisioned to the VPC" (guide, S13 step 2). Returns the
 * space the CIDR comes from: the VPC.
 */
export async function requirePlanningCidr(deps: Dependencies, pool: IpamPool, requested: Cidr | undefined): Promise<string> {
  const source = pool.SourceResource!;
  if (!requested) {
    throw new IpamError(
      'InvalidParameterValue',
      `The CIDR of resource planning pool ${pool.IpamPoolId} must match a CIDR of VPC ${source.ResourceId}: give a Cidr, not a NetmaskLength`,
    );
  }
  const vpc = await vpcOf(deps, source);
  if (!vpc) throw new IpamError('InvalidVpcID.NotFound', messages.notFound('vpc', source.ResourceId));
  const text = formatCidr(requested);
  if (!isVpcCidr(vpc, text)) {
    throw new IpamError(
      'InvalidParameterValue',
      `The CIDR ${text} is not a CIDR of VPC ${vpc.VpcId} (${vpcCidrBlocks(vpc).join(', ')}): the CIDR provisioned to a resource planning pool must match a CIDR of the VPC`,
    );
  }
  await requirePlanningScope(deps, pool, vpc, text);
  return vpc.VpcId;
}

/**
 * An IPv6 block is planned in the scope of the pool it came from (public for Amazon-provided or
 * BYOIP space, private for ULA): a planning pool of the other scope is refused. A block whose
 * pool is gone (deleted since) may be planned in either.
 */
async function requirePlanningScope(deps: Dependencies, pool: IpamPool, vpc: Vpc, cidr: string): Promise<void> {
  const association = vpc.Ipv6CidrBlockAssociationSet?.find((block) => block.Ipv6CidrBlock === cidr);
  const origin = association && (await deps.store.getPool(association.Ipv6Pool));
  if (origin && origin.IpamScopeType !== pool.IpamScopeType) {
    throw new IpamError(
      'InvalidParameterValue',
      `The IPv6 CIDR ${cidr} of VPC ${vpc.VpcId} comes from ${origin.IpamScopeType}-scope pool ${origin.IpamPoolId}: plan it with a resource planning pool of the ${origin.IpamScopeType} scope, not the ${pool.IpamScopeType} one`,
    );
  }
}

/**
 * The provisioning workflow's take of a planning pool's CIDR from its VPC: the writes, or why
 * the CIDR is not available (the VPC is gone, or another planning pool holds the block).
 */
export async function takePlanningCidr(
  deps: Dependencies,
  pool: IpamPool,
  cidr: Cidr,
): Promise<{ writes: Write[]; within: string } | { refusal: string }> {
  const source = pool.SourceResource!;
  const vpc = await vpcOf(deps, source);
  const text = formatCidr(cidr);
  if (!vpc) return { refusal: `VPC ${source.ResourceId} no longer exists` };
  if (!isVpcCidr(vpc, text)) return { refusal: `The CIDR ${text} is no longer a CIDR of VPC ${vpc.VpcId}` };
  if (!vpc.planningCidrs?.includes(text)) {
    // Invariant (update): the VPC is at the version read, so its block is seeded once, taken whole
    // by this provision; the VPC is not being deleted meanwhile either.
    return {
      writes: [{ op: 'update', entity: { type: 'vpc', value: { ...vpc, planningCidrs: [...(vpc.planningCidrs ?? []), text] } } }],
      within: text,
    };
  }
  const placement = await findSpecificPlacement(deps.store, vpc.VpcId, cidr);
  if (!placement) return { refusal: `The CIDR ${text} of VPC ${vpc.VpcId} is provisioned to another resource planning pool` };
  return {
    writes: [
      ...(await takeWrites(deps.store, placement)),
      // Invariant (check): the VPC still exists at the version read (DeleteVpc deletes it at its own).
      { op: 'check', entity: { type: 'vpc', value: vpc } },
    ],
    within: text,
  };
}

/**
 * DeleteVpc's part: a VPC whose CIDR is provisioned to a planning pool is a DependencyViolation;
 * otherwise its space's free blocks go with it.
 */
export function planningSpaceDeletes(deps: Dependencies, vpc: Vpc): Promise<Write[]> {
  return planningSpaceBlockDeletes(
    deps,
    vpc,
    vpc.planningCidrs ?? [],
    (held) =>
      new IpamError(
        'DependencyViolation',
        `The vpc '${vpc.VpcId}' has dependencies and cannot be deleted: its CIDR ${held.join(', ')} is provisioned to a resource planning pool`,
      ),
  );
}

/**
 * DisassociateVpcCidrBlock's part: a block provisioned to a planning pool stays
 * (InvalidCidrBlock.InUse); otherwise its free block in the VPC's space goes with it (the caller
 * drops it from `planningCidrs`).
 */
export function planningBlockDeletes(deps: Dependencies, vpc: Vpc, cidr: string): Promise<Write[]> {
  return planningSpaceBlockDeletes(
    deps,
    vpc,
    [cidr],
    () =>
      new IpamError(
        'InvalidCidrBlock.InUse',
        `The CIDR block ${cidr} of vpc ${vpc.VpcId} is provisioned to a resource planning pool: deprovision it from the pool first`,
      ),
  );
}

/** The deletes of the free blocks `cidrs` of the VPC's space (those ever seeded), or `refusal` when a planning pool holds one. */
async function planningSpaceBlockDeletes(
  deps: Dependencies,
  vpc: Vpc,
  cidrs: readonly string[],
  refusal: (held: string[]) => IpamError,
): Promise<Write[]> {
  const seeded = cidrs.filter((cidr) => vpc.planningCidrs?.includes(cidr)).map(parseCidr);
  if (seeded.length === 0) return [];
  const free = await deps.store.getFreeBlocks(vpc.VpcId, seeded);
  const held = seeded.map(formatCidr).filter((cidr) => !free.some((block) => block.cidr === cidr));
  if (held.length > 0) throw refusal(held);
  // Invariant (delete): each block is still free, so no planning pool took it since it was read.
  return free.map((block): Write => ({ op: 'delete', entity: { type: 'free-block', value: block } }));
}

/** CreateSubnet from a pool: the pool plans this very VPC (a resource planning pool of it, or a pool below one). */
export function requirePlanningPoolOf(pool: IpamPool, vpc: Vpc): void {
  const planned = pool.planningResource;
  if (!planned) throw new IpamError('InvalidParameterValue', awsWords.missingSourceResource(pool.IpamPoolId));
  if (planned.ResourceId === vpc.VpcId && planned.ResourceOwner === vpc.OwnerId && planned.ResourceRegion === vpc.region) return;
  throw new IpamError(
    'InvalidParameterValue',
    `IPAM pool ${pool.IpamPoolId} is not a resource planning pool of VPC ${vpc.VpcId}: a subnet's CIDR comes from a pool planned within its VPC`,
  );
}
