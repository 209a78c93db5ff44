// Issue 17: the members EC2 fills in and the ones it leaves out, on the wire, through the real HTTP
// service — the JS SDK reading the Query protocol's XML, and the JSON API — compared with AWS's
// published answers: the AWS CLI examples (examples/ec2/*.rst of the awscli package) and the EC2
// model (botocore's service-2.json).
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  type CreateIpamPoolCommandInput,
  CreateIpamResourceDiscoveryCommand,
  CreateIpamScopeCommand,
  DeleteIpamCommand,
  DeleteIpamPoolCommand,
  DeleteIpamResourceDiscoveryCommand,
  DeleteIpamScopeCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamResourceDiscoveriesCommand,
  DescribeIpamScopesCommand,
  DescribeIpamsCommand,
  type EC2Client,
  GetIpamDiscoveredPublicAddressesCommand,
  type Ipam,
  type IpamPool,
  ModifyIpamCommand,
  ModifyIpamPoolCommand,
  ModifyIpamResourceDiscoveryCommand,
  ModifyIpamScopeCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allocateElasticIp,
  createNetworkInterface,
  createSubnet,
  createVpc,
  ec2As,
  forwardingTo,
  launchInstanceWithPublicIp,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { rawPost } from './support/signed-fetch.ts';

/** The JSON API's answer to one action (docs/json-api.md). */
async function jsonApi(service: TestService, action: string, input: object): Promise<any> {
  const response = await rawPost(service.url, {
    path: `/api/${action}`,
    body: JSON.stringify(input),
    contentType: 'application/json',
    account: ADMIN,
  });
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text);
}

async function newIpam(ec2: EC2Client): Promise<Ipam> {
  const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  return Ipam!;
}

