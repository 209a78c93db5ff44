// IP address history (spec §17, scenario S4 of the guide): which resources held exactly this CIDR
// during a window. History is set up the way sweeps write it: a resource CIDR appears at one
// sample time and disappears at a later one.
import { describe, expect, it } from 'vitest';
import type { AddressHistoryRecord } from '../../lambdas/domain/model/monitoring.ts';
import type { RequestContext } from '../../lambdas/use-cases/kernel/context.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { type ResourceCidrVerdict, resourceCidrWrites } from '../../lambdas/use-cases/sweep/resource-cidr-records.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

/** After every sampled end time of the guide's examples (see the guide defect noted in S4). */
const NOW = new Date('2021-12-29T00:00:00.000Z');
const ACCOUNT = '123456789012';

/** A resource CIDR a sweep first saw at `from` and, if `to` is given, no longer saw at `to`. */
async function lifetime(harness: UseCaseHarness, verdict: ResourceCidrVerdict, from: string, to?: string) {
  await harness.store.commit(resourceCidrWrites(undefined, verdict, from));
  if (!to) return;
  const record = await harness.store.getResourceCidr(verdict.IpamScopeId, verdict.ResourceRegion, verdict.ResourceId, verdict.ResourceCidr);
  await harness.store.commit(resourceCidrWrites(record, undefined, to));
}

