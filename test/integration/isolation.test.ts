// Who sees what (architecture: NotFound never leaks; DN-05): another account sees nothing of this
// one; another Region sees an IPAM's pools only where they are the locale, and only to allocate.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, poolWithCidr } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

describe('account isolation', () => {
  it('answers NotFound to another account for every resource of this one', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/24' });
    const other = { accountId: '111122223333' };
    const ipamId = ipam.IpamId;
    const scopeId = ipam.PrivateDefaultScopeId;
    const poolId = pool.IpamPoolId;

    expect((await harness.call('DescribeIpams', {}, other)).Ipams).toEqual([]);
    expect((await harness.call('DescribeIpamScopes', {}, other)).IpamScopes).toEqual([]);
    expect((await harness.call('DescribeIpamPools', {}, other)).IpamPools).toEqual([]);

    const refusals: [string, Record<string, unknown>, string][] = [
      ['DescribeIpams', { IpamIds: [ipamId] }, 'InvalidIpamId.NotFound'],
      ['ModifyIpam', { IpamId: ipamId, Description: 'mine now' }, 'InvalidIpamId.NotFound'],
      ['DeleteIpam', { IpamId: ipamId, Cascade: true }, 'InvalidIpamId.NotFound'],
      ['CreateIpamScope', { IpamId: ipamId }, 'InvalidIpamId.NotFound'],
      ['DescribeIpamScopes', { IpamScopeIds: [scopeId] }, 'InvalidIpamScopeId.NotFound'],
      ['ModifyIpamScope', { IpamScopeId: scopeId, Description: 'x' }, 'InvalidIpamScopeId.NotFound'],
      ['DeleteIpamScope', { IpamScopeId: scopeId }, 'InvalidIpamScopeId.NotFound'],
      ['CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: 'ipv4' }, 'InvalidIpamScopeId.NotFound'],
      ['DescribeIpamPools', { IpamPoolIds: [poolId] }, 'InvalidIpamPoolId.NotFound'],
      ['ModifyIpamPool', { IpamPoolId: poolId, Description: 'x' }, 'InvalidIpamPoolId.NotFound'],
      ['DeleteIpamPool', { IpamPoolId: poolId, Cascade: true }, 'InvalidIpamPoolId.NotFound'],
      ['ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.1.0.0/16' }, 'InvalidIpamPoolId.NotFound'],
      ['GetIpamPoolCidrs', { IpamPoolId: poolId }, 'InvalidIpamPoolId.NotFound'],
      ['DeprovisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/16' }, 'InvalidIpamPoolId.NotFound'],
      ['AllocateIpamPoolCidr', { IpamPoolId: poolId, NetmaskLength: 24 }, 'InvalidIpamPoolId.NotFound'],
      ['GetIpamPoolAllocations', { IpamPoolId: poolId }, 'InvalidIpamPoolId.NotFound'],
      [
        'ReleaseIpamPoolAllocation',
        { IpamPoolId: poolId, IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, Cidr: '10.0.0.0/24' },
        'InvalidIpamPoolId.NotFound',
      ],
      ['CreateTags', { Resources: [scopeId], Tags: [{ Key: 'a', Value: 'b' }] }, 'InvalidIpamScopeId.NotFound'],
    ];
    for (const [action, input, code] of refusals) {
      const error = await expectRefusal(harness.call(action, input, other), code as never);
      expect(error.message, action).toMatch(/ID '[^']+' does not exist/);
    }

    // Nothing changed for the owner.
    const { Ipams } = await harness.call('DescribeIpams', { IpamIds: [ipamId] });
    expect(Ipams[0]).toMatchObject({ ScopeCount: 2, Tags: [] });
    expect(Ipams[0].Description).toBeUndefined();
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: poolId });
    expect(IpamPoolAllocations).toEqual([expect.objectContaining({ Cidr: '10.0.0.0/24' })]);
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: poolId })).IpamPoolCidrs).toHaveLength(1);
  });
});