describe('pool answers', () => {
  let service: TestService;
  let ec2: EC2Client;
  let ipam: Ipam;

  beforeAll(async () => {
    service = await startTestService();
    ec2 = service.ec2();
    ipam = await newIpam(ec2);
  });
  afterAll(async () => service?.stop());

  async function createdPool(input: Omit<CreateIpamPoolCommandInput, 'AddressFamily'> & { AddressFamily?: 'ipv4' | 'ipv6' }) {
    const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ AddressFamily: 'ipv4', ...input }));
    const settled = await poll(
      () => ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [IpamPool!.IpamPoolId!] })),
      (page) => page.IpamPools?.[0]?.State === 'create-complete',
      'the pool',
    );
    return { created: IpamPool!, described: settled.IpamPools![0] };
  }

  // create-ipam-pool.rst, the whole answer but for ids and the state: `--auto-import` without a
  // locale is accepted and answered "Locale": "None", "AutoImport": true.
  it('answers create-ipam-pool.rst member for member', async () => {
    const { created, described } = await createdPool({
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AutoImport: true,
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 26,
      AllocationDefaultNetmaskLength: 24,
      AllocationResourceTags: [{ Key: 'Environment', Value: 'Preprod' }],
      TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'Name', Value: 'Preprod pool' }] }],
    });
    const example = {
      OwnerId: ADMIN.accountId,
      IpamPoolId: created.IpamPoolId,
      IpamPoolArn: `arn:aws:ec2::${ADMIN.accountId}:ipam-pool/${created.IpamPoolId}`,
      IpamScopeArn: `arn:aws:ec2::${ADMIN.accountId}:ipam-scope/${ipam.PrivateDefaultScopeId}`,
      IpamScopeType: 'private',
      IpamArn: ipam.IpamArn,
      IpamRegion: 'us-east-1',
      Locale: 'None',
      PoolDepth: 1,
      State: 'create-in-progress',
      AutoImport: true,
      AddressFamily: 'ipv4',
      AllocationMinNetmaskLength: 16,
      AllocationMaxNetmaskLength: 26,
      AllocationDefaultNetmaskLength: 24,
      AllocationResourceTags: [{ Key: 'Environment', Value: 'Preprod' }],
      Tags: [{ Key: 'Name', Value: 'Preprod pool' }],
    };
    expect(created).toEqual(example);
    // describe-ipam-pools.rst: the same pool, create-complete.
    expect(described).toEqual({ ...example, State: 'create-complete' });
    const { IpamPools } = await jsonApi(service, 'DescribeIpamPools', { IpamPoolIds: [created.IpamPoolId] });
    expect(IpamPools).toEqual([{ ...example, State: 'create-complete' }]);
  });

  // delete-ipam-pool.rst: a pool without rules answers "AllocationMinNetmaskLength": 0 and
  // "AllocationMaxNetmaskLength": 32, and no AllocationResourceTags, in every answer, the delete's too.
  it('answers the netmask bounds of a pool without rules: 0 and 32, or 128 for IPv6', async () => {
    const { created, described } = await createdPool({ IpamScopeId: ipam.PrivateDefaultScopeId, Description: 'example' });
    const bounds = { AllocationMinNetmaskLength: 0, AllocationMaxNetmaskLength: 32 };
    expect(created).toMatchObject({ ...bounds, Locale: 'None', AutoImport: false, Description: 'example' });
    expect(described).toMatchObject(bounds);
    for (const answer of [created, described]) {
      expect(answer).not.toHaveProperty('AllocationResourceTags');
      expect(answer).not.toHaveProperty('AllocationDefaultNetmaskLength');
      expect(answer).not.toHaveProperty('PubliclyAdvertisable');
    }
    const { IpamPools } = await jsonApi(service, 'DescribeIpamPools', { IpamPoolIds: [created.IpamPoolId] });
    expect(IpamPools[0]).toMatchObject(bounds);

    const { IpamPool: deleting } = await ec2.send(new DeleteIpamPoolCommand({ IpamPoolId: created.IpamPoolId }));
    expect(deleting).toMatchObject({
      ...bounds,
      IpamScopeType: 'private',
      Locale: 'None',
      PoolDepth: 1,
      State: 'delete-in-progress',
      Description: 'example',
      AutoImport: false,
      AddressFamily: 'ipv4',
    });
    expect(deleting).not.toHaveProperty('AllocationResourceTags');

    const ipv6 = await createdPool({ IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv6', Locale: 'us-east-1' });
    expect(ipv6.described).toMatchObject({ AllocationMinNetmaskLength: 0, AllocationMaxNetmaskLength: 128 });
  });

  // EC2 model: IpamPool.PubliclyAdvertisable "is not available for pools with AddressFamily set to
  // ipv4"; CreateIpamPool "can only contain PubliclyAdvertisable if AddressFamily is ipv6 and
  // PublicIpSource is byoip". So it is answered as sent on BYOIPv6 pools and nowhere else — an
  // Amazon-provided IPv6 pool has none, which Terraform reads as false, as its configuration says.
  it('answers PubliclyAdvertisable as sent on BYOIPv6 pools, and on no other kind of pool', async () => {
    const publicPool = (input: Partial<CreateIpamPoolCommandInput>) =>
      createdPool({ IpamScopeId: ipam.PublicDefaultScopeId, Locale: 'us-east-1', AwsService: 'ec2', ...input });
    const kinds: [string, Promise<{ created: IpamPool; described: IpamPool }>, boolean | undefined][] = [
      ['private IPv4', createdPool({ IpamScopeId: ipam.PrivateDefaultScopeId }), undefined],
      ['private IPv6', createdPool({ IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv6', Locale: 'us-east-1' }), undefined],
      ['Amazon-provided IPv6', publicPool({ AddressFamily: 'ipv6', PublicIpSource: 'amazon' }), undefined],
      ['Amazon-provided IPv4', publicPool({ PublicIpSource: 'amazon' }), undefined],
      ['BYOIPv4', publicPool({}), undefined],
      ['BYOIPv6, not advertisable', publicPool({ AddressFamily: 'ipv6', PubliclyAdvertisable: false }), false],
      ['BYOIPv6, advertisable', publicPool({ AddressFamily: 'ipv6', PubliclyAdvertisable: true }), true],
      ['BYOIPv6, not said', publicPool({ AddressFamily: 'ipv6' }), undefined],
    ];
    for (const [kind, pool, expected] of kinds) {
      const { created, described } = await pool;
      const json = (await jsonApi(service, 'DescribeIpamPools', { IpamPoolIds: [created.IpamPoolId] })).IpamPools[0];
      for (const answer of [created, described, json]) {
        expect({ kind, PubliclyAdvertisable: answer.PubliclyAdvertisable }).toEqual({ kind, PubliclyAdvertisable: expected });
      }
    }
  });
});

// modify-ipam.rst, delete-ipam.rst, modify-ipam-scope.rst, delete-ipam-scope.rst,
// modify-ipam-pool.rst, delete-ipam-pool.rst, modify-ipam-resource-discovery.rst and
// delete-ipam-resource-discovery.rst answer without "Tags", though the same resources were created
// with tags (create-ipam.rst, create-ipam-scope.rst, create-ipam-pool.rst) that Describe shows.
describe('answers to changes', () => {
  let service: TestService;
  let ec2: EC2Client;

  beforeAll(async () => {
    service = await startTestService();
    ec2 = service.ec2();
  });
  afterAll(async () => service?.stop());

  const tagged = (ResourceType: 'ipam' | 'ipam-scope' | 'ipam-pool' | 'ipam-resource-discovery') => [
    { ResourceType, Tags: [{ Key: 'Name', Value: 'example' }] },
  ];
  const settled = async <T extends { State?: string }>(read: () => Promise<T | undefined>, what: string) =>
    poll(read, (resource) => resource?.State?.endsWith('-complete') === true, what);
  const name = [{ Key: 'Name', Value: 'example' }];

  it('carry no Tags for an IPAM, a scope, a pool or a resource discovery; Describe does', async () => {
    const { Ipam } = await ec2.send(
      new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }], TagSpecifications: tagged('ipam') }),
    );
    expect(Ipam!.Tags).toEqual(name);
    const IpamId = Ipam!.IpamId!;
    await settled(async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [IpamId] }))).Ipams?.[0], 'the IPAM');
    const { IpamScope } = await ec2.send(new CreateIpamScopeCommand({ IpamId, TagSpecifications: tagged('ipam-scope') }));
    const IpamScopeId = IpamScope!.IpamScopeId!;
    const { IpamPool } = await ec2.send(
      new CreateIpamPoolCommand({
        IpamScopeId: Ipam!.PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        TagSpecifications: tagged('ipam-pool'),
      }),
    );
    const IpamPoolId = IpamPool!.IpamPoolId!;
    const { IpamResourceDiscovery } = await ec2.send(
      new CreateIpamResourceDiscoveryCommand({ TagSpecifications: tagged('ipam-resource-discovery') }),
    );
    const IpamResourceDiscoveryId = IpamResourceDiscovery!.IpamResourceDiscoveryId!;

    const scope = await settled(
      async () => (await ec2.send(new DescribeIpamScopesCommand({ IpamScopeIds: [IpamScopeId] }))).IpamScopes?.[0],
      'the scope',
    );
    const pool = await settled(
      async () => (await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [IpamPoolId] }))).IpamPools?.[0],
      'the pool',
    );
    const discovery = await settled(
      async () =>
        (await ec2.send(new DescribeIpamResourceDiscoveriesCommand({ IpamResourceDiscoveryIds: [IpamResourceDiscoveryId] })))
          .IpamResourceDiscoveries?.[0],
      'the resource discovery',
    );
    for (const described of [scope, pool, discovery]) expect(described!.Tags).toEqual(name);

    const changes = [
      (await ec2.send(new ModifyIpamCommand({ IpamId, Description: 'example' }))).Ipam,
      (await ec2.send(new ModifyIpamScopeCommand({ IpamScopeId, Description: 'example' }))).IpamScope,
      (await ec2.send(new ModifyIpamPoolCommand({ IpamPoolId, Description: 'example' }))).IpamPool,
      (await ec2.send(new ModifyIpamResourceDiscoveryCommand({ IpamResourceDiscoveryId, Description: 'example' }))).IpamResourceDiscovery,
    ];
    await settled(async () => (await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [IpamPoolId] }))).IpamPools?.[0], 'the pool');
    await settled(
      async () => (await ec2.send(new DescribeIpamScopesCommand({ IpamScopeIds: [IpamScopeId] }))).IpamScopes?.[0],
      'the scope',
    );
    await settled(
      async () =>
        (await ec2.send(new DescribeIpamResourceDiscoveriesCommand({ IpamResourceDiscoveryIds: [IpamResourceDiscoveryId] })))
          .IpamResourceDiscoveries?.[0],
      'the resource discovery',
    );
    changes.push(
      (await ec2.send(new DeleteIpamPoolCommand({ IpamPoolId }))).IpamPool,
      (await ec2.send(new DeleteIpamScopeCommand({ IpamScopeId }))).IpamScope,
      (await ec2.send(new DeleteIpamResourceDiscoveryCommand({ IpamResourceDiscoveryId }))).IpamResourceDiscovery,
    );
    await poll(
      () => ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [] })),
      (page) => (page.IpamPools ?? []).length === 0,
      'the pool to go',
    );
    changes.push((await ec2.send(new DeleteIpamCommand({ IpamId }))).Ipam);
    for (const answer of changes) {
      expect(answer).toMatchObject({ Description: expect.any(String) });
      expect(answer).not.toHaveProperty('Tags');
    }
  });
});

