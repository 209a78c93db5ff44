// GetIpamResourceCidrs and ModifyIpamResourceCidr (spec §8, §9): the sweep's verdicts on the
// resource CIDRs of a scope, and the user's say over them — ignore, un-ignore, move to another
// private scope. Decisions are kept in a ResourceCidrOverride, which later sweeps honour.
import { containsCidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError } from '../domain/errors.ts';
import { MANAGEABLE_TYPES } from '../domain/discovery.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import type { IpamScope } from '../domain/model/ipam.ts';
import type { IpamResourceCidr, ResourceCidrOverride } from '../domain/model/monitoring.ts';
import type { IpamPoolAllocation } from '../domain/model/pool.ts';
import type { Write } from '../ports/store.ts';
import { releaseAllocation } from './allocations.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { requireScope } from './kernel/lookup.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { resourceCidrWrites } from './sweep/resource-cidr-records.ts';
import { reevaluateIpamResolvers } from './prefix-list-resolver-evaluation.ts';

const presentResourceCidr = (record: IpamResourceCidr) => publicView(record);

/** Resource types IPAM can manage (allocate to): they carry management, compliance and overlap states (spec §8.1, DN-36). */

interface GetIpamResourceCidrsInput extends ListRequest {
  IpamScopeId: string;
  IpamPoolId?: string;
  ResourceId?: string;
  ResourceType?: string;
  ResourceTag?: { Key?: string; Value?: string };
  ResourceOwner?: string;
  Filters?: Filter[];
}

const RESOURCE_CIDR_FILTER_FIELDS = [
  'IpamPoolId',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ResourceCidr',
  'ResourceRegion',
  'ResourceOwnerId',
  'ManagementState',
  'ComplianceStatus',
  'OverlapStatus',
  'VpcId',
  'AvailabilityZoneId',
] as const;

/** One resource CIDR per region, resource and CIDR in a scope: the store's key, and the paging order. */
const resourceCidrId = (record: IpamResourceCidr) => `${record.ResourceRegion}#${record.ResourceId}#${record.ResourceCidr}`;

export async function getIpamResourceCidrs(deps: Dependencies, context: RequestContext, input: GetIpamResourceCidrsInput) {
  // `tag:<key>` and `tag-key` filters look at the resource's tags.
  const filtersMatch = compileFilters<IpamResourceCidr & { Tags: IpamResourceCidr['ResourceTags'] }>(
    input.Filters,
    RESOURCE_CIDR_FILTER_FIELDS,
  );
  const scope = await requireScope(deps, context, input.IpamScopeId);
  const tag = input.ResourceTag;
  const matches = (record: IpamResourceCidr) =>
    (input.IpamPoolId === undefined || record.IpamPoolId === input.IpamPoolId) &&
    (input.ResourceId === undefined || record.ResourceId === input.ResourceId) &&
    (input.ResourceType === undefined || record.ResourceType === input.ResourceType) &&
    (input.ResourceOwner === undefined || record.ResourceOwnerId === input.ResourceOwner) &&
    (tag?.Key === undefined ||
      record.ResourceTags.some((each) => each.Key === tag.Key && (tag.Value === undefined || each.Value === tag.Value))) &&
    filtersMatch({ ...record, Tags: record.ResourceTags });
  const records = (await deps.store.listResourceCidrs(scope.IpamScopeId)).filter(matches);
  const { MaxResults, NextToken, ...query } = input;
  const page = pageOf(
    deps.paginationSecret,
    queryFingerprint(['GetIpamResourceCidrs', context.accountId, query]),
    records,
    resourceCidrId,
    input,
    1000,
  );
  return { IpamResourceCidrs: page.items.map(presentResourceCidr), NextToken: page.nextToken };
}

interface ModifyIpamResourceCidrInput {
  ResourceId: string;
  ResourceCidr: string;
  ResourceRegion: string;
  CurrentIpamScopeId: string;
  DestinationIpamScopeId?: string;
  Monitored: boolean;
}

export async function modifyIpamResourceCidr(deps: Dependencies, context: RequestContext, input: ModifyIpamResourceCidrInput) {
  const scope = await requireScope(deps, context, input.CurrentIpamScopeId);
  const cidr = formatCidr(parseCidr(input.ResourceCidr));
  if (scope.IpamScopeType === 'public' && !input.Monitored) {
    throw new IpamError('InvalidParameterValue', `Resource CIDRs in the public scope ${scope.IpamScopeId} cannot be ignored`);
  }
  const destination =
    input.DestinationIpamScopeId === undefined || input.DestinationIpamScopeId === scope.IpamScopeId
      ? undefined
      : await requireScope(deps, context, input.DestinationIpamScopeId);
  const found = await deps.store.getResourceCidr(scope.IpamScopeId, input.ResourceRegion, input.ResourceId, cidr);
  if (!found) {
    throw new IpamError(
      'InvalidParameterValue',
      `The resource CIDR ${cidr} of resource '${input.ResourceId}' in Region ${input.ResourceRegion} does not exist in scope ${scope.IpamScopeId}`,
    );
  }
  if (destination) requireMovable(found, scope, destination);

  let record = await (input.Monitored ? monitor(deps, found) : ignore(deps, found));
  if (destination) record = await moveToScope(deps, record, destination);
  // Ignoring or moving a CIDR can change what prefix list resolvers select.
  await reevaluateIpamResolvers(deps, scope.ipamId);
  return { IpamResourceCidr: presentResourceCidr(record) };
}

