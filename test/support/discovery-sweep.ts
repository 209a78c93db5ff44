// Discovery sweeps over the use-case harness: a static inventory file in a temp dir (rewritten
// by the test between sweeps), recorded metrics, and a clock that moves five minutes per sweep.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { StaticInventoryFile } from '../../lambdas/adapters/local/inventory-file.ts';
import type { Tag } from '../../lambdas/domain/model/record.ts';
import type { InventorySnapshot } from '../../lambdas/domain/inventory.ts';
import type { OrganizationDirectory } from '../../lambdas/ports/organization.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import type { SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { runDiscoverySweep, type SweepReport } from '../../lambdas/use-cases/sweep/discovery-sweep.ts';
import { RecordingMetrics } from './recording-metrics.ts';
import { createUseCaseHarness, type UseCaseHarness } from './use-cases.ts';

export const OWNER = '123456789012';
export const MEMBER = '111122223333';
/** The schedule's default interval (DN-41). */
const SWEEP_INTERVAL_MS = 5 * 60 * 1000;

/** `{ "<account>": { "<region>": { vpcs, subnets, … } } }` — the file's `accounts` object. */
export type Inventory = Record<string, Record<string, Partial<Record<keyof InventorySnapshot, object[]>>>>;

export interface SweepHarness {
  harness: UseCaseHarness;
  deps: SweepDependencies;
  metrics: RecordingMetrics;
  /** The time the next sweep samples at; tests may move it (e.g. past a crashed sweep's lease). */
  clock: { now: Date };
  writeInventory(accounts: Inventory): Promise<void>;
  /** Moves the clock one interval on and runs a sweep. */
  sweep(deps?: SweepDependencies): Promise<SweepReport>;
  /** Deletes the temp dir. */
  close(): Promise<void>;
}

export async function createSweepHarness(
  options: { memberAccounts?: string[]; organization?: OrganizationDirectory; pauseBeforeTask?: string } = {},
): Promise<SweepHarness> {
  const harness = await createUseCaseHarness({ organization: options.organization, pauseBeforeTask: options.pauseBeforeTask });
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-sweep-'));
  const file = path.join(dir, 'inventory.json');
  await writeFile(file, JSON.stringify({ accounts: {} }));
  const metrics = new RecordingMetrics();
  // Whole seconds; a day back, so that sweeps (five minutes apart) stay in the past of the
  // harness's real clock, which GetIpamAddressHistory and the other actions use for "now".
  const clock = { now: new Date(Math.floor(Date.now() / 1000) * 1000 - 86_400_000) };
  const deps: SweepDependencies = {
    ...harness.deps,
    now: () => clock.now,
    inventory: new StaticInventoryFile(file),
    metrics,
    discovery: { administratorAccount: '123456789012', memberAccounts: options.memberAccounts ?? [], utilisationThresholds: [80, 90] },
  };
  return {
    harness,
    deps,
    metrics,
    clock,
    writeInventory: (accounts) => writeFile(file, JSON.stringify({ accounts })),
    sweep: (sweepDeps = deps) => {
      clock.now = new Date(clock.now.getTime() + SWEEP_INTERVAL_MS);
      return runDiscoverySweep(sweepDeps);
    },
    close: async () => {
      await harness.engine.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// Inventory records as the file holds them; the owner defaults to the account they are listed under.
export const vpc = (VpcId: string, Cidrs: string[], Tags: Tag[] = []) => ({ VpcId, Cidrs, Tags });
export const subnet = (SubnetId: string, VpcId: string, Cidrs: string[], AvailableIpAddressCount?: number) => ({
  SubnetId,
  VpcId,
  Cidrs,
  AvailabilityZoneId: 'use1-az1',
  AvailableIpAddressCount,
});

/** A store whose process dies after `allowed` commits: every later commit throws. */
export function dyingStore(store: Store, allowed: number): Store {
  let commits = 0;
  return new Proxy(store, {
    get(target, name) {
      if (name === 'commit') {
        return async (writes: Parameters<Store['commit']>[0]) => {
          if (writes.length > 0 && ++commits > allowed) throw new Error('simulated crash');
          return target.commit(writes);
        };
      }
      const value = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
