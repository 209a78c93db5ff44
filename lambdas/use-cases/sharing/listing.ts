// RAM's reading operations: GetResourceShares, GetResourceShareAssociations, ListResources and
// ListPrincipals. An owner sees its own shares whole (resourceOwner SELF); a principal sees the
// ACTIVE shares that cover it right now and only what concerns it (OTHER-ACCOUNTS).
import { IpamError } from '../../domain/errors.ts';
import type { ResourceShare, ResourceShareAssociation, ShareView } from '../../domain/model/sharing.ts';
import { coversAccount, defaultPermissionFor } from '../../domain/sharing.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';
import { pageOf, queryFingerprint } from '../kernel/pagination.ts';
import { readShareViews, sharesCoveringAccount } from './access.ts';
import { presentAssociation, presentPrincipal, presentResource, presentShare } from './present.ts';
import { requireOwnShare, requireShareArn } from './share-rules.ts';

const PAGE_DEFAULT = 500;

type ResourceOwner = 'SELF' | 'OTHER-ACCOUNTS';

interface Paged {
  nextToken?: string;
  maxResults?: number;
}

function page<T>(deps: Dependencies, parts: unknown[], items: T[], idOf: (item: T) => string, input: Paged) {
  const query = queryFingerprint(parts);
  return pageOf(deps.paginationSecret, query, items, idOf, { NextToken: input.nextToken, MaxResults: input.maxResults }, PAGE_DEFAULT);
}

function requireResourceOwner(value: unknown): ResourceOwner {
  if (value !== 'SELF' && value !== 'OTHER-ACCOUNTS') {
    throw new IpamError('InvalidParameterException', `resourceOwner must be SELF or OTHER-ACCOUNTS, not ${String(value)}.`);
  }
  return value;
}

/**
 * The shares the caller sees from one side: its own (SELF) or the ACTIVE ones naming it, for which
 * it is covered right now (OTHER-ACCOUNTS). Shares named by ARN are read from the table, so one
 * just created is seen at once; without ARNs they are listed from an index that may lag.
 */
async function sharesSeenBy(deps: Dependencies, context: RequestContext, owner: ResourceOwner, named?: string[]): Promise<ShareView[]> {
  if (owner === 'SELF') {
    const arns = named?.length ? named : (await deps.store.listResourceShares(context.accountId)).map((share) => share.resourceShareArn);
    return (await readShareViews(deps, arns)).filter((view) => view.share.owningAccountId === context.accountId);
  }
  return sharesCoveringAccount(deps, context.accountId, named);
}

interface GetResourceSharesInput extends Paged {
  resourceOwner: string;
  resourceShareArns?: string[];
  resourceShareStatus?: string;
  name?: string;
  tagFilters?: { tagKey?: string; tagValues?: string[] }[];
  permissionArn?: string;
}

export async function getResourceShares(deps: Dependencies, context: RequestContext, input: GetResourceSharesInput) {
  const owner = requireResourceOwner(input.resourceOwner);
  for (const arn of input.resourceShareArns ?? []) requireShareArn(arn);
  const views = await sharesSeenBy(deps, context, owner, input.resourceShareArns);
  const shares = views
    .map((view) => view.share)
    .filter((share) => !input.resourceShareArns?.length || input.resourceShareArns.includes(share.resourceShareArn))
    .filter((share) => input.resourceShareStatus === undefined || share.status === input.resourceShareStatus)
    .filter((share) => input.name === undefined || share.name === input.name)
    .filter(
      (share) =>
        input.permissionArn === undefined ||
        Object.values(share.permissions).includes(input.permissionArn) ||
        defaultsMatch(share, input.permissionArn, views),
    )
    .filter((share) =>
      (input.tagFilters ?? []).every((filter) =>
        share.tags.some((tag) => tag.key === filter.tagKey && (!filter.tagValues?.length || filter.tagValues.includes(tag.value ?? ''))),
      ),
    );
  const result = page(deps, ['GetResourceShares', context.accountId, owner, input], shares, (share) => share.resourceShareArn, input);
  return { resourceShares: result.items.map(presentShare), nextToken: result.nextToken };
}

/** A share with no permission named for a resource type it carries grants that type's default. */
function defaultsMatch(share: ResourceShare, permissionArn: string, views: ShareView[]): boolean {
  const view = views.find((candidate) => candidate.share.resourceShareArn === share.resourceShareArn);
  return (view?.associations ?? []).some(
    (a) =>
      a.associationType === 'RESOURCE' &&
      a.resourceType !== undefined &&
      share.permissions[a.resourceType] === undefined &&
      defaultArn(a.resourceType) === permissionArn,
  );
}

const defaultArn = (type: Parameters<typeof defaultPermissionFor>[0]) => defaultPermissionFor(type).arn;

interface GetResourceShareAssociationsInput extends Paged {
  associationType: string;
  resourceShareArns?: string[];
  resourceArn?: string;
  principal?: string;
  associationStatus?: string;
}

