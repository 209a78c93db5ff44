// EnableIpamOrganizationAdminAccount / DisableIpamOrganizationAdminAccount through the real
// dispatch (spec §1.2, scenario S2 step 1): who may call them, whom they may delegate, one
// administrator per organisation, the organisation they leave behind, and their events.
import { describe, expect, it } from 'vitest';
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import type { Organization } from '../../lambdas/domain/model/organization.ts';
import { IPAM_SERVICE_PRINCIPAL, ipamAdministrator } from '../../lambdas/domain/organization.ts';
import type { OrganizationDirectory } from '../../lambdas/ports/organization.ts';
import { exampleOrganization, IPAM_ADMIN, MANAGEMENT, ORG_ID, OUTSIDER, PROD, WORKLOADS } from '../support/organization.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ENABLE = 'EnableIpamOrganizationAdminAccount';
const DISABLE = 'DisableIpamOrganizationAdminAccount';

async function harnessWith(organization: OrganizationDirectory = new MemoryOrganizationDirectory([exampleOrganization()])) {
  return { harness: await createUseCaseHarness({ organization }), organization };
}

const administrator = async (organization: OrganizationDirectory) => ipamAdministrator((await organization.list())[0]!);
const as = (accountId: string) => ({ accountId });
const adminEvents = (harness: UseCaseHarness) =>
  harness.events.published().filter((event) => event['detail-type'] === 'IPAM Organization Admin Account Change');

describe('delegating the IPAM administrator', () => {
  it('the management account delegates a member account: Success, recorded in the organisation, announced once', async () => {
    const { harness, organization } = await harnessWith();
    expect(await harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT))).toEqual({ Success: true });
    const [org] = await organization.list();
    expect(org!.delegatedAdministrators).toEqual([
      { AccountId: IPAM_ADMIN, ServicePrincipal: IPAM_SERVICE_PRINCIPAL, DelegationEnabledDate: expect.any(String) },
    ]);
    // Enabling the same account again succeeds and changes nothing.
    expect(await harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT))).toEqual({ Success: true });
    expect((await organization.list())[0]).toEqual(org);
    expect(adminEvents(harness)).toMatchObject([
      {
        source: 'self-hosted.ipam',
        'detail-type': 'IPAM Organization Admin Account Change',
        account: MANAGEMENT,
        region: 'us-east-1',
        time: expect.any(String),
        detail: { organizationId: ORG_ID, delegatedAdminAccountId: IPAM_ADMIN, change: 'enabled' },
      },
    ]);
  });

  it('one administrator per organisation: another member is refused while one is delegated', async () => {
    const { harness, organization } = await harnessWith();
    await harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT));
    await expectRefusal(
      harness.call(ENABLE, { DelegatedAdminAccountId: PROD }, as(MANAGEMENT)),
      'IpamOrganizationDelegatedAdminLimitExceeded',
      IPAM_ADMIN,
      PROD,
    );
    expect(await administrator(organization)).toBe(IPAM_ADMIN);
  });

  it('never the management account, never an account outside the organisation', async () => {
    const { harness, organization } = await harnessWith();
    await expectRefusal(
      harness.call(ENABLE, { DelegatedAdminAccountId: MANAGEMENT }, as(MANAGEMENT)),
      'InvalidParameterValue',
      'must be an AWS Organizations member account, not the management account',
    );
    await expectRefusal(
      harness.call(ENABLE, { DelegatedAdminAccountId: OUTSIDER }, as(MANAGEMENT)),
      'IpamOrganizationAccountNotFound',
      OUTSIDER,
      ORG_ID,
    );
    await expectRefusal(harness.call(ENABLE, { DelegatedAdminAccountId: '1234' }, as(MANAGEMENT)), 'InvalidParameterValue', "'1234'");
    expect(await administrator(organization)).toBeUndefined();
    expect(adminEvents(harness)).toEqual([]);
  });

  it('only the management account may call either action; a caller in no organisation is refused too', async () => {
    const { harness, organization } = await harnessWith();
    for (const caller of [WORKLOADS, IPAM_ADMIN, OUTSIDER]) {
      await expectRefusal(harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(caller)), 'UnauthorizedOperation', caller);
    }
    await harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT));
    await expectRefusal(harness.call(DISABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(IPAM_ADMIN)), 'UnauthorizedOperation');
    expect(await administrator(organization)).toBe(IPAM_ADMIN);
  });

  it('DryRun answers DryRunOperation to the management account, UnauthorizedOperation to anyone else, and delegates nobody', async () => {
    const { harness, organization } = await harnessWith();
    await expectRefusal(harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN, DryRun: true }, as(MANAGEMENT)), 'DryRunOperation');
    await expectRefusal(
      harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN, DryRun: true }, as(WORKLOADS)),
      'UnauthorizedOperation',
    );
    await expectRefusal(
      harness.call(DISABLE, { DelegatedAdminAccountId: IPAM_ADMIN, DryRun: true }, as(OUTSIDER)),
      'UnauthorizedOperation',
    );
    expect(await administrator(organization)).toBeUndefined();
  });
});

