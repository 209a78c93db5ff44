// The organisation document: every organisation the IPAM serves and the accounts that stand
// alone, as one JSON value — the local file (<dataDir>/organization.json) and the cloud item hold
// the same thing (docs/organizations.md). Hand-written documents may leave out what derives from
// ids (ARNs, the organisation's and root's ids, names, e-mails); parsing fills it in and refuses
// what would make the organisation ambiguous (an account in two places, an OU whose parent is
// missing, a cycle). Accounts that have access keys but appear nowhere join the first
// organisation's root, so keys added later need no edit here.
import { defaultOrganization, defaultOrganizationId, defaultRootId, accountArn, organizationArn, ouArn } from './organization.ts';
import type { DelegatedAdministrator, Organization, OrganizationAccount, OrganizationalUnit } from './model/organization.ts';

export interface OrganizationDocument {
  organizations: Organization[];
  /** Accounts that have keys but belong to no organisation (AWSOrganizationsNotInUseException for them). */
  standaloneAccounts: string[];
}

/** A document that cannot be used: the message says where and what. */
export class OrganizationDocumentError extends Error {
  override name = 'OrganizationDocumentError';
}

export const ACCOUNT_ID = /^\d{12}$/;
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
export const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
export const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;
/** The Unix epoch: when an account with keys but no entry "joined", so its record is the same on every read. */
const IMPLICIT_JOIN = new Date(0).toISOString();

type Raw = Record<string, unknown>;

/** An account placed in the root with the names the default organisation gives it. */
function implicitAccount(management: string, organizationId: string, rootId: string, accountId: string): OrganizationAccount {
  return {
    Id: accountId,
    Arn: accountArn(management, organizationId, accountId),
    Name: accountId === management ? 'management' : `account-${accountId}`,
    Email: `${accountId}@example.com`,
    ParentId: rootId,
    JoinedTimestamp: IMPLICIT_JOIN,
  };
}

const isObject = (value: unknown): value is Raw => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(value: unknown, where: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new OrganizationDocumentError(`${where} must be a non-empty string.`);
  return value;
}

function matching(value: unknown, pattern: RegExp, where: string, fallback?: string): string {
  const result = text(value, where, fallback);
  if (!pattern.test(result)) throw new OrganizationDocumentError(`${where} must match ${pattern.source}, got '${result}'.`);
  return result;
}

function list(value: unknown, where: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OrganizationDocumentError(`${where} must be a list.`);
  return value;
}

function timestamp(value: unknown, where: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
    throw new OrganizationDocumentError(`${where} must be an ISO 8601 time, got '${String(value)}'.`);
  return new Date(value).toISOString();
}

function parseOrganization(raw: unknown, where: string): Organization {
  if (!isObject(raw)) throw new OrganizationDocumentError(`${where} must be an object.`);
  const management = matching(raw.MasterAccountId, ACCOUNT_ID, `${where}.MasterAccountId`);
  const Id = matching(raw.Id, ORGANIZATION_ID, `${where}.Id`, defaultOrganizationId(management));
  const RootId = matching(raw.RootId, ROOT_ID, `${where}.RootId`, defaultRootId(management));
  const organizationalUnits = list(raw.organizationalUnits, `${where}.organizationalUnits`).map((entry, index): OrganizationalUnit => {
    const at = `${where}.organizationalUnits[${index}]`;
    if (!isObject(entry)) throw new OrganizationDocumentError(`${at} must be an object.`);
    const ouId = matching(entry.Id, OU_ID, `${at}.Id`);
    return {
      Id: ouId,
      Arn: ouArn(management, Id, ouId),
      Name: text(entry.Name, `${at}.Name`),
      ParentId: text(entry.ParentId, `${at}.ParentId`, RootId),
    };
  });
  const accounts = list(raw.accounts, `${where}.accounts`).map((entry, index): OrganizationAccount => {
    const at = `${where}.accounts[${index}]`;
    if (!isObject(entry)) throw new OrganizationDocumentError(`${at} must be an object.`);
    const accountId = matching(entry.Id, ACCOUNT_ID, `${at}.Id`);
    return {
      Id: accountId,
      Arn: accountArn(management, Id, accountId),
      Name: text(entry.Name, `${at}.Name`, accountId === management ? 'management' : `account-${accountId}`),
      Email: text(entry.Email, `${at}.Email`, `${accountId}@example.com`),
      ParentId: text(entry.ParentId, `${at}.ParentId`, RootId),
      JoinedTimestamp: timestamp(entry.JoinedTimestamp, `${at}.JoinedTimestamp`, IMPLICIT_JOIN),
    };
  });
  // The management account is always in its organisation, in the root unless placed elsewhere.
  if (!accounts.some((account) => account.Id === management)) {
    accounts.unshift(implicitAccount(management, Id, RootId, management));
  }
  const delegatedAdministrators = list(raw.delegatedAdministrators, `${where}.delegatedAdministrators`).map(
    (entry, index): DelegatedAdministrator => {
      const at = `${where}.delegatedAdministrators[${index}]`;
      if (!isObject(entry)) throw new OrganizationDocumentError(`${at} must be an object.`);
      return {
        AccountId: matching(entry.AccountId, ACCOUNT_ID, `${at}.AccountId`),
        ServicePrincipal: text(entry.ServicePrincipal, `${at}.ServicePrincipal`),
        DelegationEnabledDate: timestamp(entry.DelegationEnabledDate, `${at}.DelegationEnabledDate`, IMPLICIT_JOIN),
      };
    },
  );
  const sharing = raw.sharingWithOrganizationEnabled ?? false;
  if (typeof sharing !== 'boolean') throw new OrganizationDocumentError(`${where}.sharingWithOrganizationEnabled must be true or false.`);
  const org: Organization = {
    Id,
    Arn: organizationArn(management, Id),
    MasterAccountId: management,
    RootId,
    organizationalUnits,
    accounts,
    delegatedAdministrators,
    sharingWithOrganizationEnabled: sharing,
  };
  checkTree(org, where);
  return org;
}

