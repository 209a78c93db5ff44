// Organisations held in memory: tests, and hosts that keep no organisation file or item.
import type { Organization } from '../../domain/model/organization.ts';
import { findAccount } from '../../domain/organization.ts';
import type { OrganizationDirectory } from '../../ports/organization.ts';

export class MemoryOrganizationDirectory implements OrganizationDirectory {
  private organizations: Organization[];

  constructor(organizations: Organization[]) {
    this.organizations = structuredClone(organizations);
  }

  async organizationOf(accountId: string): Promise<Organization | undefined> {
    const org = this.organizations.find((candidate) => findAccount(candidate, accountId) !== undefined);
    return org && structuredClone(org);
  }

  async list(): Promise<Organization[]> {
    return structuredClone(this.organizations);
  }

  async change(organizationId: string, edit: (org: Organization) => Organization): Promise<Organization> {
    const index = this.organizations.findIndex((org) => org.Id === organizationId);
    if (index < 0) throw new Error(`No organisation ${organizationId}`);
    const changed = edit(structuredClone(this.organizations[index]!));
    this.organizations[index] = changed;
    return structuredClone(changed);
  }
}
