// Forwarding mode survives a crash between the allocation and the upstream's answer (issue 16):
// `npm start` forwards create-vpc through a relay that delivers it to moto but never answers, is
// killed with SIGKILL while the call hangs, and started again with moto itself as the upstream.
// At start-up the leftover intent is settled by asking moto: the VPC exists, so the allocation
// is linked to moto's VPC id — nothing stays allocated to a VPC that does not exist, and no VPC
// is left without its allocation.
import { createServer, type Server } from 'node:http';
import { mkdtemp } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DescribeVpcsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { dynamoDbEndpoint } from '../support/dynamodb.ts';
import { deleteDefaultVpc, ec2As, MOTO_DEFAULT_ACCOUNT, type MotoServer, motoMissing, startMotoServer } from '../support/moto.ts';
import { adminKeyOf, killSpawned, startService, stopService, waitFor } from './support/local-process.ts';

describe.skipIf(motoMissing())('forwarding mode: kill -9 while the upstream has not answered', () => {
  let moto: MotoServer | undefined;
  let relay: Server | undefined;

  afterAll(async () => {
    killSpawned();
    relay?.closeAllConnections();
    await new Promise((resolve) => relay?.close(resolve));
    await moto?.stop();
  });

  /** Delivers each request to moto and never answers the caller. */
  async function relayThatNeverAnswers(target: string): Promise<string> {
    relay = createServer((request) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void fetch(target, { method: 'POST', headers: request.headers as Record<string, string>, body: Buffer.concat(chunks) });
      });
    });
    await new Promise<void>((resolve) => relay!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  }

  it('links the allocation to the VPC moto made, at the next start', { timeout: 120_000 }, async () => {
    moto = await startMotoServer();
    const upstream = await ec2As(moto.endpoint, MOTO_DEFAULT_ACCOUNT, 'us-east-1');
    await deleteDefaultVpc(upstream);
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-forwarding-crash-'));
    const common = {
      IPAM_DATA_DIR: dataDir,
      IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
      IPAM_TABLE_NAME: `ipam-crash-${Date.now()}`,
      IPAM_DISCOVERY_INTERVAL_S: '0',
    };
    const first = await startService({ ...common, IPAM_EC2_UPSTREAM_URL: await relayThatNeverAnswers(moto.endpoint) });
    const key = await adminKeyOf(dataDir);
    const client = (url: string) => new EC2Client({ endpoint: url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
    const ec2 = client(first.url);
    const { Ipam } = await ec2.send(new CreateIpamCommand({}));
    const { IpamPool } = await ec2.send(
      new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }),
    );
    const IpamPoolId = IpamPool!.IpamPoolId!;
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: '10.0.0.0/16' }));
    await waitFor(
      async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs?.[0]?.State,
      (state) => state === 'provisioned',
      'the pool CIDR',
    );

    const hanging = ec2.send(new CreateVpcCommand({ Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 })).catch((error) => error);
    const made = await waitFor(
      async () => (await upstream.send(new DescribeVpcsCommand({}))).Vpcs ?? [],
      (vpcs) => vpcs.length === 1,
      'the VPC in moto',
    );
    first.child.kill('SIGKILL');
    await first.exited;
    await hanging;
    ec2.destroy();

    const second = await startService({ ...common, IPAM_EC2_UPSTREAM_URL: moto.endpoint });
    const again = client(second.url);
    const { IpamPoolAllocations } = await again.send(new GetIpamPoolAllocationsCommand({ IpamPoolId }));
    expect(IpamPoolAllocations).toEqual([
      expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceType: 'vpc', ResourceId: made[0]!.VpcId }),
    ]);
    expect(made[0]!.CidrBlock).toBe('10.0.0.0/24');
    again.destroy();
    upstream.destroy();
    expect(await stopService(second)).toBe(0);
  });
});
