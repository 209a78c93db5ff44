// CreateIpamScope, DescribeIpamScopes, ModifyIpamScope, DeleteIpamScope.
//
// A scope is also a space: it starts with the whole IPv4 and IPv6 address space free, and a
// top-level pool's CIDR is allocated from it, so top-level pools of one scope never overlap.
import { formatCidr, parseCidr } from '../domain/cidr.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { arnOf, newScopeId } from '../domain/ids.ts';
import type { IpamScope } from '../domain/model/ipam.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { healFreeSpace, retryOnConflict, wholeAddressSpace } from './free-space.ts';
import { requireIpam, requireScope, requireSettled } from './kernel/lookup.ts';
import { commitAndSettle, commitAndStart } from './kernel/workflow.ts';
import { purgeScopeMonitoringData } from './resource-discovery-records.ts';

const SCOPES_PER_IPAM = 5;
const FAMILIES = ['ipv4', 'ipv6'] as const;

export const presentScope = (scope: IpamScope) => publicView(scope);

function rootBlocks(scopeId: string) {
  return FAMILIES.map((family) => {
    const whole = formatCidr(wholeAddressSpace(family));
    return { spaceId: scopeId, cidr: whole, within: whole };
  });
}

/** A new scope and the writes that create it with its free address space. */
export function newScope(
  context: RequestContext,
  ipamId: string,
  ipamArn: string,
  type: 'public' | 'private',
  isDefault: boolean,
  extra: Partial<IpamScope> = {},
): { scope: IpamScope; writes: Write[] } {
  const scopeId = newScopeId();
  const scope: IpamScope = {
    OwnerId: context.accountId,
    IpamScopeId: scopeId,
    IpamScopeArn: arnOf(context.accountId, 'ipam-scope', scopeId),
    IpamArn: ipamArn,
    IpamRegion: context.region,
    IpamScopeType: type,
    IsDefault: isDefault,
    PoolCount: 0,
    State: 'create-complete',
    Tags: [],
    ipamId,
    version: 1,
    ...extra,
  };
  return {
    scope,
    writes: [
      { op: 'create', entity: { type: 'scope', value: scope } },
      ...rootBlocks(scopeId).map((block): Write => ({ op: 'create', entity: { type: 'free-block', value: block } })),
    ],
  };
}

function requireEmptyScope(scope: IpamScope): void {
  if (scope.PoolCount > 0) {
    throw new IpamError(
      'DependencyViolation',
      `The scope '${scope.IpamScopeId}' still contains ${scope.PoolCount} pool(s); delete them first`,
    );
  }
}

/** The writes that remove an empty scope; its whole address space must be free again. */
export function scopeDeletionWrites(scope: IpamScope): Write[] {
  requireEmptyScope(scope);
  return [
    // Invariant: no pool was added to the scope since it was read.
    { op: 'delete', entity: { type: 'scope', value: scope } },
    // Invariant: the whole address space is free, so no top-level pool still holds a CIDR here.
    ...rootBlocks(scope.IpamScopeId).map((block): Write => ({ op: 'delete', entity: { type: 'free-block', value: block } })),
  ];
}

interface CreateIpamScopeInput {
  IpamId: string;
  Description?: string;
  TagSpecifications?: TagSpecification[];
  ExternalAuthorityConfiguration?: unknown;
}

export async function createIpamScope(deps: Dependencies, context: RequestContext, input: CreateIpamScopeInput) {
  if (input.ExternalAuthorityConfiguration !== undefined) {
    throw new IpamError('InvalidParameterValue', 'External authority (Infoblox) configuration is not supported by this IPAM');
  }
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-scope');
  return retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    if (ipam.Tier === 'free') {
      throw new IpamError('InvalidParameterValue', 'Additional scopes require the advanced tier; this IPAM is on the free tier');
    }
    if (ipam.ScopeCount >= SCOPES_PER_IPAM) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('scopes', ipam.ScopeCount, SCOPES_PER_IPAM));
    }
    const { scope, writes } = newScope(context, ipam.IpamId, ipam.IpamArn, 'private', false, {
      Description: input.Description,
      Tags: tags,
      State: 'create-in-progress',
    });
    await commitAndStart(
      deps,
      [
        ...writes,
        // Invariant: ScopeCount stays within the quota — the IPAM is at the version whose count was checked.
        { op: 'update', entity: { type: 'ipam', value: { ...ipam, ScopeCount: ipam.ScopeCount + 1 } } },
      ],
      'resource-creation',
      { resourceType: 'scope', id: scope.IpamScopeId },
    );
    return { IpamScope: presentScope(scope) };
  });
}