/** The guide's S4 inventory, in an IPAM in us-east-1. */
async function guideHistory() {
  const harness = await createUseCaseHarness();
  const { Ipam } = await harness.call('CreateIpam', {});
  const privateScope: string = Ipam.PrivateDefaultScopeId;
  const publicScope: string = Ipam.PublicDefaultScopeId;
  const base = { IpamId: Ipam.IpamId, IpamScopeId: privateScope, ResourceOwnerId: ACCOUNT, ResourceTags: [] };
  const vpc = { ...base, ResourceType: 'vpc' } as const;
  const subnet = { ...base, ResourceType: 'subnet' } as const;
  const compliant = { ManagementState: 'managed', ComplianceStatus: 'compliant', OverlapStatus: 'nonoverlapping' } as const;
  const overlapping = { ManagementState: 'unmanaged', ComplianceStatus: 'unmanaged', OverlapStatus: 'overlapping' } as const;

  // Steps 1, 2, 5, 6: a VPC and its subnet on 10.2.1.0/24, and an ENI and its instance on 10.2.1.155/32.
  await lifetime(
    harness,
    {
      ...vpc,
      ...compliant,
      ResourceRegion: 'us-east-1',
      ResourceId: 'vpc-0f5ee7e1ba908a378',
      VpcId: 'vpc-0f5ee7e1ba908a378',
      ResourceCidr: '10.2.1.0/24',
    },
    '2021-12-27T20:08:46.672Z',
  );
  await lifetime(
    harness,
    {
      ...subnet,
      ResourceRegion: 'us-east-1',
      ResourceId: 'subnet-0864c82a42f5bffed',
      VpcId: 'vpc-0f5ee7e1ba908a378',
      ResourceCidr: '10.2.1.0/24',
    },
    '2021-12-27T20:08:46.672Z',
  );
  const onEni = {
    ResourceOwnerId: ACCOUNT,
    ResourceRegion: 'us-east-1',
    ResourceCidr: '10.2.1.155/32',
    VpcId: 'vpc-0f5ee7e1ba908a378',
    SampledStartTime: '2021-12-27T20:08:46.672Z',
    ipamScopeId: privateScope,
    version: 1,
  };
  // Instances and ENIs are not monitored resource CIDRs: the sweep writes their history records directly.
  await harness.store.commit(
    [
      { ...onEni, ResourceType: 'network-interface', ResourceId: 'eni-0b4e53eb1733aba16' },
      { ...onEni, ResourceType: 'instance', ResourceId: 'i-064da1f79baed14f3' },
    ].map((value) => ({ op: 'create', entity: { type: 'address-history', value: value as AddressHistoryRecord } }) as const),
  );

  // Step 3: two us-east-2 VPCs that held the same IPv6 /56 one after the other.
  const ipv6 = { ...vpc, ...compliant, IpamScopeId: publicScope, ResourceRegion: 'us-east-2', ResourceCidr: '2605:9cc0:409::/56' };
  await lifetime(
    harness,
    { ...ipv6, ResourceId: 'vpc-01d967bf3b923f72c', VpcId: 'vpc-01d967bf3b923f72c', ResourceName: 'First example VPC' },
    '2021-12-23T20:02:00.701Z',
    '2021-12-23T20:12:59.848Z',
  );
  await lifetime(
    harness,
    { ...ipv6, ResourceId: 'vpc-03e62c7eca81cb652', VpcId: 'vpc-03e62c7eca81cb652', ResourceName: 'Second example VPC' },
    '2021-12-27T15:11:00.046Z',
  );

  // Step 4: 10.0.0.0/24 in three Regions.
  const tenZero = { ResourceCidr: '10.0.0.0/24' };
  await lifetime(
    harness,
    {
      ...subnet,
      ...tenZero,
      ResourceRegion: 'us-east-2',
      ResourceId: 'subnet-0d1b8f899725aa72d',
      VpcId: 'vpc-042b8a44f64267d67',
      ResourceName: 'Example name',
    },
    '2021-12-11T16:35:59.074Z',
    '2021-12-28T15:34:00.017Z',
  );
  await lifetime(
    harness,
    {
      ...vpc,
      ...overlapping,
      ...tenZero,
      ResourceRegion: 'us-east-2',
      ResourceId: 'vpc-09754dfd85911abec',
      VpcId: 'vpc-09754dfd85911abec',
    },
    '2021-12-27T20:07:59.947Z',
    '2021-12-28T15:34:00.017Z',
  );
  await lifetime(
    harness,
    {
      ...vpc,
      ...overlapping,
      ...tenZero,
      ResourceRegion: 'us-west-2',
      ResourceId: 'vpc-0a8347f594bea5901',
      VpcId: 'vpc-0a8347f594bea5901',
    },
    '2021-12-11T16:35:59.318Z',
  );
  await lifetime(
    harness,
    { ...subnet, ...tenZero, ResourceRegion: 'us-east-1', ResourceId: 'subnet-0af7eadb0798e9148', VpcId: 'vpc-03298ba16756a8736' },
    '2021-12-14T21:07:22.357Z',
  );

  /** GetIpamAddressHistory as a request at NOW. */
  const history = async (input: Record<string, unknown>, context: Partial<RequestContext> = {}) =>
    dispatch({ ...harness.deps, now: () => NOW }, { ...harness.context, ...context }, 'GetIpamAddressHistory', input) as Promise<{
      HistoryRecords: Record<string, unknown>[];
      NextToken?: string;
    }>;
  const resourceIds = async (input: Record<string, unknown>) => (await history(input)).HistoryRecords.map((record) => record.ResourceId);
  return { harness, privateScope, publicScope, history, resourceIds };
}

