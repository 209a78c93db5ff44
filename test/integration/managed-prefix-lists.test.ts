// Customer-managed prefix lists (issue 22), served here as EC2 serves them: versions that grow with
// every entry change and stay readable, the CurrentVersion check, MaxEntries, the list's address
// family, and EC2's error codes.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const ACCOUNT = '123456789012';

async function newList(harness: UseCaseHarness, input: Record<string, unknown> = {}) {
  return (
    await harness.call('CreateManagedPrefixList', {
      PrefixListName: 'office',
      AddressFamily: 'IPv4',
      MaxEntries: 3,
      Entries: [{ Cidr: '10.2.0.0/16', Description: 'b' }, { Cidr: '10.1.0.0/16' }],
      ...input,
    })
  ).PrefixList;
}

const entriesOf = async (harness: UseCaseHarness, PrefixListId: string, TargetVersion?: number) =>
  (await harness.call('GetManagedPrefixListEntries', { PrefixListId, ...(TargetVersion && { TargetVersion }) })).Entries;

describe('CreateManagedPrefixList and DescribeManagedPrefixLists', () => {
  it('create a list at version 1 with its entries in CIDR order, found by id, name, tag and owner', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness, { TagSpecifications: [{ ResourceType: 'prefix-list', Tags: [{ Key: 'env', Value: 'prod' }] }] });
    expect(list).toEqual({
      PrefixListId: expect.stringMatching(/^pl-0[0-9a-f]{16}$/),
      PrefixListName: 'office',
      PrefixListArn: `arn:aws:ec2:us-east-1:${ACCOUNT}:prefix-list/${list.PrefixListId}`,
      AddressFamily: 'IPv4',
      State: 'create-complete',
      MaxEntries: 3,
      Version: 1,
      OwnerId: ACCOUNT,
      Tags: [{ Key: 'env', Value: 'prod' }],
    });
    expect(await entriesOf(harness, list.PrefixListId)).toEqual([{ Cidr: '10.1.0.0/16' }, { Cidr: '10.2.0.0/16', Description: 'b' }]);
    const other = await newList(harness, { PrefixListName: 'lab', Entries: [] });

    const describe = async (input: Record<string, unknown>) =>
      (await harness.call('DescribeManagedPrefixLists', input)).PrefixLists.map((found: { PrefixListId: string }) => found.PrefixListId);
    expect(await describe({ PrefixListIds: [list.PrefixListId] })).toEqual([list.PrefixListId]);
    expect(await describe({ Filters: [{ Name: 'prefix-list-name', Values: ['lab'] }] })).toEqual([other.PrefixListId]);
    expect(await describe({ Filters: [{ Name: 'tag:env', Values: ['prod'] }] })).toEqual([list.PrefixListId]);
    expect(await describe({ Filters: [{ Name: 'owner-id', Values: [ACCOUNT] }] })).toHaveLength(2);
    // Paged: one list per page, every list once.
    const first = await harness.call('DescribeManagedPrefixLists', { MaxResults: 1 });
    const second = await harness.call('DescribeManagedPrefixLists', { MaxResults: 1, NextToken: first.NextToken });
    expect([...first.PrefixLists, ...second.PrefixLists].map((found) => found.PrefixListId).sort()).toEqual(
      [list.PrefixListId, other.PrefixListId].sort(),
    );
    expect(second.NextToken).toBeUndefined();
  });

  it('are per account and Region: another Region or account does not find the list', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    await expectRefusal(
      harness.call('DescribeManagedPrefixLists', { PrefixListIds: [list.PrefixListId] }, { region: 'us-west-2' }),
      'InvalidPrefixListID.NotFound',
      list.PrefixListId,
    );
    await expectRefusal(
      harness.call('GetManagedPrefixListEntries', { PrefixListId: list.PrefixListId }, { accountId: '210987654321' }),
      'InvalidPrefixListID.NotFound',
    );
  });

  it('refuse more entries than MaxEntries, CIDRs of the other family, duplicates and bad values', async () => {
    const harness = await createUseCaseHarness();
    const entries = (...cidrs: string[]) => cidrs.map((Cidr) => ({ Cidr }));
    await expectRefusal(newList(harness, { MaxEntries: 1 }), 'PrefixListMaxEntriesExceeded', 'at most 1');
    await expectRefusal(newList(harness, { Entries: entries('2001:db8::/32') }), 'InvalidParameterValue', '2001:db8::/32', 'IPv4');
    await expectRefusal(newList(harness, { Entries: entries('10.0.0.0/8', '10.0.0.0/8') }), 'InvalidParameterValue', 'more than once');
    await expectRefusal(newList(harness, { Entries: entries('10.0.0.1/8') }), 'InvalidParameterValue', '10.0.0.1/8');
    await expectRefusal(newList(harness, { AddressFamily: 'ipv4' }), 'InvalidParameterValue', 'AddressFamily');
    await expectRefusal(newList(harness, { MaxEntries: 0 }), 'InvalidParameterValue', 'MaxEntries');
    await expectRefusal(newList(harness, { MaxEntries: 1001 }), 'InvalidParameterValue', 'MaxEntries');
    await expectRefusal(newList(harness, { PrefixListName: 'com.amazonaws.mine' }), 'InvalidParameterValue', 'com.amazonaws');
    await expectRefusal(newList(harness, { PrefixListName: undefined }), 'MissingParameter', 'PrefixListName');
    const v6 = await newList(harness, { AddressFamily: 'IPv6', Entries: entries('2001:db8::/32') });
    expect(v6.AddressFamily).toBe('IPv6');
  });
});

