// IPAM prefix list resolver targets (spec §12.3): CreateIpamPrefixListResolverTarget,
// ModifyIpamPrefixListResolverTarget, DeleteIpamPrefixListResolverTarget,
// DescribeIpamPrefixListResolverTargets. A target binds one resolver to one managed prefix list
// (which becomes IPAM-managed: hand edits refused while its sync is enabled) and is synced at once
// on create and modify (prefix-list-sync.ts). At most 50 per resolver: the resolver counts them.
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newPrefixListResolverTargetId, prefixListResolverTargetArn } from '../domain/ids.ts';
import type { IpamPrefixListResolver } from '../domain/model/prefix-list-resolver.ts';
import type { IpamPrefixListResolverTarget, ManagedPrefixList } from '../domain/model/prefix-list.ts';
import { requireSameFamily, requireVersionMode, TARGETS_PER_RESOLVER } from '../domain/prefix-list-targets.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import { retryOnConflict } from './free-space.ts';
import { type Dependencies, type Output, publicView, type RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';
import { requirePrefixList } from './managed-prefix-lists.ts';
import { liveResolverVersion, retainResolverVersions } from './prefix-list-resolver-retention.ts';
import { prefixListResolverVisible, requirePrefixListResolver } from './prefix-list-resolvers.ts';
import { syncPrefixListResolverTarget, targetDeleteWrites } from './prefix-list-sync.ts';

export const presentTarget = (target: IpamPrefixListResolverTarget): Output => publicView(target);

/** Targets are managed where their resolver is: by its owner, in the IPAM's home Region. */
export const targetVisible = (context: RequestContext, target: IpamPrefixListResolverTarget) =>
  target.OwnerId === context.accountId && target.region === context.region;

const targetNotFound = (targetId: string) =>
  new IpamError('InvalidIpamPrefixListResolverTargetId.NotFound', messages.notFound('ipam-prefix-list-resolver-target', targetId));

export async function requireTarget(deps: Dependencies, context: RequestContext, targetId: string | undefined) {
  if (!targetId) throw new IpamError('MissingParameter', messages.missingParameter('IpamPrefixListResolverTargetId'));
  const target = await deps.store.getPrefixListResolverTarget(targetId);
  if (!target || !targetVisible(context, target)) throw targetNotFound(targetId);
  return target;
}

/** A pinned version must be one the resolver has made and retention has not let go. */
async function requireExistingVersion(deps: Dependencies, resolver: IpamPrefixListResolver, version: number | undefined): Promise<void> {
  if (version !== undefined && !(await liveResolverVersion(deps, resolver.IpamPrefixListResolverId, version))) {
    throw new IpamError(
      'InvalidParameterValue',
      `The resolver ${resolver.IpamPrefixListResolverId} has no version ${version}; its latest version is ${resolver.latestVersion}`,
    );
  }
}

/** Syncs the target now; a failure to reach the store is left to the next sweep (the target stands). */
async function syncNow(deps: Dependencies, targetId: string): Promise<void> {
  try {
    await syncPrefixListResolverTarget(deps, targetId);
  } catch (error) {
    deps.log.error('could not sync a prefix list resolver target', { targetId, error });
  }
}

interface CreateInput {
  IpamPrefixListResolverId?: string;
  PrefixListId?: string;
  PrefixListRegion?: string;
  DesiredVersion?: number;
  TrackLatestVersion?: boolean;
  TagSpecifications?: TagSpecification[];
}

export async function createIpamPrefixListResolverTarget(deps: Dependencies, context: RequestContext, input: CreateInput) {
  if (input.TrackLatestVersion === undefined) throw new IpamError('MissingParameter', messages.missingParameter('TrackLatestVersion'));
  if (!input.PrefixListRegion) throw new IpamError('MissingParameter', messages.missingParameter('PrefixListRegion'));
  const track = input.TrackLatestVersion;
  requireVersionMode(track, input.DesiredVersion);
  const Tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-prefix-list-resolver-target');
  const prefixListRegion = input.PrefixListRegion;
  const created = await retryOnConflict(async () => {
    const resolver = await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId);
    const count = resolver.targetCount ?? 0;
    if (count >= TARGETS_PER_RESOLVER) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('prefix list resolver targets', count, TARGETS_PER_RESOLVER));
    }
    // The list must be where the IPAM manages addresses: one of its operating Regions (and it must be there).
    const ipam = await deps.store.getIpam(resolver.ipamId);
    if (!ipam?.OperatingRegions.some(({ RegionName }) => RegionName === prefixListRegion)) {
      throw new IpamError(
        'InvalidParameterValue',
        `The prefix list Region ${prefixListRegion} is not an operating Region of IPAM ${resolver.ipamId}`,
      );
    }
    const list = await requirePrefixList(deps, context, input.PrefixListId, prefixListRegion);
    requireSameFamily(resolver.AddressFamily, list);
    if (list.IpamPrefixListResolverTargetId !== undefined) {
      throw new IpamError(
        'InvalidParameterValue',
        `The prefix list ${list.PrefixListId} is already the target of ${list.IpamPrefixListResolverTargetId}; a prefix list has one resolver target`,
      );
    }
    await requireExistingVersion(deps, resolver, input.DesiredVersion);
    // "If not specified, the resolver will target the latest version": a pinned target without one is pinned to the latest now.
    const desired = track ? undefined : (input.DesiredVersion ?? (resolver.latestVersion || undefined));
    const IpamPrefixListResolverTargetId = newPrefixListResolverTargetId();
    const target: IpamPrefixListResolverTarget = {
      IpamPrefixListResolverTargetId,
      IpamPrefixListResolverTargetArn: prefixListResolverTargetArn(resolver.OwnerId, IpamPrefixListResolverTargetId),
      IpamPrefixListResolverId: resolver.IpamPrefixListResolverId,
      OwnerId: resolver.OwnerId,
      PrefixListId: list.PrefixListId,
      PrefixListRegion: list.region,
      TrackLatestVersion: track,
      ...(desired !== undefined && { DesiredVersion: desired }),
      State: 'create-complete',
      Tags,
      region: resolver.IpamRegion,
      version: 1,
    };
    const managed: ManagedPrefixList = {
      ...list,
      IpamPrefixListResolverTargetId,
      IpamPrefixListResolverSyncEnabled: list.IpamPrefixListResolverSyncEnabled ?? true,
    };
    await deps.store.commit([
      { op: 'create', entity: { type: 'prefix-list-resolver-target', value: target } },
      // Invariant: at most 50 targets per resolver — the count moves from the value read.
      { op: 'update', entity: { type: 'prefix-list-resolver', value: { ...resolver, targetCount: count + 1 } } },
      // Invariant: one target per prefix list — the list had none at the version read.
      { op: 'update', entity: { type: 'managed-prefix-list', value: managed } },
    ]);
    return target;
  });
  await syncNow(deps, created.IpamPrefixListResolverTargetId);
  await retainResolverVersions(deps, created.IpamPrefixListResolverId);
  return { IpamPrefixListResolverTarget: presentTarget(created) };
}

