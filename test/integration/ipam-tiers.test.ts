// IPAM-wide settings: cost distribution (MeteredAccount, spec §2.6, DN-12) and the tier rules
// (spec §2.4, DN-10), through the use cases as a request reaches them.
import { describe, expect, it } from 'vitest';
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import { exampleOrganization, IPAM_ADMIN, MANAGEMENT, OUTSIDER } from '../support/organization.ts';
import { ADMIN, MEMBER_A, MANAGEMENT as ORG_MANAGEMENT, ram, sharingOrganization, useOrganizations } from '../support/sharing.ts';
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

describe('the free tier (DN-10)', () => {
  /** The delegated administrator's public pool in its home Region, shared with MEMBER_A, holding an Amazon-provided /29. */
  async function sharedPublicPool() {
    const harness = await createUseCaseHarness();
    useOrganizations(harness, [sharingOrganization().org]);
    expect((await ram(harness, ORG_MANAGEMENT, { path: '/enablesharingwithawsorganization' })).status).toBe(200);
    const admin = { accountId: ADMIN };
    const { Ipam } = await harness.call('CreateIpam', {}, admin);
    const { IpamPool } = await harness.call(
      'CreateIpamPool',
      { IpamScopeId: Ipam.PublicDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1', AwsService: 'ec2', PublicIpSource: 'amazon' },
      admin,
    );
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, NetmaskLength: 29 }, admin);
    const shared = await ram(harness, ADMIN, {
      path: '/createresourceshare',
      body: { name: 'pool', resourceArns: [IpamPool.IpamPoolArn], principals: [MEMBER_A] },
    });
    expect(shared.status, JSON.stringify(shared.body)).toBe(200);
    return { harness, ipam: Ipam, pool: IpamPool as { IpamPoolId: string } };
  }

  it("refuses the move to the free tier in the guide's words while another account holds an allocation, then refuses such allocations", async () => {
    const { harness, ipam, pool } = await sharedPublicPool();
    const admin = { accountId: ADMIN };
    const { IpamPoolAllocation } = await harness.call(
      'AllocateIpamPoolCidr',
      { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 },
      { accountId: MEMBER_A },
    );
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: ipam.IpamId, Tier: 'free' }, admin),
      'IncorrectState',
      'Before you can switch from the Advanced Tier to the Free Tier, you must delete pool allocations to accounts that are not the IPAM owner',
      IpamPoolAllocation.IpamPoolAllocationId,
      MEMBER_A,
    );
    // The owner's own allocations are no obstacle.
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 }, admin);
    await harness.call(
      'ReleaseIpamPoolAllocation',
      { IpamPoolId: pool.IpamPoolId, IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, Cidr: IpamPoolAllocation.Cidr },
      { accountId: MEMBER_A },
    );
    expect((await harness.call('ModifyIpam', { IpamId: ipam.IpamId, Tier: 'free' }, admin)).Ipam.Tier).toBe('free');

    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 }, { accountId: MEMBER_A }),
      'InvalidParameterValue',
      'requires the Advanced Tier',
      'Free Tier',
    );
    await expectRefusal(
      harness.call('AllocateAddress', { IpamPoolId: pool.IpamPoolId, Domain: 'vpc' }, { accountId: MEMBER_A }),
      'InvalidParameterValue',
      'requires the Advanced Tier',
    );
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 }, admin);
    // Back on the advanced tier the member allocates again.
    await harness.call('ModifyIpam', { IpamId: ipam.IpamId, Tier: 'advanced' }, admin);
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 32 }, { accountId: MEMBER_A });
  });

  it('names the precondition of each other obstacle', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-west-2' }] });
    const { IpamPool } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: 'us-west-2',
    });
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }),
      'IncorrectState',
      'delete pools with locales different than the IPAM home Region',
      IpamPool.IpamPoolId,
    );
    await harness.call('DeleteIpamPool', { IpamPoolId: IpamPool.IpamPoolId });
    const { IpamPool: priv } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }),
      'IncorrectState',
      'delete private scope pools',
      priv.IpamPoolId,
    );
  });
});
