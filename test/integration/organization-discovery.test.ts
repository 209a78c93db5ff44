// An organisation-integrated IPAM (spec §1.1 mode 2, §10.7, §11, DN-06): the delegated
// administrator's resource discoveries read every member account of the organisation, in nested
// OUs, minus the OU exclusions (`…/` the OU, `…/*` the OU and below; never the administrator), and
// the member's resources carry the member's account id in records, events, metrics and history.
// Disabling the delegation returns the IPAM to one account at the next sweep. Inventory from a
// static file, swept through the real use cases.
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import { createSweepHarness, type Inventory, subnet, type SweepHarness, vpc } from '../support/discovery-sweep.ts';
import {
  exampleOrganization,
  IPAM_ADMIN,
  MANAGEMENT,
  OU,
  PATH,
  PROD,
  PROD_EU,
  ROOT_MEMBER,
  SANDBOX,
  WORKLOADS,
} from '../support/organization.ts';

let open: SweepHarness[] = [];
afterEach(async () => {
  await Promise.all(open.map((sh) => sh.close()));
  open = [];
});

const REGION = 'us-east-1';
/** Each account's one VPC: 10.<n>.0.0/16. */
const VPCS: Record<string, number> = {
  [MANAGEMENT]: 9,
  [IPAM_ADMIN]: 1,
  [WORKLOADS]: 2,
  [PROD]: 3,
  [PROD_EU]: 4,
  [SANDBOX]: 5,
  [ROOT_MEMBER]: 6,
};
const vpcOf = (account: string) => `vpc-${account}`;

async function organisationHarness() {
  const sh = await createSweepHarness({ organization: new MemoryOrganizationDirectory([exampleOrganization()]) });
  open.push(sh);
  const inventory: Inventory = {};
  for (const [account, n] of Object.entries(VPCS)) {
    inventory[account] = {
      [REGION]: {
        vpcs: [vpc(vpcOf(account), [`10.${n}.0.0/16`])],
        subnets: [subnet(`subnet-${account}`, vpcOf(account), [`10.${n}.0.0/24`], 100)],
      },
    };
  }
  await sh.writeInventory(inventory);
  const as = (accountId: string) => ({ accountId });
  const call = (account: string, action: string, input: Record<string, unknown>) => sh.harness.call(action, input, as(account));
  return { sh, call };
}

type Call = Awaited<ReturnType<typeof organisationHarness>>['call'];

