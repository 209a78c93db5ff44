// Tier gating that needs the IPAM read (spec §2.4, DN-10): on the free tier, a pool allocates
// only to the IPAM's owner, so no shared allocation, VPC, subnet or Elastic IP of another account.
import { freeTierRefusal } from '../domain/ipam-tier.ts';
import type { Ipam } from '../domain/model/ipam.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import type { Write } from '../ports/store.ts';
import type { Dependencies } from './kernel/context.ts';

/** Refuses an allocation to `accountId` from a free-tier IPAM's pool it does not own; the owner pays no read. */
export async function requireTierAllowsAllocationTo(deps: Dependencies, pool: IpamPool, accountId: string): Promise<void> {
  if (pool.OwnerId === accountId) return;
  const ipam = await deps.store.getIpam(pool.ipamId);
  if (ipam?.Tier === 'free') throw freeTierRefusal(ipam.IpamId, `An allocation from pool ${pool.IpamPoolId} to account ${accountId}`);
}

/**
 * The writes that keep "a free-tier IPAM holds no allocation to an account other than its owner"
 * (DN-10) true for allocations from `pools` to `accountId`, committed with them: one item per
 * IPAM, and none at all (no read either) when the owner allocates. Refuses on the free tier.
 *
 * The move to the free tier (ipams.ts) first marks the IPAM (freeTierCheck), then reads the
 * allocations strongly consistently, then commits at the marked version. An allocation committed
 * before the mark is among those read; one that read the IPAM before the mark fails its check;
 * one that reads the mark clears it, which fails the move's commit, and the move looks again.
 */
export async function tierGuard(deps: Dependencies, pools: readonly IpamPool[], accountId: string): Promise<Write[]> {
  const ipamIds = new Set(pools.filter((pool) => pool.OwnerId !== accountId).map((pool) => pool.ipamId));
  const writes: Write[] = [];
  for (const ipamId of ipamIds) {
    const ipam = await deps.store.getIpam(ipamId);
    // No IPAM, no pool: the allocation's own conditions (its free block) fail with the pool's deletion.
    if (!ipam) continue;
    if (ipam.Tier === 'free') {
      throw freeTierRefusal(
        ipam.IpamId,
        `An allocation from pool ${pools.find((p) => p.ipamId === ipamId)!.IpamPoolId} to account ${accountId}`,
      );
    }
    if (ipam.freeTierCheck) {
      const { freeTierCheck: _seen, ...cleared } = ipam;
      // Invariant: still advanced at the version read; clearing the mark makes a move to the free tier look again.
      writes.push({ op: 'update', entity: { type: 'ipam', value: cleared satisfies Ipam } });
    } else {
      // Invariant: still advanced, and not marked by a move to the free tier, at the version read.
      writes.push({ op: 'check', entity: { type: 'ipam', value: ipam } });
    }
  }
  return writes;
}
