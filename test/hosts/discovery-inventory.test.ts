// Which inventory a sweep reads: the static file if configured; EC2 when told (IPAM_DISCOVERY_SOURCE
// =aws or an IPAM_EC2_ENDPOINT); nothing when IPAM_DISCOVERY_SOURCE=none; else the host's default —
// EC2 in the cloud, nothing under `npm start`.
import { describe, expect, it } from 'vitest';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import { EmptyInventory } from '../../lambdas/adapters/local/empty-inventory.ts';
import { StaticInventoryFile } from '../../lambdas/adapters/local/inventory-file.ts';
import { loadConfig } from '../../lambdas/config.ts';
import { inventorySource } from '../../lambdas/hosts/dependencies.ts';
import { ec2Inventory } from '../../lambdas/hosts/lambda/functions.ts';

const inventoryOf = (env: Record<string, string>, defaultSource: 'aws' | 'none' = 'aws') =>
  inventorySource(loadConfig(env, '/project').discovery, defaultSource, ec2Inventory);

describe('the discovery inventory', () => {
  it('under npm start (default none): nothing, unless told to read a file or EC2', async () => {
    const nothing = inventoryOf({}, 'none');
    expect(nothing).toBeInstanceOf(EmptyInventory);
    expect(await nothing.read('123456789012', 'us-east-1')).toEqual({
      vpcs: [],
      subnets: [],
      addresses: [],
      networkInterfaces: [],
      publicIpv4Pools: [],
    });
    expect(inventoryOf({ IPAM_INVENTORY_FILE: 'inventory.json' }, 'none')).toBeInstanceOf(StaticInventoryFile);
    expect(inventoryOf({ IPAM_DISCOVERY_SOURCE: 'aws' }, 'none')).toBeInstanceOf(Ec2Inventory);
    expect(inventoryOf({ IPAM_EC2_ENDPOINT: 'http://127.0.0.1:5000' }, 'none')).toBeInstanceOf(Ec2Inventory);
  });

  it('in the cloud (default aws): EC2, unless told otherwise', () => {
    expect(inventoryOf({})).toBeInstanceOf(Ec2Inventory);
    expect(inventoryOf({ IPAM_DISCOVERY_SOURCE: 'none' })).toBeInstanceOf(EmptyInventory);
    expect(inventoryOf({ IPAM_DISCOVERY_SOURCE: 'none', IPAM_EC2_ENDPOINT: 'http://127.0.0.1:5000' })).toBeInstanceOf(EmptyInventory);
  });

  it('refuses an unknown source, and a source together with an inventory file', () => {
    expect(() => loadConfig({ IPAM_DISCOVERY_SOURCE: 'ec2' })).toThrow(/IPAM_DISCOVERY_SOURCE must be 'aws' or 'none', got 'ec2'/);
    expect(() => loadConfig({ IPAM_DISCOVERY_SOURCE: 'aws', IPAM_INVENTORY_FILE: 'inventory.json' })).toThrow(/not both/);
  });
});