describe('ModifyManagedPrefixList and versions', () => {
  it('makes a new version per entry change; earlier versions stay readable; a rename keeps the version', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    const modify = async (input: Record<string, unknown>) =>
      (await harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, ...input })).PrefixList;

    const v2 = await modify({ CurrentVersion: 1, AddEntries: [{ Cidr: '10.3.0.0/16' }], RemoveEntries: [{ Cidr: '10.1.0.0/16' }] });
    expect(v2).toMatchObject({ Version: 2, State: 'modify-complete' });
    expect(await entriesOf(harness, list.PrefixListId)).toEqual([{ Cidr: '10.2.0.0/16', Description: 'b' }, { Cidr: '10.3.0.0/16' }]);
    expect(await entriesOf(harness, list.PrefixListId, 1)).toEqual([{ Cidr: '10.1.0.0/16' }, { Cidr: '10.2.0.0/16', Description: 'b' }]);

    // The same CIDR removed and added again: its description changes.
    await modify({ RemoveEntries: [{ Cidr: '10.2.0.0/16' }], AddEntries: [{ Cidr: '10.2.0.0/16', Description: 'c' }] });
    const renamed = await modify({ PrefixListName: 'offices' });
    expect(renamed).toMatchObject({ PrefixListName: 'offices', Version: 3 });
    expect((await entriesOf(harness, list.PrefixListId))[0]).toEqual({ Cidr: '10.2.0.0/16', Description: 'c' });

    // Paged entries: one per page.
    const page = await harness.call('GetManagedPrefixListEntries', { PrefixListId: list.PrefixListId, MaxResults: 1 });
    const rest = await harness.call('GetManagedPrefixListEntries', {
      PrefixListId: list.PrefixListId,
      MaxResults: 1,
      NextToken: page.NextToken,
    });
    expect([...page.Entries, ...rest.Entries].map((entry) => entry.Cidr)).toEqual(['10.2.0.0/16', '10.3.0.0/16']);
    await expectRefusal(entriesOf(harness, list.PrefixListId, 9), 'InvalidParameterValue', 'no version 9');
  });

  it('refuses a stale CurrentVersion, too many entries, absent or present CIDRs, and entries with a resize', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    const modify = (input: Record<string, unknown>) =>
      harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, ...input });
    await modify({ CurrentVersion: 1, AddEntries: [{ Cidr: '10.3.0.0/16' }] });
    await expectRefusal(
      modify({ CurrentVersion: 1, RemoveEntries: [{ Cidr: '10.3.0.0/16' }] }),
      'PrefixListVersionMismatch',
      'incorrect version number',
    );
    await expectRefusal(modify({ AddEntries: [{ Cidr: '10.4.0.0/16' }] }), 'PrefixListMaxEntriesExceeded', 'at most 3');
    await expectRefusal(modify({ RemoveEntries: [{ Cidr: '10.9.0.0/16' }] }), 'InvalidPrefixListModification', '10.9.0.0/16');
    await expectRefusal(modify({ AddEntries: [{ Cidr: '10.1.0.0/16' }], MaxEntries: 4 }), 'InvalidParameterCombination');
    await expectRefusal(modify({ MaxEntries: 2 }), 'InvalidParameterValue', 'MaxEntries (2)');
    await modify({ MaxEntries: 4 });
    await expectRefusal(modify({ AddEntries: [{ Cidr: '10.1.0.0/16' }] }), 'InvalidPrefixListModification', 'already has');
    const grown = (await modify({ AddEntries: [{ Cidr: '10.4.0.0/16' }] })).PrefixList;
    expect(grown).toMatchObject({ MaxEntries: 4, Version: 3 });
    await expectRefusal(
      harness.call('ModifyManagedPrefixList', { PrefixListId: 'pl-0123456789abcdef0', PrefixListName: 'x' }),
      'InvalidPrefixListID.NotFound',
      'pl-0123456789abcdef0',
    );
  });

  it('loses no edit when two race on one version: each lands on its own version, or is refused as stale', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness, { MaxEntries: 10, Entries: [] });
    const add = (Cidr: string) => harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, AddEntries: [{ Cidr }] });
    await Promise.all(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16', '10.4.0.0/16'].map(add));
    const [current] = (await harness.call('DescribeManagedPrefixLists', { PrefixListIds: [list.PrefixListId] })).PrefixLists;
    expect(current.Version).toBe(5);
    expect(await entriesOf(harness, list.PrefixListId)).toHaveLength(4);
    for (let version = 1; version <= 5; version++) expect(await entriesOf(harness, list.PrefixListId, version)).toHaveLength(version - 1);
  });
});

