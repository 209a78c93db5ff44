// RAM's resource-share operations: create, read, update, delete, associate and disassociate
// resources and principals, list what is shared, tag. Who may see what: a share's owner sees all
// of it; a principal sees the shares that name it (GetResourceShares/ListResources with
// resourceOwner OTHER-ACCOUNTS); anyone else gets UnknownResourceException, as for a missing share.
import { randomUUID } from 'node:crypto';
import { IpamError } from '../../domain/errors.ts';
import type { RamTag, ResourceShare, ResourceShareAssociation, ShareView } from '../../domain/model/sharing.ts';
import type { Organization } from '../../domain/model/organization.ts';
import { principalCovers } from '../../domain/organization.ts';
import { defaultPermissionFor, resourceShareArn } from '../../domain/sharing.ts';
import type { ResourceShareChange } from '../../ports/events.ts';
import type { Write } from '../../ports/store.ts';
import { retryOnConflict } from '../free-space.ts';
import type { Dependencies, Output, RequestContext } from '../kernel/context.ts';
import { pageOf, queryFingerprint } from '../kernel/pagination.ts';
import { readShareViews, sharesNamingAccount } from './access.ts';
import { presentAssociation, presentPrincipal, presentResource, presentShare } from './present.ts';
import {
  newAssociation,
  newInvitation,
  type ResolvedPrincipal,
  type ResolvedResource,
  requireActive,
  requireOwnShare,
  requireShareArn,
  resolvePermissions,
  resolvePrincipal,
  resolveResource,
} from './share-rules.ts';

/** Associations (and their invitations) one request may add: a transaction holds at most 100 writes. */
const MAX_ENTITIES_PER_REQUEST = 40;
const MAX_TAGS = 50;
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

export async function announceShare(
  deps: Dependencies,
  context: RequestContext,
  share: ResourceShare,
  change: ResourceShareChange['detail']['change'],
  entities: { resources?: string[]; principals?: string[] } = {},
): Promise<void> {
  await deps.events.publish(
    [
      {
        'detail-type': 'RAM Resource Share Change',
        detail: {
          resourceShareArn: share.resourceShareArn,
          name: share.name,
          owningAccountId: share.owningAccountId,
          change,
          status: share.status,
          ...entities,
        },
      },
    ],
    { accountId: context.accountId, region: share.region, time: deps.now() },
  );
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
    throw new IpamError('InvalidParameterException', 'The resource share name must be 1 to 255 characters.');
  }
  return name;
}

function requireTags(tags: RamTag[] | undefined): RamTag[] {
  const list = tags ?? [];
  if (list.length > MAX_TAGS) throw new IpamError('TagLimitExceededException', `A resource share has at most ${MAX_TAGS} tags.`);
  for (const tag of list) {
    if (typeof tag.key !== 'string' || tag.key.length === 0 || tag.key.length > 128) {
      throw new IpamError('InvalidParameterException', 'Every tag needs a key of 1 to 128 characters.');
    }
    if (tag.key.startsWith('aws:'))
      throw new IpamError('InvalidParameterException', `The tag key ${tag.key} uses the reserved prefix aws:.`);
  }
  return list;
}

function requireCount(resourceArns: string[] | undefined, principals: string[] | undefined): void {
  if ((resourceArns?.length ?? 0) + (principals?.length ?? 0) > MAX_ENTITIES_PER_REQUEST) {
    throw new IpamError(
      'ResourceShareLimitExceededException',
      `One request may name at most ${MAX_ENTITIES_PER_REQUEST} resources and principals together.`,
    );
  }
}

/**
 * The writes that bring `wanted` resources and principals into `share` (creating their
 * associations, re-activating disassociated ones, inviting accounts that must accept), and the
 * associations as they will be. Entities already associated (or invited) stay as they are.
 */
