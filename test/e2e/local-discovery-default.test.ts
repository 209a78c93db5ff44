// `npm start` on a machine without AWS: no AWS_* settings, a HOME with no ~/.aws. Discovery must
// not reach for AWS unless told to: a sweep reads the empty default inventory, logs no errors and
// opens no connection beyond loopback (support/loopback-guard.ts reports any).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateIpamCommand, DescribeIpamsCommand, EC2Client, GetIpamDiscoveredAccountsCommand } from '@aws-sdk/client-ec2';
import { afterAll, expect, test } from 'vitest';
import { ADMIN } from '../support/service.ts';
import { dynamoDbEndpoint } from '../support/dynamodb.ts';
import { poll } from './support/poll.ts';
import { rawPost } from './support/signed-fetch.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const GUARD = path.join(import.meta.dirname, 'support/loopback-guard.ts');

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

test('a sweep under npm start with no AWS credentials: no ERROR logs, no connection beyond loopback', { timeout: 90_000 }, async () => {
  const home = await mkdtemp(path.join(tmpdir(), 'ipam-no-aws-home-'));
  const env: NodeJS.ProcessEnv = {
    // Nothing of this machine's environment but PATH: no AWS_* variables at all.
    PATH: process.env.PATH,
    HOME: home,
    PORT: '0',
    IPAM_DATA_DIR: path.join(home, 'data'),
    IPAM_TABLE_NAME: `ipam-no-aws-${Date.now()}`,
    IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
    IPAM_ACCESS_KEY_ID: ADMIN.accessKeyId,
    IPAM_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
  child = spawn(process.execPath, ['--import', GUARD, 'bin/local.ts'], { cwd: projectRoot, env, stdio: 'pipe' });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child!.stdout!.on('data', () => {
      const match = /IPAM listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    child!.on('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
  });

  const ec2 = new EC2Client({ region: 'us-east-1', endpoint: url, credentials: ADMIN, maxAttempts: 1 });
  // An IPAM brings its default resource discovery: the sweep has the administrator's account to read.
  const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  await poll(
    () => ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] })),
    (page) => page.Ipams?.[0]?.State === 'create-complete',
    'the IPAM',
  );

  const response = await rawPost(url, { path: '/local/discovery-sweeps', body: '', contentType: 'application/json', account: ADMIN });
  expect(response.status).toBe(200);
  expect(JSON.parse(response.text)).toMatchObject({ resourceDiscoveries: 1, accountsRead: 1, accountsFailed: 0 });
  const { IpamDiscoveredAccounts } = await ec2.send(
    new GetIpamDiscoveredAccountsCommand({ IpamResourceDiscoveryId: Ipam!.DefaultResourceDiscoveryId!, DiscoveryRegion: 'us-east-1' }),
  );
  // Read, successfully, and found empty.
  expect(
    IpamDiscoveredAccounts?.map((account) => [account.AccountId, account.FailureReason, account.LastSuccessfulDiscoveryTime !== undefined]),
  ).toEqual([[ADMIN.accountId, undefined, true]]);

  const exited = new Promise((resolve) => child!.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  child = undefined;
  expect(output).toContain('IPAM listening on');
  expect(output.split('\n').filter((line) => line.startsWith('NETWORK-ATTEMPT'))).toEqual([]);
  expect(output.split('\n').filter((line) => /"level":"ERROR"|\bERROR\b|^\s+at /.test(line))).toEqual([]);
});
