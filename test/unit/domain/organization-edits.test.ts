// The edits only `npm run org` makes (the Organizations API cannot create accounts or
// organisations): an account joins, leaving where it was; a second organisation is founded; the
// management account and the delegated IPAM administrator never leave.
import { describe, expect, it } from 'vitest';
import { addAccount, createOrganization } from '../../../lambdas/domain/organization-edits.ts';
import { effectiveDocument, organizationOfAccount } from '../../../lambdas/domain/organization-document.ts';
import { IPAM_SERVICE_PRINCIPAL } from '../../../lambdas/domain/organization.ts';

const MANAGEMENT = '111111111111';
const MEMBER = '222222222222';
const JOINED = new Date('2026-12-07T00:00:00Z');

const start = () => effectiveDocument(undefined, { managementAccount: MANAGEMENT, keyedAccounts: [MEMBER] });

describe('createOrganization', () => {
  it('founds a second organisation whose management account leaves the first', () => {
    const { document, org } = createOrganization(start(), MEMBER, JOINED);
    expect(org.MasterAccountId).toBe(MEMBER);
    expect(organizationOfAccount(document, MEMBER)?.Id).toBe(org.Id);
    expect(document.organizations[0]!.accounts.map((account) => account.Id)).toEqual([MANAGEMENT]);
  });

  it('refuses the management account of another organisation and the delegated IPAM administrator', () => {
    expect(() => createOrganization(start(), MANAGEMENT, JOINED)).toThrow(/manages/);
    const document = start();
    document.organizations[0]!.delegatedAdministrators.push({
      AccountId: MEMBER,
      ServicePrincipal: IPAM_SERVICE_PRINCIPAL,
      DelegationEnabledDate: JOINED.toISOString(),
    });
    expect(() => createOrganization(document, MEMBER, JOINED)).toThrow(/delegated IPAM administrator/);
  });
});

describe('addAccount', () => {
  it('adds a new account where it is told, and moves one over from another organisation or the standalone list', () => {
    const { document: two, org: second } = createOrganization(start(), '555555555555', JOINED);
    const added = addAccount(two, second.Id, { accountId: MEMBER, name: 'web', parentId: second.RootId, joined: JOINED });
    expect(organizationOfAccount(added, MEMBER)).toMatchObject({ Id: second.Id });
    expect(added.organizations[0]!.accounts.map((account) => account.Id)).toEqual([MANAGEMENT]);

    const standalone = { ...added, standaloneAccounts: ['333333333333'] };
    const joined = addAccount(standalone, second.Id, { accountId: '333333333333', parentId: second.RootId, joined: JOINED });
    expect(joined.standaloneAccounts).toEqual([]);
    expect(() => addAccount(joined, second.Id, { accountId: '4', parentId: second.RootId, joined: JOINED })).toThrow(/12 digits/);
    expect(() => addAccount(joined, second.Id, { accountId: '444444444444', parentId: 'ou-zzzz-zzzzzzzz', joined: JOINED })).toThrow(
      /doesn't exist/,
    );
  });
});
