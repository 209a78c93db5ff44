// Forwarding mode (issue 16): VPCs, subnets and CIDR blocks live on an upstream EC2 endpoint —
// moto's server here — and this service does the IPAM part: the allocation is taken before the
// upstream call, linked to the id the upstream returns, released when the upstream refuses or
// when the resource is deleted, and settled by the recovery when a create was never answered.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HttpEc2Upstream } from '../../lambdas/adapters/ec2-upstream/ec2-upstream.ts';
import { UpstreamError } from '../../lambdas/domain/errors.ts';
import { resolveForwardedIntents } from '../../lambdas/use-cases/forwarded-companions.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import {
  deleteDefaultVpc,
  ec2As,
  MOTO_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../support/moto.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';

const REGION = 'us-east-1';

const ipams = new WeakMap<UseCaseHarness, Promise<string>>();

/** A private IPv4 pool, locale us-east-1, holding `cidr`, in a scope of its own (so pools of one test may overlap). */
async function developmentPool(harness: UseCaseHarness, cidr = '10.0.0.0/16', rules: Record<string, unknown> = {}) {
  if (!ipams.has(harness)) {
    ipams.set(
      harness,
      harness.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] }).then(({ Ipam }) => Ipam.IpamId),
    );
  }
  const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: await ipams.get(harness) });
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: IpamScope.IpamScopeId,
    AddressFamily: 'ipv4',
    Locale: REGION,
    ...rules,
  });
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  return IpamPool.IpamPoolId as string;
}

const allocationsOf = async (harness: UseCaseHarness, IpamPoolId: string) =>
  (await harness.call('GetIpamPoolAllocations', { IpamPoolId })).IpamPoolAllocations as Record<string, unknown>[];

