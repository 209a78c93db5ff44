import { describe, expect, it } from 'vitest';
import type { Organization } from '../../../lambdas/domain/model/organization.ts';
import {
  defaultOrganization,
  entityPath,
  isMemberAccount,
  ouArn,
  parentChain,
  principalCovers,
} from '../../../lambdas/domain/organization.ts';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';

function withOus(): Organization {
  const org = defaultOrganization(MANAGEMENT, [MEMBER, '333333333333']);
  const ou = (Id: string, ParentId: string) => ({ Id, Arn: ouArn(MANAGEMENT, org.Id, Id), Name: Id, ParentId });
  org.organizationalUnits.push(ou('ou-ab12-aaaaaaaa', org.RootId), ou('ou-ab12-bbbbbbbb', 'ou-ab12-aaaaaaaa'));
  org.accounts.find((account) => account.Id === MEMBER)!.ParentId = 'ou-ab12-bbbbbbbb';
  return org;
}

describe('the organisation model', () => {
  it('gives the default organisation ids that depend only on its management account', () => {
    const org = defaultOrganization(MANAGEMENT, [MEMBER]);
    expect(org.Id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(org.RootId).toMatch(/^r-[a-z0-9]{4}$/);
    expect(defaultOrganization(MANAGEMENT, []).Id).toBe(org.Id);
    expect(defaultOrganization(MEMBER, []).Id).not.toBe(org.Id);
    expect(org.Arn).toBe(`arn:aws:organizations::${MANAGEMENT}:organization/${org.Id}`);
  });

  it('places every member in the root and never counts the management account as a member', () => {
    const org = defaultOrganization(MANAGEMENT, [MEMBER, MANAGEMENT]);
    expect(org.accounts.map((account) => [account.Id, account.ParentId])).toEqual([
      [MANAGEMENT, org.RootId],
      [MEMBER, org.RootId],
    ]);
    expect(isMemberAccount(org, MEMBER)).toBe(true);
    expect(isMemberAccount(org, MANAGEMENT)).toBe(false);
    expect(isMemberAccount(org, '999999999999')).toBe(false);
  });

  it('walks an account up through nested OUs to the root, and writes its entity path', () => {
    const org = withOus();
    expect(parentChain(org, MEMBER)).toEqual(['ou-ab12-bbbbbbbb', 'ou-ab12-aaaaaaaa', org.RootId]);
    expect(entityPath(org, MEMBER)).toBe(`${org.Id}/${org.RootId}/ou-ab12-aaaaaaaa/ou-ab12-bbbbbbbb/`);
    expect(entityPath(org, '999999999999')).toBeUndefined();
  });

  it('lets an OU principal cover the accounts in it and below it, and nobody else', () => {
    const org = withOus();
    const outer = ouArn(MANAGEMENT, org.Id, 'ou-ab12-aaaaaaaa');
    const inner = ouArn(MANAGEMENT, org.Id, 'ou-ab12-bbbbbbbb');
    expect(principalCovers(org, outer, MEMBER)).toBe(true);
    expect(principalCovers(org, inner, MEMBER)).toBe(true);
    expect(principalCovers(org, inner, '333333333333')).toBe(false);
    expect(principalCovers(org, org.Arn, '333333333333')).toBe(true);
    expect(principalCovers(org, org.Arn, '999999999999')).toBe(false);
    expect(principalCovers(org, MEMBER, MEMBER)).toBe(true);
    expect(principalCovers(org, '333333333333', MEMBER)).toBe(false);
  });
});
