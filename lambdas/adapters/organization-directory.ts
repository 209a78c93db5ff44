// The OrganizationDirectory over one stored organisation document (domain/organization-document.ts),
// wherever it is kept: a file under `npm start` (local/organization-file.ts), one table item in
// the cloud (dynamodb/organization-item.ts). What callers see is the effective document: the
// stored one (or, none stored, the default organisation of the administrator) with every account
// that has keys but appears nowhere in the first organisation's root. Changes are optimistic:
// read the version, apply the edit, write only if the version is unchanged, else start again.
import { setTimeout as sleep } from 'node:timers/promises';
import { IpamError } from '../domain/errors.ts';
import type { Organization } from '../domain/model/organization.ts';
import {
  effectiveDocument,
  type OrganizationDocument,
  organizationOfAccount,
  parseOrganizationDocument,
} from '../domain/organization-document.ts';
import type { OrganizationDirectory } from '../ports/organization.ts';

export interface StoredDocument {
  /** Undefined when nothing is stored yet. */
  document: OrganizationDocument | undefined;
  /** 0 when nothing is stored; each write adds one. */
  version: number;
}

export interface DocumentStorage {
  read(): Promise<StoredDocument>;
  /** Stores `document` as version `version + 1` if the stored version is still `version`; false when another writer came first. */
  write(document: OrganizationDocument, version: number): Promise<boolean>;
}

export interface DirectoryDefaults {
  /** IPAM_ACCOUNT_ID: the management account while no document is stored. */
  managementAccount: string;
  /** Accounts that have access keys, and the configured discovery members: members unless the document places them. */
  keyedAccounts: () => Promise<string[]>;
}

/** Attempts of one change before giving up: each lost race means another writer changed the document meanwhile. */
const MAX_ATTEMPTS = 20;

export class StoredOrganizationDirectory implements OrganizationDirectory {
  readonly #storage: DocumentStorage;
  readonly #defaults: DirectoryDefaults;

  constructor(storage: DocumentStorage, defaults: DirectoryDefaults) {
    this.#storage = storage;
    this.#defaults = defaults;
  }

  /** Every organisation and the standalone accounts, as the service sees them now. */
  async document(): Promise<OrganizationDocument> {
    const [{ document }, keyedAccounts] = await Promise.all([this.#storage.read(), this.#defaults.keyedAccounts()]);
    return effectiveDocument(document, { managementAccount: this.#defaults.managementAccount, keyedAccounts });
  }

  async organizationOf(accountId: string): Promise<Organization | undefined> {
    return organizationOfAccount(await this.document(), accountId);
  }

  async list(): Promise<Organization[]> {
    return (await this.document()).organizations;
  }

  /**
   * Applies `edit` to the effective document and stores the result, which is checked as a
   * hand-written one would be (no account in two places, every parent there, no cycle). The
   * edit may run more than once.
   */
  async changeDocument(edit: (document: OrganizationDocument) => OrganizationDocument): Promise<OrganizationDocument> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const [{ document, version }, keyedAccounts] = await Promise.all([this.#storage.read(), this.#defaults.keyedAccounts()]);
      const current = effectiveDocument(document, { managementAccount: this.#defaults.managementAccount, keyedAccounts });
      const changed = parseOrganizationDocument(JSON.parse(JSON.stringify(edit(current))));
      // Invariant: the document changes only from the version this edit read.
      if (await this.#storage.write(changed, version)) return changed;
      await sleep(Math.random() * 5 * (attempt + 1)); // jitter, so racing writers spread out
    }
    throw new IpamError('ConcurrentModificationException', 'The organization is being changed by other requests; try again.');
  }

  async change(organizationId: string, edit: (org: Organization) => Organization): Promise<Organization> {
    const changed = await this.changeDocument((document) => {
      const index = document.organizations.findIndex((org) => org.Id === organizationId);
      if (index < 0) throw new IpamError('AWSOrganizationsNotInUseException', `There is no organization ${organizationId}.`);
      const organizations = [...document.organizations];
      organizations[index] = edit(organizations[index]!);
      return { ...document, organizations };
    });
    return changed.organizations.find((org) => org.Id === organizationId)!;
  }
}
