// How an organisation changes, with AWS Organizations' rules and error codes: OUs are created,
// renamed and deleted (only when empty), accounts move between the root and OUs, accounts join,
// and a second organisation is founded. Shared by the Organizations API (use-cases/organizations.ts)
// and `npm run org` (bin/org.ts); every function returns a new value and throws to refuse.
import { randomInt } from 'node:crypto';
import { IpamError, type ErrorCode } from './errors.ts';
import type { Organization, OrganizationAccount, OrganizationalUnit } from './model/organization.ts';
import { ACCOUNT_ID, type OrganizationDocument, organizationOfAccount } from './organization-document.ts';
import { accountArn, defaultOrganization, ipamAdministrator, ouArn } from './organization.ts';

/** An Organizations error; some codes carry a Reason member (InvalidInputException, ConstraintViolationException). */
export class OrganizationsError extends IpamError {
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, reason?: string) {
    super(code, message);
    this.reason = reason;
  }
}

/** AWS Organizations allows five levels of OUs under a root. */
export const MAX_OU_DEPTH = 5;

const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `ou-<the root id's suffix>-<8 lower-case letters or digits>`, as AWS Organizations shapes OU ids. */
export function newOrganizationalUnitId(rootId: string): string {
  const suffix = Array.from({ length: 8 }, () => LOWER_ALPHANUMERIC[randomInt(LOWER_ALPHANUMERIC.length)]).join('');
  return `ou-${rootId.slice('r-'.length)}-${suffix}`;
}

export const findOrganizationalUnit = (org: Organization, ouId: string) => org.organizationalUnits.find((ou) => ou.Id === ouId);

/** What kind of parent an id names in this organisation, or undefined for none. */
export function parentType(org: Organization, id: string): 'ROOT' | 'ORGANIZATIONAL_UNIT' | undefined {
  if (id === org.RootId) return 'ROOT';
  return findOrganizationalUnit(org, id) ? 'ORGANIZATIONAL_UNIT' : undefined;
}

/** The OU's ancestors from its parent up to the root. */
function ouAncestors(org: Organization, ouId: string): string[] {
  const chain: string[] = [];
  for (let parent = findOrganizationalUnit(org, ouId)?.ParentId; parent !== undefined && !chain.includes(parent); ) {
    chain.push(parent);
    parent = findOrganizationalUnit(org, parent)?.ParentId;
  }
  return chain;
}

/** The OU's Organizations path: `o-…/r-…/ou-…/ou-…/`, the OU itself last. */
export const ouPath = (org: Organization, ouId: string) => `${org.Id}/${[...ouAncestors(org, ouId)].reverse().join('/')}/${ouId}/`;

export const ouNotFound = (ouId: string) =>
  new OrganizationsError('OrganizationalUnitNotFoundException', `You specified an organizational unit that doesn't exist: ${ouId}.`);
const parentNotFound = (parentId: string) =>
  new OrganizationsError('ParentNotFoundException', `You specified a root or organizational unit that doesn't exist: ${parentId}.`);
export const accountNotFound = (accountId: string) =>
  new OrganizationsError('AccountNotFoundException', `You specified an account that doesn't exist in this organization: ${accountId}.`);

function requireUniqueName(org: Organization, parentId: string, name: string, except?: string): void {
  if (org.organizationalUnits.some((ou) => ou.ParentId === parentId && ou.Name === name && ou.Id !== except)) {
    throw new OrganizationsError('DuplicateOrganizationalUnitException', `An OU named '${name}' already exists in ${parentId}.`);
  }
}

export function createOrganizationalUnit(
  org: Organization,
  parentId: string,
  name: string,
  id = newOrganizationalUnitId(org.RootId),
): { org: Organization; ou: OrganizationalUnit } {
  if (!parentType(org, parentId)) throw parentNotFound(parentId);
  requireUniqueName(org, parentId, name);
  const depth = parentId === org.RootId ? 1 : ouAncestors(org, parentId).length + 1;
  if (depth >= MAX_OU_DEPTH + 1) {
    throw new OrganizationsError(
      'ConstraintViolationException',
      `You can't create an OU more than ${MAX_OU_DEPTH} levels deep; ${parentId} is already at that depth.`,
      'OU_DEPTH_LIMIT_EXCEEDED',
    );
  }
  const ou: OrganizationalUnit = { Id: id, Arn: ouArn(org.MasterAccountId, org.Id, id), Name: name, ParentId: parentId };
  return { org: { ...org, organizationalUnits: [...org.organizationalUnits, ou] }, ou };
}

export function renameOrganizationalUnit(org: Organization, ouId: string, name: string): { org: Organization; ou: OrganizationalUnit } {
  const existing = findOrganizationalUnit(org, ouId);
  if (!existing) throw ouNotFound(ouId);
  requireUniqueName(org, existing.ParentId, name, ouId);
  const ou = { ...existing, Name: name };
  return { org: { ...org, organizationalUnits: org.organizationalUnits.map((unit) => (unit.Id === ouId ? ou : unit)) }, ou };
}

