// kill -9 during a burst of CreateVpc calls from one pool (issue 16): the VPC and its `vpc`
// allocation are one commit, so after a restart on the same data directory every allocation of
// the pool belongs to a VPC that exists and every VPC from the pool has its allocation, nothing
// overlaps, and the pool's free space and its allocations add up to what was provisioned.
import { mkdtemp } from 'node:fs/promises';
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
  type IpamPoolAllocation,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { type Cidr, lastAddress, parseCidr } from '../../lambdas/domain/cidr.ts';
import { documentClient, dynamoDbClient } from '../../lambdas/hosts/dependencies.ts';
import { type LocalService, startLocalService } from '../../lambdas/hosts/local/service.ts';
import { adminKeyOf, javaPidsUsing, killSpawned, startService, waitFor } from './support/local-process.ts';

const services: LocalService[] = [];

afterEach(async () => {
  killSpawned();
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

const clientFor = (url: string, credentials: { accessKeyId: string; secretAccessKey: string }) =>
  new EC2Client({ region: 'us-east-1', endpoint: url, credentials, maxAttempts: 1 });

const size = (cidr: Cidr) => lastAddress(cidr) - cidr.start + 1n;

async function everyVpc(ec2: EC2Client): Promise<Vpc[]> {
  const vpcs: Vpc[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new DescribeVpcsCommand({ MaxResults: 100, NextToken }));
    vpcs.push(...(page.Vpcs ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return vpcs;
}

async function everyAllocation(ec2: EC2Client, IpamPoolId: string): Promise<IpamPoolAllocation[]> {
  const allocations: IpamPoolAllocation[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId, MaxResults: 1000, NextToken }));
    allocations.push(...(page.IpamPoolAllocations ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return allocations;
}

describe('kill -9 during a burst of CreateVpc from one pool', () => {
  it('leaves every vpc allocation matched to a VPC and every VPC to its allocation, with no space lost', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-vpc-crash-'));
    const first = await startService({ IPAM_DATA_DIR: dataDir, IPAM_DISCOVERY_INTERVAL_S: '0' });
    const admin = await adminKeyOf(dataDir);
    const ec2 = clientFor(first.url, admin);
    const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
    const { IpamPool } = await ec2.send(
      new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }),
    );
    const IpamPoolId = IpamPool!.IpamPoolId!;
    await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: '10.0.0.0/16' }));
    await waitFor(
      async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs?.[0]?.State,
      (state) => state === 'provisioned',
      'the pool CIDR to be provisioned',
    );

    // 32 callers creating /24s without pause; the service dies under them once some have answered.
    let answered = 0;
    let failed = 0;
    let killed = false;
    const beforeKill: unknown[] = [];
    const burst = Array.from({ length: 32 }, async () => {
      for (;;) {
        try {
          await ec2.send(new CreateVpcCommand({ Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 }));
          answered++;
        } catch (error) {
          failed++;
          if (!killed) beforeKill.push(error);
          return;
        }
      }
    });
    await waitFor(
      () => answered,
      (count) => count >= 40,
      'forty VPCs to be created',
    );
    const [jvm] = javaPidsUsing(dataDir);
    killed = true;
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(burst);
    ec2.destroy();
    expect(beforeKill).toEqual([]);
    expect(failed).toBe(32); // every caller was cut off by the kill, most with a request in flight
    await waitFor(
      () => javaPidsUsing(dataDir).includes(jvm!),
      (alive) => !alive,
      'the orphaned DynamoDB Local to exit',
    );

    const config = loadConfig({
      PORT: '0',
      IPAM_DATA_DIR: dataDir,
      IPAM_DISCOVERY_INTERVAL_S: '0',
      IPAM_ACCESS_KEY_ID: admin.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: admin.secretAccessKey,
    });
    const restarted = await startLocalService(config);
    services.push(restarted);
    const again = clientFor(restarted.url, admin);
    const vpcs = await everyVpc(again);
    const allocations = await everyAllocation(again, IpamPoolId);
    again.destroy();

    expect(vpcs.length).toBeGreaterThanOrEqual(answered);
    const vpcLines = vpcs.map((vpc) => `${vpc.VpcId} ${vpc.CidrBlock}`).sort();
    const allocationLines = allocations.map((allocation) => `${allocation.ResourceId} ${allocation.Cidr}`).sort();
    expect(allocations.every((allocation) => allocation.ResourceType === 'vpc')).toBe(true);
    expect(allocationLines).toEqual(vpcLines);

    const taken = allocations.map((allocation) => parseCidr(allocation.Cidr!)).sort((a, b) => (a.start < b.start ? -1 : 1));
    for (let index = 1; index < taken.length; index++) expect(lastAddress(taken[index - 1]!) < taken[index]!.start).toBe(true);

    const client = dynamoDbClient(restarted.dynamoDbEndpoint);
    try {
      const store = new DynamoDbStore(documentClient(client), config.tableName);
      const free = await store.listFreeBlocks(IpamPoolId, 'ipv4');
      const total = [...free.map((block) => parseCidr(block.cidr)), ...taken].reduce((sum, cidr) => sum + size(cidr), 0n);
      expect(total).toBe(size(parseCidr('10.0.0.0/16')));
    } finally {
      client.destroy();
    }
  });
});
