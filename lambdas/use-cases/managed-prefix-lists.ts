// Customer-managed prefix lists, served by this service (issue 22): CreateManagedPrefixList,
// DescribeManagedPrefixLists, GetManagedPrefixListEntries, ModifyManagedPrefixList,
// RestoreManagedPrefixListVersion, DeleteManagedPrefixList. They are what prefix list resolver
// targets keep in sync (prefix-list-targets.ts). Lists are per account and Region; every entry
// change writes the next version's entries beside the list, in the same commit.
import { IpamError, messages } from '../domain/errors.ts';
import { compileFilters, type Filter } from '../domain/filters.ts';
import { newPrefixListId, prefixListArn } from '../domain/ids.ts';
import type { ManagedPrefixList, PrefixListEntry, PrefixListVersion } from '../domain/model/prefix-list.ts';
import {
  editedEntries,
  entryOrderKey,
  initialEntries,
  requireAddressFamily,
  requireHandEditable,
  requireMaxEntries,
  requireName,
} from '../domain/prefix-lists.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import { retryOnConflict } from './free-space.ts';
import { newVersionWrites, syncTargetOfList } from './prefix-list-sync.ts';
import { type Dependencies, type Output, publicView, type RequestContext } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

export const prefixListNotFound = (prefixListId: string) =>
  new IpamError('InvalidPrefixListID.NotFound', messages.notFound('prefix list', prefixListId));

export const presentPrefixList = (list: ManagedPrefixList): Output => publicView(list);

/** The caller's prefix list in `region` (the request's, unless a resolver target names another), or InvalidPrefixListID.NotFound. */
export async function requirePrefixList(
  deps: Dependencies,
  context: RequestContext,
  prefixListId: string | undefined,
  region = context.region,
): Promise<ManagedPrefixList> {
  if (!prefixListId) throw new IpamError('MissingParameter', messages.missingParameter('PrefixListId'));
  const list = await deps.store.getManagedPrefixList(context.accountId, region, prefixListId);
  if (!list) throw prefixListNotFound(prefixListId);
  return list;
}

interface CreateInput {
  PrefixListName?: string;
  Entries?: { Cidr?: string; Description?: string }[];
  MaxEntries?: number;
  AddressFamily?: string;
  TagSpecifications?: TagSpecification[];
}

export async function createManagedPrefixList(deps: Dependencies, context: RequestContext, input: CreateInput) {
  const PrefixListName = requireName(input.PrefixListName);
  const AddressFamily = requireAddressFamily(input.AddressFamily);
  const MaxEntries = requireMaxEntries(input.MaxEntries);
  const Tags = tagsFromSpecifications(input.TagSpecifications, 'prefix-list');
  const PrefixListId = newPrefixListId();
  const entries = initialEntries(PrefixListId, AddressFamily, MaxEntries, input.Entries ?? []);
  const list: ManagedPrefixList = {
    PrefixListId,
    PrefixListName,
    PrefixListArn: prefixListArn(context.region, context.accountId, PrefixListId),
    AddressFamily,
    State: 'create-complete',
    MaxEntries,
    Version: 1,
    OwnerId: context.accountId,
    Tags,
    region: context.region,
    entries,
    version: 1,
  };
  // Invariant (create): prefix list ids are unique (a fresh random id; the condition catches the impossible).
  await deps.store.commit([
    { op: 'create', entity: { type: 'managed-prefix-list', value: list } },
    { op: 'create', entity: { type: 'prefix-list-version', value: { prefixListId: PrefixListId, version: 1, entries } } },
  ]);
  return { PrefixList: presentPrefixList(list) };
}

const FILTER_FIELDS = ['OwnerId', 'PrefixListId', 'PrefixListName'] as const;

