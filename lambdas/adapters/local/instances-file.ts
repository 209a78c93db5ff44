// The instance registry of embedded mode: the instances and network interfaces that exist, written
// by hand in one JSON file (IPAM_EC2_INSTANCES_FILE), read again on every lookup:
//
//   { "accounts": { "<12-digit account>": { "<region>": [
//       { "InstanceId": "i-07459a6fca5b35823", "NetworkInterfaceId": "eni-0a1b2c3d4e5f60718", "PrivateIpAddresses": ["10.0.0.12"] },
//       { "NetworkInterfaceId": "eni-…", "PrivateIpAddresses": ["10.0.1.5", "10.0.1.6"] } ] } } }
//
// An entry is one network interface, attached to the instance it names (its primary interface:
// the one an association by InstanceId uses is the first listed for that instance).
import { readFile } from 'node:fs/promises';
import type { InstanceRegistry, NetworkAttachment } from '../../ports/ec2-instances.ts';

interface Entry {
  InstanceId?: string;
  NetworkInterfaceId: string;
  PrivateIpAddresses: string[];
}

export class InstancesFile implements InstanceRegistry {
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async findInstance(accountId: string, region: string, instanceId: string) {
    return this.find(accountId, region, (entry) => entry.InstanceId === instanceId);
  }

  async findNetworkInterface(accountId: string, region: string, networkInterfaceId: string) {
    return this.find(accountId, region, (entry) => entry.NetworkInterfaceId === networkInterfaceId);
  }

  private async find(accountId: string, region: string, matches: (entry: Entry) => boolean): Promise<NetworkAttachment | undefined> {
    const entry = (await this.entries(accountId, region)).find(matches);
    return entry && { ...entry, OwnerId: accountId };
  }

  private async entries(accountId: string, region: string): Promise<Entry[]> {
    let parsed: { accounts?: Record<string, Record<string, unknown>> };
    try {
      parsed = JSON.parse(await readFile(this.path, 'utf8'));
    } catch (error) {
      throw new Error(`The instances file ${this.path} cannot be read: ${(error as Error).message}`);
    }
    const entries = parsed.accounts?.[accountId]?.[region] ?? [];
    if (!Array.isArray(entries))
      throw new Error(`The instances file ${this.path} is malformed: accounts.${accountId}.${region} is not a list`);
    return entries.map((entry: Partial<Entry>, index) => {
      const place = `accounts.${accountId}.${region}[${index}]`;
      if (typeof entry?.NetworkInterfaceId !== 'string') {
        throw new Error(`The instances file ${this.path} is malformed: ${place} has no NetworkInterfaceId`);
      }
      const addresses = entry.PrivateIpAddresses ?? [];
      if (!Array.isArray(addresses) || addresses.length === 0 || addresses.some((address) => typeof address !== 'string')) {
        throw new Error(`The instances file ${this.path} is malformed: ${place} needs PrivateIpAddresses, a list of at least one address`);
      }
      return { InstanceId: entry.InstanceId, NetworkInterfaceId: entry.NetworkInterfaceId, PrivateIpAddresses: addresses };
    });
  }
}

/** No instances at all: the cloud, and `npm start` without an instances file. */
export const noInstances: InstanceRegistry = {
  findInstance: async () => undefined,
  findNetworkInterface: async () => undefined,
};
