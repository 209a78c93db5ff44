// Forwarding mode through the real service (issue 16): `npm start` with IPAM_EC2_UPSTREAM_URL
// pointing at moto's server, driven by the AWS CLI as the guide writes its commands.
// create-vpc --ipv4-ipam-pool-id makes the VPC in moto with the allocated CIDR, the allocation
// names moto's VPC id, an upstream refusal releases the allocation, delete-vpc releases it, and
// every action this service does not implement is moto's answer. The JSON API does not forward.
import { DescribeInternetGatewaysCommand, DescribeTagsCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deleteDefaultVpc,
  ec2As,
  forwardingTo,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { rawPost } from './support/signed-fetch.ts';

const probe = await probeAwsCli();

describe.skipIf(motoMissing() || skipUnless(probe.available, 'the forwarding-mode AWS CLI tests', probe.reason))(
  'forwarding mode: the AWS CLI through this service to moto',
  () => {
    let moto: MotoServer;
    let service: TestService;
    let upstream: EC2Client;
    let aws: AwsCli;

    beforeAll(async () => {
      moto = await startMotoServer();
      upstream = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'us-east-1');
      await deleteDefaultVpc(upstream);
      service = await startTestService({ env: forwardingTo(moto.endpoint) });
      aws = await awsCli(service.url, ADMIN);
    }, 60_000);
    afterAll(async () => {
      upstream?.destroy();
      await service?.stop();
      await moto?.stop();
    });

    async function developmentPool(): Promise<string> {
      const ipam = await aws.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1');
      const scopeId = ipam.json.Ipam.PrivateDefaultScopeId;
      const pool = await aws.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --locale us-east-1`);
      const poolId = pool.json.IpamPool.IpamPoolId;
      await aws.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${poolId} --cidr 10.0.0.0/16`);
      for (let poll = 0; poll < 60; poll++) {
        const cidrs = await aws.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${poolId}`);
        if (cidrs.json.IpamPoolCidrs[0]?.State === 'provisioned') return poolId;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error('the pool CIDR was never provisioned');
    }
    const allocations = async (poolId: string) =>
      (await aws.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations;

    it('creates the VPC in moto with the allocated CIDR, records moto’s id, refuses as moto does, and releases on delete-vpc', async () => {
      const poolId = await developmentPool();
      const created = await aws.ok(
        `aws ec2 create-vpc --ipv4-ipam-pool-id ${poolId} --ipv4-netmask-length 24 --tag-specifications ResourceType=vpc,Tags=[{Key=Name,Value=IPAM-VPC}]`,
      );
      const vpcId = created.json.Vpc.VpcId;
      expect(created.json.Vpc.CidrBlock).toBe('10.0.0.0/24');
      const { Vpcs } = await upstream.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      expect(Vpcs?.[0]).toMatchObject({ VpcId: vpcId, CidrBlock: '10.0.0.0/24', Tags: [{ Key: 'Name', Value: 'IPAM-VPC' }] });
      expect(await allocations(poolId)).toEqual([
        expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceType: 'vpc', ResourceId: vpcId, ResourceOwner: ADMIN.accountId }),
      ]);
      // A discovery sweep reads moto (the upstream) and finds the VPC: its allocation stays.
      await service.sweep();
      expect(await allocations(poolId)).toEqual([expect.objectContaining({ ResourceId: vpcId })]);
      const scopeId = (await aws.ok('aws ec2 describe-ipams')).json.Ipams[0].PrivateDefaultScopeId;
      const resourceCidrs = await aws.ok(`aws ec2 get-ipam-resource-cidrs --ipam-scope-id ${scopeId} --resource-id ${vpcId}`);
      expect(resourceCidrs.json.IpamResourceCidrs).toEqual([
        expect.objectContaining({ ResourceCidr: '10.0.0.0/24', IpamPoolId: poolId, ManagementState: 'managed' }),
      ]);
      // describe-vpcs is moto's answer, filters and all.
      const described = await aws.ok('aws ec2 describe-vpcs --filters Name=tag:Name,Values=IPAM-VPC');
      expect(described.json.Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)).toEqual([vpcId]);

      // moto refuses a subnet outside the VPC: its error reaches the CLI and the subnet's allocation is released.
      const subnetScope = (
        await aws.ok(`aws ec2 create-ipam-scope --ipam-id ${(await aws.ok('aws ec2 describe-ipams')).json.Ipams[0].IpamId}`)
      ).json.IpamScope.IpamScopeId;
      const subnetPool = (await aws.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${subnetScope} --address-family ipv4 --locale us-east-1`))
        .json.IpamPool.IpamPoolId;
      await aws.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${subnetPool} --cidr 172.16.0.0/16`);
      for (
        let poll = 0;
        poll < 60 &&
        (await aws.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${subnetPool}`)).json.IpamPoolCidrs[0]?.State !== 'provisioned';
        poll++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const refused = await aws.run(`aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${subnetPool} --ipv4-netmask-length 26`);
      expect(refused.status).not.toBe(0);
      expect(refused.errorCode).toBe('InvalidSubnet.Range');
      expect(await allocations(subnetPool)).toEqual([]);

      await aws.ok(`aws ec2 delete-vpc --vpc-id ${vpcId}`);
      expect((await upstream.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
      expect(await allocations(poolId)).toEqual([]);
    }, 180_000); // some twenty AWS CLI calls, each a new python process

    it('passes actions it does not implement to moto and back unchanged', async () => {
      const gateway = await aws.ok('aws ec2 create-internet-gateway');
      const gatewayId = gateway.json.InternetGateway.InternetGatewayId;
      expect(gatewayId).toMatch(/^igw-/);
      const { InternetGateways } = await upstream.send(new DescribeInternetGatewaysCommand({ InternetGatewayIds: [gatewayId] }));
      expect(InternetGateways?.map((found) => found.InternetGatewayId)).toEqual([gatewayId]);
      // moto's own error, code and words.
      const missing = await aws.run('aws ec2 delete-internet-gateway --internet-gateway-id igw-0000000000000000f');
      expect(missing.errorCode).toBe('InvalidInternetGatewayID.NotFound');
    });

    it("describe-tags lists this service's tags and the upstream's together", async () => {
      // A Region of its own, so the IPAM here is not the other tests' one.
      const west = await awsCli(service.url, ADMIN, 'us-west-2');
      const ipamId = (await west.ok(`aws ec2 create-ipam --tag-specifications 'ResourceType=ipam,Tags=[{Key=Stack,Value=Test}]'`)).json.Ipam
        .IpamId;
      // Passed through: moto keeps the gateway and its tag.
      const gatewayId = (
        await west.ok(`aws ec2 create-internet-gateway --tag-specifications 'ResourceType=internet-gateway,Tags=[{Key=Stack,Value=Test}]'`)
      ).json.InternetGateway.InternetGatewayId;
      // examples/ec2/describe-tags.rst, example 5: the tag Stack=Test, whatever holds it.
      const tagged = await west.ok('aws ec2 describe-tags --filters Name=key,Values=Stack Name=value,Values=Test');
      expect(
        tagged.json.Tags.map((tag: { ResourceType: string; ResourceId: string }) => `${tag.ResourceType} ${tag.ResourceId}`).sort(),
      ).toEqual([`internet-gateway ${gatewayId}`, `ipam ${ipamId}`].sort());
      const ours = await west.ok('aws ec2 describe-tags --filters Name=resource-type,Values=ipam');
      expect(ours.json.Tags).toEqual([{ ResourceType: 'ipam', ResourceId: ipamId, Key: 'Stack', Value: 'Test' }]);
    });

    it('create-tags and delete-tags tag our resources here and moto’s in moto, in one request', async () => {
      const region = 'eu-west-1';
      const cli = await awsCli(service.url, ADMIN, region);
      const motoHere = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, region);
      try {
        const ipamId = (await cli.ok('aws ec2 create-ipam')).json.Ipam.IpamId;
        // Without a pool, create-vpc goes to moto as it is: moto keeps the VPC.
        const vpcId = (await cli.ok('aws ec2 create-vpc --cidr-block 10.9.0.0/16')).json.Vpc.VpcId;
        const motoTags = async () =>
          ((await motoHere.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [vpcId] }] }))).Tags ?? []).map(
            (tag) => `${tag.ResourceType} ${tag.ResourceId} ${tag.Key}=${tag.Value}`,
          );
        const ourTags = async () => (await cli.ok(`aws ec2 describe-tags --filters Name=resource-id,Values=${ipamId}`)).json.Tags;

        // examples/ec2/create-tags.rst, example 2: "adds (or overwrites) two tags for an AMI and an
        // instance" — here an IPAM and a VPC, each where it lives; the command produces no output.
        const created = await cli.ok(`aws ec2 create-tags --resources ${ipamId} ${vpcId} --tags Key=Stack,Value=Production`);
        expect(created.stdout.trim()).toBe('');
        expect(await motoTags()).toEqual([`vpc ${vpcId} Stack=Production`]);
        expect(await ourTags()).toEqual([{ ResourceType: 'ipam', ResourceId: ipamId, Key: 'Stack', Value: 'Production' }]);

        // A resource of ours not found is refused before moto is called: nothing changes anywhere.
        const missing = 'ipam-0123456789abcdef0';
        const refused = await cli.run(`aws ec2 delete-tags --resources ${vpcId} ${missing}`);
        expect(refused.errorCode).toBe('InvalidIpamId.NotFound');
        expect(await motoTags()).toEqual([`vpc ${vpcId} Stack=Production`]);

        // examples/ec2/delete-tags.rst, example 2: one tag "from both an instance and an AMI".
        await cli.ok(`aws ec2 delete-tags --resources ${ipamId} ${vpcId} --tags Key=Stack`);
        expect(await motoTags()).toEqual([]);
        expect(await ourTags()).toEqual([]);
        await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpcId}`);
      } finally {
        motoHere.destroy();
      }
    }, 120_000);

    it('checks the signature before forwarding; the JSON API forwards no action it does not implement', async () => {
      const unsigned = await rawPost(service.url, {
        body: 'Action=CreateInternetGateway&Version=2016-11-15',
        contentType: 'application/x-www-form-urlencoded',
      });
      expect(unsigned.status).toBe(403);
      expect(unsigned.text).toContain('MissingAuthenticationToken');

      const json = await rawPost(service.url, {
        path: '/api/CreateInternetGateway',
        body: '{}',
        contentType: 'application/json',
        account: ADMIN,
      });
      expect(json.status).toBe(400);
      expect(JSON.parse(json.text)).toMatchObject({ code: 'InvalidAction' });
      // A companion it does not intercept is still the upstream's answer there, as JSON.
      const vpcs = await rawPost(service.url, { path: '/api/DescribeVpcs', body: '{}', contentType: 'application/json', account: ADMIN });
      expect(vpcs.status).toBe(200);
      const upstreamVpcs = (await upstream.send(new DescribeVpcsCommand({}))).Vpcs ?? [];
      expect(
        JSON.parse(vpcs.text)
          .Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)
          .sort(),
      ).toEqual(upstreamVpcs.map((vpc) => vpc.VpcId).sort());
    });
  },
);
