// Which accounts a resource discovery reads (spec §1.1, §10.7, §11, DN-06). Always its owner's.
// When the owner is its organisation's delegated IPAM administrator, the discovery is
// organisation-integrated: every member account too, minus those its OU exclusions cover (never
// the administrator itself). And the service's own administrator account (IPAM_ACCOUNT_ID) reads
// the accounts configured for it (IPAM_DISCOVERY_MEMBER_ACCOUNTS). Everyone else: one account.
import type { IpamResourceDiscovery } from './model/discovery.ts';
import type { Organization } from './model/organization.ts';
import { entityPath, findAccount, ipamAdministrator, isMemberAccount } from './organization.ts';
import { isExcludedPath } from './ou-exclusions.ts';

export interface DiscoveryTarget {
  accountId: string;
  /** The OU the account sits in, for an organisation-integrated discovery (absent for accounts in the root). */
  organizationalUnitId?: string;
}

/** The accounts configured for the service's administrator account's discoveries (SweepDependencies.discovery). */
export interface ConfiguredDiscoveryAccounts {
  administratorAccount: string;
  memberAccounts: readonly string[];
}

/** The organisation whose delegated IPAM administrator owns the discovery, if any. */
export const integratedOrganization = (owner: string, organizations: readonly Organization[]) =>
  organizations.find((org) => ipamAdministrator(org) === owner);

export function discoveryTargets(
  discovery: Pick<IpamResourceDiscovery, 'OwnerId' | 'OrganizationalUnitExclusions'>,
  organizations: readonly Organization[],
  configured: ConfiguredDiscoveryAccounts,
): DiscoveryTarget[] {
  const owner = discovery.OwnerId;
  const org = integratedOrganization(owner, organizations);
  const candidates = new Set([owner]);
  if (org) for (const account of org.accounts) if (isMemberAccount(org, account.Id)) candidates.add(account.Id);
  if (owner === configured.administratorAccount) for (const account of configured.memberAccounts) candidates.add(account);
  if (!org) return [...candidates].map((accountId) => ({ accountId }));
  const exclusions = discovery.OrganizationalUnitExclusions.map((exclusion) => exclusion.OrganizationsEntityPath);
  const excluded = (accountId: string) => {
    const path = entityPath(org, accountId);
    return accountId !== owner && path !== undefined && isExcludedPath(path, exclusions);
  };
  return [...candidates]
    .filter((accountId) => !excluded(accountId))
    .map((accountId) => {
      const parent = findAccount(org, accountId)?.ParentId;
      return parent !== undefined && parent !== org.RootId ? { accountId, organizationalUnitId: parent } : { accountId };
    });
}
