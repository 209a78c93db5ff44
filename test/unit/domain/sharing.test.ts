// The one access decision for shared resources (domain/sharing.ts): which share, principal,
// permission and organisation state let an account call an action on another account's resource.
import { describe, expect, it } from 'vitest';
import type { ResourceShare, ResourceShareAssociation, ShareView } from '../../../lambdas/domain/model/sharing.ts';
import { defaultOrganization, ouArn } from '../../../lambdas/domain/organization.ts';
import {
  MANAGED_PERMISSIONS,
  parseSharedResourceArn,
  permissionOf,
  principalKind,
  principalsCovering,
  shareGrants,
} from '../../../lambdas/domain/sharing.ts';

const OWNER = '210987654321';
const A = '111111111111';
const B = '222222222222';
const POOL = `arn:aws:ec2::${OWNER}:ipam-pool/ipam-pool-0123456789abcdef0`;
const org = defaultOrganization('123456789012', [OWNER, A, B]);
const OU_ID = `ou-${org.RootId.slice(2)}-apps0001`;
const OU = ouArn('123456789012', org.Id, OU_ID);
org.organizationalUnits.push({ Id: OU_ID, Arn: OU, Name: 'apps', ParentId: org.RootId });
org.accounts.find((account) => account.Id === A)!.ParentId = OU_ID;

function view(
  principal: string,
  changes: { share?: Partial<ResourceShare>; principal?: Partial<ResourceShareAssociation> } = {},
): ShareView {
  const share = {
    resourceShareArn: 'arn:share',
    owningAccountId: OWNER,
    status: 'ACTIVE',
    permissions: {},
    ...changes.share,
  } as ResourceShare;
  const association = (associationType: 'RESOURCE' | 'PRINCIPAL', associatedEntity: string) =>
    ({ resourceShareArn: 'arn:share', associationType, associatedEntity, status: 'ASSOCIATED' }) as ResourceShareAssociation;
  return {
    share,
    associations: [
      { ...association('RESOURCE', POOL), resourceType: 'ec2:IpamPool' },
      { ...association('PRINCIPAL', principal), ...changes.principal },
    ],
  };
}

describe('shareGrants', () => {
  it('grants what the default pool permission allows to an associated account principal', () => {
    expect(shareGrants([view(A)], org, A, POOL, 'AllocateIpamPoolCidr')).toBe(true);
    expect(shareGrants([view(A)], org, A, POOL, 'AssociateIpamResourceDiscovery')).toBe(false);
    expect(shareGrants([view(A)], org, B, POOL, 'DescribeIpamPools')).toBe(false);
    expect(shareGrants([view(A)], org, A, `${POOL}1`, 'DescribeIpamPools')).toBe(false);
  });

  it('needs an ACTIVE share and an ASSOCIATED principal', () => {
    expect(shareGrants([view(A, { share: { status: 'DELETED' } })], org, A, POOL, 'DescribeIpamPools')).toBe(false);
    expect(shareGrants([view(A, { principal: { status: 'ASSOCIATING' } })], org, A, POOL, 'DescribeIpamPools')).toBe(false);
    expect(shareGrants([view(A, { principal: { status: 'DISASSOCIATED' } })], org, A, POOL, 'DescribeIpamPools')).toBe(false);
  });

  it('decides OU and organisation principals on the organisation given', () => {
    expect(shareGrants([view(OU)], org, A, POOL, 'AllocateIpamPoolCidr')).toBe(true);
    expect(shareGrants([view(OU)], org, B, POOL, 'AllocateIpamPoolCidr')).toBe(false);
    expect(shareGrants([view(org.Arn)], org, B, POOL, 'AllocateIpamPoolCidr')).toBe(true);
    // Without the owner's organisation only account principals count.
    expect(shareGrants([view(OU)], undefined, A, POOL, 'AllocateIpamPoolCidr')).toBe(false);
  });

  it('follows the permission the share names for the type', () => {
    const importOnly = MANAGED_PERMISSIONS.find((managed) => managed.name === 'AWSRAMPermissionIpamPoolByoipCidrImport')!;
    const narrowed = view(A, { share: { permissions: { 'ec2:IpamPool': importOnly.arn } } });
    expect(permissionOf(narrowed.share, 'ec2:IpamPool')).toBe(importOnly);
    expect(shareGrants([narrowed], org, A, POOL, 'DescribeIpamPools')).toBe(true);
    expect(shareGrants([narrowed], org, A, POOL, 'AllocateIpamPoolCidr')).toBe(false);
    expect(shareGrants([narrowed], org, A, POOL, 'ImportByoipCidrToIpam')).toBe(true);
    expect(shareGrants([view(A)], org, A, POOL, 'ImportByoipCidrToIpam')).toBe(false);
  });
});

describe('names', () => {
  it('tells accounts, OUs and organisations apart, and parses shareable resource ARNs', () => {
    expect([A, OU, org.Arn, 'arn:aws:iam::111111111111:role/x', '1234'].map(principalKind)).toEqual([
      'account',
      'ou',
      'organization',
      undefined,
      undefined,
    ]);
    expect(parseSharedResourceArn(POOL)).toEqual({ type: 'ec2:IpamPool', ownerId: OWNER, id: 'ipam-pool-0123456789abcdef0' });
    expect(parseSharedResourceArn(`arn:aws:ec2::${OWNER}:ipam-resource-discovery/ipam-res-disco-01`)?.type).toBe(
      'ec2:IpamResourceDiscovery',
    );
    expect(parseSharedResourceArn(`arn:aws:ec2::${OWNER}:ipam/ipam-01`)).toBeUndefined();
  });

  it('lists the principals that cover an account: itself, its organisation, its OU chain', () => {
    expect(principalsCovering(org, A).sort()).toEqual([A, org.Arn, OU].sort());
    expect(principalsCovering(org, B).sort()).toEqual([B, org.Arn].sort());
    expect(principalsCovering(undefined, '999999999999')).toEqual(['999999999999']);
  });
});