describe('RestoreManagedPrefixListVersion and DeleteManagedPrefixList', () => {
  it('restores an earlier version as the next one, checks CurrentVersion, and deletes the list', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    await harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, RemoveEntries: [{ Cidr: '10.1.0.0/16' }] });
    const restore = (input: Record<string, unknown>) =>
      harness.call('RestoreManagedPrefixListVersion', { PrefixListId: list.PrefixListId, ...input });
    await expectRefusal(restore({ PreviousVersion: 1, CurrentVersion: 1 }), 'PrefixListVersionMismatch');
    await expectRefusal(restore({ PreviousVersion: 2, CurrentVersion: 2 }), 'InvalidParameterValue', 'PreviousVersion (2)');
    const restored = (await restore({ PreviousVersion: 1, CurrentVersion: 2 })).PrefixList;
    expect(restored).toMatchObject({ Version: 3, State: 'restore-complete' });
    expect(await entriesOf(harness, list.PrefixListId)).toEqual(await entriesOf(harness, list.PrefixListId, 1));

    expect((await harness.store.listPrefixListVersions(list.PrefixListId)).map((v) => v.version)).toEqual([1, 2, 3]);
    const deleted = (await harness.call('DeleteManagedPrefixList', { PrefixListId: list.PrefixListId })).PrefixList;
    expect(deleted).toMatchObject({ PrefixListId: list.PrefixListId, State: 'delete-complete' });
    await expectRefusal(harness.call('DescribeManagedPrefixLists', { PrefixListIds: [list.PrefixListId] }), 'InvalidPrefixListID.NotFound');
    await expectRefusal(harness.call('DeleteManagedPrefixList', { PrefixListId: list.PrefixListId }), 'InvalidPrefixListID.NotFound');
    // Nothing of the list is left in the store: its versions went with it.
    expect(await harness.store.listPrefixListVersions(list.PrefixListId)).toEqual([]);
  });

  it('deletes every version of a list with a history longer than one commit holds', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    for (let n = 0; n < 60; n++) {
      await harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, AddEntries: [{ Cidr: '10.200.0.0/16' }] });
      await harness.call('ModifyManagedPrefixList', { PrefixListId: list.PrefixListId, RemoveEntries: [{ Cidr: '10.200.0.0/16' }] });
    }
    expect(await harness.store.listPrefixListVersions(list.PrefixListId)).toHaveLength(121);
    await harness.call('DeleteManagedPrefixList', { PrefixListId: list.PrefixListId });
    expect(await harness.store.listPrefixListVersions(list.PrefixListId)).toEqual([]);
    expect(await harness.store.getManagedPrefixList(harness.context.accountId, 'us-east-1', list.PrefixListId)).toBeUndefined();
  });

  it('are tagged and untagged with CreateTags and DeleteTags, and listed by DescribeTags', async () => {
    const harness = await createUseCaseHarness();
    const list = await newList(harness);
    await harness.call('CreateTags', { Resources: [list.PrefixListId], Tags: [{ Key: 'team', Value: 'net' }] });
    const { Tags } = await harness.call('DescribeTags', { Filters: [{ Name: 'resource-type', Values: ['prefix-list'] }] });
    expect(Tags).toEqual([{ ResourceId: list.PrefixListId, ResourceType: 'prefix-list', Key: 'team', Value: 'net' }]);
    await harness.call('DeleteTags', { Resources: [list.PrefixListId] });
    expect((await harness.call('DescribeManagedPrefixLists', { PrefixListIds: [list.PrefixListId] })).PrefixLists[0].Tags).toEqual([]);
    await expectRefusal(
      harness.call('CreateTags', { Resources: [list.PrefixListId], Tags: [{ Key: 'a', Value: 'b' }] }, { region: 'eu-west-1' }),
      'InvalidPrefixListID.NotFound',
    );
  });

  it('answers a CreateManagedPrefixList retried with its ClientToken with the first list', async () => {
    const harness = await createUseCaseHarness();
    const first = await newList(harness, { ClientToken: 'once' });
    const again = await newList(harness, { ClientToken: 'once' });
    expect(again.PrefixListId).toBe(first.PrefixListId);
    expect((await harness.call('DescribeManagedPrefixLists', {})).PrefixLists).toHaveLength(1);
  });
});