describe('Region isolation', () => {
  it('accepts IPAM administration only in the home Region', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const west = { region: 'us-west-2' };
    expect((await harness.call('DescribeIpams', {}, west)).Ipams).toEqual([]);
    expect((await harness.call('DescribeIpamScopes', {}, west)).IpamScopes).toEqual([]);
    expect((await harness.call('DescribeIpamPools', {}, west)).IpamPools).toEqual([]);
    await expectRefusal(harness.call('ModifyIpam', { IpamId: ipam.IpamId, Description: 'x' }, west), 'InvalidIpamId.NotFound', ipam.IpamId);
    await expectRefusal(harness.call('DeleteIpam', { IpamId: ipam.IpamId }, west), 'InvalidIpamId.NotFound', ipam.IpamId);
    await expectRefusal(
      harness.call('CreateIpamPool', { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }, west),
      'InvalidIpamScopeId.NotFound',
      ipam.PrivateDefaultScopeId,
    );
    // A pool without a locale is not usable outside the home Region either; its owner is told so in
    // AWS's words (aws-ia/terraform-aws-vpc #65: "InvalidParameterValue: The pool ipam-pool-… is not
    // in the current region us-west-2."), another account gets NotFound.
    const elsewhere = await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 }, west),
      'InvalidParameterValue',
    );
    expect(elsewhere.message).toBe(`The pool ${pool.IpamPoolId} is not in the current region us-west-2.`);
    await expectRefusal(
      harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 }, { ...west, accountId: '111122223333' }),
      'InvalidIpamPoolId.NotFound',
    );
    // The same account may have its own IPAM there.
    await harness.call('CreateIpam', {}, west);
    expect((await harness.call('DescribeIpams', {})).Ipams).toHaveLength(1);
  });

  it('shows a pool in its locale Region and allocates from it there, but administers it only at home', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-west-2' }] });
    const { IpamPool: top } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: top.IpamPoolId, Cidr: '10.0.0.0/8' });
    const { IpamPool: regional } = await harness.call('CreateIpamPool', {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: top.IpamPoolId,
      Locale: 'us-west-2',
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, Cidr: '10.64.0.0/12' });
    const west = { region: 'us-west-2' };

    const { IpamPools } = await harness.call('DescribeIpamPools', {}, west);
    expect(IpamPools.map((p: { IpamPoolId: string }) => p.IpamPoolId)).toEqual([regional.IpamPoolId]);
    expect(IpamPools[0]).toMatchObject({ Locale: 'us-west-2', IpamRegion: 'us-east-1' });

    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, NetmaskLength: 16 }, west);
    expect(IpamPoolAllocation).toMatchObject({ Cidr: '10.64.0.0/16', ResourceType: 'custom' });
    // allocate-ipam-pool-cidr.rst: a reservation is answered without a ResourceRegion.
    expect(IpamPoolAllocation.ResourceRegion).toBeUndefined();
    const listed = await harness.call('GetIpamPoolAllocations', { IpamPoolId: regional.IpamPoolId }, west);
    expect(listed.IpamPoolAllocations).toHaveLength(1);
    expect((await harness.call('GetIpamPoolCidrs', { IpamPoolId: regional.IpamPoolId }, west)).IpamPoolCidrs).toHaveLength(1);

    for (const [action, input] of [
      ['ModifyIpamPool', { IpamPoolId: regional.IpamPoolId, Description: 'x' }],
      ['DeleteIpamPool', { IpamPoolId: regional.IpamPoolId, Cascade: true }],
      ['ProvisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, Cidr: '10.80.0.0/12' }],
      ['DeprovisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, Cidr: '10.64.0.0/12' }],
      ['CreateTags', { Resources: [regional.IpamPoolId], Tags: [{ Key: 'a', Value: 'b' }] }],
    ] as const) {
      await expectRefusal(harness.call(action, input, west), 'InvalidIpamPoolId.NotFound', regional.IpamPoolId);
    }
    // Its source pool has no locale: it stays invisible in us-west-2.
    await expectRefusal(
      harness.call('DescribeIpamPools', { IpamPoolIds: [top.IpamPoolId] }, west),
      'InvalidIpamPoolId.NotFound',
      top.IpamPoolId,
    );

    await harness.call(
      'ReleaseIpamPoolAllocation',
      { IpamPoolId: regional.IpamPoolId, IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId, Cidr: IpamPoolAllocation.Cidr },
      west,
    );
    expect((await harness.call('GetIpamPoolAllocations', { IpamPoolId: regional.IpamPoolId })).IpamPoolAllocations).toEqual([]);
  });
});
