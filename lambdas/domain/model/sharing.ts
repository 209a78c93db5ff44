// Resource shares in AWS RAM's shapes (member names are RAM's camelCase wire names): the share,
// its associations with resources and principals, and the invitations of principals that must
// accept one. Fields that RAM does not send are marked internal.

export type ResourceShareStatus = 'PENDING' | 'ACTIVE' | 'FAILED' | 'DELETING' | 'DELETED';
export type ResourceShareAssociationType = 'PRINCIPAL' | 'RESOURCE';
export type ResourceShareAssociationStatus = 'ASSOCIATING' | 'ASSOCIATED' | 'FAILED' | 'DISASSOCIATING' | 'DISASSOCIATED';
export type ResourceShareInvitationStatus = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'EXPIRED';

/** The RAM resource types this service shares. */
export type SharedResourceType = 'ec2:IpamPool' | 'ec2:IpamResourceDiscovery';

export interface RamTag {
  key: string;
  value?: string;
}

export interface ResourceShare {
  /** `arn:aws:ram:<region>:<owner>:resource-share/<uuid>`. */
  resourceShareArn: string;
  name: string;
  owningAccountId: string;
  allowExternalPrincipals: boolean;
  status: ResourceShareStatus;
  statusMessage?: string;
  tags: RamTag[];
  featureSet: 'STANDARD';
  /** ISO 8601. */
  creationTime: string;
  lastUpdatedTime: string;
  /** Internal: the Region the share was made in (the shared IPAM's home Region). */
  region: string;
  /** Internal: the managed permission ARN the share grants for each resource type it carries. */
  permissions: Partial<Record<SharedResourceType, string>>;
  version: number;
}

export interface ResourceShareAssociation {
  resourceShareArn: string;
  resourceShareName: string;
  /** A resource ARN, or a principal: a 12-digit account id, an OU ARN or an organisation ARN. */
  associatedEntity: string;
  associationType: ResourceShareAssociationType;
  status: ResourceShareAssociationStatus;
  statusMessage?: string;
  /** A principal outside the share owner's organisation. */
  external: boolean;
  creationTime: string;
  lastUpdatedTime: string;
  /** Internal: the share's owner (who may list the association). */
  ownerId: string;
  /** Internal: for resource associations, the resource's RAM type. */
  resourceType?: SharedResourceType;
  version: number;
}

export interface ResourceShareInvitation {
  /** `arn:aws:ram:<region>:<sender>:resource-share-invitation/<uuid>`. */
  resourceShareInvitationArn: string;
  resourceShareName: string;
  resourceShareArn: string;
  senderAccountId: string;
  receiverAccountId: string;
  invitationTimestamp: string;
  status: ResourceShareInvitationStatus;
  version: number;
}

/** A share with every association it has, as the access checks read it. */
export interface ShareView {
  share: ResourceShare;
  associations: ResourceShareAssociation[];
}