function associationWrites(
  view: ShareView,
  resources: ResolvedResource[],
  principals: ResolvedPrincipal[],
  now: string,
): { writes: Write[]; associations: ResourceShareAssociation[] } {
  const writes: Write[] = [];
  const associations: ResourceShareAssociation[] = [];
  const existing = (type: 'RESOURCE' | 'PRINCIPAL', entity: string) =>
    view.associations.find((a) => a.associationType === type && a.associatedEntity === entity);
  const add = (
    type: 'RESOURCE' | 'PRINCIPAL',
    entity: string,
    fields: Pick<ResourceShareAssociation, 'status' | 'external' | 'resourceType'>,
  ): boolean => {
    const before = existing(type, entity);
    if (before && before.status !== 'DISASSOCIATED' && before.status !== 'FAILED') {
      associations.push(before);
      return false;
    }
    const after = before
      ? { ...before, ...fields, creationTime: now, lastUpdatedTime: now }
      : newAssociation(view.share, entity, { associationType: type, ...fields }, now);
    // Invariant: one association per (share, entity) — a create fails if another request made it; an update if it changed since read.
    writes.push(
      before
        ? { op: 'update', entity: { type: 'resource-share-association', value: after } }
        : { op: 'create', entity: { type: 'resource-share-association', value: after } },
    );
    associations.push(before ? { ...after, version: after.version + 1 } : after);
    return true;
  };
  for (const resource of resources) add('RESOURCE', resource.arn, { status: 'ASSOCIATED', external: false, resourceType: resource.type });
  for (const principal of principals) {
    const added = add('PRINCIPAL', principal.principal, { status: principal.status, external: principal.external });
    if (added && principal.invite) {
      // Invariant (create): a fresh invitation ARN is unique.
      writes.push({
        op: 'create',
        entity: { type: 'resource-share-invitation', value: newInvitation(view.share, principal.principal, randomUUID(), now) },
      });
    }
  }
  return { writes, associations };
}

async function resolveAll(
  deps: Dependencies,
  context: RequestContext,
  input: { resourceArns?: string[]; principals?: string[] },
  allowExternalPrincipals: boolean,
) {
  requireCount(input.resourceArns, input.principals);
  const org = await deps.organization.organizationOf(context.accountId);
  const resources = await Promise.all((input.resourceArns ?? []).map((arn) => resolveResource(deps, context, org, arn)));
  const principals = (input.principals ?? []).map((principal) => resolvePrincipal(context, org, principal, allowExternalPrincipals));
  return { resources, principals };
}

interface CreateResourceShareInput {
  name: string;
  resourceArns?: string[];
  principals?: string[];
  tags?: RamTag[];
  allowExternalPrincipals?: boolean;
  permissionArns?: string[];
  sources?: string[];
}

export async function createResourceShare(deps: Dependencies, context: RequestContext, input: CreateResourceShareInput) {
  const name = requireName(input.name);
  const tags = requireTags(input.tags);
  if (input.sources?.length)
    throw new IpamError(
      'InvalidParameterException',
      'Source restrictions (sources) apply to service principals, which this service does not share with.',
    );
  const allowExternalPrincipals = input.allowExternalPrincipals ?? true;
  const permissions = resolvePermissions(input.permissionArns);
  const { resources, principals } = await resolveAll(deps, context, input, allowExternalPrincipals);
  for (const type of Object.keys(permissions)) {
    if (!resources.some((resource) => resource.type === type)) {
      throw new IpamError('InvalidParameterException', `The permission for ${type} names a resource type the share does not carry.`);
    }
  }
  const now = deps.now().toISOString();
  const share: ResourceShare = {
    resourceShareArn: resourceShareArn(context.region, context.accountId, randomUUID()),
    name,
    owningAccountId: context.accountId,
    allowExternalPrincipals,
    status: 'ACTIVE',
    tags,
    featureSet: 'STANDARD',
    creationTime: now,
    lastUpdatedTime: now,
    region: context.region,
    permissions,
    version: 1,
  };
  const { writes } = associationWrites({ share, associations: [] }, resources, principals, now);
  // Invariant (create): the share's ARN is new.
  await deps.store.commit([{ op: 'create', entity: { type: 'resource-share', value: share } }, ...writes]);
  await announceShare(deps, context, share, 'created', { resources: input.resourceArns, principals: input.principals });
  return { resourceShare: presentShare(share) };
}

interface UpdateResourceShareInput {
  resourceShareArn: string;
  name?: string;
  allowExternalPrincipals?: boolean;
}

export async function updateResourceShare(deps: Dependencies, context: RequestContext, input: UpdateResourceShareInput) {
  return retryOnConflict(async () => {
    const { share } = await requireOwnShare(deps, context, input.resourceShareArn);
    requireActive(share);
    const updated: ResourceShare = {
      ...share,
      name: input.name === undefined ? share.name : requireName(input.name),
      allowExternalPrincipals: input.allowExternalPrincipals ?? share.allowExternalPrincipals,
      lastUpdatedTime: deps.now().toISOString(),
    };
    // Invariant: the share is still as read (ACTIVE, same name and permissions).
    await deps.store.commit([{ op: 'update', entity: { type: 'resource-share', value: updated } }]);
    const stored = { ...updated, version: updated.version + 1 };
    await announceShare(deps, context, stored, 'updated');
    return { resourceShare: presentShare(stored) };
  });
}

