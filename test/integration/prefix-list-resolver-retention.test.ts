// Retention of resolver versions (spec §12.4, DN-44, UG L1214): per target the 10 most recent
// versions and every version a target references; the latest 10 always (a resolver without
// targets keeps those); anything else goes 7 days after it fell out, unless referenced again.
import { describe, expect, it } from 'vitest';
import { UNREFERENCED_RESOLVER_VERSION_RETENTION_MS } from '../../lambdas/domain/expiry.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

const staticRules = (...cidrs: string[]) => cidrs.map((StaticCidr) => ({ RuleType: 'static-cidr', StaticCidr }));

/** A resolver with `count` versions: version n holds 10.n.0.0/16. */
async function resolverWithVersions(harness: UseCaseHarness, count: number) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPrefixListResolver } = await harness.call('CreateIpamPrefixListResolver', {
    IpamId: Ipam.IpamId,
    AddressFamily: 'ipv4',
    Rules: staticRules('10.1.0.0/16'),
  });
  const id = IpamPrefixListResolver.IpamPrefixListResolverId as string;
  for (let n = 2; n <= count; n++)
    await harness.call('ModifyIpamPrefixListResolver', { IpamPrefixListResolverId: id, Rules: staticRules(`10.${n}.0.0/16`) });
  return id;
}

/** Calls an action `ms` after now, as the service would then. */
const later = (harness: UseCaseHarness, ms: number, action: string, input: Record<string, unknown>): Promise<any> =>
  dispatch({ ...harness.deps, now: () => new Date(Date.now() + ms) }, harness.context, action, input);

const versionsAt = async (harness: UseCaseHarness, ms: number, IpamPrefixListResolverId: string) =>
  (await later(harness, ms, 'GetIpamPrefixListResolverVersions', { IpamPrefixListResolverId })).IpamPrefixListResolverVersions.map(
    (v: { Version: number }) => v.Version,
  );

const WEEK = UNREFERENCED_RESOLVER_VERSION_RETENTION_MS;
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('resolver version retention', () => {
  it('keeps the latest 10 versions of a resolver without targets, and lets the older go 7 days on', async () => {
    const harness = await createUseCaseHarness();
    const id = await resolverWithVersions(harness, 12);
    // Marked, not gone: still readable until the 7 days pass.
    expect(await versionsAt(harness, 0, id)).toEqual(range(1, 12));
    expect((await harness.store.getPrefixListResolverVersion(id, 2))?.retainedUntil).toBeDefined();
    expect((await harness.store.getPrefixListResolverVersion(id, 3))?.retainedUntil).toBeUndefined();
    expect(await versionsAt(harness, WEEK + 60_000, id)).toEqual(range(3, 12));
    await expectRefusal(
      later(harness, WEEK + 60_000, 'GetIpamPrefixListResolverVersionEntries', {
        IpamPrefixListResolverId: id,
        IpamPrefixListResolverVersion: 1,
      }),
      'InvalidParameterValue',
    );
  });

  it('never lets a version a target is pinned to go, and keeps the 10 up to it', async () => {
    const harness = await createUseCaseHarness();
    const id = await resolverWithVersions(harness, 3);
    const { PrefixList } = await harness.call('CreateManagedPrefixList', { PrefixListName: 'p', AddressFamily: 'IPv4', MaxEntries: 10 });
    const { IpamPrefixListResolverTarget } = await harness.call('CreateIpamPrefixListResolverTarget', {
      IpamPrefixListResolverId: id,
      PrefixListId: PrefixList.PrefixListId,
      PrefixListRegion: 'us-east-1',
      TrackLatestVersion: false,
      DesiredVersion: 1,
    });
    for (let n = 4; n <= 25; n++)
      await harness.call('ModifyIpamPrefixListResolver', { IpamPrefixListResolverId: id, Rules: staticRules(`10.${n}.0.0/16`) });
    // Pinned to 1: v1 is kept (the window up to it is just v1); 16–25 are the latest 10; 2–15 go.
    expect(await versionsAt(harness, WEEK + 60_000, id)).toEqual([1, ...range(16, 25)]);

    // Tracking the latest now: v1 is no longer referenced and starts its 7 days.
    const targetId = IpamPrefixListResolverTarget.IpamPrefixListResolverTargetId;
    await harness.call('ModifyIpamPrefixListResolverTarget', { IpamPrefixListResolverTargetId: targetId, TrackLatestVersion: true });
    expect(await versionsAt(harness, 0, id)).toEqual(range(1, 25));
    expect(await versionsAt(harness, WEEK + 60_000, id)).toEqual(range(16, 25));
    // A pin to a version retention let go is refused, as a version never made.
    await expectRefusal(
      later(harness, WEEK + 60_000, 'ModifyIpamPrefixListResolverTarget', { IpamPrefixListResolverTargetId: targetId, DesiredVersion: 1 }),
      'InvalidParameterValue',
    );
  });

  it('clears the mark of a version a target references again before its 7 days end', async () => {
    const harness = await createUseCaseHarness();
    const id = await resolverWithVersions(harness, 12);
    expect((await harness.store.getPrefixListResolverVersion(id, 1))?.retainedUntil).toBeDefined();
    const { PrefixList } = await harness.call('CreateManagedPrefixList', { PrefixListName: 'p', AddressFamily: 'IPv4', MaxEntries: 10 });
    const { IpamPrefixListResolverTarget } = await harness.call('CreateIpamPrefixListResolverTarget', {
      IpamPrefixListResolverId: id,
      PrefixListId: PrefixList.PrefixListId,
      PrefixListRegion: 'us-east-1',
      TrackLatestVersion: false,
      DesiredVersion: 1,
    });
    expect((await harness.store.getPrefixListResolverVersion(id, 1))?.retainedUntil).toBeUndefined();
    expect(await versionsAt(harness, WEEK + 60_000, id)).toEqual([1, ...range(3, 12)]);
    const entries = await harness.call('GetManagedPrefixListEntries', { PrefixListId: PrefixList.PrefixListId });
    expect(entries.Entries.map((e: { Cidr: string }) => e.Cidr)).toEqual(['10.1.0.0/16']);
    // The target gone, v1 starts its 7 days again.
    await harness.call('DeleteIpamPrefixListResolverTarget', {
      IpamPrefixListResolverTargetId: IpamPrefixListResolverTarget.IpamPrefixListResolverTargetId,
    });
    expect(await versionsAt(harness, WEEK + 60_000, id)).toEqual(range(3, 12));
  });
});