describe.skipIf(motoMissing())('discovered public addresses, from moto', () => {
  let moto: MotoServer;
  let service: TestService;
  let ec2: EC2Client;
  let resourceDiscoveryId: string;
  let seeded: { taggedEip: string; bareEip: string; instanceIp: string };

  beforeAll(async () => {
    moto = await startMotoServer();
    const upstream = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'us-east-1');
    const vpc = await createVpc(upstream, { cidr: '10.20.0.0/16' });
    const subnet = await createSubnet(upstream, { vpcId: vpc.VpcId!, cidr: '10.20.1.0/24', availabilityZone: 'us-east-1c' });
    const eni = await createNetworkInterface(upstream, { subnetId: subnet.SubnetId!, description: 'web' });
    const tagged = await allocateElasticIp(upstream, {
      networkInterfaceId: eni.NetworkInterfaceId,
      tags: [{ Key: 'team', Value: 'blue' }],
    });
    const bare = await allocateElasticIp(upstream);
    const instance = await launchInstanceWithPublicIp(upstream, subnet.SubnetId!);
    seeded = { taggedEip: tagged.publicIp, bareEip: bare.publicIp, instanceIp: instance.publicIp };

    // Forwarding mode: discovery reads moto as the upstream keys' account, the administrator's.
    service = await startTestService({ env: forwardingTo(moto.endpoint) });
    ec2 = service.ec2();
    resourceDiscoveryId = (await newIpam(ec2)).DefaultResourceDiscoveryId!;
    await service.sweep();
  });
  afterAll(async () => {
    await service?.stop();
    await moto?.stop();
  });

  // get-ipam-discovered-public-addresses.rst: every entry, an instance's ec2-public-ip too, has
  // "Tags" (there {}) and "NetworkBorderGroup" (there the Availability Zone, "us-east-1c"); the
  // EC2 model's IpamPublicAddressTags holds an Elastic IP's tags as EipTags.
  it('gives every address, Elastic IP or not, Tags and a NetworkBorderGroup, in the Query protocol and in the JSON API', async () => {
    const input = { IpamResourceDiscoveryId: resourceDiscoveryId, AddressRegion: 'us-east-1' };
    const query = (await ec2.send(new GetIpamDiscoveredPublicAddressesCommand(input))).IpamDiscoveredPublicAddresses ?? [];
    const json = (await jsonApi(service, 'GetIpamDiscoveredPublicAddresses', input)).IpamDiscoveredPublicAddresses;
    for (const addresses of [query, json]) {
      const byAddress = new Map(addresses.map((address: any) => [address.Address, address]));
      expect(byAddress.get(seeded.taggedEip)).toMatchObject({
        AddressType: 'amazon-owned-eip',
        AssociationStatus: 'associated',
        Tags: { EipTags: [{ Key: 'team', Value: 'blue' }] },
        NetworkBorderGroup: 'us-east-1c',
      });
      expect(byAddress.get(seeded.bareEip)).toMatchObject({
        AddressType: 'amazon-owned-eip',
        AssociationStatus: 'disassociated',
        Tags: {},
        NetworkBorderGroup: 'us-east-1',
      });
      expect(byAddress.get(seeded.instanceIp)).toMatchObject({
        AddressType: 'ec2-public-ip',
        AssociationStatus: 'associated',
        Tags: {},
        NetworkBorderGroup: 'us-east-1c',
      });
      for (const address of addresses) {
        expect(address).toHaveProperty('Tags');
        expect(address).toHaveProperty('NetworkBorderGroup');
      }
    }
  });
});