/** The caller's prefix lists in the request's Region (not the AWS-managed ones EC2 also lists). */
export async function describeManagedPrefixLists(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { PrefixListIds?: string[]; Filters?: Filter[] },
) {
  const matches = compileFilters<ManagedPrefixList>(input.Filters, FILTER_FIELDS);
  const lists = await deps.store.listManagedPrefixLists(context.accountId, context.region);
  const ids = input.PrefixListIds ?? [];
  const missing = ids.find((id) => !lists.some((list) => list.PrefixListId === id));
  if (missing !== undefined) throw prefixListNotFound(missing);
  const selected = lists.filter((list) => (ids.length === 0 || ids.includes(list.PrefixListId)) && matches(list));
  const query = queryFingerprint(['DescribeManagedPrefixLists', context.accountId, context.region, ids, input.Filters ?? []]);
  const page = pageOf(deps.paginationSecret, query, selected, (list) => list.PrefixListId, input, 1000);
  return { PrefixLists: page.items.map(presentPrefixList), NextToken: page.nextToken };
}

function requireVersionNumber(name: string, value: number | undefined): number {
  if (value === undefined) throw new IpamError('MissingParameter', messages.missingParameter(name));
  if (!Number.isInteger(value) || value < 1)
    throw new IpamError('InvalidParameterValue', `Value (${value}) for parameter ${name} is invalid`);
  return value;
}

/** The entries of `version` of the list: the current ones, or an earlier version's. */
async function entriesOfVersion(deps: Dependencies, list: ManagedPrefixList, version: number): Promise<PrefixListEntry[]> {
  if (version === list.Version) return list.entries;
  const found = version < list.Version ? await deps.store.getPrefixListVersion(list.PrefixListId, version) : undefined;
  if (!found) {
    throw new IpamError(
      'InvalidParameterValue',
      `The prefix list ${list.PrefixListId} has no version ${version}; its current version is ${list.Version}`,
    );
  }
  return found.entries;
}

export async function getManagedPrefixListEntries(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { PrefixListId?: string; TargetVersion?: number },
) {
  const list = await requirePrefixList(deps, context, input.PrefixListId);
  const version = input.TargetVersion === undefined ? list.Version : requireVersionNumber('TargetVersion', input.TargetVersion);
  const entries = await entriesOfVersion(deps, list, version);
  const query = queryFingerprint(['GetManagedPrefixListEntries', context.accountId, list.PrefixListId, version]);
  const page = pageOf(deps.paginationSecret, query, entries, entryOrderKey, input, 1000);
  return { Entries: page.items, NextToken: page.nextToken };
}

/** A stale CurrentVersion: the caller read the list before another change. */
function requireCurrentVersion(list: ManagedPrefixList, currentVersion: number | undefined): void {
  if (currentVersion !== undefined && currentVersion !== list.Version) {
    throw new IpamError(
      'PrefixListVersionMismatch',
      `The prefix list has the incorrect version number. ${list.PrefixListId} is at version ${list.Version}, not ${currentVersion}.`,
    );
  }
}

interface ModifyInput {
  PrefixListId?: string;
  CurrentVersion?: number;
  PrefixListName?: string;
  AddEntries?: { Cidr?: string; Description?: string }[];
  RemoveEntries?: { Cidr?: string }[];
  MaxEntries?: number;
  IpamPrefixListResolverSyncEnabled?: boolean;
}

export async function modifyManagedPrefixList(deps: Dependencies, context: RequestContext, input: ModifyInput) {
  const add = input.AddEntries ?? [];
  const remove = input.RemoveEntries ?? [];
  const editsEntries = add.length > 0 || remove.length > 0;
  // EC2: "You cannot modify the entries of a prefix list and modify the size of a prefix list at the same time."
  if (editsEntries && input.MaxEntries !== undefined) {
    throw new IpamError('InvalidParameterCombination', 'You cannot modify the entries of a prefix list and its MaxEntries in one request');
  }
  const name = input.PrefixListName === undefined ? undefined : requireName(input.PrefixListName);
  const maxEntries = input.MaxEntries === undefined ? undefined : requireMaxEntries(input.MaxEntries);
  const modified = await retryOnConflict(async () => {
    const list = await requirePrefixList(deps, context, input.PrefixListId);
    requireCurrentVersion(list, input.CurrentVersion);
    const changes: Partial<ManagedPrefixList> = {
      ...(name !== undefined && { PrefixListName: name }),
      ...(input.IpamPrefixListResolverSyncEnabled !== undefined && {
        IpamPrefixListResolverSyncEnabled: input.IpamPrefixListResolverSyncEnabled,
      }),
    };
    if (maxEntries !== undefined) {
      if (maxEntries < list.entries.length) {
        throw new IpamError(
          'InvalidParameterValue',
          `MaxEntries (${maxEntries}) cannot be less than the ${list.entries.length} entries of the prefix list ${list.PrefixListId}`,
        );
      }
      changes.MaxEntries = maxEntries;
    }
    if (editsEntries) {
      // The switch in the same request counts: turning sync off and editing at once is allowed.
      requireHandEditable({ ...list, ...changes });
      const { next, writes } = newVersionWrites(list, editedEntries(list, add, remove), 'modify-complete', changes);
      await deps.store.commit(writes);
      return next;
    }
    const next: ManagedPrefixList = { ...list, ...changes, State: 'modify-complete' };
    // Invariant: a rename, resize or sync switch applies to the list as read (MaxEntries still holds its entries).
    await deps.store.commit([{ op: 'update', entity: { type: 'managed-prefix-list', value: next } }]);
    return next;
  });
  // Sync turned back on, or room made for a version that did not fit: the list's target catches up now.
  if (!editsEntries) await syncTargetOfList(deps, modified);
  return { PrefixList: presentPrefixList(modified) };
}

