// RAM's permission operations over the managed permissions of domain/sharing.ts: list them, read
// one, list and change the ones a share grants.
import { IpamError } from '../../domain/errors.ts';
import type { SharedResourceType } from '../../domain/model/sharing.ts';
import { MANAGED_PERMISSIONS, permissionOf } from '../../domain/sharing.ts';
import { retryOnConflict } from '../free-space.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';
import { pageOf, queryFingerprint } from '../kernel/pagination.ts';
import { sharesCoveringAccount } from './access.ts';
import { presentPermissionDetail, presentPermissionSummary } from './present.ts';
import { commitAnnouncing } from '../kernel/outbox.ts';
import { shareChange } from './announce.ts';
import { requireActive, requireOwnShare, requirePermission, requireShareArn, unknownShare } from './share-rules.ts';

interface Paged {
  nextToken?: string;
  maxResults?: number;
}

const pageOfPermissions = <T>(deps: Dependencies, parts: unknown[], items: T[], idOf: (item: T) => string, input: Paged) =>
  pageOf(deps.paginationSecret, queryFingerprint(parts), items, idOf, { NextToken: input.nextToken, MaxResults: input.maxResults }, 500);

export async function listPermissions(
  deps: Dependencies,
  _context: RequestContext,
  input: Paged & { resourceType?: string; permissionType?: string },
) {
  if (input.permissionType !== undefined && !['ALL', 'AWS_MANAGED', 'CUSTOMER_MANAGED'].includes(input.permissionType)) {
    throw new IpamError(
      'InvalidParameterException',
      `permissionType must be ALL, AWS_MANAGED or CUSTOMER_MANAGED, not ${input.permissionType}.`,
    );
  }
  const permissions = MANAGED_PERMISSIONS.filter(
    (managed) => input.resourceType === undefined || managed.resourceType.toLowerCase() === input.resourceType.toLowerCase(),
  ).filter(() => input.permissionType !== 'CUSTOMER_MANAGED');
  const result = pageOfPermissions(deps, ['ListPermissions', input.resourceType, input.permissionType], permissions, (p) => p.arn, input);
  return { permissions: result.items.map((managed) => presentPermissionSummary(managed)), nextToken: result.nextToken };
}

export async function getPermission(
  _deps: Dependencies,
  _context: RequestContext,
  input: { permissionArn: string; permissionVersion?: number },
) {
  const managed = requirePermission(input.permissionArn);
  if (input.permissionVersion !== undefined && input.permissionVersion !== 1) {
    throw new IpamError('InvalidParameterException', `The permission ${managed.arn} has only version 1.`);
  }
  return { permission: presentPermissionDetail(managed) };
}

/** The permissions a share grants: one per resource type it carries. Its owner and its principals may read them. */
export async function listResourceSharePermissions(
  deps: Dependencies,
  context: RequestContext,
  input: Paged & { resourceShareArn: string },
) {
  requireShareArn(input.resourceShareArn);
  const view = await deps.store.getShareView(input.resourceShareArn);
  const mine = view?.share.owningAccountId === context.accountId;
  const named =
    !mine &&
    (await sharesCoveringAccount(deps, context.accountId, [input.resourceShareArn])).some(
      (v) => v.share.resourceShareArn === input.resourceShareArn,
    );
  if (!view || !(mine || named)) throw unknownShare(input.resourceShareArn);
  const types = new Set<SharedResourceType>(Object.keys(view.share.permissions) as SharedResourceType[]);
  for (const a of view.associations) if (a.associationType === 'RESOURCE' && a.resourceType) types.add(a.resourceType);
  const permissions = [...types].map((type) => permissionOf(view.share, type));
  const result = pageOfPermissions(
    deps,
    ['ListResourceSharePermissions', context.accountId, input.resourceShareArn],
    permissions,
    (p) => p.arn,
    input,
  );
  return { permissions: result.items.map((managed) => presentPermissionSummary(managed, 'ASSOCIATED')), nextToken: result.nextToken };
}

export async function associateResourceSharePermission(
  deps: Dependencies,
  context: RequestContext,
  input: { resourceShareArn: string; permissionArn: string; replace?: boolean; permissionVersion?: number },
) {
  const managed = requirePermission(input.permissionArn);
  if (input.permissionVersion !== undefined && input.permissionVersion !== 1) {
    throw new IpamError('InvalidParameterException', `The permission ${managed.arn} has only version 1.`);
  }
  await retryOnConflict(async () => {
    const { share, associations } = await requireOwnShare(deps, context, input.resourceShareArn);
    requireActive(share);
    // A share carrying resources of the type already grants a permission for it: the chosen one, else the type's default.
    const carries = associations.some(
      (a) => a.associationType === 'RESOURCE' && a.resourceType === managed.resourceType && a.status === 'ASSOCIATED',
    );
    const current = carries ? permissionOf(share, managed.resourceType).arn : share.permissions[managed.resourceType];
    // Already granted: nothing changes, but the request is still announced (alone in its commit).
    if (current === managed.arn) return commitAnnouncing(deps, [], [shareChange(context, share, 'permission-associated')]);
    if (current !== undefined && input.replace !== true) {
      throw new IpamError(
        'InvalidParameterException',
        `The resource share already grants ${current} for ${managed.resourceType}; set replace to true to replace it.`,
      );
    }
    const updated = {
      ...share,
      permissions: { ...share.permissions, [managed.resourceType]: managed.arn },
      lastUpdatedTime: deps.now().toISOString(),
    };
    // Invariant: the share is still as read, so one permission per resource type holds.
    await commitAnnouncing(
      deps,
      [{ op: 'update', entity: { type: 'resource-share', value: updated } }],
      [shareChange(context, updated, 'permission-associated')],
    );
  });
  return { returnValue: true };
}