interface ModifyInput {
  IpamPrefixListResolverTargetId?: string;
  DesiredVersion?: number;
  TrackLatestVersion?: boolean;
}

export async function modifyIpamPrefixListResolverTarget(deps: Dependencies, context: RequestContext, input: ModifyInput) {
  if (input.DesiredVersion === undefined && input.TrackLatestVersion === undefined) {
    throw new IpamError('InvalidParameterCombination', 'The request must contain DesiredVersion or TrackLatestVersion');
  }
  // A DesiredVersion alone pins the target.
  const track = input.TrackLatestVersion ?? false;
  requireVersionMode(track, input.DesiredVersion);
  const modified = await retryOnConflict(async () => {
    const target = await requireTarget(deps, context, input.IpamPrefixListResolverTargetId);
    const resolver = await requirePrefixListResolver(deps, context, target.IpamPrefixListResolverId);
    await requireExistingVersion(deps, resolver, input.DesiredVersion);
    // Pinned without a version named: kept at the version it has (or the latest, if none synced yet).
    const desired = track
      ? undefined
      : (input.DesiredVersion ?? target.DesiredVersion ?? target.LastSyncedVersion ?? (resolver.latestVersion || undefined));
    const { DesiredVersion: _old, ...rest } = target;
    const updated: IpamPrefixListResolverTarget = {
      ...rest,
      TrackLatestVersion: track,
      ...(desired !== undefined && { DesiredVersion: desired }),
      State: 'modify-complete',
    };
    // Invariant: the version mode replaces the one read (a concurrent sync retries on the new mode).
    await deps.store.commit([{ op: 'update', entity: { type: 'prefix-list-resolver-target', value: updated } }]);
    return updated;
  });
  await syncNow(deps, modified.IpamPrefixListResolverTargetId);
  await retainResolverVersions(deps, modified.IpamPrefixListResolverId);
  return { IpamPrefixListResolverTarget: presentTarget(modified) };
}