export async function restoreManagedPrefixListVersion(
  deps: Dependencies,
  context: RequestContext,
  input: { PrefixListId?: string; PreviousVersion?: number; CurrentVersion?: number },
) {
  const previous = requireVersionNumber('PreviousVersion', input.PreviousVersion);
  const current = requireVersionNumber('CurrentVersion', input.CurrentVersion);
  return retryOnConflict(async () => {
    const list = await requirePrefixList(deps, context, input.PrefixListId);
    requireCurrentVersion(list, current);
    requireHandEditable(list);
    if (previous >= list.Version) {
      throw new IpamError(
        'InvalidParameterValue',
        `PreviousVersion (${previous}) must be an earlier version than the current version ${list.Version}`,
      );
    }
    const entries = await entriesOfVersion(deps, list, previous);
    if (entries.length > list.MaxEntries) {
      throw new IpamError(
        'PrefixListMaxEntriesExceeded',
        `Version ${previous} of the prefix list ${list.PrefixListId} has ${entries.length} entries; MaxEntries is ${list.MaxEntries}`,
      );
    }
    const { next, writes } = newVersionWrites(list, entries, 'restore-complete');
    await deps.store.commit(writes);
    return { PrefixList: presentPrefixList(next) };
  });
}

/**
 * Deletes the list; a resolver target that keeps it goes sync-failed at its next sync (UG L2852:
 * "the target prefix list is not found"). Its versions' entries are left behind, unreachable.
 */
/** Writes per commit when a list's versions are deleted (the store's transactions hold 100 items). */
const VERSIONS_PER_COMMIT = 98;

/**
 * Deletes the list and every version of it it left (nothing of it stays unreachable). A list of
 * few versions goes in one commit; a longer history loses its oldest versions first, batch by
 * batch, and the last commit deletes the list with the rest: a crash between leaves the list,
 * and the delete retried finishes (it lists what is left).
 */
export async function deleteManagedPrefixList(deps: Dependencies, context: RequestContext, input: { PrefixListId?: string }) {
  return retryOnConflict(async () => {
    const list = await requirePrefixList(deps, context, input.PrefixListId);
    const versions = await deps.store.listPrefixListVersions(list.PrefixListId);
    const deleteVersion = (value: PrefixListVersion): Write => ({ op: 'delete', entity: { type: 'prefix-list-version', value } });
    const oldest = versions.slice(0, Math.max(0, versions.length - VERSIONS_PER_COMMIT));
    for (let i = 0; i < oldest.length; i += VERSIONS_PER_COMMIT) {
      await deps.store.commit(oldest.slice(i, i + VERSIONS_PER_COMMIT).map(deleteVersion));
    }
    await deps.store.commit([
      // Invariant: deleted at the store version read, so an edit committed meanwhile (a version not
      // listed above) retries on the new one.
      { op: 'delete', entity: { type: 'managed-prefix-list', value: list } },
      ...versions.slice(oldest.length).map(deleteVersion),
    ]);
    return { PrefixList: presentPrefixList({ ...list, State: 'delete-complete' }) };
  });
}
