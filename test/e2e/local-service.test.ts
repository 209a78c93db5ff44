// `npm start` as a user runs it: bin/local.ts in its own process, with its own DynamoDB Local
// persisting under the data directory. Restarts keep everything; set-up problems are one sentence.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamsCommand,
  EC2Client,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const running: ChildProcess[] = [];

interface Started {
  child: ChildProcess;
  url: string;
  stdout: string;
}

function startService(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['bin/local.ts'], { cwd: projectRoot, env: { ...process.env, PORT: '0', ...env }, stdio: 'pipe' });
  running.push(child);
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      const match = /IPAM listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve({ child, url: match[1]!, stdout });
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => reject(Object.assign(new Error(`exited ${code}: ${stderr}`), { code, stderr })));
  });
}

function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['bin/local.ts'], { cwd: projectRoot, env: { ...process.env, PORT: '0', ...env }, stdio: 'pipe' });
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
}

function stopService(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

/** Processes whose command line mentions the data directory: DynamoDB Local's JVM if it leaked. */
function processesUsing(dataDir: string): string[] {
  return execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(dataDir) && !line.includes('ps -eo'));
}

async function clientFor(url: string, dataDir: string): Promise<EC2Client> {
  const { admin } = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8'));
  return new EC2Client({ region: 'us-east-1', endpoint: url, credentials: admin, maxAttempts: 1 });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting');
}

const cidrStates = (ec2: EC2Client, poolId: string) => async () =>
  (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs?.map((record) => record.State) ?? [];

/** An IPAM and a pool, each waited for as the guide does, with `cidr` provision requested. */
async function poolWithCidr(ec2: EC2Client, cidr: string, settle = true) {
  const { Ipam } = await ec2.send(new CreateIpamCommand({ Description: 'kept' }));
  await until(
    () => ec2.send(new DescribeIpamsCommand({})),
    (page) => page.Ipams?.[0]?.State === 'create-complete',
  );
  const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4' }));
  await until(
    () => ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [IpamPool!.IpamPoolId!] })),
    (page) => page.IpamPools?.[0]?.State === 'create-complete',
  );
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: IpamPool!.IpamPoolId, Cidr: cidr }));
  if (settle) await until(cidrStates(ec2, IpamPool!.IpamPoolId!), (states) => states[0] === 'provisioned');
  return { Ipam, IpamPool };
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('npm start (bin/local.ts)', () => {
  it('generates a key once, serves the API, stops cleanly on SIGTERM, and keeps everything across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-start-'));
    const first = await startService({ IPAM_DATA_DIR: dataDir });
    expect(first.stdout).toMatch(/Generated an access key for account 123456789012/);
    expect(first.stdout).toMatch(/aws configure set aws_access_key_id AKIA/);
    expect((await stat(path.join(dataDir, 'credentials.json'))).mode & 0o777).toBe(0o600);
    expect((await fetch(`${first.url}/health`)).status).toBe(200);

    const ec2 = await clientFor(first.url, dataDir);
    const { Ipam, IpamPool } = await poolWithCidr(ec2, '10.0.0.0/16');
    const { IpamPoolAllocation } = await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: IpamPool!.IpamPoolId, NetmaskLength: 24 }));

    expect(await stopService(first.child)).toBe(0);
    expect(processesUsing(dataDir)).toEqual([]);

    const second = await startService({ IPAM_DATA_DIR: dataDir });
    expect(second.stdout).not.toMatch(/Generated/);
    const again = await clientFor(second.url, dataDir);
    expect((await again.send(new DescribeIpamsCommand({}))).Ipams?.map((ipam) => ipam.IpamId)).toEqual([Ipam!.IpamId]);
    const allocations = await again.send(new GetIpamPoolAllocationsCommand({ IpamPoolId: IpamPool!.IpamPoolId }));
    expect(allocations.IpamPoolAllocations).toEqual([
      expect.objectContaining({ IpamPoolAllocationId: IpamPoolAllocation!.IpamPoolAllocationId, Cidr: '10.0.0.0/24' }),
    ]);

    // A second service on the same port: one sentence, no stack trace.
    const port = new URL(second.url).port;
    const busy = await runToExit({ IPAM_DATA_DIR: await mkdtemp(path.join(tmpdir(), 'ipam-busy-')), PORT: port });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`Port ${port} is already in use`));
    expect(busy.stderr).not.toMatch(/\n\s+at /);
    expect(await stopService(second.child)).toBe(0);
  });

  it('finishes a workflow that a killed service left pending, after the restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-resume-'));
    // The hook stops every provisioning workflow just before its task, as if the process died there.
    const crashing = await startService({ IPAM_DATA_DIR: dataDir, IPAM_WORKFLOW_PAUSE_BEFORE_TASK: 'provisionPoolCidr' });
    const ec2 = await clientFor(crashing.url, dataDir);
    const { IpamPool } = await poolWithCidr(ec2, '10.9.0.0/16', false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await cidrStates(ec2, IpamPool!.IpamPoolId!)()).toEqual(['pending-provision']);
    crashing.child.kill('SIGKILL');
    await new Promise((resolve) => crashing.child.on('exit', resolve));

    const restarted = await startService({ IPAM_DATA_DIR: dataDir });
    const again = await clientFor(restarted.url, dataDir);
    expect(await until(cidrStates(again, IpamPool!.IpamPoolId!), (states) => states[0] !== 'pending-provision')).toEqual(['provisioned']);
    expect(await stopService(restarted.child)).toBe(0);
  });

  it('refuses an unwritable data directory with one sentence', async () => {
    const result = await runToExit({ IPAM_DATA_DIR: '/etc/hostname/ipam' });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/The data directory \/etc\/hostname\/ipam is not writable/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