export function deleteOrganizationalUnit(org: Organization, ouId: string): Organization {
  if (!findOrganizationalUnit(org, ouId)) throw ouNotFound(ouId);
  const children = org.organizationalUnits.filter((ou) => ou.ParentId === ouId).length;
  const accounts = org.accounts.filter((account) => account.ParentId === ouId).length;
  if (children + accounts > 0) {
    throw new OrganizationsError(
      'OrganizationalUnitNotEmptyException',
      `The organizational unit ${ouId} is not empty: it holds ${accounts} account(s) and ${children} OU(s); move or delete them first.`,
    );
  }
  return { ...org, organizationalUnits: org.organizationalUnits.filter((ou) => ou.Id !== ouId) };
}

export function moveAccount(org: Organization, accountId: string, sourceParentId: string, destinationParentId: string): Organization {
  const account = org.accounts.find((candidate) => candidate.Id === accountId);
  if (!account) throw accountNotFound(accountId);
  if (!parentType(org, sourceParentId)) {
    throw new OrganizationsError('SourceParentNotFoundException', `You specified a source parent that doesn't exist: ${sourceParentId}.`);
  }
  if (!parentType(org, destinationParentId)) {
    throw new OrganizationsError(
      'DestinationParentNotFoundException',
      `You specified a destination parent that doesn't exist: ${destinationParentId}.`,
    );
  }
  if (account.ParentId !== sourceParentId) throw accountNotFound(`${accountId} in ${sourceParentId}`);
  if (destinationParentId === sourceParentId) {
    throw new OrganizationsError('DuplicateAccountException', `The account ${accountId} is already in ${destinationParentId}.`);
  }
  return { ...org, accounts: org.accounts.map((entry) => (entry.Id === accountId ? { ...entry, ParentId: destinationParentId } : entry)) };
}

interface NewAccount {
  accountId: string;
  name?: string;
  email?: string;
  parentId: string;
  joined: Date;
}

/** An account joins the organisation, leaving the standalone list or the root it was placed in by default. */
export function addAccount(document: OrganizationDocument, organizationId: string, account: NewAccount): OrganizationDocument {
  if (!ACCOUNT_ID.test(account.accountId)) {
    throw new OrganizationsError(
      'InvalidInputException',
      `The account id must be 12 digits, got '${account.accountId}'.`,
      'INVALID_PATTERN',
    );
  }
  const target = document.organizations.find((org) => org.Id === organizationId);
  if (!target) throw new OrganizationsError('AWSOrganizationsNotInUseException', `There is no organization ${organizationId}.`);
  if (!parentType(target, account.parentId)) throw parentNotFound(account.parentId);
  const current = organizationOfAccount(document, account.accountId);
  if (current && current.Id !== organizationId) leaveOrganization(current, account.accountId);
  const entry: OrganizationAccount = {
    Id: account.accountId,
    Arn: accountArn(target.MasterAccountId, target.Id, account.accountId),
    Name: account.name ?? current?.accounts.find((known) => known.Id === account.accountId)?.Name ?? `account-${account.accountId}`,
    Email: account.email ?? `${account.accountId}@example.com`,
    ParentId: account.parentId,
    JoinedTimestamp: account.joined.toISOString(),
  };
  return {
    standaloneAccounts: document.standaloneAccounts.filter((id) => id !== account.accountId),
    organizations: document.organizations.map((org) =>
      org.Id === organizationId
        ? { ...org, accounts: [...org.accounts.filter((known) => known.Id !== account.accountId), entry] }
        : { ...org, accounts: org.accounts.filter((known) => known.Id !== account.accountId) },
    ),
  };
}

/** Only a plain member may leave: never the management account, never the delegated IPAM administrator. */
function leaveOrganization(org: Organization, accountId: string): void {
  if (org.MasterAccountId === accountId) {
    throw new OrganizationsError('ConstraintViolationException', `The account ${accountId} manages ${org.Id} and cannot leave it.`);
  }
  if (ipamAdministrator(org) === accountId) {
    throw new OrganizationsError(
      'ConstraintViolationException',
      `The account ${accountId} is the delegated IPAM administrator of ${org.Id}; disable the delegation first.`,
    );
  }
}

/** A new organisation managed by `management` (spec §1.4's second organisation); the account leaves its current one. */
export function createOrganization(
  document: OrganizationDocument,
  management: string,
  joined: Date,
): { document: OrganizationDocument; org: Organization } {
  if (!ACCOUNT_ID.test(management)) {
    throw new OrganizationsError(
      'InvalidInputException',
      `The management account must be 12 digits, got '${management}'.`,
      'INVALID_PATTERN',
    );
  }
  const current = organizationOfAccount(document, management);
  if (current) leaveOrganization(current, management);
  const org = defaultOrganization(management, [], joined);
  if (document.organizations.some((existing) => existing.Id === org.Id)) {
    throw new OrganizationsError('ConstraintViolationException', `The organization ${org.Id} already exists.`);
  }
  return {
    org,
    document: {
      standaloneAccounts: document.standaloneAccounts.filter((id) => id !== management),
      organizations: [
        ...document.organizations.map((existing) => ({
          ...existing,
          accounts: existing.accounts.filter((account) => account.Id !== management),
        })),
        org,
      ],
    },
  };
}
