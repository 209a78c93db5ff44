// IPAMs (guide §2): operating Regions, one IPAM per account and Region, ModifyIpam rules (DN-09,
// DN-10) and DeleteIpam with and without Cascade (DN-13).
import { describe, expect, it } from 'vitest';
import { IpamError } from '../../lambdas/domain/errors.ts';
import { createUseCaseHarness, restart, send, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const regions = (...names: string[]) => names.map((RegionName) => ({ RegionName }));
const regionNames = (ipam: { OperatingRegions: { RegionName: string }[] }) => ipam.OperatingRegions.map((r) => r.RegionName).sort();

async function newPool(harness: UseCaseHarness, input: Record<string, unknown>) {
  return (await harness.call('CreateIpamPool', { AddressFamily: 'ipv4', ...input })).IpamPool as { IpamPoolId: string };
}

describe('creating IPAMs', () => {
  it('makes the home Region an operating Region, listed once', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2', 'us-east-1', 'us-west-2') });
    expect(Ipam).toMatchObject({
      IpamRegion: 'us-east-1',
      ScopeCount: 2,
      Tier: 'advanced',
      EnablePrivateGua: false,
      OwnerId: '123456789012',
    });
    expect(regionNames(Ipam)).toEqual(['us-east-1', 'us-west-2']);

    const { Ipam: bare } = await harness.call('CreateIpam', {}, { region: 'eu-west-1' });
    expect(regionNames(bare)).toEqual(['eu-west-1']);
    const { IpamScopes } = await harness.call('DescribeIpamScopes', {});
    expect(
      IpamScopes.map((s: { IpamScopeId: string; IpamScopeType: string; IsDefault: boolean }) => [
        s.IpamScopeId,
        s.IpamScopeType,
        s.IsDefault,
      ]).sort(),
    ).toEqual(
      [
        [Ipam.PrivateDefaultScopeId, 'private', true],
        [Ipam.PublicDefaultScopeId, 'public', true],
      ].sort(),
    );
    await expectRefusal(
      harness.call('CreateIpam', { OperatingRegions: regions('mars-north-1') }, { region: 'eu-north-1' }),
      'InvalidParameterValue',
      'mars-north-1',
    );
  });

  it('allows one IPAM per account and Region', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    await expectRefusal(harness.call('CreateIpam', {}), 'ResourceLimitExceeded');
    // Another Region, or another account, is another slot.
    const { Ipam: west } = await harness.call('CreateIpam', {}, { region: 'us-west-2' });
    expect(west.IpamRegion).toBe('us-west-2');
    await harness.call('CreateIpam', {}, { accountId: '111122223333' });
    expect((await harness.call('DescribeIpams', {})).Ipams.map((i: { IpamId: string }) => i.IpamId)).toEqual([Ipam.IpamId]);

    await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    const { Ipam: again } = await harness.call('CreateIpam', {});
    expect(again.IpamId).not.toBe(Ipam.IpamId);
  });
});

describe('modifying IPAMs', () => {
  it('adds and removes operating Regions, but never the home Region or a pool locale', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const added = await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, AddOperatingRegions: regions('us-west-2', 'eu-west-1') });
    expect(regionNames(added.Ipam)).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    expect(added.Ipam.State).toBe('modify-in-progress'); // modify-ipam.rst
    // call() waits for the workflow, as a poller would (IpamState in the EC2 model: modify-complete).
    expect((await harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0].State).toBe('modify-complete');

    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, RemoveOperatingRegions: regions('us-east-1') }),
      'InvalidParameterValue',
      'us-east-1',
    );
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId, Locale: 'us-west-2' });
    await expectRefusal(
      harness.call('ModifyIpam', { IpamId: Ipam.IpamId, RemoveOperatingRegions: regions('eu-west-1', 'us-west-2') }),
      'InvalidParameterValue',
      'us-west-2',
      pool.IpamPoolId,
    );
    // A refused request changes nothing.
    expect(regionNames((await harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams[0])).toEqual([
      'eu-west-1',
      'us-east-1',
      'us-west-2',
    ]);

    await harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId });
    const removed = await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, RemoveOperatingRegions: regions('eu-west-1', 'us-west-2') });
    expect(regionNames(removed.Ipam)).toEqual(['us-east-1']);
  });

  it('moves to the free tier only without private pools or extra scopes, and then refuses them', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    await expectRefusal(harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }), 'IncorrectState', pool.IpamPoolId);
    await harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId });
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    await expectRefusal(harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' }), 'IncorrectState', IpamScope.IpamScopeId);
    await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });

    expect((await harness.call('ModifyIpam', { IpamId: Ipam.IpamId, Tier: 'free' })).Ipam.Tier).toBe('free');
    await expectRefusal(newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId }), 'InvalidParameterValue', 'free');
    await expectRefusal(harness.call('CreateIpamScope', { IpamId: Ipam.IpamId }), 'InvalidParameterValue', 'free');
    // Public-scope pools in the home Region are fine on the free tier.
    await newPool(harness, { IpamScopeId: Ipam.PublicDefaultScopeId, Locale: 'us-east-1' });
  });
});

