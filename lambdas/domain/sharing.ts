// Pure rules of resource sharing (AWS RAM): the managed permissions and what each allows, share
// and invitation ARNs, which principals a share may name, and the one access decision every
// shared-pool and shared-resource-discovery request goes through.
import type { Organization } from './model/organization.ts';
import type { ResourceShare, ResourceShareAssociation, SharedResourceType, ShareView } from './model/sharing.ts';
import { findAccount, principalCovers } from './organization.ts';

/** The EC2 actions a principal of a share may call on a shared resource (the owner may call every action). */
export type SharedAction =
  | 'DescribeIpamPools'
  | 'GetIpamPoolCidrs'
  | 'GetIpamPoolAllocations'
  | 'AllocateIpamPoolCidr'
  | 'ReleaseIpamPoolAllocation'
  | 'ImportByoipCidrToIpam'
  | 'DescribeIpamResourceDiscoveries'
  | 'AssociateIpamResourceDiscovery'
  | 'GetIpamDiscoveredResourceCidrs'
  | 'GetIpamDiscoveredAccounts'
  | 'GetIpamDiscoveredPublicAddresses';

export interface ManagedPermission {
  name: string;
  arn: string;
  resourceType: SharedResourceType;
  /** The permission RAM attaches when a share names none for this resource type. */
  isResourceTypeDefault: boolean;
  actions: readonly SharedAction[];
  /** ISO 8601; fixed, like AWS's own managed permissions. */
  creationTime: string;
}

const managedPermissionArn = (name: string) => `arn:aws:ram::aws:permission/${name}`;

const permission = (
  name: string,
  resourceType: SharedResourceType,
  isResourceTypeDefault: boolean,
  actions: readonly SharedAction[],
): ManagedPermission => ({
  name,
  arn: managedPermissionArn(name),
  resourceType,
  isResourceTypeDefault,
  actions,
  creationTime: '2021-12-01T00:00:00.000Z',
});

/** The managed permissions this service knows, one row each (spec §5.9, the guide's sharing chapters). */
export const MANAGED_PERMISSIONS: readonly ManagedPermission[] = [
  permission('AWSRAMDefaultPermissionsIpamPool', 'ec2:IpamPool', true, [
    'DescribeIpamPools',
    'GetIpamPoolCidrs',
    'GetIpamPoolAllocations',
    'AllocateIpamPoolCidr',
    'ReleaseIpamPoolAllocation',
  ]),
  // The BYOIP range owner moves a range into the pool (MoveByoipCidrToIpam, use-cases/byoip-transfer.ts).
  permission('AWSRAMPermissionIpamPoolByoipCidrImport', 'ec2:IpamPool', false, [
    'DescribeIpamPools',
    'GetIpamPoolCidrs',
    'ImportByoipCidrToIpam',
  ]),
  permission('AWSRAMPermissionIpamResourceDiscovery', 'ec2:IpamResourceDiscovery', true, [
    'DescribeIpamResourceDiscoveries',
    'AssociateIpamResourceDiscovery',
    'GetIpamDiscoveredResourceCidrs',
    'GetIpamDiscoveredAccounts',
    'GetIpamDiscoveredPublicAddresses',
  ]),
];

export const findManagedPermission = (arn: string) => MANAGED_PERMISSIONS.find((candidate) => candidate.arn === arn);

export const defaultPermissionFor = (resourceType: SharedResourceType) =>
  MANAGED_PERMISSIONS.find((candidate) => candidate.resourceType === resourceType && candidate.isResourceTypeDefault)!;

/** The permission's policy document, as RAM's GetPermission returns it. */
export const permissionPolicy = (managed: ManagedPermission) =>
  JSON.stringify({ Effect: 'Allow', Action: managed.actions.map((action) => `ec2:${action}`) });

export const resourceShareArn = (region: string, owner: string, uuid: string) => `arn:aws:ram:${region}:${owner}:resource-share/${uuid}`;
export const invitationArn = (region: string, sender: string, uuid: string) =>
  `arn:aws:ram:${region}:${sender}:resource-share-invitation/${uuid}`;

export const isResourceShareArn = (arn: string) => /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share\/[0-9a-f-]{36}$/.test(arn);
export const isInvitationArn = (arn: string) => /^arn:aws:ram:[a-z0-9-]+:\d{12}:resource-share-invitation\/[0-9a-f-]{36}$/.test(arn);

