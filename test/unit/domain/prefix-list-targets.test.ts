// The pure rules of resolver targets (DN-44): which version a target wants, when it syncs, and
// what a sync does to its list.
import { describe, expect, it } from 'vitest';
import type { IpamPrefixListResolverTarget, ManagedPrefixList } from '../../../lambdas/domain/model/prefix-list.ts';
import { keptResolverVersions, needsSync, planRetention, planSync, wantedVersion } from '../../../lambdas/domain/prefix-list-targets.ts';

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

describe('keptResolverVersions and planRetention (spec §12.4, DN-44)', () => {
  const sorted = (set: Set<number>) => [...set].sort((a, b) => a - b);

  it('keeps the latest 10 without targets, and all of fewer', () => {
    expect(sorted(keptResolverVersions(25, []))).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(sorted(keptResolverVersions(3, []))).toEqual([1, 2, 3]);
    expect(sorted(keptResolverVersions(0, []))).toEqual([]);
  });

  it('keeps every version a target references and the 10 up to the newer of them', () => {
    const pinned = { TrackLatestVersion: false, DesiredVersion: 12, LastSyncedVersion: 2 };
    expect(sorted(keptResolverVersions(30, [pinned]))).toEqual([
      2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
    expect(sorted(keptResolverVersions(30, [{ TrackLatestVersion: false, DesiredVersion: 1 }]))).toEqual([
      1, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
  });

  it('marks what fell out, unmarks what is kept again, and purges what is past its mark', () => {
    const v = (Version: number, retainedUntil?: string) => ({ Version, retainedUntil });
    const gone = new Set([3, 6]);
    // v6 is past its mark but referenced again: a referenced version is never purged.
    const plan = planRetention([v(1), v(2, 'soon'), v(3, 'past'), v(4, 'soon'), v(5), v(6, 'past')], new Set([2, 5, 6]), (version) =>
      gone.has(version.Version),
    );
    expect(plan.mark.map((x) => x.Version)).toEqual([1]);
    expect(plan.unmark.map((x) => x.Version)).toEqual([2, 6]);
    expect(plan.purge.map((x) => x.Version)).toEqual([3]);
  });
});
