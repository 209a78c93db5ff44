// moto_server (a local fake of EC2, STS and IAM) for tests of discovery: start one per test file,
// seed it through the EC2 API as any account, and optionally make STS refuse a role for real.
// moto keeps one set of resources per account and Region: it serves every Region on one endpoint
// (the Region comes from the request signature) and picks the account from the access key —
// its default 123456789012 for the keys 'testing', the role's account for AssumeRole credentials.
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import type net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateVpcCidrBlockCommand,
  CreateNetworkInterfaceCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DescribeImagesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
  type NetworkInterface,
  type Subnet,
  type Tag,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { skipUnless } from './optional-client.ts';
import { freePort } from '../../lambdas/adapters/local/free-port.ts';

export const MOTO_DEFAULT_ACCOUNT = '123456789012';
/** Keys moto accepts (and ignores) while IAM is not enforced. */
export const MOTO_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;
const SETPRIV = '/usr/bin/setpriv';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** moto_server on PATH, if any. */
/** The settings that make `npm start` forward its EC2 calls to the moto server at `endpoint`. */
export const forwardingTo = (endpoint: string) => ({
  IPAM_EC2_UPSTREAM_URL: endpoint,
  IPAM_EC2_UPSTREAM_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId,
  IPAM_EC2_UPSTREAM_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey,
});

export function motoServerPath(): string | undefined {
  const directories = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return directories.map((directory) => path.join(directory, 'moto_server')).find(isExecutable);
}

/** For `describe.skipIf(motoMissing())`: true when moto_server is absent, saying so once. */
export function motoMissing(): boolean {
  return skipUnless(
    motoServerPath() !== undefined,
    'the moto tests',
    'moto_server is not on PATH (pip install "moto[server]" to run them)',
  );
}

export interface MotoServer {
  endpoint: string;
  /** Ends moto_server and resolves once it has exited. */
  stop(): Promise<void>;
  /** Forgets every resource of every account and switches IAM enforcement off again. */
  reset(): Promise<void>;
  /** See enforceIam below. */
  enforceIam(setup: IamSetup): Promise<{ accessKeyId: string; secretAccessKey: string }>;
  /**
   * While IAM is enforced: runs `act` with enforcement off, then enforces it again — for what
   * an account's own admin does (e.g. deleting a VPC) that the discovery identities may not.
   */
  withIamPaused<T>(act: () => Promise<T>): Promise<T>;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(escalation);
}

async function waitUntilAnswering(child: ChildProcess, endpoint: string, output: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    try {
      // Any answer will do (a GET here is refused with 400): moto is listening.
      const response = await fetch(`${endpoint}/moto-api/reset-auth`);
      await response.body?.cancel();
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`moto_server did not answer on ${endpoint}; its output was:\n${output() || '(nothing)'}`);
}

export async function startMotoServer(): Promise<MotoServer> {
  const motoServer = motoServerPath();
  if (!motoServer) throw new Error('moto_server is not on PATH');
  const port = await freePort('127.0.0.1');
  const args = [motoServer, '-H', '127.0.0.1', '-p', String(port)];
  // Like DynamoDB Local (lambdas/adapters/local/dynamodb-local.ts): the kernel ends moto_server
  // when its parent dies, so a crashed or killed test run leaves no orphan behind.
  const [command, commandArgs] = isExecutable(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'TERM', '--', ...args]] : [args[0], args.slice(1)];
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  // A forgotten server must not keep the test process alive; pdeathsig still ends it.
  child.unref();
  let output = '';
  for (const stream of [child.stdout, child.stderr]) {
    (stream as net.Socket).unref();
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (output = (output + chunk).slice(-4_000)));
  }
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(child, endpoint, () => output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return {
    endpoint,
    stop: () => stopChild(child),
    reset: async () => {
      await setIamEnforcement(endpoint, false);
      await motoApi(endpoint, 'reset', '');
    },
    enforceIam: (setup) => enforceIam(endpoint, setup),
    withIamPaused: async (act) => {
      await setIamEnforcement(endpoint, false);
      try {
        return await act();
      } finally {
        await setIamEnforcement(endpoint, true);
      }
    },
  };
}

async function motoApi(endpoint: string, action: string, body: string): Promise<void> {
  const response = await fetch(`${endpoint}/moto-api/${action}`, { method: 'POST', body });
  if (!response.ok) throw new Error(`moto /moto-api/${action} answered ${response.status}: ${await response.text()}`);
}

/**
 * moto checks signatures and IAM policies only after INITIAL_NO_AUTH_ACTION_COUNT requests (by
 * default never); /moto-api/reset-auth sets that count at run time, 0 = from now on.
 */