describe('taking the delegation back', () => {
  it('Disable only for the current administrator; then another member may be delegated', async () => {
    const { harness, organization } = await harnessWith();
    await expectRefusal(
      harness.call(DISABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT)),
      'IpamOrganizationAccountNotRegistered',
      IPAM_ADMIN,
    );
    await harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT));
    await expectRefusal(
      harness.call(DISABLE, { DelegatedAdminAccountId: PROD }, as(MANAGEMENT)),
      'IpamOrganizationAccountNotRegistered',
      PROD,
    );
    expect(await harness.call(DISABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT))).toEqual({ Success: true });
    expect(await administrator(organization)).toBeUndefined();
    expect(adminEvents(harness).map((event) => event.detail)).toMatchObject([
      { organizationId: ORG_ID, delegatedAdminAccountId: IPAM_ADMIN, change: 'enabled' },
      { organizationId: ORG_ID, delegatedAdminAccountId: IPAM_ADMIN, change: 'disabled' },
    ]);
    await harness.call(ENABLE, { DelegatedAdminAccountId: PROD }, as(MANAGEMENT));
    expect(await administrator(organization)).toBe(PROD);
  });
});

/** A directory where, on the first change, another request delegates PROD just before this edit runs. */
class RacedDirectory extends MemoryOrganizationDirectory {
  private raced = false;

  override async change(organizationId: string, edit: (org: Organization) => Organization): Promise<Organization> {
    if (!this.raced) {
      this.raced = true;
      await super.change(organizationId, (org) => ({
        ...org,
        delegatedAdministrators: [{ AccountId: PROD, ServicePrincipal: IPAM_SERVICE_PRINCIPAL, DelegationEnabledDate: '' }],
      }));
    }
    return super.change(organizationId, edit);
  }
}

describe('concurrent delegations', () => {
  it('the rules are checked on the organisation the change is applied to, not the one first read', async () => {
    const { harness, organization } = await harnessWith(new RacedDirectory([exampleOrganization()]));
    await expectRefusal(
      harness.call(ENABLE, { DelegatedAdminAccountId: IPAM_ADMIN }, as(MANAGEMENT)),
      'IpamOrganizationDelegatedAdminLimitExceeded',
      PROD,
    );
    expect(await administrator(organization)).toBe(PROD);
  });

  it('two managers racing to delegate different members: exactly one wins', async () => {
    const { harness, organization } = await harnessWith();
    const results = await Promise.allSettled(
      [IPAM_ADMIN, PROD].map((account) => harness.call(ENABLE, { DelegatedAdminAccountId: account }, as(MANAGEMENT))),
    );
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
    const winner = results[0]!.status === 'fulfilled' ? IPAM_ADMIN : PROD;
    expect(await administrator(organization)).toBe(winner);
  });
});
