// The User Guide's "Getting started with IPAM using the AWS CLI" (scenario S1), driven through
// HTTP by the real JS SDK EC2Client. The VPC steps use the guide's Tier B substitute: a custom
// allocation of the same size from the development pool.
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DeleteIpamCommand,
  DeleteIpamPoolCommand,
  DeprovisionIpamPoolCidrCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamsCommand,
  type EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
  ReleaseIpamPoolAllocationCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestService, type TestService } from '../support/service.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting');
}

const poolState = (id: string) => async () => (await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [id] }))).IpamPools?.[0]?.State;
const cidrState = (poolId: string, cidr: string) => async () =>
  (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs?.find((c) => c.Cidr === cidr)?.State;

describe('S1 getting started, with the JS SDK', () => {
  it('builds the three-level pool tree, allocates a /26, and takes it all down in reverse order', async () => {
    // 1–4: the IPAM, with the home Region listed once among its operating Regions.
    const { Ipam } = await ec2.send(
      new CreateIpamCommand({ Description: 'My IPAM', OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }] }),
    );
    expect(Ipam?.IpamId).toMatch(/^ipam-0[0-9a-f]{16}$/);
    expect(Ipam?.IpamArn).toBe(`arn:aws:ec2::123456789012:ipam/${Ipam?.IpamId}`);
    expect(Ipam?.ScopeCount).toBe(2);
    expect(Ipam?.OperatingRegions?.map((r) => r.RegionName).sort()).toEqual(['us-east-1', 'us-west-2']);
    expect(Ipam?.Tags).toEqual([]);
    expect(Ipam?.Tier).toBe('advanced');
    expect(Ipam?.State).toBe('create-in-progress');
    // The guide sleeps 20 s here; polling gets there sooner.
    const described = await waitFor(
      () => ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] })),
      (page) => page.Ipams?.[0]?.State === 'create-complete',
    );
    const scopeId = described.Ipams![0]!.PrivateDefaultScopeId!;
    expect(scopeId).toMatch(/^ipam-scope-0[0-9a-f]{16}$/);

    // 5–8: top-level pool with 10.0.0.0/8.
    const top = (await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: scopeId, AddressFamily: 'ipv4', Description: 'Top-level pool' })))
      .IpamPool!;
    expect(top).toMatchObject({ IpamScopeType: 'private', Locale: 'None', PoolDepth: 1, AddressFamily: 'ipv4', AutoImport: false });
    expect(await waitFor(poolState(top.IpamPoolId!), (s) => s === 'create-complete')).toBe('create-complete');
    const provisioned = await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: top.IpamPoolId, Cidr: '10.0.0.0/8' }));
    expect(provisioned.IpamPoolCidr).toMatchObject({ Cidr: '10.0.0.0/8', NetmaskLength: 8, State: 'pending-provision' });
    expect(provisioned.IpamPoolCidr?.IpamPoolCidrId).toMatch(/^ipam-pool-cidr-0[0-9a-f]{32}$/);
    await waitFor(cidrState(top.IpamPoolId!, '10.0.0.0/8'), (s) => s === 'provisioned');

    // 9–12: regional pool; its CIDR becomes an ipam-pool allocation in the top-level pool.
    const poolGone = (id: string) => async () =>
      ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [id] })).then(
        () => false,
        (error: { name?: string }) => error.name === 'InvalidIpamPoolId.NotFound',
      );
    const regional = (
      await ec2.send(
        new CreateIpamPoolCommand({
          IpamScopeId: scopeId,
          SourceIpamPoolId: top.IpamPoolId,
          Locale: 'us-east-1',
          AddressFamily: 'ipv4',
          Description: 'Regional pool in us-east-1',
        }),
      )
    ).IpamPool!;
    expect(regional).toMatchObject({ SourceIpamPoolId: top.IpamPoolId, Locale: 'us-east-1', PoolDepth: 2 });
    await waitFor(poolState(regional.IpamPoolId!), (s) => s === 'create-complete');
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: regional.IpamPoolId, Cidr: '10.0.0.0/16' }));
    await waitFor(cidrState(regional.IpamPoolId!, '10.0.0.0/16'), (s) => s === 'provisioned');
    const topAllocations = await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: top.IpamPoolId }));
    expect(topAllocations.IpamPoolAllocations).toEqual([
      expect.objectContaining({
        Cidr: '10.0.0.0/16',
        ResourceType: 'ipam-pool',
        ResourceId: regional.IpamPoolId,
        ResourceOwner: '123456789012',
      }),
    ]);

    // 13–15: development pool takes the regional locale.
    const development = (
      await ec2.send(
        new CreateIpamPoolCommand({
          IpamScopeId: scopeId,
          SourceIpamPoolId: regional.IpamPoolId,
          Locale: 'us-east-1',
          AddressFamily: 'ipv4',
          Description: 'Development pool',
        }),
      )
    ).IpamPool!;
    expect(development).toMatchObject({ Description: 'Development pool', Locale: 'us-east-1', PoolDepth: 3 });
    await waitFor(poolState(development.IpamPoolId!), (s) => s === 'create-complete');
    await expect(
      ec2.send(
        new CreateIpamPoolCommand({
          IpamScopeId: scopeId,
          SourceIpamPoolId: regional.IpamPoolId,
          Locale: 'us-west-2',
          AddressFamily: 'ipv4',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterCombination' });
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: development.IpamPoolId, Cidr: '10.0.0.0/24' }));
    await waitFor(cidrState(development.IpamPoolId!, '10.0.0.0/24'), (s) => s === 'provisioned');

    // 16–18 (Tier B): a /26 from the development pool, at the lowest address.
    await expect(
      ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: development.IpamPoolId, NetmaskLength: 23 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'The allocation size is too big for the pool.', // AWS's words (terraform-provider-aws #39046)
    });
    const vpcCidr = (await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: development.IpamPoolId, NetmaskLength: 26 })))
      .IpamPoolAllocation!;
    expect(vpcCidr.Cidr).toBe('10.0.0.0/26');
    const devAllocations = await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: development.IpamPoolId }));
    // get-ipam-pool-allocations.rst: a reservation has Cidr, id, ResourceType and ResourceOwner, no ResourceRegion.
    expect(devAllocations.IpamPoolAllocations).toEqual([
      {
        Cidr: '10.0.0.0/26',
        IpamPoolAllocationId: vpcCidr.IpamPoolAllocationId,
        ResourceType: 'custom',
        ResourceOwner: '123456789012',
        Tags: [],
      },
    ]);

    // Cleanup out of order: deleting the pool is refused (DependencyViolation), as the guide's
    // troubleshooting says, in AWS's words (terraform-provider-aws PR #22328); deprovisioning its
    // CIDR is accepted and fails, as AWS does (terraform-provider-aws #30165).
    await expect(ec2.send(new DeleteIpamPoolCommand({ IpamPoolId: regional.IpamPoolId }))).rejects.toMatchObject({
      name: 'DependencyViolation',
      message: `The specified action is not valid for ${regional.IpamPoolId}. There are one or more pool cidrs provisioned in the pool.`,
    });
    const early = await ec2.send(new DeprovisionIpamPoolCidrCommand({ IpamPoolId: regional.IpamPoolId, Cidr: '10.0.0.0/16' }));
    expect(early.IpamPoolCidr).toMatchObject({ Cidr: '10.0.0.0/16', State: 'pending-deprovision' });
    await waitFor(cidrState(regional.IpamPoolId!, '10.0.0.0/16'), (s) => s === 'failed-deprovision');
    const [failed] = (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: regional.IpamPoolId }))).IpamPoolCidrs ?? [];
    expect(failed?.FailureReason).toEqual({ Message: 'The CIDR has one or more allocations.' });

    // C1–C8 in reverse creation order.
    await ec2.send(
      new ReleaseIpamPoolAllocationCommand({
        IpamPoolId: development.IpamPoolId,
        IpamPoolAllocationId: vpcCidr.IpamPoolAllocationId,
        Cidr: vpcCidr.Cidr,
      }),
    );
    for (const [pool, cidr] of [
      [development, '10.0.0.0/24'],
      [regional, '10.0.0.0/16'],
      [top, '10.0.0.0/8'],
    ] as const) {
      const deprovisioned = await ec2.send(new DeprovisionIpamPoolCidrCommand({ IpamPoolId: pool.IpamPoolId, Cidr: cidr }));
      expect(deprovisioned.IpamPoolCidr).toMatchObject({ Cidr: cidr, State: 'pending-deprovision' });
      await waitFor(cidrState(pool.IpamPoolId!, cidr), (s) => s === 'deprovisioned');
      const deleting = await ec2.send(new DeleteIpamPoolCommand({ IpamPoolId: pool.IpamPoolId }));
      expect(deleting.IpamPool?.State).toBe('delete-in-progress');
      await waitFor(poolGone(pool.IpamPoolId!), (gone) => gone);
    }
    await expect(ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: top.IpamPoolId }))).rejects.toMatchObject({
      name: 'InvalidIpamPoolId.NotFound',
    });
    const deleted = await ec2.send(new DeleteIpamCommand({ IpamId: Ipam!.IpamId }));
    expect(deleted.Ipam).toMatchObject({ IpamId: Ipam!.IpamId, State: 'delete-in-progress' });
    await waitFor(
      () => ec2.send(new DescribeIpamsCommand({})),
      (page) => page.Ipams?.length === 0,
    );
  });
});
