// Delegating IPAM administration (spec §1.2): the organisation's management account makes one
// member account the IPAM administrator, and takes it back. Pure edits of the organisation,
// applied inside OrganizationDirectory.change: they check their rules on the organisation as it is
// when the change is written, so a concurrent change cannot slip a second administrator in.
import { IpamError } from './errors.ts';
import type { Organization } from './model/organization.ts';
import { findAccount, IPAM_SERVICE_PRINCIPAL, ipamAdministrator } from './organization.ts';

const ACCOUNT_ID = /^\d{12}$/;

export function requireAccountId(accountId: string, parameter: string): void {
  if (!ACCOUNT_ID.test(accountId))
    throw new IpamError('InvalidParameterValue', `The ${parameter} '${accountId}' is not a 12-digit AWS account ID`);
}

export function requireManagementAccount(org: Organization, caller: string, action: string): void {
  if (caller !== org.MasterAccountId) {
    throw new IpamError(
      'UnauthorizedOperation',
      `Only the management account of organization ${org.Id} can call ${action}; account ${caller} is a member account`,
    );
  }
}

/**
 * The organisation with `delegate` as its IPAM administrator. Unchanged (the same object) when it
 * already is; refused when the caller is not the management account, the delegate is the
 * management account or not in the organisation, or another account administers IPAM.
 */
export function delegateIpamAdministrator(org: Organization, caller: string, delegate: string, now: Date): Organization {
  requireManagementAccount(org, caller, 'EnableIpamOrganizationAdminAccount');
  requireAccountId(delegate, 'DelegatedAdminAccountId');
  if (delegate === org.MasterAccountId) {
    throw new IpamError(
      'InvalidParameterValue',
      `The IPAM administrator must be an AWS Organizations member account, not the management account (${delegate}).`,
    );
  }
  if (!findAccount(org, delegate))
    throw new IpamError('IpamOrganizationAccountNotFound', `The account ${delegate} is not a member of organization ${org.Id}`);
  const current = ipamAdministrator(org);
  if (current === delegate) return org;
  if (current !== undefined) {
    throw new IpamError(
      'IpamOrganizationDelegatedAdminLimitExceeded',
      `Organization ${org.Id} already has an IPAM administrator, account ${current}; an organization can have one. ` +
        `Disable it with DisableIpamOrganizationAdminAccount before delegating account ${delegate}`,
    );
  }
  return {
    ...org,
    delegatedAdministrators: [
      ...org.delegatedAdministrators,
      { AccountId: delegate, ServicePrincipal: IPAM_SERVICE_PRINCIPAL, DelegationEnabledDate: now.toISOString() },
    ],
  };
}

/** The organisation without `delegate` as its IPAM administrator; refused unless the caller is the management account and `delegate` the administrator. */
export function removeIpamAdministrator(org: Organization, caller: string, delegate: string): Organization {
  requireManagementAccount(org, caller, 'DisableIpamOrganizationAdminAccount');
  requireAccountId(delegate, 'DelegatedAdminAccountId');
  const current = ipamAdministrator(org);
  if (current !== delegate) {
    throw new IpamError(
      'IpamOrganizationAccountNotRegistered',
      `The account ${delegate} is not the IPAM administrator of organization ${org.Id}` +
        (current === undefined ? '; the organization has none' : `; account ${current} is`),
    );
  }
  return {
    ...org,
    delegatedAdministrators: org.delegatedAdministrators.filter(
      (admin) => !(admin.ServicePrincipal === IPAM_SERVICE_PRINCIPAL && admin.AccountId === delegate),
    ),
  };
}