export async function deleteResourceShare(deps: Dependencies, context: RequestContext, input: { resourceShareArn: string }) {
  const view = await retryOnConflict(async () => {
    const current = await requireOwnShare(deps, context, input.resourceShareArn);
    if (current.share.status === 'DELETED') {
      throw new IpamError('OperationNotPermittedException', `The resource share ${input.resourceShareArn} is already deleted.`);
    }
    const deleted: ResourceShare = { ...current.share, status: 'DELETED', lastUpdatedTime: deps.now().toISOString() };
    // Invariant: the share is still as read. Marking it DELETED is what revokes every principal's
    // access at once (the access check needs an ACTIVE share); the associations follow below.
    await deps.store.commit([{ op: 'update', entity: { type: 'resource-share', value: deleted } }]);
    return { share: { ...deleted, version: deleted.version + 1 }, associations: current.associations };
  });
  await markDisassociated(
    deps,
    view.associations.filter((a) => a.status !== 'DISASSOCIATED'),
  );
  await announceShare(deps, context, view.share, 'deleted');
  return { returnValue: true };
}

/** Marks associations DISASSOCIATED, a transaction at a time; an association changed meanwhile is re-read. */
async function markDisassociated(deps: Dependencies, associations: ResourceShareAssociation[]): Promise<void> {
  const now = deps.now().toISOString();
  for (let start = 0; start < associations.length; start += 50) {
    const batch = associations.slice(start, start + 50);
    await retryOnConflict(async (attempt) => {
      const current =
        attempt === 0
          ? batch
          : ((await deps.store.getShareView(batch[0]!.resourceShareArn))?.associations ?? []).filter((a) =>
              batch.some(
                (b) => b.associationType === a.associationType && b.associatedEntity === a.associatedEntity && a.status !== 'DISASSOCIATED',
              ),
            );
      if (current.length === 0) return;
      await deps.store.commit(
        // Invariant: each association is still as read, so no concurrent re-association is undone.
        current.map((a) => ({
          op: 'update' as const,
          entity: { type: 'resource-share-association' as const, value: { ...a, status: 'DISASSOCIATED' as const, lastUpdatedTime: now } },
        })),
      );
    });
  }
}

interface AssociationInput {
  resourceShareArn: string;
  resourceArns?: string[];
  principals?: string[];
  sources?: string[];
}

function requireSomething(input: AssociationInput): void {
  if (input.sources?.length)
    throw new IpamError('InvalidParameterException', 'Source restrictions (sources) are not supported by this service.');
  if (!input.resourceArns?.length && !input.principals?.length) {
    throw new IpamError('MissingRequiredParameterException', 'Name at least one of resourceArns and principals.');
  }
}

export async function associateResourceShare(deps: Dependencies, context: RequestContext, input: AssociationInput) {
  requireSomething(input);
  const result = await retryOnConflict(async () => {
    const view = await requireOwnShare(deps, context, input.resourceShareArn);
    requireActive(view.share);
    const { resources, principals } = await resolveAll(deps, context, input, view.share.allowExternalPrincipals);
    const now = deps.now().toISOString();
    const { writes, associations } = associationWrites(view, resources, principals, now);
    if (writes.length > 0) {
      // Invariant: the share is still ACTIVE as read, so nothing is added to a share being deleted.
      await deps.store.commit([{ op: 'check', entity: { type: 'resource-share', value: view.share } }, ...writes]);
    }
    return { share: view.share, associations };
  });
  await announceShare(deps, context, result.share, 'associated', { resources: input.resourceArns, principals: input.principals });
  return { resourceShareAssociations: result.associations.map(presentAssociation) };
}

export async function disassociateResourceShare(deps: Dependencies, context: RequestContext, input: AssociationInput) {
  requireSomething(input);
  const view = await requireOwnShare(deps, context, input.resourceShareArn);
  requireActive(view.share);
  const named = (type: 'RESOURCE' | 'PRINCIPAL', entities: string[] | undefined) =>
    (entities ?? []).map((entity) => {
      const association = view.associations.find(
        (a) => a.associationType === type && a.associatedEntity === entity && a.status !== 'DISASSOCIATED',
      );
      if (!association) {
        throw new IpamError(
          'UnknownResourceException',
          `${entity} is not associated with the resource share ${view.share.resourceShareArn}.`,
        );
      }
      return association;
    });
  const associations = [...named('RESOURCE', input.resourceArns), ...named('PRINCIPAL', input.principals)];
  await markDisassociated(deps, associations);
  await announceShare(deps, context, view.share, 'disassociated', { resources: input.resourceArns, principals: input.principals });
  const now = deps.now().toISOString();
  return {
    resourceShareAssociations: associations.map((a) => presentAssociation({ ...a, status: 'DISASSOCIATED', lastUpdatedTime: now })),
  };
}

