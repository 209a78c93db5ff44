// Ec2Inventory against a real moto_server: two accounts × two Regions of VPCs (secondary and IPv6
// blocks), subnets, Elastic IPs and public network interfaces, read back field by field; each
// account and Region sees only its own; a role STS refuses, a role that grants nothing and an
// unreachable endpoint each end the way discovery needs them to.
import net from 'node:net';
import { DisassociateVpcCidrBlockCommand, type NetworkInterface, type Subnet, type Vpc } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ec2Inventory } from '../../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import { formatCidr, parseCidr } from '../../../lambdas/domain/cidr.ts';
import type { InventorySnapshot } from '../../../lambdas/domain/inventory.ts';
import { InventoryFailure } from '../../../lambdas/ports/inventory.ts';
import {
  allocateElasticIp,
  createNetworkInterface,
  createSubnet,
  createVpc,
  ec2As,
  launchInstanceWithPublicIp,
  MOTO_CREDENTIALS,
  MOTO_DEFAULT_ACCOUNT,
  type MotoServer,
  motoMissing,
  startMotoServer,
} from '../../support/moto.ts';

const ADMIN = MOTO_DEFAULT_ACCOUNT;
const MEMBER = '111122223333';
const ROLE_NAME = 'IpamDiscovery';
/** 256 addresses of a /24, less the 5 AWS reserves, less the one seeded network interface. */
const FREE_IN_SEEDED_SUBNET = 250;

/** moto may write IPv6 blocks with leading zeros (2400:6500:3535:0800::/56); EC2 does not. */
const canonical = (cidr: string) => formatCidr(parseCidr(cidr));

