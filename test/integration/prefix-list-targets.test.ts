// Prefix list resolver targets (spec §12.3–12.4, DN-44): a target keeps a managed prefix list at
// its resolver's latest or pinned version; a list that is gone, has sync disabled or is too small
// is left alone and the target is sync-failed; a targeted list refuses hand edits while synced.
import { describe, expect, it } from 'vitest';
import type { RecordingMetrics } from '../support/recording-metrics.ts';
import { createUseCaseHarness, poolCidrState, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const staticRules = (...cidrs: string[]) => cidrs.map((StaticCidr) => ({ RuleType: 'static-cidr', StaticCidr }));

async function setUp(harness: UseCaseHarness, listInput: Record<string, unknown> = {}) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const resolver = (
    await harness.call('CreateIpamPrefixListResolver', {
      IpamId: Ipam.IpamId,
      AddressFamily: 'ipv4',
      Rules: staticRules('10.9.0.0/16', '10.1.0.0/16'),
    })
  ).IpamPrefixListResolver;
  const list = await newList(harness, listInput);
  return { ipam: Ipam, resolverId: resolver.IpamPrefixListResolverId as string, listId: list.PrefixListId as string };
}

const newList = async (harness: UseCaseHarness, input: Record<string, unknown> = {}) =>
  (await harness.call('CreateManagedPrefixList', { PrefixListName: 'ipam', AddressFamily: 'IPv4', MaxEntries: 10, ...input })).PrefixList;

const setRules = (harness: UseCaseHarness, IpamPrefixListResolverId: string, ...cidrs: string[]) =>
  harness.call('ModifyIpamPrefixListResolver', { IpamPrefixListResolverId, Rules: staticRules(...cidrs) });

const cidrsOf = async (harness: UseCaseHarness, PrefixListId: string) =>
  (await harness.call('GetManagedPrefixListEntries', { PrefixListId })).Entries.map((entry: { Cidr: string }) => entry.Cidr);

const listOf = async (harness: UseCaseHarness, PrefixListId: string) =>
  (await harness.call('DescribeManagedPrefixLists', { PrefixListIds: [PrefixListId] })).PrefixLists[0];