describe.skipIf(motoMissing())('forwarding mode against moto', () => {
  let moto: MotoServer;
  let ec2: EC2Client;
  let upstream: HttpEc2Upstream;

  beforeAll(async () => {
    moto = await startMotoServer();
  });
  afterAll(async () => {
    await moto?.stop();
  });
  afterEach(async () => {
    upstream?.destroy();
    ec2?.destroy();
    await moto.reset();
  });

  async function forwardingHarness(url = moto.endpoint) {
    upstream = new HttpEc2Upstream({ url, ...MOTO_CREDENTIALS });
    ec2 = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, REGION);
    await deleteDefaultVpc(ec2);
    return createUseCaseHarness({ ec2Upstream: upstream });
  }

  const motoVpcs = async () => (await ec2.send(new DescribeVpcsCommand({}))).Vpcs ?? [];

  it('creates the VPC upstream with the allocated CIDR and links the allocation to its id; DeleteVpc releases it', async () => {
    const harness = await forwardingHarness();
    const IpamPoolId = await developmentPool(harness);

    const { Vpc } = await harness.call('CreateVpc', {
      Ipv4IpamPoolId: IpamPoolId,
      Ipv4NetmaskLength: 24,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: 'forwarded' }] }],
    });
    expect(Vpc.CidrBlock).toBe('10.0.0.0/24');
    const upstreamVpcs = await motoVpcs();
    expect(upstreamVpcs.map(({ VpcId, CidrBlock }) => ({ VpcId, CidrBlock }))).toEqual([{ VpcId: Vpc.VpcId, CidrBlock: '10.0.0.0/24' }]);
    expect(upstreamVpcs[0].Tags).toEqual([{ Key: 'Name', Value: 'forwarded' }]);
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([
      expect.objectContaining({
        Cidr: '10.0.0.0/24',
        ResourceType: 'vpc',
        ResourceId: Vpc.VpcId,
        ResourceOwner: MOTO_DEFAULT_ACCOUNT,
        ResourceRegion: REGION,
      }),
    ]);
    expect(await harness.store.listForwardedIntents()).toEqual([]);

    // DescribeVpcs has no forward run: it is the upstream's answer.
    const { Vpcs } = await harness.call('DescribeVpcs', { VpcIds: [Vpc.VpcId] });
    expect(Vpcs.map((vpc: { VpcId: string }) => vpc.VpcId)).toEqual([Vpc.VpcId]);

    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    expect(await motoVpcs()).toEqual([]);
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
    expect(await harness.store.listForwardedLinks(MOTO_DEFAULT_ACCOUNT, REGION)).toEqual([]);
  });

  it('applies the pool rules before anything goes upstream, and CreateVpc without a pool goes upstream unchanged', async () => {
    const harness = await forwardingHarness();
    const IpamPoolId = await developmentPool(harness, '10.0.0.0/16', {
      AllocationResourceTags: [{ Key: 'team', Value: 'blue' }],
    });
    const refused = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 }).catch((error) => error);
    expect(refused.code).toBe('InvalidParameterValue');
    expect(refused.message).toContain('missing one or more of the resource tags');
    const tooSmall = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 29 }).catch((error) => error);
    expect(tooSmall.code).toBe('InvalidVpc.Range');
    expect(await motoVpcs()).toEqual([]);

    const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '192.168.0.0/16' });
    expect((await motoVpcs()).map((vpc) => vpc.VpcId)).toEqual([Vpc.VpcId]);
    expect(await allocationsOf(harness, IpamPoolId)).toEqual([]);
  });

  it("releases the allocation when the upstream refuses, and passes the upstream's error through", async () => {
    const harness = await forwardingHarness();
    const IpamPoolId = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 });
    // A subnet pool whose space lies outside the VPC: the upstream refuses the subnet.
    const subnetPool = await developmentPool(harness, '172.16.0.0/16');
    const refused = await harness
      .call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: subnetPool, Ipv4NetmaskLength: 26 })
      .catch((error) => error);
    expect(refused).toBeInstanceOf(UpstreamError);
    expect(refused.code).toBe('InvalidSubnet.Range');
    expect(refused.httpStatus).toBe(400);
    expect(await allocationsOf(harness, subnetPool)).toEqual([]);
    expect(await harness.store.listForwardedIntents()).toEqual([]);

    // A VPC id the upstream does not know: its own NotFound, and nothing allocated.
    const missing = await harness
      .call('AssociateVpcCidrBlock', { VpcId: 'vpc-0123456789abcdef0', Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 })
      .catch((error) => error);
    expect(missing.code).toBe('InvalidVpcID.NotFound');
    expect(await allocationsOf(harness, IpamPoolId)).toHaveLength(1);
  });

  it('carves subnets and secondary CIDR blocks from pools, and releases them with the resource', async () => {
    const harness = await forwardingHarness();
    const vpcPool = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: vpcPool, Ipv4NetmaskLength: 24 });
    const subnetPool = await developmentPool(harness, '10.0.0.0/24');
    // An S13-like pool covering the VPC's CIDR, in a scope of its own.
    const { Subnet } = await harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: subnetPool, Ipv4NetmaskLength: 26 });
    expect(Subnet.CidrBlock).toBe('10.0.0.0/26');
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [Subnet.SubnetId] }));
    expect(Subnets?.[0]?.CidrBlock).toBe('10.0.0.0/26');
    expect(await allocationsOf(harness, subnetPool)).toEqual([
      expect.objectContaining({ Cidr: '10.0.0.0/26', ResourceType: 'subnet', ResourceId: Subnet.SubnetId }),
    ]);

    const { CidrBlockAssociation } = await harness.call('AssociateVpcCidrBlock', {
      VpcId: Vpc.VpcId,
      Ipv4IpamPoolId: vpcPool,
      Ipv4NetmaskLength: 24,
    });
    expect(CidrBlockAssociation.CidrBlock).toBe('10.0.1.0/24');
    const vpcAllocations = await allocationsOf(harness, vpcPool);
    expect(vpcAllocations.map(({ Cidr, ResourceId }) => ({ Cidr, ResourceId }))).toEqual(
      expect.arrayContaining([
        { Cidr: '10.0.0.0/24', ResourceId: Vpc.VpcId },
        { Cidr: '10.0.1.0/24', ResourceId: Vpc.VpcId },
      ]),
    );

    await harness.call('DisassociateVpcCidrBlock', { AssociationId: CidrBlockAssociation.AssociationId });
    expect((await allocationsOf(harness, vpcPool)).map(({ Cidr }) => Cidr)).toEqual(['10.0.0.0/24']);
    await harness.call('DeleteSubnet', { SubnetId: Subnet.SubnetId });
    expect(await allocationsOf(harness, subnetPool)).toEqual([]);
    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    expect(await allocationsOf(harness, vpcPool)).toEqual([]);
  });

  describe('recovery of a create the upstream never answered', () => {
    let silent: Server | undefined;
    afterEach(async () => {
      silent?.closeAllConnections();
      await new Promise((resolve) => silent?.close(resolve));
      silent = undefined;
    });

    /**
     * An upstream that takes requests and never answers; `passOn` decides whether each is still
     * delivered to moto (the VPC is made, the answer lost) or swallowed (nothing is made).
     */
    async function silentUpstream(passOn: boolean): Promise<string> {
      silent = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', async () => {
          if (passOn) {
            await fetch(moto.endpoint, { method: 'POST', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
          }
          void response; // never answered
        });
      });
      await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    }

    /** The harness's CreateVpc, in flight until its process is gone; resolves once its intent is written. */
    async function createVpcThatHangs(harness: UseCaseHarness, IpamPoolId: string) {
      void dispatch(harness.deps, harness.context, 'CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 }).catch(() => {});
      for (let tries = 0; tries < 100 && (await harness.store.listForwardedIntents()).length === 0; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await harness.store.listForwardedIntents()).toHaveLength(1);
    }

    for (const { passOn, outcome } of [
      { passOn: true, outcome: 'links the VPC the upstream made' },
      { passOn: false, outcome: 'releases the allocation when the upstream made nothing' },
    ]) {
      it(outcome, async () => {
        const crashed = await forwardingHarness(await silentUpstream(passOn));
        const IpamPoolId = await developmentPool(crashed);
        await createVpcThatHangs(crashed, IpamPoolId);
        // The allocation is taken but belongs to no resource yet: discovery leaves it alone.
        expect(await allocationsOf(crashed, IpamPoolId)).toEqual([expect.not.objectContaining({ ResourceId: expect.anything() })]);

        // "After the crash": a new process on the same store, with the real upstream.
        const restarted = await createUseCaseHarness({
          store: crashed.store,
          ec2Upstream: new HttpEc2Upstream({ url: moto.endpoint, ...MOTO_CREDENTIALS }),
        });
        if (passOn) {
          for (let tries = 0; tries < 100 && (await motoVpcs()).length === 0; tries++)
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const report = await resolveForwardedIntents(restarted.deps, { olderThanSeconds: 0 });
        expect(report).toEqual({ linked: passOn ? 1 : 0, released: passOn ? 0 : 1, unresolved: 0 });
        expect(await restarted.store.listForwardedIntents()).toEqual([]);
        const vpcs = await motoVpcs();
        expect(await allocationsOf(restarted, IpamPoolId)).toEqual(
          passOn ? [expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceType: 'vpc', ResourceId: vpcs[0]?.VpcId })] : [],
        );
        expect(vpcs).toHaveLength(passOn ? 1 : 0);
      });
    }
  });
});