describe('an IPAM being modified', () => {
  it('takes further changes and pools while modify-in-progress (AWS names no refusal), then settles modify-complete', async () => {
    const crashed = await createUseCaseHarness({ pauseBeforeTask: 'settleState' });
    const { Ipam } = await crashed.call('CreateIpam', {});
    expect((await send(crashed, 'ModifyIpam', { IpamId: Ipam.IpamId, Description: 'first' })).Ipam.State).toBe('modify-in-progress');
    const again = await send(crashed, 'ModifyIpam', { IpamId: Ipam.IpamId, AddOperatingRegions: regions('us-west-2') });
    expect(again.Ipam).toMatchObject({ Description: 'first', State: 'modify-in-progress' });
    await send(crashed, 'CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-west-2' });

    const { harness, resumed } = await restart(crashed);
    expect(resumed).toBe(2); // both modifications
    const [settled] = (await harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] })).Ipams;
    expect(settled).toMatchObject({ Description: 'first', State: 'modify-complete' });
    expect(regionNames(settled)).toEqual(['us-east-1', 'us-west-2']);
  });
});

describe('modifying IPAMs while pools are created', () => {
  it('never ends on the free tier with a private pool, or with a pool whose locale is not operating', async () => {
    const harness = await createUseCaseHarness();
    const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 6));
    for (let round = 0; round < 16; round++) {
      const caller = { accountId: String(100_000_000_000 + round) };
      const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2') }, caller);
      const change = round % 2 === 0 ? { Tier: 'free' } : { RemoveOperatingRegions: regions('us-west-2') };
      await Promise.allSettled([
        jitter().then(() => harness.call('ModifyIpam', { IpamId: Ipam.IpamId, ...change }, caller)),
        jitter().then(() =>
          harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-west-2' }, caller),
        ),
      ]);
      const ipam = (await harness.call('DescribeIpams', {}, caller)).Ipams[0];
      const pools = (await harness.call('DescribeIpamPools', {}, caller)).IpamPools;
      if (pools.length > 0) {
        expect(ipam.Tier).toBe('advanced');
        expect(regionNames(ipam)).toEqual(['us-east-1', 'us-west-2']);
      }
    }
  });
});

