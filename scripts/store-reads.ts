// Reads of the store that the bench and the soak's invariant checker both make, straight through
// the Store port (no use case, no authorization): what is there, whoever owns it.
import type { IpamPoolAllocation } from '../lambdas/domain/model/pool.ts';
import type { Store } from '../lambdas/ports/store.ts';

/** Every allocation of a pool, read page by page straight from the store. */
export async function allAllocations(store: Store, poolId: string): Promise<IpamPoolAllocation[]> {
  const all: IpamPoolAllocation[] = [];
  let after: string | undefined;
  do {
    const page = await store.listAllocations(poolId, { limit: 1000, after });
    all.push(...page.items);
    after = page.next;
  } while (after);
  return all;
}