/** An IPAM of `owner` with an auto-import pool over 10.0.0.0/8. */
async function ipamOf(call: Call, owner: string) {
  const { Ipam } = await call(owner, 'CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
  const { IpamPool } = await call(owner, 'CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: 'ipv4',
    Locale: REGION,
    AutoImport: true,
  });
  await call(owner, 'ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '10.0.0.0/8' });
  return { ipam: Ipam, poolId: IpamPool.IpamPoolId as string };
}

async function discoveredAccounts(call: Call, owner: string, resourceDiscoveryId: string) {
  const { IpamDiscoveredAccounts } = await call(owner, 'GetIpamDiscoveredAccounts', {
    IpamResourceDiscoveryId: resourceDiscoveryId,
    DiscoveryRegion: REGION,
  });
  return (IpamDiscoveredAccounts as { AccountId: string; OrganizationalUnitId?: string }[])
    .map((account) => `${account.AccountId} ${account.OrganizationalUnitId ?? '-'}`)
    .sort();
}

/** `<vpc> <owner>` of every VPC CIDR the IPAM's private scope tracks. */
async function trackedVpcs(call: Call, owner: string, scopeId: string) {
  const { IpamResourceCidrs } = await call(owner, 'GetIpamResourceCidrs', { IpamScopeId: scopeId, ResourceType: 'vpc' });
  return (IpamResourceCidrs as { ResourceId: string; ResourceOwnerId: string }[])
    .map((record) => `${record.ResourceId} ${record.ResourceOwnerId}`)
    .sort();
}

const tracked = (...accounts: string[]) => accounts.map((account) => `${vpcOf(account)} ${account}`).sort();

const exclude = (...paths: string[]) => paths.map((OrganizationsEntityPath) => ({ OrganizationsEntityPath }));

describe('an IPAM of the delegated administrator', () => {
  it('discovers every member account in nested OUs, minus its OU exclusions, and never the administrator', async () => {
    const { sh, call } = await organisationHarness();
    await call(MANAGEMENT, 'EnableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN });
    const { ipam } = await ipamOf(call, IPAM_ADMIN);
    const rd = ipam.DefaultResourceDiscoveryId;
    const scope = ipam.PrivateDefaultScopeId;

    // No exclusions: every member, each with its OU; not the management account.
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, rd)).toEqual(
      [
        `${IPAM_ADMIN} ${OU.sandbox}`,
        `${WORKLOADS} ${OU.workloads}`,
        `${PROD} ${OU.prod}`,
        `${PROD_EU} ${OU.prodEu}`,
        `${SANDBOX} ${OU.sandbox}`,
        `${ROOT_MEMBER} -`,
      ].sort(),
    );
    expect(await trackedVpcs(call, IPAM_ADMIN, scope)).toEqual(tracked(IPAM_ADMIN, WORKLOADS, PROD, PROD_EU, SANDBOX, ROOT_MEMBER));

    // `…/` excludes only the accounts directly in the OU: Workloads, not Prod below it; the
    // Sandbox exclusion keeps the administrator, who sits in it.
    await call(IPAM_ADMIN, 'ModifyIpamResourceDiscovery', {
      IpamResourceDiscoveryId: rd,
      AddOrganizationalUnitExclusions: exclude(PATH.workloads, PATH.sandbox),
    });
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, rd)).toEqual(
      [`${IPAM_ADMIN} ${OU.sandbox}`, `${PROD} ${OU.prod}`, `${PROD_EU} ${OU.prodEu}`, `${ROOT_MEMBER} -`].sort(),
    );
    expect(await trackedVpcs(call, IPAM_ADMIN, scope)).toEqual(tracked(IPAM_ADMIN, PROD, PROD_EU, ROOT_MEMBER));

    // `…/*` excludes the OU and every OU below it.
    await call(IPAM_ADMIN, 'ModifyIpamResourceDiscovery', {
      IpamResourceDiscoveryId: rd,
      AddOrganizationalUnitExclusions: exclude(`${PATH.workloads}*`),
      RemoveOrganizationalUnitExclusions: exclude(PATH.workloads),
    });
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, rd)).toEqual([`${IPAM_ADMIN} ${OU.sandbox}`, `${ROOT_MEMBER} -`].sort());
    expect(await trackedVpcs(call, IPAM_ADMIN, scope)).toEqual(tracked(IPAM_ADMIN, ROOT_MEMBER));

    // A child OU alone: Prod goes, Workloads and Prod EU come back.
    await call(IPAM_ADMIN, 'ModifyIpamResourceDiscovery', {
      IpamResourceDiscoveryId: rd,
      AddOrganizationalUnitExclusions: exclude(PATH.prod),
      RemoveOrganizationalUnitExclusions: exclude(`${PATH.workloads}*`, PATH.sandbox),
    });
    await sh.sweep();
    expect(await trackedVpcs(call, IPAM_ADMIN, scope)).toEqual(tracked(IPAM_ADMIN, WORKLOADS, PROD_EU, SANDBOX, ROOT_MEMBER));
  });

  it('its other resource discoveries read the organisation too; another member’s IPAM reads only its own account', async () => {
    const { sh, call } = await organisationHarness();
    await call(MANAGEMENT, 'EnableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN });
    const { IpamResourceDiscovery } = await call(IPAM_ADMIN, 'CreateIpamResourceDiscovery', {
      OperatingRegions: [{ RegionName: REGION }],
    });
    const { ipam: memberIpam } = await ipamOf(call, WORKLOADS);
    const { ipam: managementIpam } = await ipamOf(call, MANAGEMENT);
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, IpamResourceDiscovery.IpamResourceDiscoveryId)).toHaveLength(6);
    expect(await discoveredAccounts(call, WORKLOADS, memberIpam.DefaultResourceDiscoveryId)).toEqual([`${WORKLOADS} -`]);
    expect(await trackedVpcs(call, WORKLOADS, memberIpam.PrivateDefaultScopeId)).toEqual(tracked(WORKLOADS));
    expect(await trackedVpcs(call, MANAGEMENT, managementIpam.PrivateDefaultScopeId)).toEqual(tracked(MANAGEMENT));
  });

  it('member resources carry the member’s account: resource CIDRs, imports, events, metrics, history', async () => {
    const { sh, call } = await organisationHarness();
    await call(MANAGEMENT, 'EnableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN });
    const { ipam, poolId } = await ipamOf(call, IPAM_ADMIN);
    await sh.sweep();

    const { IpamPoolAllocations } = await call(IPAM_ADMIN, 'GetIpamPoolAllocations', { IpamPoolId: poolId });
    expect(IpamPoolAllocations.find((allocation: any) => allocation.ResourceId === vpcOf(PROD_EU))).toMatchObject({
      ResourceType: 'vpc',
      ResourceOwner: PROD_EU,
      ResourceRegion: REGION,
      Cidr: '10.4.0.0/16',
    });
    const imported = sh.harness.events
      .published()
      .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change')
      .map((event): Record<string, unknown> => ({ account: event.account, ...event.detail }))
      .find((event) => event.resourceId === vpcOf(PROD_EU));
    // Published as the pool's owner, about the member's resource.
    expect(imported).toMatchObject({ account: IPAM_ADMIN, cause: 'auto-import', resourceOwner: PROD_EU });

    const usage = sh.metrics.all().find((datum) => datum.name === 'VpcIPUsage' && datum.dimensions.VpcID === vpcOf(PROD_EU));
    expect(usage?.dimensions.OwnerID).toBe(PROD_EU);

    const { HistoryRecords } = await call(IPAM_ADMIN, 'GetIpamAddressHistory', {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      Cidr: '10.4.0.0/16',
      StartTime: new Date(0),
      EndTime: new Date(Date.now() + 86_400_000),
    });
    expect(HistoryRecords).toEqual([expect.objectContaining({ ResourceId: vpcOf(PROD_EU), ResourceOwnerId: PROD_EU })]);
  });

  it('returns to single-account discovery at the next sweep once the delegation is disabled', async () => {
    const { sh, call } = await organisationHarness();
    await call(MANAGEMENT, 'EnableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN });
    const { ipam } = await ipamOf(call, IPAM_ADMIN);
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, ipam.DefaultResourceDiscoveryId)).toHaveLength(6);

    await call(MANAGEMENT, 'DisableIpamOrganizationAdminAccount', { DelegatedAdminAccountId: IPAM_ADMIN });
    await sh.sweep();
    expect(await discoveredAccounts(call, IPAM_ADMIN, ipam.DefaultResourceDiscoveryId)).toEqual([`${IPAM_ADMIN} -`]);
    expect(await trackedVpcs(call, IPAM_ADMIN, ipam.PrivateDefaultScopeId)).toEqual(tracked(IPAM_ADMIN));
    const { IpamDiscoveredResourceCidrs } = await call(IPAM_ADMIN, 'GetIpamDiscoveredResourceCidrs', {
      IpamResourceDiscoveryId: ipam.DefaultResourceDiscoveryId,
      ResourceRegion: REGION,
    });
    expect(new Set(IpamDiscoveredResourceCidrs.map((record: any) => record.ResourceOwnerId))).toEqual(new Set([IPAM_ADMIN]));
  });
});