export async function getResourceShareAssociations(deps: Dependencies, context: RequestContext, input: GetResourceShareAssociationsInput) {
  if (input.associationType !== 'PRINCIPAL' && input.associationType !== 'RESOURCE') {
    throw new IpamError(
      'InvalidParameterException',
      `associationType must be PRINCIPAL or RESOURCE, not ${String(input.associationType)}.`,
    );
  }
  if (input.principal !== undefined && input.associationType !== 'PRINCIPAL') {
    throw new IpamError('InvalidParameterException', 'The principal filter applies only to associationType PRINCIPAL.');
  }
  if (input.resourceArn !== undefined && input.associationType !== 'RESOURCE') {
    throw new IpamError('InvalidParameterException', 'The resourceArn filter applies only to associationType RESOURCE.');
  }
  const views = input.resourceShareArns?.length
    ? await Promise.all(input.resourceShareArns.map((arn) => requireOwnShare(deps, context, arn)))
    : await sharesSeenBy(deps, context, 'SELF');
  const associations = views
    .flatMap((view) => view.associations)
    .filter((a) => a.associationType === input.associationType)
    .filter((a) => input.associationStatus === undefined || a.status === input.associationStatus)
    .filter((a) => (input.principal ?? input.resourceArn) === undefined || a.associatedEntity === (input.principal ?? input.resourceArn));
  const result = page(deps, ['GetResourceShareAssociations', context.accountId, input], associations, associationId, input);
  return { resourceShareAssociations: result.items.map(presentAssociation), nextToken: result.nextToken };
}

const associationId = (a: ResourceShareAssociation) => `${a.resourceShareArn}#${a.associationType}#${a.associatedEntity}`;

interface ListInput extends Paged {
  resourceOwner: string;
  principal?: string;
  principals?: string[];
  resourceArn?: string;
  resourceArns?: string[];
  resourceType?: string;
  resourceShareArns?: string[];
  resourceRegionScope?: string;
}

function requireResourceType(type: string | undefined): void {
  if (type !== undefined && type.toLowerCase() !== 'ec2:ipampool' && type.toLowerCase() !== 'ec2:ipamresourcediscovery') {
    throw new IpamError(
      'InvalidResourceTypeException',
      `The resource type ${type} is not one this service shares (ec2:IpamPool, ec2:IpamResourceDiscovery).`,
    );
  }
}

const sameType = (a: string | undefined, b: string | undefined) => b === undefined || a?.toLowerCase() === b.toLowerCase();

export async function listResources(deps: Dependencies, context: RequestContext, input: ListInput) {
  const owner = requireResourceOwner(input.resourceOwner);
  requireResourceType(input.resourceType);
  const views = (await sharesSeenBy(deps, context, owner)).filter((view) => view.share.status === 'ACTIVE');
  const live = (view: ShareView, type: 'RESOURCE' | 'PRINCIPAL') =>
    view.associations.filter((a) => a.associationType === type && a.status === 'ASSOCIATED');
  const resources = views
    .filter((view) => !input.resourceShareArns?.length || input.resourceShareArns.includes(view.share.resourceShareArn))
    .filter((view) => input.principal === undefined || live(view, 'PRINCIPAL').some((a) => a.associatedEntity === input.principal))
    .flatMap((view) => live(view, 'RESOURCE'))
    .filter((a) => sameType(a.resourceType, input.resourceType))
    .filter((a) => !input.resourceArns?.length || input.resourceArns.includes(a.associatedEntity));
  const result = page(deps, ['ListResources', context.accountId, owner, input], resources, associationId, input);
  return { resources: result.items.map(presentResource), nextToken: result.nextToken };
}

export async function listPrincipals(deps: Dependencies, context: RequestContext, input: ListInput) {
  const owner = requireResourceOwner(input.resourceOwner);
  requireResourceType(input.resourceType);
  const [views, org] = await Promise.all([
    sharesSeenBy(deps, context, owner).then((seen) => seen.filter((view) => view.share.status === 'ACTIVE')),
    deps.organization.organizationOf(context.accountId),
  ]);
  const carries = (view: ShareView, test: (a: ResourceShareAssociation) => boolean) =>
    view.associations.some((a) => a.associationType === 'RESOURCE' && a.status === 'ASSOCIATED' && test(a));
  const principals = views
    .filter((view) => !input.resourceShareArns?.length || input.resourceShareArns.includes(view.share.resourceShareArn))
    .filter((view) => input.resourceArn === undefined || carries(view, (a) => a.associatedEntity === input.resourceArn))
    .filter((view) => input.resourceType === undefined || carries(view, (a) => sameType(a.resourceType, input.resourceType)))
    .flatMap((view) => view.associations.filter((a) => a.associationType === 'PRINCIPAL' && a.status === 'ASSOCIATED'))
    // A principal sees only the principals that cover it, never the owner's other recipients.
    .filter((a) => owner === 'SELF' || coversAccount(org, a.associatedEntity, context.accountId))
    .filter((a) => !input.principals?.length || input.principals.includes(a.associatedEntity));
  const result = page(deps, ['ListPrincipals', context.accountId, owner, input], principals, associationId, input);
  return { principals: result.items.map(presentPrincipal), nextToken: result.nextToken };
}
