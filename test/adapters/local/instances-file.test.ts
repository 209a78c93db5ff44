// The instances file of embedded mode (IPAM_EC2_INSTANCES_FILE): instances as their first listed
// network interface, interfaces by id, per account and Region, re-read on every lookup, and
// malformed entries named with what is wrong where.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InstancesFile } from '../../../lambdas/adapters/local/instances-file.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ipam-instances-'));
  file = path.join(dir, 'instances.json');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const write = (accounts: unknown) => writeFile(file, JSON.stringify({ accounts }));

describe('InstancesFile', () => {
  it('finds an instance as its first interface, an interface by id, only in its account and Region, and sees edits', async () => {
    await write({
      '123456789012': {
        'us-east-1': [
          { InstanceId: 'i-1', NetworkInterfaceId: 'eni-1', PrivateIpAddresses: ['10.0.0.1', '10.0.0.2'] },
          { InstanceId: 'i-1', NetworkInterfaceId: 'eni-2', PrivateIpAddresses: ['10.0.1.1'] },
          { NetworkInterfaceId: 'eni-3', PrivateIpAddresses: ['10.0.2.1'] },
        ],
      },
    });
    const registry = new InstancesFile(file);
    expect(await registry.findInstance('123456789012', 'us-east-1', 'i-1')).toEqual({
      InstanceId: 'i-1',
      NetworkInterfaceId: 'eni-1',
      PrivateIpAddresses: ['10.0.0.1', '10.0.0.2'],
      OwnerId: '123456789012',
    });
    expect(await registry.findNetworkInterface('123456789012', 'us-east-1', 'eni-3')).toMatchObject({ InstanceId: undefined });
    expect(await registry.findInstance('123456789012', 'us-west-2', 'i-1')).toBeUndefined();
    expect(await registry.findInstance('111122223333', 'us-east-1', 'i-1')).toBeUndefined();
    await write({ '123456789012': { 'us-east-1': [] } });
    expect(await registry.findInstance('123456789012', 'us-east-1', 'i-1')).toBeUndefined();
  });

  it('names what is malformed', async () => {
    const registry = new InstancesFile(file);
    await write({ '123456789012': { 'us-east-1': [{ InstanceId: 'i-1', PrivateIpAddresses: ['10.0.0.1'] }] } });
    await expect(registry.findInstance('123456789012', 'us-east-1', 'i-1')).rejects.toThrow(
      'accounts.123456789012.us-east-1[0] has no NetworkInterfaceId',
    );
    await write({ '123456789012': { 'us-east-1': [{ NetworkInterfaceId: 'eni-1', PrivateIpAddresses: [] }] } });
    await expect(registry.findNetworkInterface('123456789012', 'us-east-1', 'eni-1')).rejects.toThrow('PrivateIpAddresses');
    await writeFile(file, '{');
    await expect(registry.findInstance('123456789012', 'us-east-1', 'i-1')).rejects.toThrow('cannot be read');
  });
});