function requireResourceOwner(value: unknown): ResourceOwner {
  if (value !== 'SELF' && value !== 'OTHER-ACCOUNTS') {
    throw new IpamError('InvalidParameterException', `resourceOwner must be SELF or OTHER-ACCOUNTS, not ${String(value)}.`);
  }
  return value;
}

/** The shares the caller sees from one side: its own (SELF) or the ACTIVE ones naming it, for which it is covered right now (OTHER-ACCOUNTS). */
async function sharesSeenBy(deps: Dependencies, context: RequestContext, owner: ResourceOwner): Promise<ShareView[]> {
  if (owner === 'SELF') {
    const shares = await deps.store.listResourceShares(context.accountId);
    return readShareViews(
      deps,
      shares.map((share) => share.resourceShareArn),
    );
  }
  const views = await sharesNamingAccount(deps, context.accountId);
  const org = await deps.organization.organizationOf(context.accountId);
  return views.filter((view) => view.share.status === 'ACTIVE' && coveredNow(view, org, context.accountId));
}

/** The caller is an ASSOCIATED principal of the share (its OU membership decided now). */
function coveredNow(view: ShareView, org: Organization | undefined, accountId: string): boolean {
  return view.associations.some(
    (a) =>
      a.associationType === 'PRINCIPAL' &&
      a.status === 'ASSOCIATED' &&
      (a.associatedEntity === accountId || (org !== undefined && principalCovers(org, a.associatedEntity, accountId))),
  );
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
  const views = await sharesSeenBy(deps, context, owner);
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
  const views = (await sharesSeenBy(deps, context, owner)).filter((view) => view.share.status === 'ACTIVE');
  const carries = (view: ShareView, test: (a: ResourceShareAssociation) => boolean) =>
    view.associations.some((a) => a.associationType === 'RESOURCE' && a.status === 'ASSOCIATED' && test(a));
  const principals = views
    .filter((view) => !input.resourceShareArns?.length || input.resourceShareArns.includes(view.share.resourceShareArn))
    .filter((view) => input.resourceArn === undefined || carries(view, (a) => a.associatedEntity === input.resourceArn))
    .filter((view) => input.resourceType === undefined || carries(view, (a) => sameType(a.resourceType, input.resourceType)))
    .flatMap((view) => view.associations.filter((a) => a.associationType === 'PRINCIPAL' && a.status === 'ASSOCIATED'))
    // A principal sees only the principals that cover it, never the owner's other recipients.
    .filter((a) => owner === 'SELF' || a.associatedEntity === context.accountId || a.associatedEntity.startsWith('arn:'))
    .filter((a) => !input.principals?.length || input.principals.includes(a.associatedEntity));
  const result = page(deps, ['ListPrincipals', context.accountId, owner, input], principals, associationId, input);
  return { principals: result.items.map(presentPrincipal), nextToken: result.nextToken };
}

interface TagInput {
  resourceShareArn?: string;
  resourceArn?: string;
  tags?: RamTag[];
  tagKeys?: string[];
}

function taggedShareArn(input: TagInput): string {
  const arn = input.resourceShareArn ?? input.resourceArn;
  if (arn === undefined) throw new IpamError('MissingRequiredParameterException', 'Name the resource share to tag: resourceShareArn.');
  if (!arn.startsWith('arn:')) throw new IpamError('MalformedArnException', `The specified ARN ${arn} is malformed.`);
  if (!/:resource-share\//.test(arn))
    throw new IpamError('ResourceArnNotFoundException', `Only resource shares can be tagged here, not ${arn}.`);
  return arn;
}

export async function tagResource(deps: Dependencies, context: RequestContext, input: TagInput) {
  const arn = taggedShareArn(input);
  const added = requireTags(input.tags);
  return retryOnConflict(async () => {
    const { share } = await requireOwnShare(deps, context, arn);
    const tags = [...share.tags.filter((tag) => !added.some((other) => other.key === tag.key)), ...added];
    requireTags(tags);
    // Invariant: the share is still as read, so concurrent tag changes are not lost.
    await deps.store.commit([
      { op: 'update', entity: { type: 'resource-share', value: { ...share, tags, lastUpdatedTime: deps.now().toISOString() } } },
    ]);
    return {} as Output;
  });
}

export async function untagResource(deps: Dependencies, context: RequestContext, input: TagInput) {
  const arn = taggedShareArn(input);
  return retryOnConflict(async () => {
    const { share } = await requireOwnShare(deps, context, arn);
    const tags = share.tags.filter((tag) => !(input.tagKeys ?? []).includes(tag.key));
    // Invariant: the share is still as read, so concurrent tag changes are not lost.
    await deps.store.commit([
      { op: 'update', entity: { type: 'resource-share', value: { ...share, tags, lastUpdatedTime: deps.now().toISOString() } } },
    ]);
    return {} as Output;
  });
}
