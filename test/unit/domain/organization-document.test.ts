// The organisation document: what a hand-written file may leave out, what it may not contain,
// and how accounts with keys but no entry join the first organisation.
import { describe, expect, it } from 'vitest';
import { effectiveDocument, organizationOfAccount, parseOrganizationDocument } from '../../../lambdas/domain/organization-document.ts';
import { defaultOrganizationId, defaultRootId } from '../../../lambdas/domain/organization.ts';

const MANAGEMENT = '111111111111';
const SECOND = '555555555555';

describe('parseOrganizationDocument', () => {
  it('completes a minimal hand-written document from the ids', () => {
    const document = parseOrganizationDocument({
      organizations: [
        {
          MasterAccountId: MANAGEMENT,
          organizationalUnits: [{ Id: 'ou-abcd-11111111', Name: 'Prod' }],
          accounts: [{ Id: '222222222222', ParentId: 'ou-abcd-11111111' }],
        },
      ],
    });
    const [org] = document.organizations;
    expect(org!.Id).toBe(defaultOrganizationId(MANAGEMENT));
    expect(org!.RootId).toBe(defaultRootId(MANAGEMENT));
    expect(org!.organizationalUnits[0]!.ParentId).toBe(org!.RootId);
    expect(org!.organizationalUnits[0]!.Arn).toBe(`arn:aws:organizations::${MANAGEMENT}:ou/${org!.Id}/ou-abcd-11111111`);
    // The management account is always in its organisation.
    expect(org!.accounts.map((account) => account.Id)).toEqual([MANAGEMENT, '222222222222']);
    expect(document.standaloneAccounts).toEqual([]);
  });

  it.each([
    [{ organizations: [{}] }, /MasterAccountId/],
    [{ organizations: [{ MasterAccountId: MANAGEMENT, accounts: [{ Id: '2', ParentId: 'r-x' }] }] }, /accounts\[0\]\.Id must match/],
    [
      { organizations: [{ MasterAccountId: MANAGEMENT, accounts: [{ Id: '222222222222', ParentId: 'ou-abcd-99999999' }] }] },
      /does not exist/,
    ],
    [
      {
        organizations: [
          {
            MasterAccountId: MANAGEMENT,
            organizationalUnits: [
              { Id: 'ou-abcd-11111111', Name: 'A', ParentId: 'ou-abcd-22222222' },
              { Id: 'ou-abcd-22222222', Name: 'B', ParentId: 'ou-abcd-11111111' },
            ],
          },
        ],
      },
      /its own ancestor/,
    ],
    [{ organizations: [{ MasterAccountId: MANAGEMENT }, { MasterAccountId: SECOND, accounts: [{ Id: MANAGEMENT }] }] }, /in both/],
    [{ organizations: [{ MasterAccountId: MANAGEMENT }], standaloneAccounts: [MANAGEMENT] }, /standalone and in/],
  ])('refuses %j', (document, message) => {
    expect(() => parseOrganizationDocument(document)).toThrow(message);
  });
});

describe('effectiveDocument', () => {
  it('without a stored document is the administrator managing every account with keys', () => {
    const document = effectiveDocument(undefined, { managementAccount: MANAGEMENT, keyedAccounts: ['222222222222', MANAGEMENT] });
    expect(document.organizations).toHaveLength(1);
    expect(document.organizations[0]!.accounts.map((account) => account.Id)).toEqual([MANAGEMENT, '222222222222']);
  });

  it('puts accounts with keys but no entry in the first organisation, unless they stand alone', () => {
    const stored = parseOrganizationDocument({
      organizations: [{ MasterAccountId: MANAGEMENT }, { MasterAccountId: SECOND }],
      standaloneAccounts: ['333333333333'],
    });
    const document = effectiveDocument(stored, { managementAccount: MANAGEMENT, keyedAccounts: ['222222222222', '333333333333', SECOND] });
    expect(organizationOfAccount(document, '222222222222')?.MasterAccountId).toBe(MANAGEMENT);
    expect(organizationOfAccount(document, SECOND)?.MasterAccountId).toBe(SECOND);
    expect(organizationOfAccount(document, '333333333333')).toBeUndefined();
    // Reading never changes what was stored.
    expect(stored.organizations[0]!.accounts).toHaveLength(1);
  });
});
