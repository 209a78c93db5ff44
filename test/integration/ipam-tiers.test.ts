// IPAM-wide settings: cost distribution (MeteredAccount, spec §2.6, DN-12) and the tier rules
// (spec §2.4, DN-10), through the use cases as a request reaches them.
import { describe, expect, it } from 'vitest';
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import { exampleOrganization, IPAM_ADMIN, MANAGEMENT, OUTSIDER } from '../support/organization.ts';
import { createUseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const HOUR = 3_600_000;

async function organizationHarness() {
  const harness = await createUseCaseHarness({ organization: new MemoryOrganizationDirectory([exampleOrganization()]) });
  await harness.call('EnableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN }, { accountId: MANAGEMENT });
  return harness;
}

describe('cost distribution (MeteredAccount)', () => {
  it("charges resource owners only for the delegated administrator's IPAM in a Region enabled by default", async () => {
    const harness = await organizationHarness();
    await expectRefusal(harness.call('CreateIpam', { MeteredAccount: 'resource-owner' }), 'InvalidParameterValue', 'not the delegated');
    await expectRefusal(
      harness.call('CreateIpam', { MeteredAccount: 'resource-owner' }, { accountId: OUTSIDER }),
      'InvalidParameterValue',
      'no AWS Organization',
    );
    await expectRefusal(
      harness.call('CreateIpam', { MeteredAccount: 'resource-owner' }, { accountId: IPAM_ADMIN, region: 'af-south-1' }),
      'InvalidParameterValue',
      'opt-in',
    );
    const { Ipam } = await harness.call('CreateIpam', { MeteredAccount: 'resource-owner' }, { accountId: IPAM_ADMIN });
    expect(Ipam.MeteredAccount).toBe('resource-owner');
    expect(Ipam).not.toHaveProperty('meteredAccountChangedAt');
    const [described] = (await harness.call('DescribeIpams', {}, { accountId: IPAM_ADMIN })).Ipams;
    expect(described).toMatchObject({ IpamId: Ipam.IpamId, MeteredAccount: 'resource-owner' });

    // An IPAM of another account keeps the default and cannot switch.
    const { Ipam: own } = await harness.call('CreateIpam', {});
    expect(own.MeteredAccount).toBe('ipam-owner');
    await expectRefusal(harness.call('ModifyIpam', { IpamId: own.IpamId, MeteredAccount: 'resource-owner' }), 'InvalidParameterValue');
  });

  it('can be switched off within 24 hours or after 7 days, not in between', async () => {
    const harness = await organizationHarness();
    const realNow = harness.deps.now;
    const start = realNow();
    const at = (ms: number) => {
      harness.deps.now = () => new Date(start.getTime() + ms);
    };
    const admin = { accountId: IPAM_ADMIN };
    at(0);
    const { Ipam } = await harness.call('CreateIpam', {}, admin);
    const set = async (MeteredAccount: string) => (await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, MeteredAccount }, admin)).Ipam;
    expect((await set('resource-owner')).MeteredAccount).toBe('resource-owner');
    at(23 * HOUR);
    expect((await set('ipam-owner')).MeteredAccount).toBe('ipam-owner');
    expect((await set('resource-owner')).MeteredAccount).toBe('resource-owner'); // the clock starts again
    at(23 * HOUR + 25 * HOUR);
    await expectRefusal(set('ipam-owner'), 'IncorrectState', '7 days');
    expect((await set('resource-owner')).MeteredAccount).toBe('resource-owner'); // unchanged, and no new clock
    at(23 * HOUR + 7 * 24 * HOUR);
    expect((await set('ipam-owner')).MeteredAccount).toBe('ipam-owner');
    const [described] = (await harness.call('DescribeIpams', {}, admin)).Ipams;
    expect(described.MeteredAccount).toBe('ipam-owner');
    harness.deps.now = realNow;
  });
});
