// The static inventory file: the port's shapes with defaults filled in, re-read on every read,
// missing accounts as a user-fixable failure, and malformed files named with what is wrong where.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StaticInventoryFile } from '../../../lambdas/adapters/local/inventory-file.ts';
import { InventoryFailure } from '../../../lambdas/ports/inventory.ts';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ipam-inventory-'));
  file = path.join(dir, 'inventory.json');
});

afterEach(() => rm(dir, { recursive: true, force: true }));

const write = (content: unknown) => writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the read to fail');
}

describe('reading an account in a Region', () => {
  it('returns the port shapes, with omitted lists, tags, groups and owners filled in', async () => {
    await write({
      accounts: {
        '123456789012': {
          'us-east-1': {
            vpcs: [{ VpcId: 'vpc-1', Cidrs: ['10.0.0.0/16'], Tags: [{ Key: 'Name', Value: 'prod' }] }],
            subnets: [
              {
                SubnetId: 'subnet-1',
                VpcId: 'vpc-1',
                OwnerId: '111122223333',
                Cidrs: ['10.0.0.0/24'],
                AvailabilityZoneId: 'use1-az1',
                AvailableIpAddressCount: 200,
              },
            ],
            addresses: [{ AllocationId: 'eipalloc-1', PublicIp: '203.0.113.7', PublicIpv4Pool: 'amazon' }],
            networkInterfaces: [{ NetworkInterfaceId: 'eni-1', PublicIp: '198.51.100.4', RequesterManaged: true }],
            publicIpv4Pools: [
              { PoolId: 'ipv4pool-ec2-1', Cidrs: ['198.51.100.0/24'], TotalAddressCount: 256, TotalAvailableAddressCount: 250 },
            ],
          },
        },
      },
    });
    const snapshot = await new StaticInventoryFile(file).read('123456789012', 'us-east-1');
    expect(snapshot).toEqual({
      vpcs: [{ VpcId: 'vpc-1', OwnerId: '123456789012', Cidrs: ['10.0.0.0/16'], Tags: [{ Key: 'Name', Value: 'prod' }] }],
      subnets: [
        {
          SubnetId: 'subnet-1',
          VpcId: 'vpc-1',
          OwnerId: '111122223333',
          Cidrs: ['10.0.0.0/24'],
          AvailabilityZoneId: 'use1-az1',
          AvailableIpAddressCount: 200,
          Tags: [],
        },
      ],
      addresses: [{ AllocationId: 'eipalloc-1', PublicIp: '203.0.113.7', PublicIpv4Pool: 'amazon', Tags: [] }],
      networkInterfaces: [{ NetworkInterfaceId: 'eni-1', PublicIp: '198.51.100.4', RequesterManaged: true, Groups: [] }],
      publicIpv4Pools: [
        { PoolId: 'ipv4pool-ec2-1', Cidrs: ['198.51.100.0/24'], TotalAddressCount: 256, TotalAvailableAddressCount: 250, Tags: [] },
      ],
    });
  });

  it('answers an empty snapshot for a Region the account does not list', async () => {
    await write({ accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-1', Cidrs: ['10.0.0.0/16'] }] } } } });
    expect(await new StaticInventoryFile(file).read('123456789012', 'eu-west-1')).toEqual({
      vpcs: [],
      subnets: [],
      addresses: [],
      networkInterfaces: [],
      publicIpv4Pools: [],
    });
  });

  it('reads the file again each time, so an edit shows in the next read', async () => {
    const inventory = new StaticInventoryFile(file);
    await write({ accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-1', Cidrs: ['10.0.0.0/16'] }] } } } });
    expect((await inventory.read('123456789012', 'us-east-1')).vpcs.map((vpc) => vpc.VpcId)).toEqual(['vpc-1']);
    await write({ accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-2', Cidrs: ['10.1.0.0/16'] }] } } } });
    expect((await inventory.read('123456789012', 'us-east-1')).vpcs.map((vpc) => vpc.VpcId)).toEqual(['vpc-2']);
  });

  it('treats an account the file does not list as one it may not read', async () => {
    await write({ accounts: { '123456789012': {} } });
    const error = await failure(new StaticInventoryFile(file).read('444455556666', 'us-east-1'));
    expect(error).toBeInstanceOf(InventoryFailure);
    expect((error as InventoryFailure).code).toBe('unauthorized-failure');
    expect(error.message).toBe(`The inventory file ${file} has no account 444455556666`);
  });
});

describe('a malformed file', () => {
  const cases: [string, unknown, string][] = [
    ['not JSON', '{"accounts": ', 'is not valid JSON'],
    ['no accounts object', { vpcs: [] }, 'accounts must be an object'],
    ['an account id that is not 12 digits', { accounts: { '1234': {} } }, "'1234' is not a 12-digit account id"],
    [
      'a list that is not a list',
      { accounts: { '123456789012': { 'us-east-1': { vpcs: {} } } } },
      'accounts.123456789012.us-east-1.vpcs must be a list',
    ],
    [
      'an unknown list',
      { accounts: { '123456789012': { 'us-east-1': { instances: [] } } } },
      'accounts.123456789012.us-east-1.instances is not one of',
    ],
    [
      'a record without its id',
      { accounts: { '123456789012': { 'us-east-1': { vpcs: [{ Cidrs: [] }] } } } },
      'accounts.123456789012.us-east-1.vpcs[0] has no VpcId',
    ],
    [
      'a CIDR with host bits',
      { accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-1', Cidrs: ['10.0.0.1/16'] }] } } } },
      'accounts.123456789012.us-east-1.vpcs[0].Cidrs[0]',
    ],
    [
      'a count that is not a number',
      {
        accounts: {
          '123456789012': {
            'us-east-1': { publicIpv4Pools: [{ PoolId: 'p', Cidrs: [], TotalAddressCount: '1', TotalAvailableAddressCount: 0 }] },
          },
        },
      },
      'publicIpv4Pools[0].TotalAddressCount must be a number',
    ],
    [
      'a tag without a value',
      { accounts: { '123456789012': { 'us-east-1': { vpcs: [{ VpcId: 'vpc-1', Cidrs: [], Tags: [{ Key: 'Name' }] }] } } } },
      'vpcs[0].Tags[0].Value must be a string',
    ],
  ];
  for (const [problem, content, message] of cases) {
    it(`is refused with the file and the problem named: ${problem}`, async () => {
      await write(content);
      const error = await failure(new StaticInventoryFile(file).read('123456789012', 'us-east-1'));
      expect(error).not.toBeInstanceOf(InventoryFailure);
      expect(error.message).toContain(file);
      expect(error.message).toContain(message);
    });
  }

  it('a missing file is refused with its name', async () => {
    const error = await failure(new StaticInventoryFile(path.join(dir, 'absent.json')).read('123456789012', 'us-east-1'));
    expect(error.message).toContain(path.join(dir, 'absent.json'));
    expect(error).not.toBeInstanceOf(InventoryFailure);
  });
});
