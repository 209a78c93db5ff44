// CreateIpamPool, DescribeIpamPools, ModifyIpamPool, DeleteIpamPool (and its cascade).
import { awsWords, IpamError, messages } from '../domain/errors.ts';
import { arnOf, newPoolId } from '../domain/ids.ts';
import { type AddressFamily, addressBits } from '../domain/cidr.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import type { Tag } from '../domain/model/record.ts';
import { type NetmaskRules, validateNetmaskRules } from '../domain/pool-rules.ts';
import { mergeTags, removeTags, type TagSpecification, tagsFromSpecifications, validTag } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { releaseAllocationsOfPool } from './allocations.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { requireIpam, requireModification, requirePoolInHomeRegion, requireScope, requireSettled } from './kernel/lookup.ts';
import { deprovisionAllCidrs } from './pool-cidrs.ts';
import { planningSource, type SourceResourceInput } from './planning-pools.ts';
import { commitAndStart } from './kernel/workflow.ts';

const POOLS_PER_SCOPE = 50;
const MAX_POOL_DEPTH = 10;
const NO_LOCALE = 'None';

/**
 * A pool as EC2 answers it (AWS CLI examples create-ipam-pool.rst, delete-ipam-pool.rst): the
 * netmask bounds always, 0 and 32 (128) when the pool sets none; AllocationResourceTags only when
 * there are some; PubliclyAdvertisable only on BYOIP pools, the only ones it may be set on.
 */
export const presentPool = (pool: IpamPool) =>
  publicView({
    ...pool,
    AllocationMinNetmaskLength: pool.AllocationMinNetmaskLength ?? 0,
    AllocationMaxNetmaskLength: pool.AllocationMaxNetmaskLength ?? addressBits(pool.AddressFamily),
    AllocationResourceTags: pool.AllocationResourceTags.length > 0 ? pool.AllocationResourceTags : undefined,
    // Pools created by 0.1.0 hold true on Amazon-provided IPv6 pools; EC2 answers none there.
    PubliclyAdvertisable: pool.PublicIpSource === 'byoip' ? pool.PubliclyAdvertisable : undefined,
  });

type ResourceTagInput = { Key?: string; Value?: string }[] | undefined;
const resourceTags = (tags: ResourceTagInput): Tag[] => (tags ?? []).map(validTag);

interface CreateIpamPoolInput extends NetmaskRules {
  IpamScopeId: string;
  AddressFamily: AddressFamily;
  Locale?: string;
  SourceIpamPoolId?: string;
  Description?: string;
  AutoImport?: boolean;
  PubliclyAdvertisable?: boolean;
  AllocationResourceTags?: { Key?: string; Value?: string }[];
  TagSpecifications?: TagSpecification[];
  AwsService?: 'ec2' | 'global-services';
  PublicIpSource?: 'amazon' | 'byoip';
  SourceResource?: SourceResourceInput;
}