/** Spec §9: VPC CIDRs only, from one private scope to another of the same IPAM and owner. */
function requireMovable(record: IpamResourceCidr, from: IpamScope, to: IpamScope): void {
  if (record.ResourceType !== 'vpc') {
    throw new IpamError(
      'InvalidParameterValue',
      `Only VPC CIDRs can move between scopes; ${record.ResourceId} is a ${record.ResourceType}`,
    );
  }
  if (from.IpamScopeType !== 'private' || to.IpamScopeType !== 'private') {
    throw new IpamError(
      'InvalidParameterValue',
      `VPC CIDRs move only between private scopes; ${from.IpamScopeId} → ${to.IpamScopeId} involves a public scope`,
    );
  }
  if (from.ipamId !== to.ipamId || from.OwnerId !== to.OwnerId) {
    throw new IpamError(
      'InvalidParameterCombination',
      `Scopes ${from.IpamScopeId} and ${to.IpamScopeId} belong to different IPAMs or owners`,
    );
  }
}

/**
 * Ignoring (spec §8.6, DN-37): the override keeps sweeps from judging or importing it again,
 * the record shows `ignored` (its history record closes and a new one opens), and the space its
 * allocation held goes back to the pool at once.
 */
async function ignore(deps: Dependencies, found: IpamResourceCidr): Promise<IpamResourceCidr> {
  const ignored = await retryOnConflict(async (attempt) => {
    const record = attempt === 0 ? found : await currentRecord(deps, found);
    const next = {
      ...record,
      IpamPoolId: undefined,
      ManagementState: 'ignored',
      ComplianceStatus: 'ignored',
      OverlapStatus: 'ignored',
    } as const;
    const override = await deps.store.getResourceCidrOverride(record.IpamId, record.ResourceRegion, record.ResourceId, record.ResourceCidr);
    await deps.store.commit([...overrideWrites(record, override, { ignored: true }), ...resourceCidrWrites(record, next, now(deps))]);
    return { record, next };
  });
  // After the commit: a crash in between leaves an ignored CIDR holding space, which the next sweep releases.
  const allocation = ignored.record.IpamPoolId ? await allocationOf(deps, ignored.record.IpamPoolId, ignored.record) : undefined;
  const pool = allocation && (await deps.store.getPool(allocation.ipamPoolId));
  if (allocation && pool) await releaseAllocation(deps, pool, allocation, 'ignored');
  return currentRecord(deps, ignored.next);
}

/** Un-ignoring (DN-37): unmanaged until the next sweep judges it (and auto-import may take it). */
async function monitor(deps: Dependencies, found: IpamResourceCidr): Promise<IpamResourceCidr> {
  return retryOnConflict(async (attempt) => {
    const record = attempt === 0 ? found : await currentRecord(deps, found);
    const override = await deps.store.getResourceCidrOverride(record.IpamId, record.ResourceRegion, record.ResourceId, record.ResourceCidr);
    if (record.ManagementState !== 'ignored' && !override?.ignored) return record;
    const manageable = MANAGEABLE_TYPES.has(record.ResourceType);
    const next =
      record.ManagementState === 'ignored'
        ? ({
            ...record,
            ManagementState: manageable ? 'unmanaged' : undefined,
            ComplianceStatus: manageable ? 'unmanaged' : undefined,
            OverlapStatus: manageable ? 'nonoverlapping' : undefined,
          } as const)
        : record;
    await deps.store.commit([...overrideWrites(record, override, { ignored: false }), ...resourceCidrWrites(record, next, now(deps))]);
    return currentRecord(deps, next);
  });
}

/**
 * Moving a VPC CIDR (spec §9, DN-38). While it is allocated from a pool the move waits (the
 * sweep completes it once the allocation is released); otherwise the CIDR and its subnets' CIDRs
 * leave this scope now and appear in the destination, each history record ending here and a
 * new one starting there.
 */
