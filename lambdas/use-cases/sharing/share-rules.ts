// What a share may carry and name, checked against the store and the organisation: the resources
// (pools of an organisation-integrated IPAM, resource discoveries, in the share's Region), the
// principals (accounts, OUs, the organisation) and the permissions. Shared by CreateResourceShare
// and AssociateResourceShare, so both refuse the same things the same way.
import { IpamError } from '../../domain/errors.ts';
import type { Organization } from '../../domain/model/organization.ts';
import type {
  RamTag,
  ResourceShare,
  ResourceShareAssociation,
  ResourceShareAssociationStatus,
  ResourceShareInvitation,
  SharedResourceType,
} from '../../domain/model/sharing.ts';
import { ipamAdministrator } from '../../domain/organization.ts';
import {
  findManagedPermission,
  invitationArn,
  isResourceShareArn,
  looksLikeArn,
  parseSharedResourceArn,
  principalInOrganization,
  principalKind,
} from '../../domain/sharing.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';

export interface ResolvedResource {
  arn: string;
  type: SharedResourceType;
}

export interface ResolvedPrincipal {
  principal: string;
  status: ResourceShareAssociationStatus;
  external: boolean;
  /** The account must accept an invitation first. */
  invite: boolean;
}

const MAX_TAGS = 50;