const targetOf = async (harness: UseCaseHarness, id: string) =>
  (await harness.call('DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverTargetIds: [id] })).IpamPrefixListResolverTargets[0];

async function newTarget(harness: UseCaseHarness, resolverId: string, listId: string, input: Record<string, unknown> = {}) {
  return (
    await harness.call('CreateIpamPrefixListResolverTarget', {
      IpamPrefixListResolverId: resolverId,
      PrefixListId: listId,
      PrefixListRegion: 'us-east-1',
      TrackLatestVersion: true,
      ...input,
    })
  ).IpamPrefixListResolverTarget;
}

describe('a target tracking the latest version', () => {
  it('fills the list with the resolver CIDRs at once, and follows every new version', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const created = await newTarget(harness, resolverId, listId, {
      TagSpecifications: [{ ResourceType: 'ipam-prefix-list-resolver-target', Tags: [{ Key: 'env', Value: 'prod' }] }],
    });
    const id = created.IpamPrefixListResolverTargetId as string;
    expect(created).toEqual({
      IpamPrefixListResolverTargetId: expect.stringMatching(/^ipam-prefix-list-resolver-target-0[0-9a-f]{16}$/),
      IpamPrefixListResolverTargetArn: `arn:aws:ec2::${harness.context.accountId}:ipam-prefix-list-resolver-target/${id}`,
      IpamPrefixListResolverId: resolverId,
      OwnerId: harness.context.accountId,
      PrefixListId: listId,
      PrefixListRegion: 'us-east-1',
      TrackLatestVersion: true,
      State: 'create-complete',
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    expect(await targetOf(harness, id)).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 1 });
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);
    expect(await listOf(harness, listId)).toMatchObject({
      Version: 2,
      IpamPrefixListResolverTargetId: id,
      IpamPrefixListResolverSyncEnabled: true,
    });

    await setRules(harness, resolverId, '10.1.0.0/16', '10.5.0.0/16', '10.9.0.0/16');
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.5.0.0/16', '10.9.0.0/16']);
    expect(await targetOf(harness, id)).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 2 });
    expect((await listOf(harness, listId)).Version).toBe(3);

    // Described by resolver, by filter, and not from another Region.
    const byResolver = await harness.call('DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverId: resolverId });
    expect(byResolver.IpamPrefixListResolverTargets.map((t: { PrefixListId: string }) => t.PrefixListId)).toEqual([listId]);
    const byFilter = await harness.call('DescribeIpamPrefixListResolverTargets', {
      Filters: [{ Name: 'prefix-list-id', Values: [listId] }],
    });
    expect(byFilter.IpamPrefixListResolverTargets).toHaveLength(1);
    await expectRefusal(
      harness.call('DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverTargetIds: [id] }, { region: 'us-west-2' }),
      'InvalidIpamPrefixListResolverTargetId.NotFound',
    );
    // Tagged like every resource kept here.
    await harness.call('CreateTags', { Resources: [id], Tags: [{ Key: 'team', Value: 'net' }] });
    const { Tags } = await harness.call('DescribeTags', {
      Filters: [{ Name: 'resource-type', Values: ['ipam-prefix-list-resolver-target'] }],
    });
    expect(Tags).toEqual([
      { ResourceId: id, ResourceType: 'ipam-prefix-list-resolver-target', Key: 'env', Value: 'prod' },
      { ResourceId: id, ResourceType: 'ipam-prefix-list-resolver-target', Key: 'team', Value: 'net' },
    ]);
  });

  it('makes the list IPAM-managed: hand edits are refused until sync is disabled, and sync resumes when enabled', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    const modifyList = (input: Record<string, unknown>) => harness.call('ModifyManagedPrefixList', { PrefixListId: listId, ...input });
    await expectRefusal(
      modifyList({ AddEntries: [{ Cidr: '192.168.0.0/16' }] }),
      'InvalidPrefixListModification',
      id,
      'IpamPrefixListResolverSyncEnabled',
    );
    await expectRefusal(
      harness.call('RestoreManagedPrefixListVersion', { PrefixListId: listId, PreviousVersion: 1, CurrentVersion: 2 }),
      'InvalidPrefixListModification',
    );

    await modifyList({ IpamPrefixListResolverSyncEnabled: false, AddEntries: [{ Cidr: '192.168.0.0/16' }] });
    await setRules(harness, resolverId, '10.7.0.0/16');
    // Left alone while disabled; the target says why.
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16', '192.168.0.0/16']);
    expect(await targetOf(harness, id)).toMatchObject({
      State: 'sync-failed',
      LastSyncedVersion: 1,
      StateMessage: expect.stringContaining('disabled'),
    });

    await modifyList({ IpamPrefixListResolverSyncEnabled: true });
    expect(await cidrsOf(harness, listId)).toEqual(['10.7.0.0/16']);
    expect(await targetOf(harness, id)).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 2 });
  });

  it('fails to sync a version larger than MaxEntries, leaving the list alone, and syncs once the list is resized', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness, { MaxEntries: 1, Entries: [{ Cidr: '192.168.0.0/16' }] });
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    const failed = await targetOf(harness, id);
    expect(failed).toMatchObject({ State: 'sync-failed', StateMessage: expect.stringContaining('at most 1 entries (MaxEntries)') });
    expect(failed.LastSyncedVersion).toBeUndefined();
    expect(await cidrsOf(harness, listId)).toEqual(['192.168.0.0/16']);

    await harness.call('ModifyManagedPrefixList', { PrefixListId: listId, MaxEntries: 2 });
    expect(await targetOf(harness, id)).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 1 });
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);
  });

  it('fails to sync into a deleted list', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    await harness.call('DeleteManagedPrefixList', { PrefixListId: listId });
    await setRules(harness, resolverId, '10.3.0.0/16');
    expect(await targetOf(harness, id)).toMatchObject({ State: 'sync-failed', StateMessage: expect.stringContaining('not found') });
  });
});

