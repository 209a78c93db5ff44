// Discovery sweeps over the use-case harness: a static inventory file in a temp dir (rewritten
// by the test between sweeps), recorded metrics, and a clock that moves five minutes per sweep.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { InMemoryStore } from '../../lambdas/adapters/memory/store.ts';
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

/** A gate a test opens: `reached` resolves when the code first arrives at it, which then waits for `open()`. */
export interface Gate {
  reached: Promise<void>;
  open(): void;
}

function gate(): Gate & { pass(): Promise<void> } {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  return {
    reached,
    open: () => release(),
    pass: () => {
      arrive();
      return opened;
    },
  };
}

/** The sweep's inventory, held up at every read until the gate opens: the sweep has read the resource discoveries, nothing written yet. */
export function pausedInventory(deps: SweepDependencies): { inventory: SweepDependencies['inventory']; gate: Gate } {
  const held = gate();
  return {
    gate: held,
    inventory: {
      read: async (accountId, region) => {
        await held.pass();
        return deps.inventory.read(accountId, region);
      },
    },
  };
}

/** A store that holds up the first call of `method` (after it read) until the gate opens. */
export function pausedStore(store: Store, method: keyof Store): { store: Store; gate: Gate } {
  const held = gate();
  let first = true;
  return {
    gate: held,
    store: new Proxy(store, {
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== 'function') return value;
        if (name !== method) return value.bind(target);
        return async (...args: unknown[]) => {
          const result = await value.apply(target, args);
          if (first) {
            first = false;
            await held.pass();
          }
          return result;
        };
      },
    }),
  };
}

/**
 * Every item of the store's table, as stored (a scan; for tests that look for leftovers). Reads
 * the adapters' private state: there is no scan in the Store contract, on purpose.
 */
export async function everyItem(store: Store): Promise<Record<string, unknown>[]> {
  if (store instanceof InMemoryStore) {
    const partitions = (store as unknown as { partitions: Map<string, { items: Map<string, Record<string, unknown>> }> }).partitions;
    return [...partitions.values()].flatMap((partition) => [...partition.items.values()]);
  }
  const { doc, tableName } = store as unknown as { doc: DynamoDBDocumentClient; tableName: string };
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