export async function createIpamPool(deps: Dependencies, context: RequestContext, input: CreateIpamPoolInput) {
  const family = input.AddressFamily;
  validateNetmaskRules(family, input);
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-pool');
  const allocationResourceTags = resourceTags(input.AllocationResourceTags);
  const requestedLocale = input.Locale === undefined || input.Locale === NO_LOCALE ? undefined : input.Locale;

  return retryOnConflict(async () => {
    const scope = await requireScope(deps, context, input.IpamScopeId);
    requireSettled('scope', scope.IpamScopeId, scope.State);
    const ipam = await requireIpam(deps, context, scope.ipamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    const isPublic = scope.IpamScopeType === 'public';
    if (!isPublic && (input.AwsService !== undefined || input.PublicIpSource !== undefined)) {
      throw new IpamError('InvalidParameterCombination', 'AwsService and PublicIpSource can only be set on pools in a public scope');
    }
    if (ipam.Tier === 'free' && !isPublic) {
      throw new IpamError('InvalidParameterValue', 'Pools in a private scope require the advanced tier; this IPAM is on the free tier');
    }

    const source = input.SourceIpamPoolId === undefined ? undefined : await requirePoolInHomeRegion(deps, context, input.SourceIpamPoolId);
    let locale = requestedLocale;
    // A resource planning pool (S13): its locale is its VPC's Region; pools below it inherit both.
    const sourceResource =
      input.SourceResource === undefined
        ? undefined
        : await planningSource(deps, context, { ipam, scope, family, locale, sourcePoolId: input.SourceIpamPoolId }, input.SourceResource);
    if (sourceResource) locale = sourceResource.ResourceRegion;
    if (source) {
      requireSettled('pool', source.IpamPoolId, source.State);
      if (source.ipamScopeId !== scope.IpamScopeId) {
        throw new IpamError(
          'InvalidParameterCombination',
          `The source pool ${source.IpamPoolId} is in another scope than ${scope.IpamScopeId}`,
        );
      }
      if (source.AddressFamily !== family) {
        throw new IpamError(
          'InvalidParameterCombination',
          `The address family ${family} differs from the source pool's ${source.AddressFamily}`,
        );
      }
      if (source.PoolDepth + 1 > MAX_POOL_DEPTH) {
        throw new IpamError(
          'ResourceLimitExceeded',
          `You've reached the limit for pool depth. Pools can be nested at most ${MAX_POOL_DEPTH} deep.`,
        );
      }
      if (source.Locale !== NO_LOCALE) {
        if (locale !== undefined && locale !== source.Locale) {
          throw new IpamError(
            'InvalidParameterCombination',
            `A locale can only be chosen when the source pool's locale is None; ${source.IpamPoolId} has locale ${source.Locale}`,
          );
        }
        locale = source.Locale;
      }
    }
    // A public-scope resource planning pool (IPv6) takes its space from its VPC, neither Amazon nor BYOIP.
    const planned = sourceResource ?? source?.planningResource;
    const publicIpSource = isPublic && !planned ? publicIpSourceOf(input, source) : undefined;
    if (input.PubliclyAdvertisable !== undefined && !(family === 'ipv6' && publicIpSource === 'byoip')) {
      throw new IpamError('InvalidParameterCombination', awsWords.publiclyAdvertisableOnlyByoipv6());
    }
    if (publicIpSource === 'amazon' && input.AwsService === 'global-services') {
      throw new IpamError('InvalidParameterCombination', 'AwsService global-services is for BYOIP space only, not Amazon-provided space');
    }
    if (locale !== undefined && !ipam.OperatingRegions.some((region) => region.RegionName === locale)) {
      throw new IpamError('InvalidParameterValue', `The locale ${locale} is not an operating Region of IPAM ${ipam.IpamId}`);
    }
    if (ipam.Tier === 'free' && locale !== undefined && locale !== ipam.IpamRegion) {
      throw new IpamError('InvalidParameterValue', `On the free tier a pool's locale must be the IPAM's home Region ${ipam.IpamRegion}`);
    }
    if (input.AutoImport && planned) throw autoImportInPlanning();
    if (scope.PoolCount >= POOLS_PER_SCOPE) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('pools', scope.PoolCount, POOLS_PER_SCOPE));
    }

    const poolId = newPoolId();
    const pool: IpamPool = {
      OwnerId: context.accountId,
      IpamPoolId: poolId,
      SourceIpamPoolId: source?.IpamPoolId,
      IpamPoolArn: arnOf(context.accountId, 'ipam-pool', poolId),
      IpamScopeArn: scope.IpamScopeArn,
      IpamScopeType: scope.IpamScopeType,
      IpamArn: ipam.IpamArn,
      IpamRegion: ipam.IpamRegion,
      Locale: locale ?? NO_LOCALE,
      PoolDepth: source ? source.PoolDepth + 1 : 1,
      State: 'create-in-progress',
      Description: input.Description,
      AutoImport: input.AutoImport ?? false,
      // As sent, on BYOIPv6 pools only; Amazon-provided IPv6 is advertised regardless (UG L823) and answers none.
      PubliclyAdvertisable: input.PubliclyAdvertisable,
      AddressFamily: family,
      AllocationMinNetmaskLength: input.AllocationMinNetmaskLength,
      AllocationMaxNetmaskLength: input.AllocationMaxNetmaskLength,
      AllocationDefaultNetmaskLength: input.AllocationDefaultNetmaskLength,
      AllocationResourceTags: allocationResourceTags,
      Tags: tags,
      AwsService: input.AwsService,
      PublicIpSource: publicIpSource,
      SourceResource: sourceResource,
      planningResource: sourceResource ?? source?.planningResource,
      ipamId: ipam.IpamId,
      ipamScopeId: scope.IpamScopeId,
      provisionedCidrCount: 0,
      childPoolCount: 0,
      version: 1,
    };
    const writes: Write[] = [
      { op: 'create', entity: { type: 'pool', value: pool } },
      // Invariant: PoolCount stays within the quota and the scope still exists.
      { op: 'update', entity: { type: 'scope', value: { ...scope, PoolCount: scope.PoolCount + 1 } } },
      // Invariant: the IPAM is not being deleted meanwhile.
      { op: 'check', entity: { type: 'ipam', value: ipam } },
    ];
    if (source) {
      // Invariant: childPoolCount counts the pools sourced from this one, so it cannot be deleted under them.
      writes.push({ op: 'update', entity: { type: 'pool', value: { ...source, childPoolCount: source.childPoolCount + 1 } } });
    }
    await commitAndStart(deps, writes, 'resource-creation', { resourceType: 'pool', id: poolId });
    return { IpamPool: presentPool(pool) };
  });
}

