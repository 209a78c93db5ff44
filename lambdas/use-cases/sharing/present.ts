// RAM's output shapes (camelCase, as the wire sends them; the protocol turns times into epoch seconds).
import type { ResourceShare, ResourceShareAssociation, ResourceShareInvitation } from '../../domain/model/sharing.ts';
import type { ManagedPermission } from '../../domain/sharing.ts';
import { permissionPolicy } from '../../domain/sharing.ts';
import type { Output } from '../kernel/context.ts';

export const presentShare = (share: ResourceShare): Output => ({
  resourceShareArn: share.resourceShareArn,
  name: share.name,
  owningAccountId: share.owningAccountId,
  allowExternalPrincipals: share.allowExternalPrincipals,
  status: share.status,
  statusMessage: share.statusMessage,
  tags: share.tags,
  creationTime: share.creationTime,
  lastUpdatedTime: share.lastUpdatedTime,
  featureSet: share.featureSet,
});

export const presentAssociation = (association: ResourceShareAssociation): Output => ({
  resourceShareArn: association.resourceShareArn,
  resourceShareName: association.resourceShareName,
  associatedEntity: association.associatedEntity,
  associationType: association.associationType,
  status: association.status,
  statusMessage: association.statusMessage,
  creationTime: association.creationTime,
  lastUpdatedTime: association.lastUpdatedTime,
  external: association.external,
});

export const presentResource = (association: ResourceShareAssociation): Output => ({
  arn: association.associatedEntity,
  type: association.resourceType,
  resourceShareArn: association.resourceShareArn,
  status: 'AVAILABLE',
  creationTime: association.creationTime,
  lastUpdatedTime: association.lastUpdatedTime,
  resourceRegionScope: 'REGIONAL',
});

export const presentPrincipal = (association: ResourceShareAssociation): Output => ({
  id: association.associatedEntity,
  resourceShareArn: association.resourceShareArn,
  creationTime: association.creationTime,
  lastUpdatedTime: association.lastUpdatedTime,
  external: association.external,
});

export const presentInvitation = (invitation: ResourceShareInvitation): Output => ({
  resourceShareInvitationArn: invitation.resourceShareInvitationArn,
  resourceShareName: invitation.resourceShareName,
  resourceShareArn: invitation.resourceShareArn,
  senderAccountId: invitation.senderAccountId,
  receiverAccountId: invitation.receiverAccountId,
  invitationTimestamp: invitation.invitationTimestamp,
  status: invitation.status,
});

export const presentPermissionSummary = (managed: ManagedPermission, status = 'ATTACHABLE'): Output => ({
  arn: managed.arn,
  version: '1',
  defaultVersion: true,
  name: managed.name,
  resourceType: managed.resourceType,
  status,
  creationTime: managed.creationTime,
  lastUpdatedTime: managed.creationTime,
  isResourceTypeDefault: managed.isResourceTypeDefault,
  permissionType: 'AWS_MANAGED',
  featureSet: 'STANDARD',
});

export const presentPermissionDetail = (managed: ManagedPermission): Output => ({
  ...presentPermissionSummary(managed),
  status: 'ATTACHABLE',
  permission: permissionPolicy(managed),
});