async function moveToScope(deps: Dependencies, found: IpamResourceCidr, destination: IpamScope): Promise<IpamResourceCidr> {
  const vpc = await retryOnConflict(async (attempt) => {
    const record = attempt === 0 ? found : await currentRecord(deps, found);
    const override = await deps.store.getResourceCidrOverride(record.IpamId, record.ResourceRegion, record.ResourceId, record.ResourceCidr);
    const allocated = record.IpamPoolId !== undefined && (await allocationOf(deps, record.IpamPoolId, record)) !== undefined;
    if (allocated) {
      await deps.store.commit(overrideWrites(record, override, { pendingMoveToScopeId: destination.IpamScopeId }));
      return undefined;
    }
    await deps.store.commit([
      ...overrideWrites(record, override, { scopeId: destination.IpamScopeId, pendingMoveToScopeId: undefined }),
      ...moveWrites(deps, record, destination),
    ]);
    return record;
  });
  // EC2 answers the destination scope even while the move waits (AWS CLI example modify-ipam-resource-cidr.rst: a managed CIDR).
  if (!vpc) return { ...found, IpamScopeId: destination.IpamScopeId };
  // Re-listing after a lost race finds only the subnets still to move.
  await retryOnConflict(() => moveSubnetsOf(deps, vpc, destination));
  return currentRecord(deps, { ...vpc, IpamScopeId: destination.IpamScopeId });
}

/** The VPC's subnet CIDRs inside the moved CIDR follow it, a few per transaction (each one's move is atomic). */
async function moveSubnetsOf(deps: Dependencies, vpc: IpamResourceCidr, destination: IpamScope): Promise<void> {
  const vpcCidr = parseCidr(vpc.ResourceCidr);
  const subnets = (await deps.store.listResourceCidrs(vpc.IpamScopeId)).filter(
    (record) =>
      record.ResourceType === 'subnet' &&
      record.VpcId === vpc.ResourceId &&
      record.ResourceRegion === vpc.ResourceRegion &&
      containsCidr(vpcCidr, parseCidr(record.ResourceCidr)),
  );
  const perCommit = 20; // at most 4 writes each: within DynamoDB's 100 items per transaction
  for (let i = 0; i < subnets.length; i += perCommit) {
    await deps.store.commit(subnets.slice(i, i + perCommit).flatMap((subnet) => moveWrites(deps, subnet, destination)));
  }
}

/** The record leaves its scope (history ends there) and the same verdict appears in `destination` (history starts there). */
function moveWrites(deps: Dependencies, record: IpamResourceCidr, destination: IpamScope): Write[] {
  const time = now(deps);
  return [
    ...resourceCidrWrites(record, undefined, time),
    ...resourceCidrWrites(undefined, { ...record, IpamScopeId: destination.IpamScopeId }, time),
  ];
}

/** Writes that make the CIDR's override carry `change` (none if it already does). */
function overrideWrites(
  record: IpamResourceCidr,
  override: ResourceCidrOverride | undefined,
  change: Partial<ResourceCidrOverride>,
): Write[] {
  if (override) {
    const next = { ...override, ...change };
    if (Object.entries(change).every(([name, value]) => override[name as keyof ResourceCidrOverride] === value)) return [];
    // Invariant: decided on the override as read; a concurrent ModifyIpamResourceCidr makes this fail and re-decide.
    return [{ op: 'update', entity: { type: 'resource-cidr-override', value: next } }];
  }
  const created: ResourceCidrOverride = {
    ipamId: record.IpamId,
    resourceRegion: record.ResourceRegion,
    resourceId: record.ResourceId,
    resourceCidr: record.ResourceCidr,
    ignored: false,
    ...change,
    version: 1,
  };
  // Invariant: one override per CIDR of an IPAM; a concurrent first modification makes this fail and re-decide.
  return [{ op: 'create', entity: { type: 'resource-cidr-override', value: created } }];
}

/** The allocation that holds the record's CIDR in `poolId`, if any (a rare administrative look-up, so a scan of the pool's allocations). */
async function allocationOf(deps: Dependencies, poolId: string, record: IpamResourceCidr): Promise<IpamPoolAllocation | undefined> {
  let after: string | undefined;
  do {
    const page = await deps.store.listAllocations(poolId, { limit: 1000, after });
    const allocation = page.items.find((candidate) => candidate.ResourceId === record.ResourceId && candidate.Cidr === record.ResourceCidr);
    if (allocation) return allocation;
    after = page.next;
  } while (after);
  return undefined;
}

type ResourceCidrKey = Pick<IpamResourceCidr, 'IpamScopeId' | 'ResourceRegion' | 'ResourceId' | 'ResourceCidr'>;

/** The stored record with the key of `record`: re-read after a lost race, and read back after a commit for the answer. */
async function currentRecord(deps: Dependencies, record: ResourceCidrKey): Promise<IpamResourceCidr> {
  const current = await deps.store.getResourceCidr(record.IpamScopeId, record.ResourceRegion, record.ResourceId, record.ResourceCidr);
  if (!current) {
    throw new IpamError(
      'InvalidParameterValue',
      `The resource CIDR ${record.ResourceCidr} of resource '${record.ResourceId}' no longer exists in scope ${record.IpamScopeId}`,
    );
  }
  return current;
}

const now = (deps: Dependencies) => deps.now().toISOString();