/** Public pools hold BYOIP space unless AWS provides it; a child pool holds what its source holds. */
function publicIpSourceOf(input: CreateIpamPoolInput, source: IpamPool | undefined): 'amazon' | 'byoip' {
  const inherited = source?.PublicIpSource;
  if (inherited !== undefined && input.PublicIpSource !== undefined && input.PublicIpSource !== inherited) {
    throw new IpamError(
      'InvalidParameterCombination',
      `PublicIpSource ${input.PublicIpSource} differs from the source pool ${source!.IpamPoolId}'s ${inherited}`,
    );
  }
  return inherited ?? input.PublicIpSource ?? 'byoip';
}

/** Auto-import takes VPC CIDRs, and a planning pool's space is one: it would take its own VPC. */
const autoImportInPlanning = () =>
  new IpamError('InvalidParameterCombination', 'AutoImport is not available on resource planning pools and the pools below them');

interface ModifyIpamPoolInput extends NetmaskRules {
  IpamPoolId: string;
  Description?: string;
  AutoImport?: boolean;
  ClearAllocationDefaultNetmaskLength?: boolean;
  AddAllocationResourceTags?: { Key?: string; Value?: string }[];
  RemoveAllocationResourceTags?: { Key?: string; Value?: string }[];
}

export async function modifyIpamPool(deps: Dependencies, context: RequestContext, input: ModifyIpamPoolInput) {
  requireModification(input, 'IpamPoolId', 'ipam pool');
  if (input.ClearAllocationDefaultNetmaskLength && input.AllocationDefaultNetmaskLength !== undefined) {
    throw new IpamError(
      'InvalidParameterCombination',
      'AllocationDefaultNetmaskLength and ClearAllocationDefaultNetmaskLength cannot be used together',
    );
  }
  const added = resourceTags(input.AddAllocationResourceTags);
  return retryOnConflict(async () => {
    const pool = await requirePoolInHomeRegion(deps, context, input.IpamPoolId);
    requireSettled('pool', pool.IpamPoolId, pool.State);
    const rules: NetmaskRules = {
      AllocationMinNetmaskLength: input.AllocationMinNetmaskLength ?? pool.AllocationMinNetmaskLength,
      AllocationMaxNetmaskLength: input.AllocationMaxNetmaskLength ?? pool.AllocationMaxNetmaskLength,
      AllocationDefaultNetmaskLength: input.ClearAllocationDefaultNetmaskLength
        ? undefined
        : (input.AllocationDefaultNetmaskLength ?? pool.AllocationDefaultNetmaskLength),
    };
    validateNetmaskRules(pool.AddressFamily, rules);
    const autoImport = input.AutoImport ?? pool.AutoImport;
    if (autoImport && pool.planningResource) throw autoImportInPlanning();
    // Changing rules never evicts allocations; it only changes their compliance.
    const updated: IpamPool = {
      ...pool,
      ...rules,
      Description: input.Description ?? pool.Description,
      AutoImport: autoImport,
      AllocationResourceTags: mergeTags(removeTags(pool.AllocationResourceTags, input.RemoveAllocationResourceTags ?? []), added),
      State: 'modify-complete',
    };
    await deps.store.commit([{ op: 'update', entity: { type: 'pool', value: updated } }]);
    return { IpamPool: presentPool({ ...updated, version: updated.version + 1 }) };
  });
}

interface DeleteIpamPoolInput {
  IpamPoolId: string;
  Cascade?: boolean;
}

