// The pure rules of resolver targets (DN-44): which version a target wants, when it syncs, and
// what a sync does to its list.
import { describe, expect, it } from 'vitest';
import type { IpamPrefixListResolverTarget, ManagedPrefixList } from '../../../lambdas/domain/model/prefix-list.ts';
import { needsSync, planSync, wantedVersion } from '../../../lambdas/domain/prefix-list-targets.ts';

const target = (fields: Partial<IpamPrefixListResolverTarget>) =>
  ({
    PrefixListId: 'pl-1',
    PrefixListRegion: 'us-east-1',
    IpamPrefixListResolverId: 'r-1',
    TrackLatestVersion: true,
    ...fields,
  }) as IpamPrefixListResolverTarget;

const list = (fields: Partial<ManagedPrefixList> = {}) =>
  ({ PrefixListId: 'pl-1', MaxEntries: 2, entries: [], IpamPrefixListResolverSyncEnabled: true, ...fields }) as ManagedPrefixList;

describe('needsSync', () => {
  it('syncs a tracking target to a newer latest version, a pinned one to its DesiredVersion, and neither before version 1', () => {
    expect(needsSync(target({ LastSyncedVersion: 1 }), 2)).toBe(true);
    expect(needsSync(target({ LastSyncedVersion: 2 }), 2)).toBe(false);
    expect(needsSync(target({}), 0)).toBe(false);
    expect(needsSync(target({ TrackLatestVersion: false, DesiredVersion: 1, LastSyncedVersion: 3 }), 3)).toBe(true);
    expect(needsSync(target({ TrackLatestVersion: false, DesiredVersion: 1, LastSyncedVersion: 1 }), 3)).toBe(false);
    expect(wantedVersion(target({ TrackLatestVersion: false }), 4)).toBe(0);
  });
});

describe('planSync', () => {
  it('replaces the entries by the version CIDRs, de-duplicated, canonical and in CIDR order', () => {
    expect(planSync(target({}), list(), 1, ['10.9.0.0/16', '10.1.0.0/16', '10.9.0.0/16'])).toEqual({
      kind: 'write',
      entries: [{ Cidr: '10.1.0.0/16' }, { Cidr: '10.9.0.0/16' }],
    });
    expect(planSync(target({}), list({ entries: [{ Cidr: '10.1.0.0/16' }] }), 1, ['10.1.0.0/16'])).toEqual({ kind: 'unchanged' });
    // A hand-written description differs from a synced entry: the sync rewrites it.
    expect(planSync(target({}), list({ entries: [{ Cidr: '10.1.0.0/16', Description: 'x' }] }), 1, ['10.1.0.0/16']).kind).toBe('write');
  });

  it('fails, naming why, for a missing list, a list with sync disabled, and a version over MaxEntries', () => {
    const failure = (plan: ReturnType<typeof planSync>) => (plan.kind === 'failed' ? plan.message : '');
    expect(failure(planSync(target({}), undefined, 1, []))).toContain('pl-1 was not found in us-east-1');
    expect(failure(planSync(target({}), list({ IpamPrefixListResolverSyncEnabled: false }), 1, []))).toContain('disabled');
    expect(failure(planSync(target({}), list(), 3, ['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16']))).toBe(
      'Version 3 of r-1 has 3 CIDRs; the prefix list pl-1 holds at most 2 entries (MaxEntries)',
    );
  });
});