describe('deleting IPAMs', () => {
  it('without Cascade is refused while pools or extra scopes exist', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    await expectRefusal(harness.call('DeleteIpam', { IpamId: Ipam.IpamId }), 'DependencyViolation', pool.IpamPoolId);
    await harness.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId });
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    await expectRefusal(harness.call('DeleteIpam', { IpamId: Ipam.IpamId }), 'DependencyViolation', IpamScope.IpamScopeId);
    await harness.call('DeleteIpamScope', { IpamScopeId: IpamScope.IpamScopeId });

    const { Ipam: deleted } = await harness.call('DeleteIpam', { IpamId: Ipam.IpamId });
    expect(deleted).toMatchObject({ IpamId: Ipam.IpamId, State: 'delete-in-progress' });
    expect((await harness.call('DescribeIpams', {})).Ipams).toEqual([]);
    expect((await harness.call('DescribeIpamScopes', {})).IpamScopes).toEqual([]);
    await expectRefusal(harness.call('DeleteIpam', { IpamId: Ipam.IpamId }), 'InvalidIpamId.NotFound', Ipam.IpamId);
  });

  it('with Cascade removes a pool tree with its allocations, extra scopes and the IPAM', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: regions('us-west-2') });
    const scope = Ipam.PrivateDefaultScopeId;
    const top = await newPool(harness, { IpamScopeId: scope });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: top.IpamPoolId, Cidr: '10.0.0.0/8' });
    const regional = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: top.IpamPoolId, Locale: 'us-west-2' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: regional.IpamPoolId, NetmaskLength: 12 });
    const team = await newPool(harness, { IpamScopeId: scope, SourceIpamPoolId: regional.IpamPoolId });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: team.IpamPoolId, NetmaskLength: 16 });
    const ipv6 = await newPool(harness, { IpamScopeId: scope, AddressFamily: 'ipv6' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: ipv6.IpamPoolId, Cidr: 'fd12:3456:789a::/48' });
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId });
    const elsewhere = await newPool(harness, { IpamScopeId: IpamScope.IpamScopeId });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: elsewhere.IpamPoolId, Cidr: '10.0.0.0/8' });
    const pools = [top, regional, team, ipv6, elsewhere];
    for (const pool of [top, regional, team, elsewhere]) {
      await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, NetmaskLength: 24 });
    }
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: ipv6.IpamPoolId, NetmaskLength: 56 });

    const { Ipam: deleted } = await harness.call('DeleteIpam', { IpamId: Ipam.IpamId, Cascade: true });
    expect(deleted).toMatchObject({ IpamId: Ipam.IpamId, State: 'delete-in-progress' });

    // Settled: the workflow took everything with it (a delete-failed IPAM here would show its StateMessage).
    expect(await harness.store.getIpam(Ipam.IpamId)).toBeUndefined();
    await expectRefusal(harness.call('DescribeIpams', { IpamIds: [Ipam.IpamId] }), 'InvalidIpamId.NotFound', Ipam.IpamId);
    expect((await harness.call('DescribeIpamScopes', {})).IpamScopes).toEqual([]);
    expect((await harness.call('DescribeIpamPools', {})).IpamPools).toEqual([]);
    for (const pool of pools) {
      await expectRefusal(harness.call('GetIpamPoolAllocations', { IpamPoolId: pool.IpamPoolId }), 'InvalidIpamPoolId.NotFound');
      expect((await harness.store.listAllocations(pool.IpamPoolId, { limit: 100 })).items).toEqual([]);
      expect(await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv4')).toEqual([]);
      expect(await harness.store.listFreeBlocks(pool.IpamPoolId, 'ipv6')).toEqual([]);
    }
    for (const scopeId of [Ipam.PrivateDefaultScopeId, Ipam.PublicDefaultScopeId, IpamScope.IpamScopeId]) {
      expect((await harness.store.listAllocations(scopeId, { limit: 100 })).items).toEqual([]);
      expect(await harness.store.listFreeBlocks(scopeId, 'ipv4')).toEqual([]);
      expect(await harness.store.listFreeBlocks(scopeId, 'ipv6')).toEqual([]);
    }

    const { Ipam: fresh } = await harness.call('CreateIpam', {});
    expect(fresh.IpamRegion).toBe('us-east-1');
  });

  it('racing CreateIpamScope or CreateIpamPool never leaves a scope or pool behind without its IPAM', async () => {
    const harness = await createUseCaseHarness();
    const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 8));
    for (let round = 0; round < 24; round++) {
      const caller = { accountId: String(100_000_000_000 + round) };
      const { Ipam } = await harness.call('CreateIpam', {}, caller);
      const cascade = round % 4 >= 2;
      const create =
        round % 2 === 0
          ? async () => (await harness.call('CreateIpamScope', { IpamId: Ipam.IpamId }, caller)).IpamScope.IpamScopeId as string
          : async () =>
              (await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }, caller)).IpamPool
                .IpamPoolId as string;
      const [deleted, created] = await Promise.allSettled([
        jitter().then(() => harness.call('DeleteIpam', { IpamId: Ipam.IpamId, Cascade: cascade }, caller)),
        jitter().then(create),
      ]);
      // Both settled (call() waits for the workflows): read what is left.
      const ipams = (await harness.call('DescribeIpams', {}, caller)).Ipams;
      const scopes = (await harness.call('DescribeIpamScopes', {}, caller)).IpamScopes;
      const pools = (await harness.call('DescribeIpamPools', {}, caller)).IpamPools;
      const context = `round ${round} (cascade: ${cascade}): ${JSON.stringify({ deleted, created, ipams })}`;

      // Nothing is ever left without its IPAM, nor a pool without its scope, either way.
      for (const scope of scopes)
        expect(
          ipams.map((ipam: { IpamArn: string }) => ipam.IpamArn),
          context,
        ).toContain(scope.IpamArn);
      for (const pool of pools)
        expect(
          scopes.map((scope: { IpamScopeArn: string }) => scope.IpamScopeArn),
          context,
        ).toContain(pool.IpamScopeArn);
      if (deleted.status === 'fulfilled') expect(deleted.value.Ipam.State, context).toBe('delete-in-progress');

      if (ipams.length === 0) {
        expect(deleted.status, context).toBe('fulfilled');
        expect([scopes, pools], context).toEqual([[], []]);
        continue;
      }
      // The IPAM stays only because something was created before the delete could take it into account.
      const [ipam] = ipams;
      expect(created.status, context).toBe('fulfilled');
      const createdId = (created as PromiseFulfilledResult<string>).value;
      // A cascade takes whatever was created before it was accepted (and refuses creations after).
      expect(cascade, context).toBe(false);
      expect(ipam.ScopeCount, context).toBe(scopes.length);
      for (const scope of scopes) {
        expect(scope.PoolCount, context).toBe(
          pools.filter((pool: { IpamScopeArn: string }) => pool.IpamScopeArn === scope.IpamScopeArn).length,
        );
      }
      if (deleted.status === 'fulfilled') {
        // Accepted, then the workflow found the dependant created meanwhile: the IPAM says why.
        expect(ipam.State, context).toBe('delete-failed');
        expect(ipam.StateMessage, context).toContain(createdId);
      } else {
        expect(deleted.reason, context).toBeInstanceOf(IpamError);
        expect((deleted.reason as IpamError).code, context).toBe('DependencyViolation');
        expect((deleted.reason as IpamError).message, context).toContain(createdId);
        expect(ipam.State, context).toBe('create-complete');
      }
      // Either way the IPAM can still be deleted, with everything in it.
      const { Ipam: retried } = await harness.call('DeleteIpam', { IpamId: Ipam.IpamId, Cascade: true }, caller);
      expect(retried.State).toBe('delete-in-progress');
      expect((await harness.call('DescribeIpams', {}, caller)).Ipams, context).toEqual([]);
      expect((await harness.call('DescribeIpamScopes', {}, caller)).IpamScopes, context).toEqual([]);
      expect((await harness.call('DescribeIpamPools', {}, caller)).IpamPools, context).toEqual([]);
    }
  });

  it('with Cascade is refused while the public scope has a pool, and deletes nothing', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const privatePool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    const publicPool = await newPool(harness, { IpamScopeId: Ipam.PublicDefaultScopeId });
    await expectRefusal(
      harness.call('DeleteIpam', { IpamId: Ipam.IpamId, Cascade: true }),
      'InvalidParameterCombination',
      publicPool.IpamPoolId,
    );
    const { IpamPools } = await harness.call('DescribeIpamPools', {});
    expect(IpamPools.map((p: { IpamPoolId: string }) => p.IpamPoolId).sort()).toEqual(
      [privatePool.IpamPoolId, publicPool.IpamPoolId].sort(),
    );
    expect((await harness.call('DescribeIpams', {})).Ipams).toHaveLength(1);
  });
});
