// Events at least once under `npm start` (docs/events.md): an allocation whose event cannot be
// written (events.jsonl is, for the moment, a directory) still succeeds; the service is then
// killed with SIGKILL, and the next start delivers the event from the outbox at start-up, once,
// with a UUID (version 7) eventId.
import { mkdir, mkdtemp, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  EC2Client,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, expect, it } from 'vitest';
import { dynamoDbEndpoint } from '../support/dynamodb.ts';
import { adminKeyOf, killSpawned, startService, stopService, waitFor } from './support/local-process.ts';

afterAll(() => killSpawned());

it('an event the service could not write before it was killed is written at the next start', { timeout: 120_000 }, async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-events-crash-'));
  const env = {
    IPAM_DATA_DIR: dataDir,
    IPAM_DYNAMODB_ENDPOINT: dynamoDbEndpoint(),
    IPAM_TABLE_NAME: `ipam-events-crash-${Date.now()}`,
    IPAM_DISCOVERY_INTERVAL_S: '0',
    // No timer: only the start-up run of the reconciler can deliver it.
    IPAM_RECONCILE_INTERVAL_S: '0',
  };
  const eventsFile = path.join(dataDir, 'events.jsonl');
  const allocationEvents = async () =>
    (await readFile(eventsFile, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((event) => event['detail-type'] === 'IPAM Pool Allocation Change');

  const first = await startService(env);
  const key = await adminKeyOf(dataDir);
  const client = (url: string) => new EC2Client({ endpoint: url, region: 'us-east-1', credentials: key, maxAttempts: 1 });
  const ec2 = client(first.url);
  const { Ipam } = await ec2.send(new CreateIpamCommand({}));
  const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4' }));
  const IpamPoolId = IpamPool!.IpamPoolId!;
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: '10.0.0.0/16' }));
  await waitFor(
    async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs?.[0]?.State,
    (state) => state === 'provisioned',
    'the pool CIDR',
  );

  await rm(eventsFile);
  await mkdir(eventsFile);
  const { IpamPoolAllocation } = await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId, NetmaskLength: 24 }));
  expect(IpamPoolAllocation?.Cidr).toBe('10.0.0.0/24');
  first.child.kill('SIGKILL');
  await first.exited;
  ec2.destroy();

  await rmdir(eventsFile);
  const second = await startService(env);
  const events = await allocationEvents();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    source: 'self-hosted.ipam',
    detail: { ipamPoolAllocationId: IpamPoolAllocation!.IpamPoolAllocationId, cidr: '10.0.0.0/24', change: 'created', cause: 'api' },
  });
  expect(events[0].detail.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(await stopService(second)).toBe(0);
});
