// RAM's resource-share changes: create, update, delete, associate and disassociate resources and
// principals. Only a share's owner changes it; anyone else gets UnknownResourceException, as for
// a missing share. Reading shares is in listing.ts, tags in tags.ts.
import { randomUUID } from 'node:crypto';
import { IpamError } from '../../domain/errors.ts';
import type { RamTag, ResourceShare, ResourceShareAssociation, ShareView } from '../../domain/model/sharing.ts';
import { resourceShareArn } from '../../domain/sharing.ts';
import type { Write } from '../../ports/store.ts';
import { retryOnConflict } from '../free-space.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';
import { type Announcement, commitAnnouncing } from '../kernel/outbox.ts';
import { shareChange } from './announce.ts';
import { presentAssociation, presentShare } from './present.ts';
import {
  newAssociation,
  newInvitation,
  type ResolvedPrincipal,
  type ResolvedResource,
  requireActive,
  requireOwnShare,
  requireTags,
  resolvePermissions,
  resolvePrincipal,
  resolveResource,
} from './share-rules.ts';

/** Associations (and their invitations) one request may add: a transaction holds at most 100 writes. */
const MAX_ENTITIES_PER_REQUEST = 40;

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 255) {
    throw new IpamError('InvalidParameterException', 'The resource share name must be 1 to 255 characters.');
  }
  return name;
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
  await commitAnnouncing(
    deps,
    [{ op: 'create', entity: { type: 'resource-share', value: share } }, ...writes],
    [shareChange(context, share, 'created', { resources: input.resourceArns, principals: input.principals })],
  );
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
    await commitAnnouncing(
      deps,
      [{ op: 'update', entity: { type: 'resource-share', value: updated } }],
      [shareChange(context, updated, 'updated')],
    );
    const stored = { ...updated, version: updated.version + 1 };
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
    await commitAnnouncing(
      deps,
      [{ op: 'update', entity: { type: 'resource-share', value: deleted } }],
      [shareChange(context, deleted, 'deleted')],
    );
    return { share: { ...deleted, version: deleted.version + 1 }, associations: current.associations };
  });
  await markDisassociated(
    deps,
    view.associations.filter((a) => a.status !== 'DISASSOCIATED'),
  );
  return { returnValue: true };
}

/**
 * Marks associations DISASSOCIATED, 50 to a commit; an association changed meanwhile is re-read.
 * `announcements` go in the first commit that changes something, or on their own if none does
 * (the request still announces what it named).
 */
async function markDisassociated(
  deps: Dependencies,
  associations: ResourceShareAssociation[],
  announcements: Announcement[] = [],
): Promise<void> {
  const now = deps.now().toISOString();
  let unannounced = announcements;
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
      await commitAnnouncing(
        deps,
        // Invariant: each association is still as read, so no concurrent re-association is undone.
        current.map((a) => ({
          op: 'update' as const,
          entity: { type: 'resource-share-association' as const, value: { ...a, status: 'DISASSOCIATED' as const, lastUpdatedTime: now } },
        })),
        unannounced,
      );
      unannounced = [];
    });
  }
  if (unannounced.length > 0) await commitAnnouncing(deps, [], unannounced);
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
    const announced = [shareChange(context, view.share, 'associated', { resources: input.resourceArns, principals: input.principals })];
    // Invariant: the share is still ACTIVE as read, so nothing is added to a share being deleted.
    // With nothing new to associate, the request is still announced (and only that is committed).
    await commitAnnouncing(
      deps,
      writes.length > 0 ? [{ op: 'check', entity: { type: 'resource-share', value: view.share } }, ...writes] : [],
      announced,
    );
    return { share: view.share, associations };
  });
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
  await markDisassociated(deps, associations, [
    shareChange(context, view.share, 'disassociated', { resources: input.resourceArns, principals: input.principals }),
  ]);
  const now = deps.now().toISOString();
  return {
    resourceShareAssociations: associations.map((a) => presentAssociation({ ...a, status: 'DISASSOCIATED', lastUpdatedTime: now })),
  };
}
