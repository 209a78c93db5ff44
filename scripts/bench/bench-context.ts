// What every scenario works with: the real use cases on a fresh DynamoDB Local table, metered
// (requests, consumed capacity, lost transaction races), and small helpers to set pools up.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import { ensureTable } from '../../lambdas/adapters/dynamodb/table.ts';
import { PowertoolsLog } from '../../lambdas/adapters/log/powertools-log.ts';
import { LocalEventLog } from '../../lambdas/adapters/local/event-log.ts';
import { LocalWorkflowEngine } from '../../lambdas/adapters/local/workflow-engine.ts';
import { EmfMetrics } from '../../lambdas/adapters/metrics/emf-metrics.ts';
import type { Config } from '../../lambdas/config.ts';
import { dependencies, documentClient, dynamoDbClient } from '../../lambdas/hosts/dependencies.ts';
import { compareCidrs, lastAddress, parseCidr } from '../../lambdas/domain/cidr.ts';
import type { IpamPoolAllocation } from '../../lambdas/domain/model/pool.ts';
import { type Store, StoreConflict } from '../../lambdas/ports/store.ts';
import type { Dependencies, Input, Output } from '../../lambdas/use-cases/kernel/context.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { settleFreeSpace } from '../../lambdas/use-cases/warm-free-space.ts';
import { CapacityMeter } from './capacity.ts';

export interface BenchContext {
  deps: Dependencies;
  engine: LocalWorkflowEngine;
  store: Store;
  doc: DynamoDBDocumentClient;
  tableName: string;
  meter: CapacityMeter;
  /** Commits that lost a race (StoreConflict) so far; each one is retried by the use case. */
  conflicts: () => number;
  /** Waits for the work the calls so far left in the background (merges after releases, deleting delivered outbox entries). */
  settle(): Promise<void>;
  /** Runs an action like a decoded request from `accountId`, without waiting for workflows. */
  call(action: string, input: Input, accountId: string): Promise<Output>;
  /** A fresh account with an IPAM: its private scope holds the pools it creates. */
  newAccount(): Promise<{ accountId: string; scopeId: string }>;
  /** A pool in the account's private scope with `cidr` provisioned, ready for allocations. */
  newPool(account: { accountId: string; scopeId: string }, cidr: string): Promise<string>;
  stop(): void;
}

/** `store` with every lost commit race counted. */
function countingConflicts(store: Store, counter: { conflicts: number }): Store {
  return new Proxy(store, {
    get(target, property) {
      if (property === 'commit') {
        return async (...args: Parameters<Store['commit']>) => {
          try {
            return await target.commit(...args);
          } catch (error) {
            if (error instanceof StoreConflict) counter.conflicts++;
            throw error;
          }
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function createBenchContext(endpoint: string, config: Config, eventsFile: string): Promise<BenchContext> {
  const client = dynamoDbClient(endpoint);
  const doc = documentClient(client);
  const meter = new CapacityMeter(client);
  const tableName = `bench-${Date.now()}`;
  await ensureTable(client, tableName);
  const counter = { conflicts: 0 };
  const store = countingConflicts(new DynamoDbStore(doc, tableName), counter);
  // Wired as `npm start` wires it: events appended to a file, workflows on the local engine.
  const deps = dependencies(config, {
    store,
    workflows: (_, runTask) => new LocalWorkflowEngine({ runTask }),
    events: new LocalEventLog(eventsFile),
    forgetDelivered: 'in-background',
    // In a file beside the events: the discovery refresh after each CreateVpc publishes the IPAM's
    // metrics, which on stdout would bury the table.
    metrics: new EmfMetrics({ namespace: config.metricsNamespace, file: path.join(path.dirname(eventsFile), 'metrics.jsonl') }),
    log: new PowertoolsLog(new Logger({ serviceName: 'ipam-bench' })),
    defaultDiscoverySource: 'none',
    ec2Inventory: (options) => new Ec2Inventory(options),
    ec2Companions: 'embedded',
    // The bench's table is its own, as `npm start`'s is (warm-free-space.ts).
    soleServerSince: new Date(),
  });
  const engine = deps.workflows;
  let accounts = 0;
  const call = (action: string, input: Input, accountId: string) =>
    dispatch(deps, { accountId, region: 'us-east-1', requestId: randomUUID() }, action, input);
  return {
    deps,
    engine,
    store: deps.store,
    doc,
    tableName,
    meter,
    conflicts: () => counter.conflicts,
    async settle() {
      await settleFreeSpace(deps.store);
      await deps.outboxForgetter.flush();
    },
    call,
    async newAccount() {
      const accountId = String(200_000_000_000 + ++accounts);
      const { Ipam } = (await call('CreateIpam', {}, accountId)) as { Ipam: { PrivateDefaultScopeId: string } };
      await engine.drain();
      return { accountId, scopeId: Ipam.PrivateDefaultScopeId };
    },
    async newPool({ accountId, scopeId }, cidr) {
      const family = parseCidr(cidr).family;
      const { IpamPool } = (await call('CreateIpamPool', { IpamScopeId: scopeId, AddressFamily: family }, accountId)) as {
        IpamPool: { IpamPoolId: string };
      };
      await engine.drain();
      await provision(call, engine, accountId, IpamPool.IpamPoolId, cidr);
      return IpamPool.IpamPoolId;
    },
    stop: () => client.destroy(),
  };
}

/** Provisions `cidr` to the pool and waits until it is provisioned (throws if it ends otherwise). */
export async function provision(
  call: BenchContext['call'],
  engine: LocalWorkflowEngine,
  accountId: string,
  poolId: string,
  cidr: string,
): Promise<void> {
  const { IpamPoolCidr } = (await call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: cidr }, accountId)) as {
    IpamPoolCidr: { IpamPoolCidrId: string };
  };
  await engine.drain();
  const { IpamPoolCidrs } = (await call('GetIpamPoolCidrs', { IpamPoolId: poolId }, accountId)) as {
    IpamPoolCidrs: { IpamPoolCidrId: string; State: string }[];
  };
  const state = IpamPoolCidrs.find((record) => record.IpamPoolCidrId === IpamPoolCidr.IpamPoolCidrId)?.State;
  if (state !== 'provisioned') throw new Error(`provisioning ${cidr} to ${poolId} ended in ${state}`);
}

/** Allocations that share an address with another: sorted by start, each must end before the next starts. */
export function overlaps(allocations: readonly IpamPoolAllocation[]): string[] {
  const sorted = allocations
    .map((allocation) => ({ text: allocation.Cidr, cidr: parseCidr(allocation.Cidr) }))
    .sort((a, b) => compareCidrs(a.cidr, b.cidr));
  const found: string[] = [];
  for (let index = 1; index < sorted.length; index++) {
    const previous = sorted[index - 1];
    const current = sorted[index];
    if (previous.cidr.family === current.cidr.family && lastAddress(previous.cidr) >= current.cidr.start)
      found.push(`${previous.text} / ${current.text}`);
  }
  return found;
}