describe('a target on VPCs from a pool (the guide: "include all VPCs tagged env=prod")', () => {
  it('puts a VPC allocated from the pool into the list once discovery sees it, and out when it goes, with the sync metrics', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam: ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }] });
    const scope = ipam.PrivateDefaultScopeId;
    const pool = (await harness.call('CreateIpamPool', { IpamScopeId: scope, AddressFamily: 'ipv4', Locale: 'us-east-1' })).IpamPool;
    const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' });
    expect(await poolCidrState(harness, pool.IpamPoolId, IpamPoolCidr.IpamPoolCidrId)).toBe('provisioned');
    const resolver = (
      await harness.call('CreateIpamPrefixListResolver', {
        IpamId: ipam.IpamId,
        AddressFamily: 'ipv4',
        Rules: [
          {
            RuleType: 'ipam-resource-cidr',
            IpamScopeId: scope,
            ResourceType: 'vpc',
            Conditions: [{ Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } }],
          },
        ],
      })
    ).IpamPrefixListResolver;
    const resolverId = resolver.IpamPrefixListResolverId as string;
    const listId = (await newList(harness)).PrefixListId as string;
    const targetId = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    expect(await cidrsOf(harness, listId)).toEqual([]);

    const vpc = async (env: string) =>
      (
        await harness.call('CreateVpc', {
          Ipv4IpamPoolId: pool.IpamPoolId,
          Ipv4NetmaskLength: 24,
          TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'env', Value: env }] }],
        })
      ).Vpc;
    const prod = await vpc('prod');
    await vpc('dev');
    expect(await cidrsOf(harness, listId)).toEqual([prod.CidrBlock]);
    expect(await targetOf(harness, targetId)).toMatchObject({ State: 'sync-complete', LastSyncedVersion: 2 });
    await harness.call('DeleteVpc', { VpcId: prod.VpcId });
    expect(await cidrsOf(harness, listId)).toEqual([]);

    const metrics = (harness.deps.metrics as RecordingMetrics).all();
    expect(metrics).toContainEqual({
      name: 'IpamPrefixListResolverSyncSuccess',
      unit: 'Count',
      value: 1,
      dimensions: { IpamPrefixListResolverId: resolverId },
    });
  });
});

describe('a pinned target', () => {
  it('keeps the list at its DesiredVersion whatever the resolver makes, until it tracks the latest again', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    await setRules(harness, resolverId, '10.2.0.0/16');
    const id = (await newTarget(harness, resolverId, listId, { TrackLatestVersion: false, DesiredVersion: 1 }))
      .IpamPrefixListResolverTargetId;
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);
    await setRules(harness, resolverId, '10.3.0.0/16');
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);

    const modify = (input: Record<string, unknown>) =>
      harness.call('ModifyIpamPrefixListResolverTarget', { IpamPrefixListResolverTargetId: id, ...input });
    expect((await modify({ DesiredVersion: 2 })).IpamPrefixListResolverTarget).toMatchObject({
      State: 'modify-complete',
      DesiredVersion: 2,
      TrackLatestVersion: false,
    });
    expect(await cidrsOf(harness, listId)).toEqual(['10.2.0.0/16']);
    await modify({ TrackLatestVersion: true });
    expect(await cidrsOf(harness, listId)).toEqual(['10.3.0.0/16']);
    const tracking = await targetOf(harness, id);
    expect(tracking).toMatchObject({ TrackLatestVersion: true, LastSyncedVersion: 3, State: 'sync-complete' });
    expect(tracking.DesiredVersion).toBeUndefined();
    await expectRefusal(modify({ DesiredVersion: 9 }), 'InvalidParameterValue', 'no version 9');
    await expectRefusal(modify({ TrackLatestVersion: true, DesiredVersion: 1 }), 'InvalidParameterCombination');
  });
});

