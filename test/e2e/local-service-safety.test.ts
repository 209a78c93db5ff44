// `npm start` is safe to run on a shared machine: one service per data directory, a crash does
// not lock the directory for good, its keys and data are readable by its user alone, and a dead
// store is restarted (answering 503 Unavailable meanwhile) rather than failing every call.
import { mkdtemp, readdir, stat } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateIpamCommand, CreateIpamResourceDiscoveryCommand, DescribeIpamsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalService, startLocalService } from '../../lambdas/hosts/local/service.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { parseEc2Error, rawPost } from './support/signed-fetch.ts';
import { adminKeyOf, isAlive, javaPidsUsing, killSpawned, runToExit, startService, stopService, waitFor } from './support/local-process.ts';
import { freePort } from '../../lambdas/adapters/local/free-port.ts';

const services: LocalService[] = [];

afterEach(async () => {
  killSpawned();
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

const health = async (url: string) => {
  const response = await fetch(`${url}/health`);
  return { status: response.status, body: await response.json() };
};

const DESCRIBE_IPAMS = { body: 'Action=DescribeIpams&Version=2016-11-15', contentType: 'application/x-www-form-urlencoded' };

describe('one data directory, one service', () => {
  it('refuses a second start on the same data directory, naming the pid that holds it, and starts again after a kill -9', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-lock-'));
    const first = await startService({ IPAM_DATA_DIR: dataDir });

    const second = await runToExit({ IPAM_DATA_DIR: dataDir });
    expect(second.code).toBe(1);
    expect(second.elapsedMs).toBeLessThan(10_000);
    expect(second.stderr.trim()).toBe(
      `The data directory ${dataDir} is in use by another IPAM service (pid ${first.child.pid}); stop that one first, or set IPAM_DATA_DIR to another directory.`,
    );
    expect(javaPidsUsing(dataDir)).toHaveLength(1); // the second start launched no DynamoDB Local

    const [jvm] = javaPidsUsing(dataDir);
    first.child.kill('SIGKILL');
    await first.exited;
    // No exit hook ran: the kernel's parent-death signal ends DynamoDB Local, and the lock is stale.
    await waitFor(
      () => isAlive(jvm!),
      (alive) => !alive,
      'the orphaned DynamoDB Local to exit',
    );

    const third = await startService({ IPAM_DATA_DIR: dataDir });
    expect((await fetch(`${third.url}/health`)).status).toBe(200);
    expect(await stopService(third)).toBe(0);
    expect(await readdir(dataDir)).not.toContain('service.lock');
  });
});

describe('file modes', () => {
  it('keeps the data directory 0700 and every file the service writes in it 0600', async () => {
    const dataDir = path.join(await mkdtemp(path.join(tmpdir(), 'ipam-modes-')), 'data');
    const service = await startService({ IPAM_DATA_DIR: dataDir });
    const modeOf = async (file: string) => ((await stat(path.join(dataDir, file))).mode & 0o777).toString(8);

    expect(await modeOf('.')).toBe('700');
    expect(await modeOf('dynamodb')).toBe('700');
    for (const file of ['service.lock', 'credentials.json', 'events.jsonl', 'metrics.jsonl']) {
      expect([file, await modeOf(file)]).toEqual([file, '600']);
    }
    const databaseFiles = await readdir(path.join(dataDir, 'dynamodb'));
    expect(databaseFiles).toContain('shared-local-instance.db');
    for (const file of databaseFiles) expect([file, await modeOf(path.join('dynamodb', file))]).toEqual([file, '600']);
    expect(await stopService(service)).toBe(0);
  });
});

describe('a dead store', () => {
  it('is restarted after a kill -9, and the service recovers with its data', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-store-restart-'));
    const service = await startService({ IPAM_DATA_DIR: dataDir });
    expect(await health(service.url)).toEqual({ status: 200, body: { status: 'ok', store: 'ok' } });
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: service.url, credentials: await adminKeyOf(dataDir), maxAttempts: 1 });
    const { Ipam } = await ec2.send(new CreateIpamCommand({ Description: 'outlives its store' }));

    const [jvm] = javaPidsUsing(dataDir);
    process.kill(jvm!, 'SIGKILL');
    await waitFor(
      () => javaPidsUsing(dataDir),
      (pids) => pids.length === 1 && pids[0] !== jvm,
      'a new DynamoDB Local',
    );
    await waitFor(
      () => health(service.url),
      (answer) => answer.status === 200,
      'the service to be healthy again',
    );

    expect((await ec2.send(new DescribeIpamsCommand({}))).Ipams?.map((ipam) => ipam.IpamId)).toEqual([Ipam!.IpamId]);
    const { IpamResourceDiscovery } = await ec2.send(new CreateIpamResourceDiscoveryCommand({ Description: 'after the restart' }));
    expect(IpamResourceDiscovery?.IpamResourceDiscoveryId).toMatch(/^ipam-res-disco-/);
    expect(service.stdout() + service.stderr()).toMatch(/DynamoDB Local exited unexpectedly/);
    expect(await stopService(service)).toBe(0);
    ec2.destroy();
  });

  it('makes calls answer 503 Unavailable, and /health 503, until it is back', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-store-down-'));
    const admin = { accessKeyId: 'AKIATESTADMIN0000001', secretAccessKey: 'test-admin-secret' };
    let release!: () => void;
    const restartHeld = new Promise<void>((resolve) => (release = resolve));
    const config = loadConfig({
      PORT: '0',
      IPAM_DATA_DIR: dataDir,
      IPAM_DISCOVERY_INTERVAL_S: '0',
      IPAM_ACCESS_KEY_ID: admin.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: admin.secretAccessKey,
    });
    const service = await startLocalService(config, { beforeStoreRestart: () => restartHeld });
    services.push(service);

    process.kill(service.store.pid()!, 'SIGKILL');
    await waitFor(
      () => service.store.state(),
      (state) => state === 'restarting',
      'the store to be seen down',
    );
    expect(await health(service.url)).toEqual({ status: 503, body: { status: 'unavailable', store: 'restarting' } });
    const query = await rawPost(service.url, { ...DESCRIBE_IPAMS, account: admin });
    expect([query.status, parseEc2Error(query.text).code]).toEqual([503, 'Unavailable']);
    expect(query.headers.get('content-type')).toMatch(/xml/);
    const json = await rawPost(service.url, { path: '/api/DescribeIpams', body: '{}', contentType: 'application/json', account: admin });
    expect([json.status, JSON.parse(json.text).code]).toEqual([503, 'Unavailable']);

    release();
    await waitFor(
      () => service.store.state(),
      (state) => state === 'ok',
      'the store to be back',
    );
    expect(await health(service.url)).toEqual({ status: 200, body: { status: 'ok', store: 'ok' } });
    expect((await rawPost(service.url, { ...DESCRIBE_IPAMS, account: admin })).status).toBe(200);
  });

  it('stops the service with one sentence when it cannot be restarted', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-store-gone-'));
    const port = await freePort('127.0.0.1');
    const service = await startService({ IPAM_DATA_DIR: dataDir, IPAM_DYNAMODB_PORT: String(port) });
    const [jvm] = javaPidsUsing(dataDir);
    process.kill(jvm!, 'SIGKILL');
    // Something else takes the port the moment DynamoDB Local lets go of it: every restart fails.
    const squatter = await waitFor(
      () => listenOn(port),
      (server) => server !== undefined,
      'the port to be free',
    );
    try {
      const code = await Promise.race([service.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 45_000))]);
      expect(code).toBe(1);
      const lastLine = service.stderr().trim().split('\n').at(-1);
      expect(lastLine).toBe(
        'DynamoDB Local stopped and could not be kept running (3 restarts within 60 s), so the IPAM is stopping; its data is kept in the data directory.',
      );
    } finally {
      squatter!.close();
    }
  });
});

function listenOn(port: number): Promise<net.Server | undefined> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
