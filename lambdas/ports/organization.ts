// The organisations the IPAM serves (domain/model/organization.ts). Usually one: on a laptop
// IPAM_ACCOUNT_ID manages every other account. Several let a second organisation share its
// resource discoveries with the first (spec §1.4); an account in none stands alone. Read on every
// request that needs it (sharing, delegation, discovery), changed by the Organizations API,
// EC2's delegation actions and `npm run org`.
import type { Organization } from '../domain/model/organization.ts';

export interface OrganizationDirectory {
  /** The organisation the account belongs to (as management account or member), or undefined for an account in none. */
  organizationOf(accountId: string): Promise<Organization | undefined>;
  /** Every organisation. */
  list(): Promise<Organization[]>;
  /**
   * Applies `edit` to one stored organisation atomically and returns the result. The edit may
   * run more than once (optimistic concurrency: re-read, re-apply) and throws to refuse.
   */
  change(organizationId: string, edit: (org: Organization) => Organization): Promise<Organization>;
}