/** The shareable resource an ARN names: an IPAM pool or a resource discovery, `arn:aws:ec2::<owner>:<type>/<id>`. */
export function parseSharedResourceArn(arn: string): { type: SharedResourceType; ownerId: string; id: string } | undefined {
  const match = /^arn:aws:ec2::(\d{12}):(ipam-pool|ipam-resource-discovery)\/([a-z0-9-]+)$/.exec(arn);
  if (!match) return undefined;
  return { type: match[2] === 'ipam-pool' ? 'ec2:IpamPool' : 'ec2:IpamResourceDiscovery', ownerId: match[1]!, id: match[3]! };
}

/** Any ARN at all, so that a well-formed ARN of an unshareable resource gets a different answer than a malformed one. */
export const looksLikeArn = (text: string) => /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}|aws)?:.+$/.test(text);

export type PrincipalKind = 'account' | 'organization' | 'ou';

/** What a RAM principal names, or undefined when it is none of the kinds this service shares with. */
export function principalKind(principal: string): PrincipalKind | undefined {
  if (/^\d{12}$/.test(principal)) return 'account';
  if (/^arn:aws:organizations::\d{12}:organization\/o-[a-z0-9]{10,32}$/.test(principal)) return 'organization';
  if (/^arn:aws:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/.test(principal)) return 'ou';
  return undefined;
}

/** Whether a principal names the organisation or one of its OUs. */
export function principalInOrganization(org: Organization | undefined, principal: string): boolean {
  if (!org) return false;
  if (principal === org.Arn) return true;
  if (/^\d{12}$/.test(principal)) return findAccount(org, principal) !== undefined;
  return org.organizationalUnits.some((ou) => ou.Arn === principal);
}

const isLive = (association: ResourceShareAssociation) => association.status === 'ASSOCIATED';

/**
 * Whether `accountId` may call `action` on the shared resource `resourceArn` through one of
 * `views`: an ACTIVE share that carries the resource, names a principal covering the account (on
 * the organisation as it is now) and grants a permission allowing the action. The owner's own
 * access is not decided here.
 */
export function shareGrants(
  views: readonly ShareView[],
  ownerOrganization: Organization | undefined,
  accountId: string,
  resourceArn: string,
  action: SharedAction,
): boolean {
  return views.some(({ share, associations }) => {
    if (share.status !== 'ACTIVE' || share.owningAccountId === accountId) return false;
    const resource = associations.find((a) => a.associationType === 'RESOURCE' && a.associatedEntity === resourceArn && isLive(a));
    if (!resource?.resourceType) return false;
    const granted = permissionOf(share, resource.resourceType);
    if (!granted.actions.includes(action)) return false;
    return associations.some(
      (a) => a.associationType === 'PRINCIPAL' && isLive(a) && coversAccount(ownerOrganization, a.associatedEntity, accountId),
    );
  });
}

/** Whether the share names `accountId` through an ASSOCIATED principal, judged on `org` as it is now. */
export function namesAccountNow(view: ShareView, org: Organization | undefined, accountId: string): boolean {
  return view.associations.some((a) => a.associationType === 'PRINCIPAL' && isLive(a) && coversAccount(org, a.associatedEntity, accountId));
}

/** A principal covers an account: the account itself, or (in the owner's organisation) the organisation or an OU it sits under. */
export function coversAccount(ownerOrganization: Organization | undefined, principal: string, accountId: string): boolean {
  if (principal === accountId) return true;
  return ownerOrganization !== undefined && principalCovers(ownerOrganization, principal, accountId);
}

/** The managed permission a share grants for a resource type: the one associated, else the type's default. */
export function permissionOf(share: ResourceShare, resourceType: SharedResourceType): ManagedPermission {
  const arn = share.permissions[resourceType];
  return (arn && findManagedPermission(arn)) || defaultPermissionFor(resourceType);
}

/** The principals a share names whose coverage includes `accountId` (used to list what is shared with an account). */
export function principalsCovering(org: Organization | undefined, accountId: string): string[] {
  const principals = [accountId];
  if (!org || findAccount(org, accountId) === undefined) return principals;
  principals.push(org.Arn);
  for (const ou of org.organizationalUnits) if (principalCovers(org, ou.Arn, accountId)) principals.push(ou.Arn);
  return principals;
}