interface ModifyIpamScopeInput {
  IpamScopeId: string;
  Description?: string;
  ExternalAuthorityConfiguration?: unknown;
  RemoveExternalAuthorityConfiguration?: boolean;
}

export async function modifyIpamScope(deps: Dependencies, context: RequestContext, input: ModifyIpamScopeInput) {
  if (input.ExternalAuthorityConfiguration !== undefined) {
    throw new IpamError('InvalidParameterValue', 'External authority (Infoblox) configuration is not supported by this IPAM');
  }
  return retryOnConflict(async () => {
    const scope = await requireScope(deps, context, input.IpamScopeId);
    requireSettled('scope', scope.IpamScopeId, scope.State);
    const updated: IpamScope = { ...scope, Description: input.Description ?? scope.Description, State: 'modify-in-progress' };
    await commitAndSettle(deps, [{ op: 'update', entity: { type: 'scope', value: updated } }], 'scope', scope.IpamScopeId, 'modify');
    return { IpamScope: presentScope({ ...updated, version: updated.version + 1 }) };
  });
}

export async function deleteIpamScope(deps: Dependencies, context: RequestContext, input: { IpamScopeId: string }) {
  return retryOnConflict(async () => {
    const scope = await requireScope(deps, context, input.IpamScopeId);
    if (scope.IsDefault) {
      throw new IpamError('InvalidParameterValue', `The scope '${scope.IpamScopeId}' is a default scope of its IPAM and cannot be deleted`);
    }
    if (scope.State === 'delete-in-progress') {
      throw new IpamError('IncorrectState', `The scope '${scope.IpamScopeId}' is already being deleted`);
    }
    requireEmptyScope(scope);
    const deleting: IpamScope = { ...scope, State: 'delete-in-progress' };
    // Invariant: still empty — a pool created meanwhile changed the scope's version. From here on
    // the scope takes no pools (they need it settled); settle-state removes it (removeDeletedScope).
    await commitAndSettle(deps, [{ op: 'update', entity: { type: 'scope', value: deleting } }], 'scope', scope.IpamScopeId, 'delete');
    return { IpamScope: presentScope(deleting) };
  });
}

/**
 * Free space a crash or an unavailable store left split is still free: put back together, so that
 * the deletion's check that the whole space is free (scopeDeletionWrites) can pass.
 */
export async function healScopeSpace(deps: Dependencies, scopeId: string): Promise<void> {
  for (const block of rootBlocks(scopeId)) await healFreeSpace(deps.store, scopeId, parseCidr(block.cidr));
}

/**
 * settle-state's removal of a scope being deleted, with its free space; its IPAM counts one scope
 * less. Then, once it is gone, what monitoring kept for it (a retried task purges again).
 */
export async function removeDeletedScope(deps: Dependencies, scopeId: string): Promise<void> {
  await healScopeSpace(deps, scopeId);
  await retryOnConflict(async () => {
    const scope = await deps.store.getScope(scopeId);
    if (scope?.State !== 'delete-in-progress') return; // removed already (or with its IPAM): a retried task does nothing
    const ipam = await deps.store.getIpam(scope.ipamId);
    await deps.store.commit([
      ...scopeDeletionWrites(scope),
      // Invariant: ScopeCount counts exactly the scopes that exist.
      ...(ipam ? [{ op: 'update', entity: { type: 'ipam', value: { ...ipam, ScopeCount: ipam.ScopeCount - 1 } } } satisfies Write] : []),
    ]);
  });
  if (!(await deps.store.getScope(scopeId))) await purgeScopeMonitoringData(deps, scopeId);
}