function setIamEnforcement(endpoint: string, enforced: boolean): Promise<void> {
  return motoApi(endpoint, 'reset-auth', enforced ? '0' : 'inf');
}

// ---- acting as an account ------------------------------------------------------------------

async function credentialsOf(endpoint: string, accountId: string) {
  if (accountId === MOTO_DEFAULT_ACCOUNT) return MOTO_CREDENTIALS;
  // moto's AssumeRole does not check that the role exists; its credentials act in the role's account.
  const sts = new STSClient({ endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  try {
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${accountId}:role/moto-seeder`, RoleSessionName: 'seeder' }),
    );
    return {
      accessKeyId: Credentials?.AccessKeyId ?? '',
      secretAccessKey: Credentials?.SecretAccessKey ?? '',
      sessionToken: Credentials?.SessionToken,
    };
  } finally {
    sts.destroy();
  }
}

/** An EC2 client acting as `accountId` in `region` (while IAM is not enforced). */
export async function ec2As(endpoint: string, accountId: string, region: string): Promise<EC2Client> {
  return new EC2Client({ endpoint, region, credentials: await credentialsOf(endpoint, accountId) });
}

// ---- seeding ---------------------------------------------------------------------------------

function tagSpecifications(resourceType: 'vpc' | 'subnet' | 'elastic-ip' | 'network-interface', tags: Tag[] | undefined) {
  return tags?.length ? [{ ResourceType: resourceType, Tags: tags }] : undefined;
}

/**
 * moto gives every account a default VPC (172.31.0.0/16) with a subnet per zone in each Region;
 * deleting it leaves exactly what a test seeds.
 */
export async function deleteDefaultVpc(ec2: EC2Client): Promise<void> {
  const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
  for (const { VpcId } of Vpcs ?? []) {
    const { Subnets } = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [VpcId ?? ''] }] }));
    for (const { SubnetId } of Subnets ?? []) await ec2.send(new DeleteSubnetCommand({ SubnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId }));
  }
}

/** A VPC with its primary CIDR, any secondary IPv4 CIDRs and, optionally, an Amazon IPv6 /56. */
export async function createVpc(
  ec2: EC2Client,
  vpc: { cidr: string; secondaryCidrs?: string[]; ipv6?: boolean; tags?: Tag[] },
): Promise<Vpc> {
  const { Vpc: created } = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: vpc.cidr,
      AmazonProvidedIpv6CidrBlock: vpc.ipv6,
      TagSpecifications: tagSpecifications('vpc', vpc.tags),
    }),
  );
  const VpcId = created?.VpcId;
  for (const cidr of vpc.secondaryCidrs ?? []) await ec2.send(new AssociateVpcCidrBlockCommand({ VpcId, CidrBlock: cidr }));
  const { Vpcs } = await ec2.send(new DescribeVpcsCommand({ VpcIds: [VpcId ?? ''] }));
  return Vpcs?.[0] ?? {};
}

export async function createSubnet(
  ec2: EC2Client,
  subnet: { vpcId: string; cidr: string; ipv6Cidr?: string; availabilityZone?: string; tags?: Tag[] },
): Promise<Subnet> {
  const { Subnet: created } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: subnet.vpcId,
      CidrBlock: subnet.cidr,
      Ipv6CidrBlock: subnet.ipv6Cidr,
      AvailabilityZone: subnet.availabilityZone,
      TagSpecifications: tagSpecifications('subnet', subnet.tags),
    }),
  );
  return created ?? {};
}

export async function createNetworkInterface(
  ec2: EC2Client,
  networkInterface: { subnetId: string; description?: string; tags?: Tag[] },
): Promise<NetworkInterface> {
  const { NetworkInterface: created } = await ec2.send(
    new CreateNetworkInterfaceCommand({
      SubnetId: networkInterface.subnetId,
      Description: networkInterface.description,
      TagSpecifications: tagSpecifications('network-interface', networkInterface.tags),
    }),
  );
  return created ?? {};
}

/** An Elastic IP (vpc domain), associated with the network interface when one is given. */
export async function allocateElasticIp(
  ec2: EC2Client,
  eip: { networkInterfaceId?: string; tags?: Tag[] } = {},
): Promise<{ allocationId: string; publicIp: string; associationId?: string }> {
  const { AllocationId, PublicIp } = await ec2.send(
    new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tagSpecifications('elastic-ip', eip.tags) }),
  );
  const allocation = { allocationId: AllocationId ?? '', publicIp: PublicIp ?? '' };
  if (!eip.networkInterfaceId) return allocation;
  const { AssociationId } = await ec2.send(new AssociateAddressCommand({ AllocationId, NetworkInterfaceId: eip.networkInterfaceId }));
  return { ...allocation, associationId: AssociationId };
}

/** An instance whose network interface gets an auto-assigned public IPv4 address (no EIP). */
export async function launchInstanceWithPublicIp(
  ec2: EC2Client,
  subnetId: string,
): Promise<{ instanceId: string; publicIp: string; networkInterfaceId: string }> {
  // Any of moto's built-in images will do.
  const { Images } = await ec2.send(new DescribeImagesCommand({ MaxResults: 5 }));
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: Images?.[0]?.ImageId,
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnetId, AssociatePublicIpAddress: true }],
    }),
  );
  const instance = Instances?.[0];
  return {
    instanceId: instance?.InstanceId ?? '',
    publicIp: instance?.PublicIpAddress ?? '',
    networkInterfaceId: instance?.NetworkInterfaces?.[0]?.NetworkInterfaceId ?? '',
  };
}

// ---- IAM enforcement ---------------------------------------------------------------------------

export interface IamSetup {
  /** The discovery role (arn:aws:iam::<account>:role/<roleName>). */
  roleName: string;
  /** Accounts whose role the discovery user may assume; the role there may call ec2:Describe*. */
  memberAccounts: string[];
  /** Accounts whose role the user may assume but which grants nothing: reads there are refused. */
  powerlessRoleAccounts?: string[];
}

const ALLOW_EC2_DESCRIBE = { Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' };

function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/**
 * An IAM query request as `accountId`. With enforcement off moto checks no signature: it routes
 * by the credential scope's service and takes the account from the x-moto-account-id header.
 */
async function iamAs(endpoint: string, accountId: string, parameters: Record<string, string>): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=testing/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
      'x-moto-account-id': accountId,
    },
    body: new URLSearchParams({ ...parameters, Version: '2010-05-08' }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto IAM ${parameters.Action} as ${accountId} answered ${response.status}: ${text}`);
  return text;
}

function xmlValue(xml: string, element: string): string {
  const value = new RegExp(`<${element}>([^<]+)</${element}>`).exec(xml)?.[1];
  if (value === undefined) throw new Error(`no <${element}> in ${xml}`);
  return value;
}

/**
 * Makes STS refuse AssumeRole for real. moto's AssumeRole never checks that a role exists, but
 * with IAM enforced it checks the caller's IAM policies (moto/core/authorization.py,
 * iam/access_control.py), Resource included. So: create a user `ipam-discovery` in the default
 * account allowed ec2:Describe* and sts:AssumeRole on the role of the member (and powerless-role)
 * accounts only, create those roles, then enforce IAM. From then on AssumeRole into any other
 * account is AccessDenied, and only signed requests with these keys (or credentials assumed with
 * them) are served — seed everything first. reset() switches enforcement off again.
 */
export async function enforceIam(endpoint: string, setup: IamSetup): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const admin = MOTO_DEFAULT_ACCOUNT;
  const powerless = setup.powerlessRoleAccounts ?? [];
  const assumable = [...setup.memberAccounts, ...powerless].map((account) => `arn:aws:iam::${account}:role/${setup.roleName}`);
  await iamAs(endpoint, admin, { Action: 'CreateUser', UserName: 'ipam-discovery' });
  await iamAs(endpoint, admin, {
    Action: 'PutUserPolicy',
    UserName: 'ipam-discovery',
    PolicyName: 'discovery',
    // IAM refuses a statement with no resources, so none at all when no role may be assumed.
    PolicyDocument: policy(
      ALLOW_EC2_DESCRIBE,
      ...(assumable.length ? [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: assumable }] : []),
    ),
  });
  const keys = await iamAs(endpoint, admin, { Action: 'CreateAccessKey', UserName: 'ipam-discovery' });
  const trust = policy({ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${admin}:root` }, Action: 'sts:AssumeRole' });
  for (const account of [...setup.memberAccounts, ...powerless]) {
    await iamAs(endpoint, account, { Action: 'CreateRole', RoleName: setup.roleName, AssumeRolePolicyDocument: trust });
  }
  for (const account of setup.memberAccounts) {
    await iamAs(endpoint, account, {
      Action: 'PutRolePolicy',
      RoleName: setup.roleName,
      PolicyName: 'describe',
      PolicyDocument: policy(ALLOW_EC2_DESCRIBE),
    });
  }
  await setIamEnforcement(endpoint, true);
  return { accessKeyId: xmlValue(keys, 'AccessKeyId'), secretAccessKey: xmlValue(keys, 'SecretAccessKey') };
}
