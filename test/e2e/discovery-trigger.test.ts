// Sweeps on demand under `npm start`: POST /local/discovery-sweeps, signed by the administrator,
// runs one sweep of the configured inventory (here a static file) and answers with its id and
// report; a trigger while a sweep runs answers at once with that sweep's id. The sweep's events
// and EMF metrics land in the data directory. `npm run sweep` does the same from the command
// line, and LocalService.sweep() in-process.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamsCommand,
  GetIpamPoolCidrsCommand,
  GetIpamResourceCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SweepReport } from '../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { rawPost } from './support/signed-fetch.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const SWEEP = { path: '/local/discovery-sweeps', body: '', contentType: 'application/json' };
const VPC_ID = 'vpc-0a1b2c3d4e5f60718';

let service: TestService;
let ipamId: string;
let scopeId: string;
let poolId: string;

beforeAll(async () => {
  const inventoryFile = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-inventory-')), 'inventory.json');
  await writeFile(
    inventoryFile,
    JSON.stringify({
      accounts: {
        [ADMIN.accountId]: {
          'us-east-1': {
            vpcs: [{ VpcId: VPC_ID, Cidrs: ['10.0.0.0/16'] }],
            subnets: [{ SubnetId: 'subnet-0a1b2c3d4e5f60718', VpcId: VPC_ID, Cidrs: ['10.0.1.0/24'], AvailableIpAddressCount: 250 }],
          },
        },
      },
    }),
  );
  service = await startTestService({ env: { IPAM_INVENTORY_FILE: inventoryFile } });
  const ec2 = service.ec2();
  const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  ipamId = Ipam!.IpamId!;
  scopeId = Ipam!.PrivateDefaultScopeId!;
  await poll(
    () => ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] })),
    (page) => page.Ipams?.[0]?.State === 'create-complete',
    'the IPAM',
  );
  const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: scopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }));
  poolId = IpamPool!.IpamPoolId!;
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: poolId, Cidr: '10.0.0.0/8' }));
  await poll(
    () => ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId })),
    (page) => page.IpamPoolCidrs?.[0]?.State === 'provisioned',
    'the pool CIDR',
  );
});

afterAll(async () => service?.stop());

const jsonLines = async (file: string) =>
  (await readFile(path.join(service.dataDir, file), 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>);

describe('POST /local/discovery-sweeps', () => {
  test('signed by the admin key: one sweep of the inventory file, answered with its report once finished', async () => {
    const response = await rawPost(service.url, { ...SWEEP, account: ADMIN });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const report = JSON.parse(response.text) as SweepReport;
    expect(report).toEqual({
      sweepId: expect.stringMatching(/^sweep-/),
      resourceDiscoveries: 1,
      accountsRead: 1,
      accountsFailed: 0,
      ipamsEvaluated: 1,
      imported: 0,
      released: 0,
    });

    // What the sweep found is there as soon as the answer is.
    const { IpamResourceCidrs } = await service.ec2().send(new GetIpamResourceCidrsCommand({ IpamScopeId: scopeId }));
    expect(IpamResourceCidrs?.map((record) => `${record.ResourceType} ${record.ResourceCidr}`).sort()).toEqual([
      'subnet 10.0.1.0/24',
      'vpc 10.0.0.0/16',
    ]);
    // Its metrics went to <data dir>/metrics.jsonl as EMF, in our namespace, with the pool's dimensions.
    const poolMetrics = (await jsonLines('metrics.jsonl')).filter((emf) => emf.PoolID === poolId);
    expect(poolMetrics.length).toBeGreaterThan(0);
    expect(poolMetrics[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'SelfHostedIPAM',
      Dimensions: [expect.arrayContaining(['PoolID', 'ScopeID'])],
    });
    // The events of the set-up (the pool CIDR's states) were written to <data dir>/events.jsonl.
    const states = (await jsonLines('events.jsonl')).filter((event) => event['detail-type'] === 'IPAM Pool CIDR State Change');
    expect(states.map((event) => event.detail.state)).toEqual(['pending-provision', 'provisioned']);
    expect(states[0]).toMatchObject({
      source: 'self-hosted.ipam',
      account: ADMIN.accountId,
      region: 'us-east-1',
      detail: { ipamId, ipamPoolId: poolId },
    });
  });

  test("another account's key: 403 UnauthorizedOperation, no sweep and no counts", async () => {
    const sweepsBefore = (await jsonLines('metrics.jsonl')).length;
    const response = await rawPost(service.url, { ...SWEEP, account: OTHER });
    expect(response.status).toBe(403);
    const body = JSON.parse(response.text);
    expect(body).toEqual({
      code: 'UnauthorizedOperation',
      message: expect.stringContaining(OTHER.accessKeyId),
      requestId: response.headers.get('x-amzn-requestid'),
    });
    expect(response.text).not.toMatch(/accountsRead|resourceDiscoveries/);
    expect((await jsonLines('metrics.jsonl')).length).toBe(sweepsBefore);
  });

  test('unsigned: 403 MissingAuthenticationToken; an unknown key: 401 AuthFailure; a wrong secret: 403 SignatureDoesNotMatch — as JSON, no sweep', async () => {
    const refusals = [
      [await rawPost(service.url, SWEEP), 403, 'MissingAuthenticationToken'],
      [
        await rawPost(service.url, { ...SWEEP, account: { accessKeyId: 'AKIAUNKNOWN000000001', secretAccessKey: 'whatever' } }),
        401,
        'AuthFailure',
      ],
      [await rawPost(service.url, { ...SWEEP, account: { ...ADMIN, secretAccessKey: 'not-the-secret' } }), 403, 'SignatureDoesNotMatch'],
    ] as const;
    for (const [response, status, code] of refusals) {
      expect(response.status).toBe(status);
      expect(JSON.parse(response.text)).toMatchObject({ code, requestId: response.headers.get('x-amzn-requestid') });
    }
  });
});

test('LocalService.sweep() runs the same sweep in-process', async () => {
  expect(await service.sweep()).toEqual({
    resourceDiscoveries: 1,
    accountsRead: 1,
    accountsFailed: 0,
    ipamsEvaluated: 1,
    imported: 0,
    released: 0,
  });
});

describe('npm run sweep', () => {
  const runSweep = (env: Record<string, string>) =>
    promisify(execFile)(process.execPath, ['bin/sweep.ts'], {
      cwd: projectRoot,
      env: { PATH: process.env.PATH, POWERTOOLS_LOG_LEVEL: 'WARN', ...env },
    });

  test('triggers a sweep on the running service with the admin key from the environment and prints the report', async () => {
    const { stdout } = await runSweep({
      PORT: String(service.port),
      IPAM_HOST: '127.0.0.1',
      IPAM_ACCESS_KEY_ID: ADMIN.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    });
    expect(JSON.parse(stdout)).toMatchObject({ resourceDiscoveries: 1, ipamsEvaluated: 1 });
  });

  test('without a key or a data dir holding one, it says how to get one and creates nothing', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-no-key-'));
    const failure = await runSweep({ PORT: String(service.port), IPAM_DATA_DIR: dataDir }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining('No access key: set IPAM_ACCESS_KEY_ID') });
    await expect(readFile(path.join(dataDir, 'credentials.json'))).rejects.toThrow(/ENOENT/);
  });
});

