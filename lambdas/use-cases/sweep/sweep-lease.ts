// One discovery sweep at a time (issue 18): a sweep takes the lease, renews it while it runs (a
// heartbeat at a third of its duration, so one late beat does not lose it) and gives it back on
// every exit. A sweep that cannot renew lost the lease — it may have expired and another sweep
// holds it — so from then on its store refuses to write: two sweeps never write side by side.
import { randomUUID } from 'node:crypto';
import type { SweepLease } from '../../domain/model/execution.ts';
import { StoreConflict, type Store } from '../../ports/store.ts';
import type { SweepDependencies } from '../kernel/context.ts';

/** A crashed sweep blocks the next ones for this long at most. */
const LEASE_MILLISECONDS = 15 * 60 * 1000;

/** Thrown by a write of a sweep that no longer holds the lease: the sweep stops. */
export class SweepLeaseLost extends Error {
  constructor() {
    super('The discovery sweep lost its lease: another sweep may be running');
    this.name = 'SweepLeaseLost';
  }
}

export class HeldSweepLease {
  #lease: SweepLease;
  #lost = false;
  #stopped = false;
  #timer?: NodeJS.Timeout;
  #beat: Promise<void> = Promise.resolve();

  private readonly deps: SweepDependencies;

  private constructor(deps: SweepDependencies, lease: SweepLease) {
    this.deps = deps;
    this.#lease = lease;
  }

  /** Takes the lease and starts renewing it; undefined when another sweep holds it. */
  static async take(deps: SweepDependencies): Promise<HeldSweepLease | undefined> {
    const now = deps.now().getTime();
    const held = await deps.store.getSweepLease();
    if (held && Date.parse(held.leaseUntil) > now) return undefined;
    const lease: SweepLease = { holder: randomUUID(), leaseUntil: until(deps, now), version: held?.version ?? 1 };
    try {
      // Invariant: one sweep at a time — the lease is taken only if nobody took it since it was read.
      await deps.store.commit([{ op: held ? 'update' : 'create', entity: { type: 'sweep-lease', value: lease } }]);
    } catch (error) {
      if (error instanceof StoreConflict) return undefined;
      throw error;
    }
    const taken = new HeldSweepLease(deps, { ...lease, version: held ? held.version + 1 : lease.version });
    taken.#schedule();
    return taken;
  }

  /** The sweep's store: its writes fail with SweepLeaseLost once the lease is lost or ran out unrenewed. */
  get store(): Store {
    return new Proxy(this.deps.store, {
      get: (target, name) => {
        const value = Reflect.get(target, name, target);
        if (typeof value !== 'function') return value;
        if (name !== 'commit' && name !== 'writeObservations') return value.bind(target);
        return (...args: unknown[]) => {
          this.assertHeld();
          return value.apply(target, args);
        };
      },
    });
  }

  assertHeld(): void {
    if (this.#lost || this.deps.now().getTime() >= Date.parse(this.#lease.leaseUntil)) throw new SweepLeaseLost();
  }

  /** Stops renewing and gives the lease back, unless it was lost. */
  async release(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#beat;
    if (this.#lost) return;
    try {
      // Invariant: only the holder gives the lease back (after it expired, another sweep may hold it).
      await this.deps.store.commit([{ op: 'delete', entity: { type: 'sweep-lease', value: this.#lease } }]);
    } catch (error) {
      if (!(error instanceof StoreConflict)) throw error;
    }
  }

  #schedule(): void {
    if (this.#stopped || this.#lost) return;
    const every = (this.deps.sweepLease?.durationMs ?? LEASE_MILLISECONDS) / 3;
    this.#timer = setTimeout(() => {
      this.#beat = this.#renew().then(() => this.#schedule());
    }, every);
    // A heartbeat must not keep a finished process alive.
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    if (this.#stopped) return;
    const renewed: SweepLease = { ...this.#lease, leaseUntil: until(this.deps, this.deps.now().getTime()) };
    try {
      // Invariant: only the holder renews, at the version it holds: once another sweep took the
      // expired lease, the version moved on and this sweep learns it lost.
      await this.deps.store.commit([{ op: 'update', entity: { type: 'sweep-lease', value: renewed } }]);
      this.#lease = { ...renewed, version: renewed.version + 1 };
    } catch (error) {
      if (error instanceof StoreConflict) {
        this.#lost = true;
        this.deps.log.warn('discovery sweep lost its lease', { holder: this.#lease.holder });
      } else {
        // Transient: the next beat tries again; if none succeeds before leaseUntil, assertHeld stops the sweep.
        this.deps.log.error('could not renew the discovery sweep lease', { error });
      }
    }
  }
}

function until(deps: SweepDependencies, now: number): string {
  return new Date(now + (deps.sweepLease?.durationMs ?? LEASE_MILLISECONDS)).toISOString();
}
