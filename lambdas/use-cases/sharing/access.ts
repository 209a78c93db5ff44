// Access to resources other accounts shared (AWS RAM): the reads behind the one decision in
// domain/sharing.ts. A check reads the index of associations naming the resource, then each share
// naming it whole from the table (strongly consistent, in parallel), so a share deleted, a
// principal disassociated or an account moved out of an OU loses access at the next request.
// Owners never come here: their own access costs no extra read.
import type { Organization } from '../../domain/model/organization.ts';
import type { ResourceShareAssociation, SharedResourceType, ShareView } from '../../domain/model/sharing.ts';
import { namesAccountNow, parseSharedResourceArn, principalsCovering, type SharedAction, shareGrants } from '../../domain/sharing.ts';
import type { Dependencies } from '../kernel/context.ts';

const unique = (values: string[]) => [...new Set(values)];

/** The shares (read whole) of the given ARNs that still exist. */
export async function readShareViews(deps: Dependencies, shareArns: string[]): Promise<ShareView[]> {
  const views = await Promise.all(unique(shareArns).map((arn) => deps.store.getShareView(arn)));
  return views.filter((view): view is ShareView => view !== undefined);
}

/** The organisations of the given accounts, each read once. */
async function organizationsOf(deps: Dependencies, accountIds: string[]): Promise<Map<string, Organization | undefined>> {
  const ids = unique(accountIds);
  const orgs = await Promise.all(ids.map((id) => deps.organization.organizationOf(id)));
  return new Map(ids.map((id, index) => [id, orgs[index]]));
}

const liveResourceShares = (associations: ResourceShareAssociation[]) =>
  associations.filter((a) => a.associationType === 'RESOURCE' && a.status === 'ASSOCIATED').map((a) => a.resourceShareArn);

/** Which actions `accountId` may call on `resourceArn`, owned by `ownerId`, through shares: read once, asked per action. */
export async function sharedAccess(
  deps: Dependencies,
  accountId: string,
  resourceArn: string,
  ownerId: string,
): Promise<(action: SharedAction) => boolean> {
  const shareArns = liveResourceShares(await deps.store.listAssociationsOfEntity(resourceArn));
  if (shareArns.length === 0) return () => false;
  const [views, ownerOrganization] = await Promise.all([readShareViews(deps, shareArns), deps.organization.organizationOf(ownerId)]);
  return (action) => shareGrants(views, ownerOrganization, accountId, resourceArn, action);
}

/** The shares that name a principal covering `accountId` (any status: callers decide), read whole. */
export async function sharesNamingAccount(deps: Dependencies, accountId: string): Promise<ShareView[]> {
  const principals = principalsCovering(await deps.organization.organizationOf(accountId), accountId);
  const named = (await Promise.all(principals.map((principal) => deps.store.listAssociationsOfEntity(principal)))).flat();
  return readShareViews(
    deps,
    named.filter((a) => a.associationType === 'PRINCIPAL').map((a) => a.resourceShareArn),
  );
}

/**
 * The ACTIVE shares that name `accountId` through an ASSOCIATED principal right now (what a principal
 * may see of sharing); of `named` shares only, read from the table, when given (no index to lag).
 */
export async function sharesCoveringAccount(deps: Dependencies, accountId: string, named?: string[]): Promise<ShareView[]> {
  const [views, org] = await Promise.all([
    named?.length ? readShareViews(deps, named) : sharesNamingAccount(deps, accountId),
    deps.organization.organizationOf(accountId),
  ]);
  return views.filter((view) => view.share.status === 'ACTIVE' && namesAccountNow(view, org, accountId));
}

/** The ids of the resources of one type that other accounts shared with `accountId` and whose permission allows `action`. */
export async function resourcesSharedWith(
  deps: Dependencies,
  accountId: string,
  type: SharedResourceType,
  action: SharedAction,
): Promise<string[]> {
  const views = (await sharesNamingAccount(deps, accountId)).filter(({ share }) => share.status === 'ACTIVE');
  const owners = await organizationsOf(
    deps,
    views.map(({ share }) => share.owningAccountId),
  );
  const ids = new Set<string>();
  for (const view of views) {
    for (const association of view.associations) {
      if (association.associationType !== 'RESOURCE' || association.resourceType !== type) continue;
      const arn = association.associatedEntity;
      const parsed = parseSharedResourceArn(arn);
      if (parsed && shareGrants([view], owners.get(view.share.owningAccountId), accountId, arn, action)) ids.add(parsed.id);
    }
  }
  return [...ids];
}