/** Every parent exists, OUs form a tree under the root, names are unique among siblings, ids are unique. */
function checkTree(org: Organization, where: string): void {
  const ouIds = new Set<string>();
  for (const ou of org.organizationalUnits) {
    if (ouIds.has(ou.Id)) throw new OrganizationDocumentError(`${where} lists the OU ${ou.Id} twice.`);
    ouIds.add(ou.Id);
  }
  const isParent = (id: string) => id === org.RootId || ouIds.has(id);
  for (const ou of org.organizationalUnits) {
    if (!isParent(ou.ParentId)) throw new OrganizationDocumentError(`${where}: the parent ${ou.ParentId} of OU ${ou.Id} does not exist.`);
    const seen = new Set([ou.Id]);
    for (let parent = ou.ParentId; parent !== org.RootId; ) {
      if (seen.has(parent)) throw new OrganizationDocumentError(`${where}: OU ${ou.Id} is its own ancestor.`);
      seen.add(parent);
      parent = org.organizationalUnits.find((unit) => unit.Id === parent)!.ParentId;
    }
    const twin = org.organizationalUnits.find((other) => other !== ou && other.ParentId === ou.ParentId && other.Name === ou.Name);
    if (twin) throw new OrganizationDocumentError(`${where}: two OUs named '${ou.Name}' under ${ou.ParentId}.`);
  }
  const accountIds = new Set<string>();
  for (const account of org.accounts) {
    if (accountIds.has(account.Id)) throw new OrganizationDocumentError(`${where} lists the account ${account.Id} twice.`);
    accountIds.add(account.Id);
    if (!isParent(account.ParentId))
      throw new OrganizationDocumentError(`${where}: the parent ${account.ParentId} of account ${account.Id} does not exist.`);
  }
}

/** Parses and completes a stored or hand-written document; throws OrganizationDocumentError naming the first problem. */
export function parseOrganizationDocument(value: unknown): OrganizationDocument {
  if (!isObject(value)) throw new OrganizationDocumentError('The organisation document must be a JSON object.');
  const organizations = list(value.organizations, 'organizations').map((raw, index) => parseOrganization(raw, `organizations[${index}]`));
  const standaloneAccounts = list(value.standaloneAccounts, 'standaloneAccounts').map((raw, index) =>
    matching(raw, ACCOUNT_ID, `standaloneAccounts[${index}]`),
  );
  const placed = new Map<string, string>();
  for (const org of organizations) {
    if (organizations.filter((other) => other.Id === org.Id).length > 1)
      throw new OrganizationDocumentError(`The organisation ${org.Id} is listed twice.`);
    for (const account of org.accounts) {
      const other = placed.get(account.Id);
      if (other) throw new OrganizationDocumentError(`The account ${account.Id} is in both ${other} and ${org.Id}.`);
      placed.set(account.Id, org.Id);
    }
  }
  const misplaced = standaloneAccounts.find((account) => placed.has(account));
  if (misplaced) throw new OrganizationDocumentError(`The account ${misplaced} is listed as standalone and in ${placed.get(misplaced)}.`);
  return { organizations, standaloneAccounts: [...new Set(standaloneAccounts)] };
}

interface Defaults {
  /** The administrator's account (IPAM_ACCOUNT_ID): the management account when no document is stored. */
  managementAccount: string;
  /** Every account that has an access key (and the configured discovery members). */
  keyedAccounts: readonly string[];
}

/**
 * The organisations as the service sees them: the stored document (none stored: one organisation
 * managed by the administrator), with every account that has keys but appears nowhere added to
 * the first organisation's root.
 */
export function effectiveDocument(
  stored: OrganizationDocument | undefined,
  { managementAccount, keyedAccounts }: Defaults,
): OrganizationDocument {
  if (stored === undefined) return { organizations: [defaultOrganization(managementAccount, keyedAccounts)], standaloneAccounts: [] };
  const document = structuredClone(stored);
  const [first] = document.organizations;
  if (!first) return document;
  const placed = new Set([
    ...document.standaloneAccounts,
    ...document.organizations.flatMap((org) => org.accounts.map((account) => account.Id)),
  ]);
  for (const accountId of new Set([managementAccount, ...keyedAccounts])) {
    if (placed.has(accountId)) continue;
    first.accounts.push(implicitAccount(first.MasterAccountId, first.Id, first.RootId, accountId));
  }
  return document;
}

export const organizationOfAccount = (document: OrganizationDocument, accountId: string) =>
  document.organizations.find((org) => org.accounts.some((account) => account.Id === accountId));
