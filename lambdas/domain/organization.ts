// Pure rules over the organisation model: ids, where an account sits, and which principals
// (account ids, OU ARNs, the organisation ARN) cover an account.
import { createHash } from 'node:crypto';
import type { Organization, OrganizationAccount } from './model/organization.ts';

export const IPAM_SERVICE_PRINCIPAL = 'ipam.amazonaws.com';

const base36 = (seed: string, length: number) =>
  BigInt(`0x${createHash('sha256').update(seed).digest('hex')}`)
    .toString(36)
    .slice(0, length);

/** The default organisation's ids derive from its management account, so they stay the same across restarts without being stored. */
export const defaultOrganizationId = (managementAccount: string) => `o-${base36(`organization:${managementAccount}`, 10)}`;
export const defaultRootId = (managementAccount: string) => `r-${base36(`root:${managementAccount}`, 4)}`;

export const organizationArn = (management: string, organizationId: string) =>
  `arn:aws:organizations::${management}:organization/${organizationId}`;
export const rootArn = (management: string, organizationId: string, rootId: string) =>
  `arn:aws:organizations::${management}:root/${organizationId}/${rootId}`;
export const ouArn = (management: string, organizationId: string, ouId: string) =>
  `arn:aws:organizations::${management}:ou/${organizationId}/${ouId}`;
export const accountArn = (management: string, organizationId: string, accountId: string) =>
  `arn:aws:organizations::${management}:account/${organizationId}/${accountId}`;

/** An organisation of one management account and the given members, all in the root: the laptop default (spec DN-06). */
export function defaultOrganization(managementAccount: string, memberAccounts: readonly string[], joined = new Date(0)): Organization {
  const Id = defaultOrganizationId(managementAccount);
  const RootId = defaultRootId(managementAccount);
  const account = (accountId: string): OrganizationAccount => ({
    Id: accountId,
    Arn: accountArn(managementAccount, Id, accountId),
    Name: accountId === managementAccount ? 'management' : `account-${accountId}`,
    Email: `${accountId}@example.com`,
    ParentId: RootId,
    JoinedTimestamp: joined.toISOString(),
  });
  const members = [...new Set(memberAccounts)].filter((accountId) => accountId !== managementAccount);
  return {
    Id,
    Arn: organizationArn(managementAccount, Id),
    MasterAccountId: managementAccount,
    RootId,
    organizationalUnits: [],
    accounts: [account(managementAccount), ...members.map(account)],
    delegatedAdministrators: [],
    sharingWithOrganizationEnabled: false,
  };
}

export const findAccount = (org: Organization, accountId: string) => org.accounts.find((account) => account.Id === accountId);

/** In the organisation and not its management account. */
export const isMemberAccount = (org: Organization, accountId: string) =>
  accountId !== org.MasterAccountId && findAccount(org, accountId) !== undefined;

/** The account's parents from its own OU up to the root, e.g. [ou-b, ou-a, r-x]; empty when the account is not in the organisation. */
export function parentChain(org: Organization, accountId: string): string[] {
  const chain: string[] = [];
  let parent = findAccount(org, accountId)?.ParentId;
  while (parent !== undefined && !chain.includes(parent)) {
    chain.push(parent);
    parent = org.organizationalUnits.find((ou) => ou.Id === parent)?.ParentId;
  }
  return chain;
}

/** The account's Organizations entity path, as OU exclusions name it: `o-…/r-…/ou-…/ou-…/`. */
export function entityPath(org: Organization, accountId: string): string | undefined {
  const chain = parentChain(org, accountId);
  if (chain.length === 0) return undefined;
  return `${org.Id}/${chain.reverse().join('/')}/`;
}

/** The account the organisation delegated IPAM administration to, if any. */
export const ipamAdministrator = (org: Organization) =>
  org.delegatedAdministrators.find((admin) => admin.ServicePrincipal === IPAM_SERVICE_PRINCIPAL)?.AccountId;

/**
 * Whether a RAM principal covers an account: the account id itself, the organisation's ARN
 * (every account in it), or an OU's ARN (every account in that OU or below it, decided on the
 * organisation as it is now, so accounts moved in or out gain or lose access at once).
 */
export function principalCovers(org: Organization, principal: string, accountId: string): boolean {
  if (principal === accountId) return true;
  if (findAccount(org, accountId) === undefined) return false;
  if (principal === org.Arn) return true;
  const ou = org.organizationalUnits.find((unit) => unit.Arn === principal);
  return ou !== undefined && parentChain(org, accountId).includes(ou.Id);
}
