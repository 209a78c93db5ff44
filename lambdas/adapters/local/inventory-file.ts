// The static inventory source: what exists, written by hand (or by a script) in one JSON file, for
// teams without AWS accounts to read. The file is read again on every read, so an edit shows up
// in the next sweep.
//
//   { "accounts": { "<12-digit account>": { "<region>": {
//       "vpcs": [...], "subnets": [...], "addresses": [...], "networkInterfaces": [...], "publicIpv4Pools": [...] } } } }
//
// Records have the snapshot's shapes (lambdas/domain/inventory.ts); lists, Tags and Groups may be
// omitted, and a VPC's or subnet's OwnerId defaults to the account it is listed under.
import { readFile } from 'node:fs/promises';
import { formatCidr, parseCidr } from '../../domain/cidr.ts';
import type { InventorySnapshot } from '../../domain/inventory.ts';
import { InventoryFailure, type InventorySource } from '../../ports/inventory.ts';

type FieldKind = 'string' | 'number' | 'boolean' | 'cidrs' | 'tags' | 'groups';
/** A field of a record: its kind, and whether it may be left out. */
type FieldSpec = readonly [FieldKind, 'required' | 'optional'];
type RecordSpec = Readonly<Record<string, FieldSpec>>;

const required = (kind: FieldKind): FieldSpec => [kind, 'required'];
const optional = (kind: FieldKind): FieldSpec => [kind, 'optional'];

const RECORD_SPECS: Readonly<Record<keyof InventorySnapshot, RecordSpec>> = {
  vpcs: { VpcId: required('string'), OwnerId: optional('string'), Cidrs: required('cidrs'), Tags: optional('tags') },
  subnets: {
    SubnetId: required('string'),
    VpcId: required('string'),
    OwnerId: optional('string'),
    Cidrs: required('cidrs'),
    AvailabilityZoneId: optional('string'),
    AvailableIpAddressCount: optional('number'),
    Tags: optional('tags'),
  },
  addresses: {
    AllocationId: required('string'),
    PublicIp: required('string'),
    AssociationId: optional('string'),
    NetworkInterfaceId: optional('string'),
    InstanceId: optional('string'),
    PublicIpv4Pool: optional('string'),
    NetworkBorderGroup: optional('string'),
    Tags: optional('tags'),
  },
  networkInterfaces: {
    NetworkInterfaceId: required('string'),
    PublicIp: required('string'),
    AllocationId: optional('string'),
    InterfaceType: optional('string'),
    RequesterId: optional('string'),
    RequesterManaged: optional('boolean'),
    Description: optional('string'),
    VpcId: optional('string'),
    SubnetId: optional('string'),
    AvailabilityZone: optional('string'),
    InstanceId: optional('string'),
    Status: optional('string'),
    Groups: optional('groups'),
    IpOwnerId: optional('string'),
  },
  publicIpv4Pools: {
    PoolId: required('string'),
    Cidrs: required('cidrs'),
    TotalAddressCount: required('number'),
    TotalAvailableAddressCount: required('number'),
    Tags: optional('tags'),
  },
};

const LISTS = Object.keys(RECORD_SPECS) as (keyof InventorySnapshot)[];

/** What is wrong at one place in the file (a JSON path like accounts.123456789012.us-east-1.vpcs[0]). */
class Malformed extends Error {}

export class StaticInventoryFile implements InventorySource {
  private readonly path: string;

  constructor(path: string) {
    this.path = path;
  }

  async read(accountId: string, region: string): Promise<InventorySnapshot> {
    const accounts = await this.accounts();
    const regions = accounts[accountId];
    if (regions === undefined)
      throw new InventoryFailure('unauthorized-failure', `The inventory file ${this.path} has no account ${accountId}`);
    const place = `accounts.${accountId}`;
    try {
      const snapshot = objectAt(regions, place)[region];
      return snapshotOf(snapshot ?? {}, `${place}.${region}`, accountId);
    } catch (error) {
      throw this.problem(error);
    }
  }