describe('target rules', () => {
  it('refuses a list of the other family, a list that is already a target, unknown ids, and a 51st target', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const v6 = await newList(harness, { AddressFamily: 'IPv6' });
    await expectRefusal(newTarget(harness, resolverId, v6.PrefixListId), 'InvalidParameterValue', 'IPv6', 'ipv4');
    await newTarget(harness, resolverId, listId);
    await expectRefusal(newTarget(harness, resolverId, listId), 'InvalidParameterValue', 'already the target');
    await expectRefusal(
      newTarget(harness, resolverId, listId, { PrefixListRegion: 'us-west-2' }),
      'InvalidParameterValue',
      'us-west-2 is not an operating Region',
    );
    await expectRefusal(
      newTarget(harness, 'ipam-prefix-list-resolver-0123456789abcdef0', listId),
      'InvalidIpamPrefixListResolverId.NotFound',
    );
    await expectRefusal(
      harness.call('DeleteIpamPrefixListResolverTarget', {
        IpamPrefixListResolverTargetId: 'ipam-prefix-list-resolver-target-0123456789abcdef0',
      }),
      'InvalidIpamPrefixListResolverTargetId.NotFound',
    );
    for (let i = 1; i < 50; i++) await newTarget(harness, resolverId, (await newList(harness)).PrefixListId);
    await expectRefusal(newTarget(harness, resolverId, (await newList(harness)).PrefixListId), 'ResourceLimitExceeded', '50');
  });

  it('takes a list in another operating Region of the IPAM, and only one that is in the Region named', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }] });
    const { IpamPrefixListResolver } = await harness.call('CreateIpamPrefixListResolver', {
      IpamId: Ipam.IpamId,
      AddressFamily: 'ipv4',
      Rules: staticRules('10.1.0.0/16'),
    });
    const resolverId = IpamPrefixListResolver.IpamPrefixListResolverId;
    const home = await newList(harness);
    // An operating Region, but the list is not there.
    await expectRefusal(
      newTarget(harness, resolverId, home.PrefixListId, { PrefixListRegion: 'us-west-2' }),
      'InvalidPrefixListID.NotFound',
    );
    const { PrefixList: west } = await harness.call(
      'CreateManagedPrefixList',
      { PrefixListName: 'west', AddressFamily: 'IPv4', MaxEntries: 10 },
      { region: 'us-west-2' },
    );
    await expectRefusal(
      newTarget(harness, resolverId, west.PrefixListId, { PrefixListRegion: 'eu-west-1' }),
      'InvalidParameterValue',
      'eu-west-1 is not an operating Region',
    );
    const target = await newTarget(harness, resolverId, west.PrefixListId, { PrefixListRegion: 'us-west-2' });
    expect(await targetOf(harness, target.IpamPrefixListResolverTargetId)).toMatchObject({
      PrefixListRegion: 'us-west-2',
      State: 'sync-complete',
    });
    const entries = await harness.call('GetManagedPrefixListEntries', { PrefixListId: west.PrefixListId }, { region: 'us-west-2' });
    expect(entries.Entries).toEqual([{ Cidr: '10.1.0.0/16' }]);
  });

  it('gives the list back to its owner when the target is deleted', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    const deleted = await harness.call('DeleteIpamPrefixListResolverTarget', { IpamPrefixListResolverTargetId: id });
    expect(deleted.IpamPrefixListResolverTarget).toMatchObject({ State: 'delete-complete', PrefixListId: listId });
    const list = await listOf(harness, listId);
    expect(list.IpamPrefixListResolverTargetId).toBeUndefined();
    await harness.call('ModifyManagedPrefixList', { PrefixListId: listId, AddEntries: [{ Cidr: '192.168.0.0/16' }] });
    await setRules(harness, resolverId, '10.3.0.0/16');
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16', '192.168.0.0/16']);
    // Another target may take the list now.
    await newTarget(harness, resolverId, listId);
    expect(await cidrsOf(harness, listId)).toEqual(['10.3.0.0/16']);
  });

  it('go with their resolver: deleting it deletes its targets and gives their lists back', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    await harness.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: resolverId });
    await expectRefusal(
      harness.call('DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverTargetIds: [id] }),
      'InvalidIpamPrefixListResolverTargetId.NotFound',
    );
    const list = await listOf(harness, listId);
    expect(list.IpamPrefixListResolverTargetId).toBeUndefined();
    expect(await cidrsOf(harness, listId)).toEqual(['10.1.0.0/16', '10.9.0.0/16']);
    await harness.call('ModifyManagedPrefixList', { PrefixListId: listId, RemoveEntries: [{ Cidr: '10.9.0.0/16' }] });
  });

  it('go with their IPAM: DeleteIpam deletes the resolvers, their targets too', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, resolverId, listId } = await setUp(harness);
    const id = (await newTarget(harness, resolverId, listId)).IpamPrefixListResolverTargetId;
    await harness.call('DeleteIpam', { IpamId: ipam.IpamId });
    await expectRefusal(
      harness.call('DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverTargetIds: [id] }),
      'InvalidIpamPrefixListResolverTargetId.NotFound',
    );
    expect((await listOf(harness, listId)).IpamPrefixListResolverTargetId).toBeUndefined();
  });

  it('hold their invariants under racing creates: one target per list, at most 50 per resolver', async () => {
    const harness = await createUseCaseHarness();
    const { resolverId, listId } = await setUp(harness);
    const settled = await Promise.allSettled([1, 2, 3].map(() => newTarget(harness, resolverId, listId)));
    expect(settled.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (let i = 1; i < 48; i++) await newTarget(harness, resolverId, (await newList(harness)).PrefixListId);
    const lists = await Promise.all([1, 2, 3, 4].map(() => newList(harness)));
    const racing = await Promise.allSettled(lists.map((list) => newTarget(harness, resolverId, list.PrefixListId)));
    expect(racing.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
    const { IpamPrefixListResolverTargets } = await harness.call('DescribeIpamPrefixListResolverTargets', {
      IpamPrefixListResolverId: resolverId,
    });
    expect(IpamPrefixListResolverTargets).toHaveLength(50);
  });
});
