// Which accounts a resource discovery reads (spec §1.1, §10.7, §11): the owner's alone, unless
// the owner is the delegated IPAM administrator — then every member account, minus the OU
// exclusions, never the administrator itself.
import { describe, expect, it } from 'vitest';
import { IPAM_SERVICE_PRINCIPAL } from '../../../lambdas/domain/organization.ts';
import { discoveryTargets } from '../../../lambdas/domain/organization-discovery.ts';
import { isExcludedPath } from '../../../lambdas/domain/ou-exclusions.ts';
import {
  exampleOrganization,
  IPAM_ADMIN,
  MANAGEMENT,
  OU,
  PATH,
  PROD,
  PROD_EU,
  ROOT_MEMBER,
  SANDBOX,
  WORKLOADS,
} from '../../support/organization.ts';

const delegated = () => {
  const org = exampleOrganization();
  org.delegatedAdministrators.push({ AccountId: IPAM_ADMIN, ServicePrincipal: IPAM_SERVICE_PRINCIPAL, DelegationEnabledDate: '' });
  return org;
};
const NOT_CONFIGURED = { administratorAccount: '000000000000', memberAccounts: [] };
const discovery = (OwnerId: string, ...paths: string[]) => ({
  OwnerId,
  OrganizationalUnitExclusions: paths.map((OrganizationsEntityPath) => ({ OrganizationsEntityPath })),
});
const accounts = (targets: { accountId: string }[]) => targets.map((target) => target.accountId).sort();

describe('OU exclusion paths against an account', () => {
  it('`…/` covers the accounts directly in that OU; `…/*` also every OU below it', () => {
    const inWorkloads = PATH.workloads;
    const inProd = PATH.prod;
    const inProdEu = `${PATH.prod}${OU.prodEu}/`;
    expect([inWorkloads, inProd, inProdEu].map((path) => isExcludedPath(path, [PATH.workloads]))).toEqual([true, false, false]);
    expect([inWorkloads, inProd, inProdEu].map((path) => isExcludedPath(path, [`${PATH.workloads}*`]))).toEqual([true, true, true]);
    expect([inWorkloads, inProd, inProdEu].map((path) => isExcludedPath(path, [`${PATH.prod}*`]))).toEqual([false, true, true]);
  });

  it('does not take an OU id for the prefix of a longer one, nor another organisation’s path', () => {
    expect(isExcludedPath('o-1/r-1/ou-10/', ['o-1/r-1/ou-1/*'])).toBe(false);
    expect(isExcludedPath('o-2/r-1/ou-1/', ['o-1/r-1/ou-1/*'])).toBe(false);
    expect(isExcludedPath('o-1/r-1/', ['o-1/r-1/ou-1/*'])).toBe(false);
  });
});

describe('the accounts a resource discovery reads', () => {
  it('the delegated administrator: every member account with its OU, not the management account', () => {
    const targets = discoveryTargets(discovery(IPAM_ADMIN), [delegated()], NOT_CONFIGURED);
    expect(accounts(targets)).toEqual([IPAM_ADMIN, WORKLOADS, PROD, PROD_EU, SANDBOX, ROOT_MEMBER].sort());
    expect(targets.find((target) => target.accountId === PROD_EU)).toEqual({ accountId: PROD_EU, organizationalUnitId: OU.prodEu });
    expect(targets.find((target) => target.accountId === ROOT_MEMBER)).toEqual({ accountId: ROOT_MEMBER });
  });

  it('minus its OU exclusions, in nested OUs too, but never the administrator in an excluded OU', () => {
    const only = (...paths: string[]) => accounts(discoveryTargets(discovery(IPAM_ADMIN, ...paths), [delegated()], NOT_CONFIGURED));
    expect(only(PATH.workloads)).toEqual([IPAM_ADMIN, PROD, PROD_EU, SANDBOX, ROOT_MEMBER].sort());
    expect(only(`${PATH.workloads}*`)).toEqual([IPAM_ADMIN, SANDBOX, ROOT_MEMBER].sort());
    expect(only(PATH.prod)).toEqual([IPAM_ADMIN, WORKLOADS, PROD_EU, SANDBOX, ROOT_MEMBER].sort());
    expect(only(PATH.sandbox)).toEqual([IPAM_ADMIN, WORKLOADS, PROD, PROD_EU, ROOT_MEMBER].sort());
  });

  it('anyone else, the management account and members alike, reads only its own account (DN-06)', () => {
    for (const owner of [MANAGEMENT, WORKLOADS])
      expect(discoveryTargets(discovery(owner), [delegated()], NOT_CONFIGURED)).toEqual([{ accountId: owner }]);
    // Before any delegation, the would-be administrator is a single account too.
    expect(discoveryTargets(discovery(IPAM_ADMIN), [exampleOrganization()], NOT_CONFIGURED)).toEqual([{ accountId: IPAM_ADMIN }]);
  });

  it('the service’s administrator account reads its configured accounts besides', () => {
    const configured = { administratorAccount: MANAGEMENT, memberAccounts: [PROD, '777777777777'] };
    expect(accounts(discoveryTargets(discovery(MANAGEMENT), [delegated()], configured))).toEqual([MANAGEMENT, PROD, '777777777777']);
  });
});