async function listen(server: net.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

/** An endpoint nothing listens on. */
async function closedPortEndpoint(): Promise<string> {
  const server = net.createServer();
  const endpoint = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return endpoint;
}

/** A TCP relay to `target` whose cut() makes the endpoint unreachable from then on. */
async function cuttableRelay(target: string): Promise<{ endpoint: string; cut(): Promise<void> }> {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    client.pipe(upstream).pipe(client);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
    }
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    cut: async () => {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

interface Seeded {
  account: string;
  region: string;
  octet: number;
  vpc: Vpc;
  vpcIpv6: string;
  subnet: Subnet;
  subnetIpv6: string;
  networkInterface: NetworkInterface;
  attachedEip: { allocationId: string; publicIp: string; associationId?: string };
  spareEip: { allocationId: string; publicIp: string };
}

/** One account in one Region: a VPC 10.<octet>.0.0/16 and everything in it. */
async function seed(endpoint: string, account: string, region: string, octet: number): Promise<Seeded> {
  const ec2 = await ec2As(endpoint, account, region);
  try {
    const vpc = await createVpc(ec2, {
      cidr: `10.${octet}.0.0/16`,
      secondaryCidrs: [`10.${octet + 100}.0.0/16`, `10.${octet + 200}.0.0/16`],
      ipv6: true,
      tags: [{ Key: 'Name', Value: `vpc-${account}-${region}` }],
    });
    // A block given back: discovery must not see it any more.
    const retired = vpc.CidrBlockAssociationSet?.find((block) => block.CidrBlock === `10.${octet + 200}.0.0/16`);
    await ec2.send(new DisassociateVpcCidrBlockCommand({ AssociationId: retired?.AssociationId }));
    const vpcIpv6 = vpc.Ipv6CidrBlockAssociationSet?.[0]?.Ipv6CidrBlock ?? '';
    const subnetIpv6 = vpcIpv6.replace('/56', '/64');
    const subnet = await createSubnet(ec2, {
      vpcId: vpc.VpcId ?? '',
      cidr: `10.${octet}.1.0/24`,
      ipv6Cidr: subnetIpv6,
      availabilityZone: `${region}a`,
      tags: [{ Key: 'tier', Value: 'web' }],
    });
    const networkInterface = await createNetworkInterface(ec2, {
      subnetId: subnet.SubnetId ?? '',
      description: 'web server',
      tags: [{ Key: 'role', Value: 'frontend' }],
    });
    const attachedEip = await allocateElasticIp(ec2, {
      networkInterfaceId: networkInterface.NetworkInterfaceId,
      tags: [{ Key: 'Name', Value: 'attached' }],
    });
    const spareEip = await allocateElasticIp(ec2, { tags: [{ Key: 'Name', Value: 'spare' }] });
    return { account, region, octet, vpc, vpcIpv6, subnet, subnetIpv6, networkInterface, attachedEip, spareEip };
  } finally {
    ec2.destroy();
  }
}

describe.skipIf(motoMissing())('Ec2Inventory against moto', () => {
  let moto: MotoServer;
  let seeded: Seeded[];
  let snapshots: Map<Seeded, InventorySnapshot>;
  /** In the admin account's us-east-1 only: an instance with an auto-assigned public IP, an ENI without one. */
  let instance: { instanceId: string; publicIp: string; networkInterfaceId: string };
  let privateInterface: NetworkInterface;

  beforeAll(async () => {
    moto = await startMotoServer();
    seeded = await Promise.all([
      seed(moto.endpoint, ADMIN, 'us-east-1', 1),
      seed(moto.endpoint, ADMIN, 'eu-west-1', 2),
      seed(moto.endpoint, MEMBER, 'us-east-1', 3),
      seed(moto.endpoint, MEMBER, 'eu-west-1', 4),
    ]);
    const ec2 = await ec2As(moto.endpoint, ADMIN, 'us-east-1');
    try {
      const extra = await createSubnet(ec2, { vpcId: seeded[0].vpc.VpcId ?? '', cidr: '10.1.2.0/24' });
      instance = await launchInstanceWithPublicIp(ec2, extra.SubnetId ?? '');
      privateInterface = await createNetworkInterface(ec2, { subnetId: extra.SubnetId ?? '' });
    } finally {
      ec2.destroy();
    }
    const inventory = new Ec2Inventory({
      roleName: ROLE_NAME,
      ec2Endpoint: moto.endpoint,
      stsEndpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    snapshots = new Map(await Promise.all(seeded.map(async (s) => [s, await inventory.read(s.account, s.region)] as const)));
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('reads each VPC with every associated IPv4 and IPv6 block, its owner and tags', () => {
    for (const [s, snapshot] of snapshots) {
      expect(snapshot.vpcs.find((vpc) => vpc.VpcId === s.vpc.VpcId)).toEqual({
        VpcId: s.vpc.VpcId,
        OwnerId: s.account,
        Cidrs: [`10.${s.octet}.0.0/16`, `10.${s.octet + 100}.0.0/16`, canonical(s.vpcIpv6)],
        Tags: [{ Key: 'Name', Value: `vpc-${s.account}-${s.region}` }],
      });
    }
  });

  it('reads each subnet with its IPv6 block, zone id and free address count', () => {
    for (const [s, snapshot] of snapshots) {
      expect(s.subnet.AvailabilityZoneId).toMatch(/^[a-z]+\d-az\d$/);
      expect(snapshot.subnets.find((subnet) => subnet.SubnetId === s.subnet.SubnetId)).toEqual({
        SubnetId: s.subnet.SubnetId,
        VpcId: s.vpc.VpcId,
        OwnerId: s.account,
        Cidrs: [`10.${s.octet}.1.0/24`, canonical(s.subnetIpv6)],
        AvailabilityZoneId: s.subnet.AvailabilityZoneId,
        AvailableIpAddressCount: FREE_IN_SEEDED_SUBNET,
        Tags: [{ Key: 'tier', Value: 'web' }],
      });
    }
  });

  it('reads Elastic IPs, the associated one with its interface and the spare one without', () => {
    for (const [s, snapshot] of snapshots) {
      expect(s.attachedEip.associationId).toMatch(/^eipassoc-/);
      const byAllocation = (id: string) => snapshot.addresses.find((address) => address.AllocationId === id);
      expect(snapshot.addresses).toHaveLength(2);
      expect(byAllocation(s.attachedEip.allocationId)).toEqual({
        AllocationId: s.attachedEip.allocationId,
        PublicIp: s.attachedEip.publicIp,
        AssociationId: s.attachedEip.associationId,
        NetworkInterfaceId: s.networkInterface.NetworkInterfaceId,
        Tags: [{ Key: 'Name', Value: 'attached' }],
      });
      expect(byAllocation(s.spareEip.allocationId)).toEqual({
        AllocationId: s.spareEip.allocationId,
        PublicIp: s.spareEip.publicIp,
        Tags: [{ Key: 'Name', Value: 'spare' }],
      });
    }
  });

  it('reads the network interfaces that carry a public IP: through an Elastic IP or auto-assigned', () => {
    for (const [s, snapshot] of snapshots) {
      expect(s.networkInterface.Groups).toHaveLength(1);
      expect(snapshot.networkInterfaces.find((ni) => ni.NetworkInterfaceId === s.networkInterface.NetworkInterfaceId)).toEqual({
        NetworkInterfaceId: s.networkInterface.NetworkInterfaceId,
        PublicIp: s.attachedEip.publicIp,
        AllocationId: s.attachedEip.allocationId,
        IpOwnerId: s.account,
        InterfaceType: 'interface',
        RequesterId: s.networkInterface.RequesterId,
        RequesterManaged: false,
        Description: 'web server',
        VpcId: s.vpc.VpcId,
        SubnetId: s.subnet.SubnetId,
        AvailabilityZone: s.networkInterface.AvailabilityZone,
        Status: 'available',
        Groups: s.networkInterface.Groups,
      });
      expect(s.networkInterface.AvailabilityZone).toMatch(/^[a-z]+-[a-z]+-\d[a-z]$/);
    }
    const adminUsEast1 = snapshots.get(seeded[0]);
    expect(adminUsEast1?.networkInterfaces.map((ni) => ni.NetworkInterfaceId).sort()).toEqual(
      [seeded[0].networkInterface.NetworkInterfaceId, instance.networkInterfaceId].sort(),
    );
    expect(adminUsEast1?.networkInterfaces.map((ni) => ni.NetworkInterfaceId)).not.toContain(privateInterface.NetworkInterfaceId);
    expect(adminUsEast1?.networkInterfaces.find((ni) => ni.NetworkInterfaceId === instance.networkInterfaceId)).toMatchObject({
      PublicIp: instance.publicIp,
      AllocationId: undefined,
      InstanceId: instance.instanceId,
      Status: 'in-use',
    });
  });

  it('reads no public IPv4 pools from moto, which lacks DescribePublicIpv4Pools', () => {
    for (const snapshot of snapshots.values()) expect(snapshot.publicIpv4Pools).toEqual([]);
  });

  it('shows each account in each Region only its own resources', () => {
    for (const [s, snapshot] of snapshots) {
      const seededVpcsSeen = seeded.filter((other) => snapshot.vpcs.some((vpc) => vpc.VpcId === other.vpc.VpcId));
      expect(seededVpcsSeen).toEqual([s]);
      const owners = [...snapshot.vpcs, ...snapshot.subnets].map((resource) => resource.OwnerId);
      expect(new Set(owners)).toEqual(new Set([s.account]));
      const publicIps = snapshot.addresses.map((address) => address.PublicIp).sort();
      expect(publicIps).toEqual([s.attachedEip.publicIp, s.spareEip.publicIp].sort());
    }
  });

  it('lets an unreachable EC2 endpoint fail the read as an outage, not as an InventoryFailure', async () => {
    const inventory = new Ec2Inventory({
      roleName: ROLE_NAME,
      ec2Endpoint: await closedPortEndpoint(),
      stsEndpoint: moto.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const error = await inventory.read(MEMBER, 'us-east-1').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(InventoryFailure);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('keeps assumed credentials per account, and lets STS going down fail a new AssumeRole as an outage', async () => {
    const sts = await cuttableRelay(moto.endpoint);
    const inventory = new Ec2Inventory({
      roleName: ROLE_NAME,
      ec2Endpoint: moto.endpoint,
      stsEndpoint: sts.endpoint,
      credentials: MOTO_CREDENTIALS,
    });
    const before = await inventory.read(MEMBER, 'us-east-1');
    await sts.cut();
    const after = await inventory.read(MEMBER, 'eu-west-1');
    expect(before.vpcs.map((vpc) => vpc.VpcId)).toContain(seeded[2].vpc.VpcId);
    expect(after.vpcs.map((vpc) => vpc.VpcId)).toContain(seeded[3].vpc.VpcId);
    const error = await inventory.read('555566667777', 'us-east-1').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(InventoryFailure);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('lets an unreachable STS fail the read as an outage, not as an assume-role failure', async () => {
    const inventory = new Ec2Inventory({
      roleName: ROLE_NAME,
      ec2Endpoint: moto.endpoint,
      stsEndpoint: await closedPortEndpoint(),
      credentials: MOTO_CREDENTIALS,
    });
    const error = await inventory.read(MEMBER, 'us-east-1').catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(InventoryFailure);
    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe.skipIf(motoMissing())('Ec2Inventory with IAM enforced by moto', () => {
  const POWERLESS = '444455556666';
  const OUTSIDER = '999988887777';
  let moto: MotoServer;
  let inventory: Ec2Inventory;
  const vpcIds = new Map<string, string>();

  beforeAll(async () => {
    moto = await startMotoServer();
    for (const [account, octet] of [
      [ADMIN, 1],
      [MEMBER, 3],
      [POWERLESS, 5],
      [OUTSIDER, 7],
    ] as const) {
      const ec2 = await ec2As(moto.endpoint, account, 'us-east-1');
      vpcIds.set(account, (await createVpc(ec2, { cidr: `10.${octet}.0.0/16` })).VpcId ?? '');
      ec2.destroy();
    }
    const credentials = await moto.enforceIam({ roleName: ROLE_NAME, memberAccounts: [MEMBER], powerlessRoleAccounts: [POWERLESS] });
    inventory = new Ec2Inventory({ roleName: ROLE_NAME, ec2Endpoint: moto.endpoint, stsEndpoint: moto.endpoint, credentials });
  });

  afterAll(async () => {
    await moto?.stop();
  });

  it('reads its own account with its own keys and a member account through the role', async () => {
    for (const account of [ADMIN, MEMBER]) {
      const snapshot = await inventory.read(account, 'us-east-1');
      expect(snapshot.vpcs.map((vpc) => vpc.VpcId)).toContain(vpcIds.get(account));
      expect(new Set(snapshot.vpcs.map((vpc) => vpc.OwnerId))).toEqual(new Set([account]));
    }
  });

  it('reports a role STS refuses as an assume-role failure naming the role', async () => {
    const error = await inventory.read(OUTSIDER, 'us-east-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InventoryFailure);
    expect(error).toMatchObject({ code: 'assume-role-failure' });
    expect((error as Error).message).toContain(`arn:aws:iam::${OUTSIDER}:role/${ROLE_NAME}`);
    expect((error as Error).message).toContain('AccessDenied');
  });

  it('reports a role that may not describe anything as an unauthorized failure', async () => {
    const error = await inventory.read(POWERLESS, 'us-east-1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InventoryFailure);
    expect(error).toMatchObject({ code: 'unauthorized-failure' });
    expect((error as Error).message).toContain(POWERLESS);
  });
});