export function requireTags(tags: RamTag[] | undefined): RamTag[] {
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

export const unknownShare = (arn: string) => new IpamError('UnknownResourceException', `ResourceShare ${arn} could not be found.`);

export function requireShareArn(arn: string): void {
  if (!isResourceShareArn(arn)) throw new IpamError('MalformedArnException', `The specified resource share ARN ${arn} is malformed.`);
}

/** The caller's own share, or UnknownResourceException (another account's share answers like a missing one). */
export async function requireOwnShare(deps: Dependencies, context: RequestContext, arn: string) {
  requireShareArn(arn);
  const view = await deps.store.getShareView(arn);
  if (!view || view.share.owningAccountId !== context.accountId) throw unknownShare(arn);
  return view;
}

export function requireActive(share: ResourceShare): void {
  if (share.status !== 'ACTIVE') {
    throw new IpamError(
      'InvalidStateTransitionException',
      `The resource share ${share.resourceShareArn} is ${share.status} and cannot be changed.`,
    );
  }
}

/** A resource the caller may put in a share made in the request's Region. */
export async function resolveResource(
  deps: Dependencies,
  context: RequestContext,
  org: Organization | undefined,
  arn: string,
): Promise<ResolvedResource> {
  const parsed = parseSharedResourceArn(arn);
  if (!parsed) {
    if (looksLikeArn(arn)) {
      throw new IpamError(
        'InvalidParameterException',
        `The resource ${arn} is not of a type this service shares (ec2:IpamPool, ec2:IpamResourceDiscovery).`,
      );
    }
    throw new IpamError('MalformedArnException', `The specified resource ARN ${arn} is malformed.`);
  }
  const unknown = new IpamError('UnknownResourceException', `The resource ${arn} could not be found in account ${context.accountId}.`);
  if (parsed.ownerId !== context.accountId) throw unknown;
  if (parsed.type === 'ec2:IpamPool') {
    const pool = await deps.store.getPool(parsed.id);
    if (!pool || pool.OwnerId !== context.accountId || pool.IpamPoolArn !== arn) throw unknown;
    // The guide: sharing needs an IPAM integrated with AWS Organizations (its owner is the delegated administrator).
    if (!org || ipamAdministrator(org) !== context.accountId) {
      throw new IpamError(
        'OperationNotPermittedException',
        `The IPAM pool ${parsed.id} belongs to a single-account IPAM: only pools of an IPAM integrated with AWS Organizations (owned by the organisation's delegated IPAM administrator) can be shared.`,
      );
    }
    if (pool.IpamRegion !== context.region) {
      throw new IpamError(
        'InvalidParameterException',
        `IPAM pools are shared in the IPAM's home Region: create the resource share for ${parsed.id} in ${pool.IpamRegion}, not ${context.region}.`,
      );
    }
  } else {
    const discovery = await deps.store.getResourceDiscovery(parsed.id);
    if (!discovery || discovery.OwnerId !== context.accountId || discovery.IpamResourceDiscoveryArn !== arn) throw unknown;
    if (discovery.IpamResourceDiscoveryRegion !== context.region) {
      throw new IpamError(
        'InvalidParameterException',
        `A resource discovery is shared in its own Region: create the resource share for ${parsed.id} in ${discovery.IpamResourceDiscoveryRegion}, not ${context.region}.`,
      );
    }
  }
  return { arn, type: parsed.type };
}

/** How a principal joins a share: at once (inside the organisation, sharing with it enabled) or by invitation. */
export function resolvePrincipal(
  context: RequestContext,
  org: Organization | undefined,
  principal: string,
  allowExternalPrincipals: boolean,
): ResolvedPrincipal {
  const kind = principalKind(principal);
  if (!kind) {
    if (principal.startsWith('arn:')) throw new IpamError('MalformedArnException', `The principal ${principal} is malformed.`);
    throw new IpamError(
      'InvalidParameterException',
      `The principal ${principal} is not a 12-digit account id, an OU ARN or an organisation ARN.`,
    );
  }
  if (principal === context.accountId) {
    throw new IpamError('InvalidParameterException', `The principal ${principal} owns the resource share; share with other accounts.`);
  }
  const inOrganization = principalInOrganization(org, principal);
  if (kind !== 'account') {
    if (!inOrganization) {
      throw new IpamError('UnknownResourceException', `The principal ${principal} is not your organisation or one of its OUs.`);
    }
    if (!org?.sharingWithOrganizationEnabled) {
      throw new IpamError(
        'OperationNotPermittedException',
        'Sharing with an organisation or OU needs sharing with AWS Organizations enabled: the management account calls EnableSharingWithAwsOrganization first.',
      );
    }
    return { principal, status: 'ASSOCIATED', external: false, invite: false };
  }
  if (inOrganization && org?.sharingWithOrganizationEnabled) return { principal, status: 'ASSOCIATED', external: false, invite: false };
  if (!inOrganization && !allowExternalPrincipals) {
    throw new IpamError(
      'OperationNotPermittedException',
      `The account ${principal} is outside your organisation and the resource share does not allow external principals.`,
    );
  }
  return { principal, status: 'ASSOCIATING', external: !inOrganization, invite: true };
}

/** The managed permissions named for a share, one per resource type. */
export function resolvePermissions(permissionArns: string[] | undefined): Partial<Record<SharedResourceType, string>> {
  const permissions: Partial<Record<SharedResourceType, string>> = {};
  for (const arn of permissionArns ?? []) {
    const managed = requirePermission(arn);
    if (permissions[managed.resourceType]) {
      throw new IpamError('InvalidParameterException', `Only one permission per resource type: ${managed.resourceType} is named twice.`);
    }
    permissions[managed.resourceType] = managed.arn;
  }
  return permissions;
}

export function requirePermission(arn: string) {
  if (!/^arn:aws:ram::(aws|\d{12}):permission\/.+$/.test(arn)) {
    throw new IpamError('MalformedArnException', `The specified permission ARN ${arn} is malformed.`);
  }
  const managed = findManagedPermission(arn);
  if (!managed) throw new IpamError('UnknownResourceException', `The permission ${arn} could not be found.`);
  return managed;
}

export function newAssociation(
  share: ResourceShare,
  entity: string,
  fields: Pick<ResourceShareAssociation, 'associationType' | 'status' | 'external' | 'resourceType'>,
  now: string,
): ResourceShareAssociation {
  return {
    resourceShareArn: share.resourceShareArn,
    resourceShareName: share.name,
    associatedEntity: entity,
    creationTime: now,
    lastUpdatedTime: now,
    ownerId: share.owningAccountId,
    version: 1,
    ...fields,
  };
}

export function newInvitation(share: ResourceShare, receiverAccountId: string, uuid: string, now: string): ResourceShareInvitation {
  return {
    resourceShareInvitationArn: invitationArn(share.region, share.owningAccountId, uuid),
    resourceShareName: share.name,
    resourceShareArn: share.resourceShareArn,
    senderAccountId: share.owningAccountId,
    receiverAccountId,
    invitationTimestamp: now,
    status: 'PENDING',
    version: 1,
  };
}