describe('one sweep at a time', () => {
  // The inventory is a named pipe: the sweep's read of it blocks until the test writes the inventory.
  let slow: TestService;
  let inventoryPipe: string;

  beforeAll(async () => {
    inventoryPipe = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-inventory-pipe-')), 'inventory.json');
    execFileSync('mkfifo', [inventoryPipe]);
    slow = await startTestService({ env: { IPAM_INVENTORY_FILE: inventoryPipe } });
    const ec2 = slow.ec2();
    const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
    await poll(
      () => ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] })),
      (page) => page.Ipams?.[0]?.State === 'create-complete',
      'the IPAM',
    );
  });
  afterAll(async () => slow?.stop());

  test("a trigger while a sweep runs answers at once with the running sweep's id; nothing queues behind it", {
    timeout: 20_000,
  }, async () => {
    const first = rawPost(slow.url, { ...SWEEP, account: ADMIN });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the first sweep is now waiting on the pipe
    const started = Date.now();
    const joined = await Promise.all(Array.from({ length: 5 }, () => rawPost(slow.url, { ...SWEEP, account: ADMIN })));
    expect(Date.now() - started).toBeLessThan(5000);
    const ids = joined.map((response) => {
      expect(response.status).toBe(202);
      return JSON.parse(response.text) as { sweepId: string; status: string };
    });
    expect(new Set(ids.map((answer) => answer.sweepId)).size).toBe(1);
    expect(ids[0]).toEqual({ sweepId: expect.stringMatching(/^sweep-/), status: 'running' });

    await writeFile(inventoryPipe, JSON.stringify({ accounts: { [ADMIN.accountId]: { 'us-east-1': {} } } }));
    const done = await first;
    expect(done.status).toBe(200);
    expect(JSON.parse(done.text)).toMatchObject({ sweepId: ids[0]!.sweepId, accountsRead: 1, accountsFailed: 0 });

    // Finished: the next trigger starts a sweep of its own, under a new id.
    const next = rawPost(slow.url, { ...SWEEP, account: ADMIN });
    await writeFile(inventoryPipe, JSON.stringify({ accounts: { [ADMIN.accountId]: { 'us-east-1': {} } } }));
    const nextAnswer = await next;
    expect(nextAnswer.status).toBe(200);
    expect(JSON.parse(nextAnswer.text).sweepId).not.toBe(ids[0]!.sweepId);
  });
});
