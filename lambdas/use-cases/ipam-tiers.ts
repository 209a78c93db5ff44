// Tier gating that needs the IPAM read (spec §2.4, DN-10): on the free tier, a pool allocates
// only to the IPAM's owner, so no shared allocation, VPC, subnet or Elastic IP of another account.
import { freeTierRefusal } from '../domain/ipam-tier.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import type { Dependencies } from './kernel/context.ts';

/** Refuses an allocation to `accountId` from a free-tier IPAM's pool it does not own; the owner pays no read. */
export async function requireTierAllowsAllocationTo(deps: Dependencies, pool: IpamPool, accountId: string): Promise<void> {
  if (pool.OwnerId === accountId) return;
  const ipam = await deps.store.getIpam(pool.ipamId);
  if (ipam?.Tier === 'free') throw freeTierRefusal(ipam.IpamId, `An allocation from pool ${pool.IpamPoolId} to account ${accountId}`);
}
