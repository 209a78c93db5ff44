// The release cool-down of Elastic IP addresses (spec DN-35, DN-301): with
// IPAM_RELEASE_COOLDOWN_S above 0, a released address is not handed out again before the
// cool-down ends, as AWS holds released space for minutes to 48 hours. The default, 0, hands it
// out again at once (our deliberate improvement). One record per pool and address, rewritten by
// each release; expired records are simply ignored.
import type { Write } from '../ports/store.ts';
import type { Dependencies } from './kernel/context.ts';

const cooldownSeconds = (deps: Dependencies) => deps.publicSpace.releaseCooldownSeconds ?? 0;

/**
 * The writes that start an address's cool-down, to commit with its release (none without a
 * cool-down). A release and an allocation of the same pool conflict on the pool's space (the
 * free block or the public IPv4 pool record), so an allocation that sees the address free also
 * sees its cool-down when it reads the cool-downs after the space.
 */
export async function startCooldown(deps: Dependencies, poolId: string, address: string): Promise<Write[]> {
  const seconds = cooldownSeconds(deps);
  if (seconds <= 0) return [];
  const until = new Date(deps.now().getTime() + seconds * 1000).toISOString();
  const existing = (await deps.store.listAddressCooldowns(poolId)).find((cooldown) => cooldown.address === address);
  return existing
    ? // Invariant (update): the record read is still the address's (one release at a time).
      [{ op: 'update', entity: { type: 'address-cooldown', value: { ...existing, until } } }]
    : // Invariant (create): one record per pool and address.
      [{ op: 'create', entity: { type: 'address-cooldown', value: { poolId, address, until, version: 0 } } }];
}

/** The addresses of a pool still cooling down now. */
export async function coolingAddresses(deps: Dependencies, poolId: string): Promise<Set<string>> {
  if (cooldownSeconds(deps) <= 0) return new Set();
  const now = deps.now().toISOString();
  return new Set(
    (await deps.store.listAddressCooldowns(poolId)).filter((cooldown) => cooldown.until > now).map((cooldown) => cooldown.address),
  );
}