  private async accounts(): Promise<Record<string, unknown>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      throw new Error(`The inventory file ${this.path} cannot be read: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new Error(`The inventory file ${this.path} is not valid JSON: ${(error as Error).message}`);
    }
    try {
      const accounts = objectAt(objectAt(parsed, 'the top level').accounts, 'accounts');
      const bad = Object.keys(accounts).find((account) => !/^\d{12}$/.test(account));
      if (bad !== undefined) throw new Malformed(`accounts: '${bad}' is not a 12-digit account id`);
      return accounts;
    } catch (error) {
      throw this.problem(error);
    }
  }

  private problem(error: unknown): Error {
    return error instanceof Malformed ? new Error(`The inventory file ${this.path} is malformed: ${error.message}`) : (error as Error);
  }
}

function objectAt(value: unknown, place: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Malformed(`${place} must be an object`);
  return value as Record<string, unknown>;
}

function snapshotOf(value: unknown, place: string, accountId: string): InventorySnapshot {
  const lists = objectAt(value, place);
  const unknown = Object.keys(lists).find((name) => !LISTS.includes(name as keyof InventorySnapshot));
  if (unknown !== undefined) throw new Malformed(`${place}.${unknown} is not one of ${LISTS.join(', ')}`);
  const snapshot = {} as Record<keyof InventorySnapshot, unknown[]>;
  for (const list of LISTS) {
    const records = lists[list] ?? [];
    if (!Array.isArray(records)) throw new Malformed(`${place}.${list} must be a list`);
    snapshot[list] = records.map((record, index) => recordOf(record, RECORD_SPECS[list], `${place}.${list}[${index}]`));
  }
  for (const owned of [...snapshot.vpcs, ...snapshot.subnets] as { OwnerId?: string }[]) owned.OwnerId ??= accountId;
  return snapshot as unknown as InventorySnapshot;
}

function recordOf(value: unknown, spec: RecordSpec, place: string): Record<string, unknown> {
  const fields = objectAt(value, place);
  const record: Record<string, unknown> = {};
  for (const [name, [kind, presence]] of Object.entries(spec)) {
    const field = fields[name];
    if (field === undefined) {
      if (presence === 'required') throw new Malformed(`${place} has no ${name}`);
      if (kind === 'tags' || kind === 'groups') record[name] = [];
      continue;
    }
    record[name] = fieldOf(field, kind, `${place}.${name}`);
  }
  return record;
}

function fieldOf(value: unknown, kind: FieldKind, place: string): unknown {
  switch (kind) {
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof value !== kind) throw new Malformed(`${place} must be a ${kind}`);
      return value;
    case 'cidrs':
      return listOf(value, place).map((cidr, index) => {
        if (typeof cidr !== 'string') throw new Malformed(`${place}[${index}] must be a CIDR string`);
        try {
          return formatCidr(parseCidr(cidr));
        } catch (error) {
          throw new Malformed(`${place}[${index}]: ${(error as Error).message}`);
        }
      });
    case 'tags':
      return listOf(value, place).map((tag, index) => pairOf(tag, ['Key', 'Value'], `${place}[${index}]`));
    case 'groups':
      return listOf(value, place).map((group, index) => pairOf(group, ['GroupName', 'GroupId'], `${place}[${index}]`));
  }
}

function listOf(value: unknown, place: string): unknown[] {
  if (!Array.isArray(value)) throw new Malformed(`${place} must be a list`);
  return value;
}

function pairOf(value: unknown, names: [string, string], place: string): Record<string, string> {
  const fields = objectAt(value, place);
  const pair: Record<string, string> = {};
  for (const name of names) {
    if (typeof fields[name] !== 'string') throw new Malformed(`${place}.${name} must be a string`);
    pair[name] = fields[name] as string;
  }
  return pair;
}