export async function deleteIpamPrefixListResolverTarget(
  deps: Dependencies,
  context: RequestContext,
  input: { IpamPrefixListResolverTargetId?: string },
) {
  const deleted = await retryOnConflict(async () => {
    const target = await requireTarget(deps, context, input.IpamPrefixListResolverTargetId);
    await deps.store.commit(await targetDeleteWrites(deps, target));
    return target;
  });
  // The versions only this target kept start their 7 days.
  await retainResolverVersions(deps, deleted.IpamPrefixListResolverId);
  const { Tags: _tags, ...answer } = presentTarget({ ...deleted, State: 'delete-complete' });
  return { IpamPrefixListResolverTarget: answer };
}

interface DescribeInput extends ListRequest {
  IpamPrefixListResolverTargetIds?: string[];
  IpamPrefixListResolverId?: string;
  Filters?: Filter[];
}

const FILTER_FIELDS = [
  'IpamPrefixListResolverTargetId',
  'IpamPrefixListResolverTargetArn',
  'IpamPrefixListResolverId',
  'OwnerId',
  'PrefixListId',
  'PrefixListRegion',
  'TrackLatestVersion',
  'State',
] as const;

/** Named ids are read from the table (a create is seen at once); a resolver's targets, or the caller's, from the index. */
export async function describeIpamPrefixListResolverTargets(deps: Dependencies, context: RequestContext, input: DescribeInput) {
  const matches = compileFilters<IpamPrefixListResolverTarget>(input.Filters, FILTER_FIELDS);
  const ids = input.IpamPrefixListResolverTargetIds ?? [];
  let targets: IpamPrefixListResolverTarget[];
  if (ids.length > 0) {
    targets = await Promise.all([...new Set(ids)].map((id) => requireTarget(deps, context, id)));
  } else {
    const resolvers =
      input.IpamPrefixListResolverId !== undefined
        ? [await requirePrefixListResolver(deps, context, input.IpamPrefixListResolverId)]
        : (await deps.store.listPrefixListResolvers(context.accountId)).filter((resolver) => prefixListResolverVisible(context, resolver));
    targets = (
      await Promise.all(resolvers.map((resolver) => deps.store.listPrefixListResolverTargets(resolver.IpamPrefixListResolverId)))
    ).flat();
  }
  const selected = targets.filter(
    (target) =>
      targetVisible(context, target) &&
      (input.IpamPrefixListResolverId === undefined || target.IpamPrefixListResolverId === input.IpamPrefixListResolverId) &&
      matches(target),
  );
  const query = queryFingerprint([
    'DescribeIpamPrefixListResolverTargets',
    context.accountId,
    context.region,
    ids,
    input.IpamPrefixListResolverId,
    input.Filters ?? [],
  ]);
  const page = pageOf(deps.paginationSecret, query, selected, (target) => target.IpamPrefixListResolverTargetId, input, 1000);
  return { IpamPrefixListResolverTargets: page.items.map(presentTarget), NextToken: page.nextToken };
}
