// An organisation with nested OUs for tests, with scenario S2's ids (organization o-2skyuw7u2n,
// root r-fssg, OU ou-fssg-ycy89843 holding OU ou-fssg-q5brfv9c) and one more level and a sandbox:
//
//   r-fssg                 MANAGEMENT (the harness's default caller), ROOT_MEMBER
//   ├─ ou-fssg-ycy89843    Workloads: WORKLOADS
//   │  └─ ou-fssg-q5brfv9c Prod: PROD
//   │     └─ ou-fssg-eu000001 Prod EU: PROD_EU
//   └─ ou-fssg-sandbox1    Sandbox: IPAM_ADMIN (the account tests delegate), SANDBOX
import type { Organization, OrganizationAccount } from '../../lambdas/domain/model/organization.ts';
import { accountArn, organizationArn, ouArn } from '../../lambdas/domain/organization.ts';

export const MANAGEMENT = '123456789012';
export const IPAM_ADMIN = '111111111111';
export const WORKLOADS = '222222222222';
export const PROD = '333333333333';
export const PROD_EU = '444444444444';
export const SANDBOX = '555555555555';
export const ROOT_MEMBER = '666666666666';
/** In no organisation. */
export const OUTSIDER = '999999999999';

export const ORG_ID = 'o-2skyuw7u2n';
export const ROOT_ID = 'r-fssg';
export const OU = {
  workloads: 'ou-fssg-ycy89843',
  prod: 'ou-fssg-q5brfv9c',
  prodEu: 'ou-fssg-eu000001',
  sandbox: 'ou-fssg-sandbox1',
} as const;

/** Entity paths as OU exclusions name them. */
export const PATH = {
  workloads: `${ORG_ID}/${ROOT_ID}/${OU.workloads}/`,
  prod: `${ORG_ID}/${ROOT_ID}/${OU.workloads}/${OU.prod}/`,
  sandbox: `${ORG_ID}/${ROOT_ID}/${OU.sandbox}/`,
} as const;

export function exampleOrganization(): Organization {
  const account = (Id: string, Name: string, ParentId: string): OrganizationAccount => ({
    Id,
    Arn: accountArn(MANAGEMENT, ORG_ID, Id),
    Name,
    Email: `${Name}@example.com`,
    ParentId,
    JoinedTimestamp: '2026-01-01T00:00:00.000Z',
  });
  const ou = (Id: string, Name: string, ParentId: string) => ({ Id, Arn: ouArn(MANAGEMENT, ORG_ID, Id), Name, ParentId });
  return {
    Id: ORG_ID,
    Arn: organizationArn(MANAGEMENT, ORG_ID),
    MasterAccountId: MANAGEMENT,
    RootId: ROOT_ID,
    organizationalUnits: [
      ou(OU.workloads, 'Workloads', ROOT_ID),
      ou(OU.prod, 'Prod', OU.workloads),
      ou(OU.prodEu, 'Prod EU', OU.prod),
      ou(OU.sandbox, 'Sandbox', ROOT_ID),
    ],
    accounts: [
      account(MANAGEMENT, 'management', ROOT_ID),
      account(ROOT_MEMBER, 'root-member', ROOT_ID),
      account(WORKLOADS, 'workloads', OU.workloads),
      account(PROD, 'prod', OU.prod),
      account(PROD_EU, 'prod-eu', OU.prodEu),
      account(IPAM_ADMIN, 'ipam-admin', OU.sandbox),
      account(SANDBOX, 'sandbox', OU.sandbox),
    ],
    delegatedAdministrators: [],
    sharingWithOrganizationEnabled: false,
  };
}