describe('GetIpamAddressHistory', () => {
  it('matches the exact CIDR only (steps 1, 2, 5, 6, 7)', async () => {
    const { privateScope, history, resourceIds } = await guideHistory();
    const window = { StartTime: new Date('2021-12-20T01:00:00Z'), EndTime: new Date('2021-12-27T21:00:00Z') };
    expect(await resourceIds({ Cidr: '10.2.1.155/32', IpamScopeId: privateScope, ...window })).toEqual([
      'eni-0b4e53eb1733aba16',
      'i-064da1f79baed14f3',
    ]);
    // The /24 is not a prefix search: the /32 inside it stays out.
    const { HistoryRecords } = await history({
      Cidr: '10.2.1.0/24',
      IpamScopeId: privateScope,
      StartTime: new Date('2021-12-01T00:00:00Z'),
      EndTime: new Date('2021-12-27T23:59:59Z'),
    });
    expect(HistoryRecords).toEqual([
      {
        ResourceOwnerId: ACCOUNT,
        ResourceRegion: 'us-east-1',
        ResourceType: 'subnet',
        ResourceId: 'subnet-0864c82a42f5bffed',
        ResourceCidr: '10.2.1.0/24',
        VpcId: 'vpc-0f5ee7e1ba908a378',
        SampledStartTime: new Date('2021-12-27T20:08:46.672Z'),
      },
      {
        ResourceOwnerId: ACCOUNT,
        ResourceRegion: 'us-east-1',
        ResourceType: 'vpc',
        ResourceId: 'vpc-0f5ee7e1ba908a378',
        ResourceCidr: '10.2.1.0/24',
        ResourceComplianceStatus: 'compliant',
        ResourceOverlapStatus: 'nonoverlapping',
        VpcId: 'vpc-0f5ee7e1ba908a378',
        SampledStartTime: new Date('2021-12-27T20:08:46.672Z'),
      },
    ]);
    // Without times: what holds the CIDR now. An address is its own /32.
    expect(await resourceIds({ Cidr: '10.2.1.155', IpamScopeId: privateScope })).toEqual(['eni-0b4e53eb1733aba16', 'i-064da1f79baed14f3']);
    expect(await resourceIds({ Cidr: '10.2.1.0/24', IpamScopeId: privateScope })).toEqual([
      'subnet-0864c82a42f5bffed',
      'vpc-0f5ee7e1ba908a378',
    ]);
    // An address nobody monitored held.
    expect((await history({ Cidr: '54.0.0.9/32', IpamScopeId: privateScope })).HistoryRecords).toEqual([]);
  });

  it('returns records whose sampled interval meets the window, newest first (steps 3, 4)', async () => {
    const { privateScope, publicScope, history, resourceIds } = await guideHistory();
    const { HistoryRecords } = await history({
      Cidr: '2605:9CC0:0409::/56',
      IpamScopeId: publicScope,
      StartTime: new Date('2021-12-01T01:00:00Z'),
      EndTime: new Date('2021-12-27T23:59:59Z'),
    });
    expect(HistoryRecords.map((record) => [record.ResourceName, record.SampledStartTime, record.SampledEndTime])).toEqual([
      ['Second example VPC', new Date('2021-12-27T15:11:00.046Z'), undefined],
      ['First example VPC', new Date('2021-12-23T20:02:00.701Z'), new Date('2021-12-23T20:12:59.848Z')],
    ]);

    // "The last 24 hours" of the guide: StartTime only, EndTime is now.
    const lastDay = await history({ Cidr: '10.0.0.0/24', IpamScopeId: privateScope, StartTime: new Date('2021-12-27T00:00:00Z') });
    expect(lastDay.HistoryRecords.map((record) => [record.ResourceId, record.ResourceRegion, record.SampledEndTime])).toEqual([
      ['vpc-09754dfd85911abec', 'us-east-2', new Date('2021-12-28T15:34:00.017Z')],
      ['subnet-0af7eadb0798e9148', 'us-east-1', undefined],
      ['vpc-0a8347f594bea5901', 'us-west-2', undefined],
      ['subnet-0d1b8f899725aa72d', 'us-east-2', new Date('2021-12-28T15:34:00.017Z')],
    ]);
    // Now (no times): only what is still active.
    expect(await resourceIds({ Cidr: '10.0.0.0/24', IpamScopeId: privateScope })).toEqual([
      'subnet-0af7eadb0798e9148',
      'vpc-0a8347f594bea5901',
    ]);
    // EndTime only: the moment EndTime. Bounds touch inclusively.
    expect(
      await resourceIds({ Cidr: '2605:9cc0:409::/56', IpamScopeId: publicScope, EndTime: new Date('2021-12-23T20:12:59.848Z') }),
    ).toEqual(['vpc-01d967bf3b923f72c']);
    expect(await resourceIds({ Cidr: '2605:9cc0:409::/56', IpamScopeId: publicScope, EndTime: new Date('2021-12-23T20:13:00Z') })).toEqual(
      [],
    );
    expect(
      await resourceIds({
        Cidr: '10.0.0.0/24',
        IpamScopeId: privateScope,
        StartTime: new Date('2021-12-01T00:00:00Z'),
        EndTime: new Date('2021-12-11T16:35:59.100Z'),
      }),
    ).toEqual(['subnet-0d1b8f899725aa72d']);
  });

  it('narrows to one VPC: its own records and those of resources in it', async () => {
    const { privateScope, resourceIds } = await guideHistory();
    const everything = { Cidr: '10.0.0.0/24', IpamScopeId: privateScope, StartTime: new Date('2021-01-01T00:00:00Z') };
    expect(await resourceIds({ ...everything, VpcId: 'vpc-042b8a44f64267d67' })).toEqual(['subnet-0d1b8f899725aa72d']);
    expect(await resourceIds({ ...everything, VpcId: 'vpc-0a8347f594bea5901' })).toEqual(['vpc-0a8347f594bea5901']);
    expect(await resourceIds({ ...everything, VpcId: 'vpc-00000000000000000' })).toEqual([]);
  });

  it('pages with NextToken in the same order', async () => {
    const { privateScope, history, resourceIds } = await guideHistory();
    const query = { Cidr: '10.0.0.0/24', IpamScopeId: privateScope, StartTime: new Date('2021-01-01T00:00:00Z') };
    const paged: unknown[] = [];
    let NextToken: string | undefined;
    let pages = 0;
    do {
      const page = await history({ ...query, MaxResults: 1, NextToken });
      paged.push(...page.HistoryRecords.map((record) => record.ResourceId));
      NextToken = page.NextToken;
      pages++;
    } while (NextToken);
    expect(pages).toBe(4);
    expect(paged).toEqual(await resourceIds(query));
    const first = await history({ ...query, MaxResults: 1 });
    await expectRefusal(history({ ...query, VpcId: 'vpc-0a8347f594bea5901', NextToken: first.NextToken }), 'InvalidPaginationToken');
  });

  it('refuses a window that ends before it starts, and scopes the caller may not query', async () => {
    const { privateScope, history } = await guideHistory();
    await expectRefusal(
      history({
        Cidr: '10.0.0.0/24',
        IpamScopeId: privateScope,
        StartTime: new Date('2021-12-28T00:00:00Z'),
        EndTime: new Date('2021-12-27T00:00:00Z'),
      }),
      'InvalidParameterValue',
      'StartTime',
      '2021-12-28T00:00:00.000Z',
    );
    // Defaults count too: a StartTime after now.
    await expectRefusal(
      history({ Cidr: '10.0.0.0/24', IpamScopeId: privateScope, StartTime: new Date('2022-01-01T00:00:00Z') }),
      'InvalidParameterValue',
      'EndTime',
    );
    await expectRefusal(history({ Cidr: '10.0.0.0/23x', IpamScopeId: privateScope }), 'InvalidParameterValue', '10.0.0.0/23x');
    // Only the IPAM owner, in the home Region (UG L4929).
    await expectRefusal(
      history({ Cidr: '10.0.0.0/24', IpamScopeId: privateScope }, { accountId: '999988887777' }),
      'InvalidIpamScopeId.NotFound',
      privateScope,
    );
    await expectRefusal(
      history({ Cidr: '10.0.0.0/24', IpamScopeId: privateScope }, { region: 'us-east-2' }),
      'InvalidIpamScopeId.NotFound',
      privateScope,
    );
  });
});