export async function deleteIpamPool(deps: Dependencies, context: RequestContext, input: DeleteIpamPoolInput) {
  const cascade = input.Cascade ?? false;
  return retryOnConflict(async () => {
    const pool = await requirePoolInHomeRegion(deps, context, input.IpamPoolId);
    if (pool.State === 'delete-in-progress')
      throw new IpamError('IncorrectState', `The pool '${pool.IpamPoolId}' is already being deleted`);
    // EC2: cascade deletes "pools in the private scope or pools in the public scope with a source resource".
    if (cascade && pool.IpamScopeType === 'public' && !pool.planningResource) {
      throw new IpamError(
        'InvalidParameterCombination',
        'Cascade deletes pools of a private scope, or resource planning pools, only; deprovision other public-scope pools first',
      );
    }
    if (!cascade) requireEmptyPool(pool);
    const pendingCidr = (await deps.store.listPoolCidrs(pool.IpamPoolId)).find((record) => record.State.startsWith('pending-'));
    if (pendingCidr) {
      throw new IpamError(
        'IncorrectState',
        `The pool '${pool.IpamPoolId}' has CIDR ${pendingCidr.Cidr ?? pendingCidr.IpamPoolCidrId} in state '${pendingCidr.State}'; try again when it settles`,
      );
    }
    const deleting: IpamPool = { ...pool, State: 'delete-in-progress' };
    // From here on the pool takes no CIDRs, allocations or children: they all need it settled.
    await commitAndStart(deps, [{ op: 'update', entity: { type: 'pool', value: deleting } }], 'delete-pool', {
      poolId: pool.IpamPoolId,
      cascade,
    });
    return { IpamPool: presentPool(deleting) };
  });
}

/** CIDRs first: AWS answered its words for every pool of an account, parents too (terraform-provider-aws PR #22328). */
function requireEmptyPool(pool: IpamPool): void {
  if (pool.provisionedCidrCount > 0) throw new IpamError('DependencyViolation', awsWords.poolHasCidrs(pool.IpamPoolId));
  if (pool.childPoolCount > 0) {
    throw new IpamError(
      'DependencyViolation',
      `The pool '${pool.IpamPoolId}' still has ${pool.childPoolCount} child pool(s); delete them first`,
    );
  }
}

/**
 * Workflow task. Cascade: children first (bottom-up, each marked as being deleted before it
 * goes), then the pool's allocations are released and its CIDRs deprovisioned (space back to
 * the source). Every step re-reads, so a retried task finishes the job.
 */
export async function deletePoolTree(deps: Dependencies, poolId: string, cascade: boolean): Promise<void> {
  const pool = await deps.store.getPool(poolId);
  if (!pool) return; // deleted already
  if (cascade) {
    for (const child of (await deps.store.listPools(pool.OwnerId)).filter((p) => p.SourceIpamPoolId === poolId)) {
      await markDeleting(deps, child.IpamPoolId);
      await deletePoolTree(deps, child.IpamPoolId, true);
    }
    await markDeleting(deps, poolId);
    await releaseAllocationsOfPool(deps, poolId);
    await deprovisionAllCidrs(deps, poolId);
  }
  await removeEmptyPool(deps, poolId);
}

async function markDeleting(deps: Dependencies, poolId: string): Promise<void> {
  await retryOnConflict(async () => {
    const pool = await deps.store.getPool(poolId);
    if (!pool || pool.State === 'delete-in-progress') return;
    await deps.store.commit([{ op: 'update', entity: { type: 'pool', value: { ...pool, State: 'delete-in-progress' } } }]);
  });
}

async function removeEmptyPool(deps: Dependencies, poolId: string): Promise<void> {
  await retryOnConflict(async () => {
    const pool = await deps.store.getPool(poolId);
    if (!pool) return;
    requireEmptyPool(pool);
    const scope = await deps.store.getScope(pool.ipamScopeId);
    if (!scope) throw new Error(`Pool ${poolId} lost its scope ${pool.ipamScopeId}`);
    const writes: Write[] = [
      // Invariant: no CIDR was provisioned and no child created since the counts were checked.
      { op: 'delete', entity: { type: 'pool', value: pool } },
      { op: 'update', entity: { type: 'scope', value: { ...scope, PoolCount: scope.PoolCount - 1 } } },
    ];
    const source = pool.SourceIpamPoolId ? await deps.store.getPool(pool.SourceIpamPoolId) : undefined;
    if (source) writes.push({ op: 'update', entity: { type: 'pool', value: { ...source, childPoolCount: source.childPoolCount - 1 } } });
    // The sweep's memory of the pool's utilisation threshold goes with it (a sweep changing it meanwhile retries this).
    const monitor = await deps.store.getPoolMonitorState(poolId);
    if (monitor) writes.push({ op: 'delete', entity: { type: 'pool-monitor-state', value: monitor } });
    await deps.store.commit(writes);
  });
}
