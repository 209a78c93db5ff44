// Use cases wired to a fresh store, for tests below the HTTP layer: in memory, or a new DynamoDB
// Local table with IPAM_TEST_STORE=dynamodb (test/support/test-store.ts).
import { DynamoDbStore } from '../../lambdas/adapters/dynamodb/store.ts';
import { Ec2Inventory } from '../../lambdas/adapters/ec2-inventory/ec2-inventory.ts';
import { LocalEventLog } from '../../lambdas/adapters/local/event-log.ts';
import { InMemoryStore } from '../../lambdas/adapters/memory/store.ts';
import { loadConfig } from '../../lambdas/config.ts';
import type { Ec2Upstream } from '../../lambdas/ports/ec2-upstream.ts';
import type { OrganizationDirectory } from '../../lambdas/ports/organization.ts';
import type { InstanceRegistry } from '../../lambdas/ports/ec2-instances.ts';
import type { RegistryLookup } from '../../lambdas/ports/registry.ts';
import type { Store } from '../../lambdas/ports/store.ts';
import { LocalWorkflowEngine, type TaskRunner } from '../../lambdas/adapters/local/workflow-engine.ts';
import type { TaskEvent, Workflows } from '../../lambdas/ports/workflows.ts';
import { dependencies } from '../../lambdas/hosts/dependencies.ts';
import type { RequestContext, SweepDependencies } from '../../lambdas/use-cases/kernel/context.ts';
import { reconcileWorkflows } from '../../lambdas/use-cases/kernel/reconcile.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { createTestTable } from './dynamodb.ts';
import { RecordingLog } from './recording-log.ts';
import { RecordingMetrics } from './recording-metrics.ts';
import { TEST_STORE } from './test-store.ts';

export interface UseCaseHarness {
  deps: SweepDependencies;
  store: Store;
  engine: LocalWorkflowEngine;
  context: RequestContext;
  /** Every event the use cases published, in memory. */
  events: LocalEventLog;
  /** Runs an action as the default account in us-east-1, like a decoded request would. */
  call(action: string, input: Record<string, unknown>, context?: Partial<RequestContext>): Promise<any>;
}

export interface UseCaseHarnessOptions {
  /** Another harness's store: a second process on the same data, e.g. the one started after a crash. */
  store?: Store;
  /** Stands between the engine and the real task runner (`run`), e.g. to make a task throw or count its runs. */
  wrapTask?: (event: TaskEvent, run: TaskRunner) => Promise<Record<string, unknown>>;
  /**
   * Crash rehearsal (LocalWorkflowEngineOptions.pauseBeforeTask). A paused execution keeps
   * engine.drain(), and so call(), waiting until engine.stop(): send requests that reach the
   * paused task with dispatch(harness.deps, harness.context, …) instead.
   */
  pauseBeforeTask?: string;
  /** Where BYOIP verification looks; tests point it at test/support/registry-servers.ts. Default: the configured one. */
  registry?: RegistryLookup;
  /** The organisations (e.g. a MemoryOrganizationDirectory of test/support/organization.ts); default: the configured default one. */
  organization?: OrganizationDirectory;
  /** An upstream EC2 endpoint: the EC2 companions are then in forwarding mode (default embedded). */
  ec2Upstream?: Ec2Upstream;
  /** Stands between the use cases (and the reconciler) and the engine, e.g. to make starts fail (test/support/faults.ts). */
  wrapWorkflows?: (engine: Workflows) => Workflows;
  /** As `npm start` sets it (Dependencies.soleServerSince): this harness alone writes its store. */
  soleServerSince?: Date;
  /** Where Elastic IPs find instances (e.g. an InstancesFile); default as configured (none, or the upstream's). */
  instances?: InstanceRegistry;
}

export async function createUseCaseHarness(options: UseCaseHarnessOptions = {}): Promise<UseCaseHarness> {
  const store = options.store ?? (await newTestStore());
  const events = new LocalEventLog();
  const { wrapTask, pauseBeforeTask, wrapWorkflows } = options;
  let engine!: LocalWorkflowEngine;
  // Wired as `npm start` wires it (lambdas/hosts/local/service.ts), with the events kept in memory.
  const deps = dependencies(loadConfig(), {
    store,
    registry: options.registry,
    organization: options.organization,
    paginationSecret: 'test-secret',
    workflows: (_, runTask): Workflows => {
      engine = new LocalWorkflowEngine({ runTask: wrapTask ? (event) => wrapTask(event, runTask) : runTask, pauseBeforeTask });
      return wrapWorkflows?.(engine) ?? engine;
    },
    events,
    forgetDelivered: 'in-background',
    metrics: new RecordingMetrics(),
    log: new RecordingLog(),
    defaultDiscoverySource: 'none',
    ec2Inventory: (inventoryOptions) => new Ec2Inventory(inventoryOptions),
    soleServerSince: options.soleServerSince,
    instances: options.instances,
    ...(options.ec2Upstream ? { ec2Companions: 'forwarding', ec2Upstream: options.ec2Upstream } : { ec2Companions: 'embedded' }),
  });
  const context: RequestContext = { accountId: '123456789012', region: 'us-east-1', requestId: 'test' };
  return {
    deps,
    store,
    context,
    engine,
    events,
    // Like a user who waits for each operation to settle before the next (as the guide polls).
    call: async (action, input, overrides = {}) => {
      try {
        return await dispatch(deps, { ...context, ...overrides }, action, input);
      } finally {
        await engine.drain();
      }
    },
  };
}

/** A request to a harness whose engine may pause: call() would wait for the paused execution for ever. */
export const send = (harness: UseCaseHarness, action: string, input: Record<string, unknown>) =>
  dispatch(harness.deps, harness.context, action, input) as Promise<any>;

/** The process after a crash (a paused harness): new dependencies on the same store, resuming what was left open. */
export async function restart(crashed: UseCaseHarness) {
  await crashed.engine.stop();
  const tracker = taskTracker();
  const harness = await createUseCaseHarness({ store: crashed.store, wrapTask: tracker.wrapTask });
  const open = await harness.store.listOpenExecutions();
  const resumed = await reconcile(harness);
  await harness.engine.drain();
  return { harness, open, resumed, tasks: tracker.events.map((event) => event.task) };
}

/** One reconciler run with no grace period, as `npm start` runs it at start-up: how many executions it started again. */
export async function reconcile(harness: UseCaseHarness): Promise<number> {
  return (await reconcileWorkflows(harness.deps, { graceSeconds: 0 })).restarted.length;
}

/** An empty store of the kind the run selected. */
export async function newTestStore(): Promise<Store> {
  if (TEST_STORE === 'memory') return new InMemoryStore();
  const { doc, tableName } = await createTestTable();
  return new DynamoDbStore(doc, tableName);
}

/** An IPAM with one private IPv4 pool holding `cidr`, ready for allocations. */
export async function poolWithCidr(harness: UseCaseHarness, cidr: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  const { Ipam } = await harness.call('CreateIpam', {});
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: family });
  const { IpamPoolCidr } = await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  const state = await poolCidrState(harness, IpamPool.IpamPoolId, IpamPoolCidr.IpamPoolCidrId);
  if (state !== 'provisioned') throw new Error(`provisioning ${cidr} ended in ${state}`);
  return { ipam: Ipam, pool: IpamPool };
}

/** The state a pool CIDR settled in, as GetIpamPoolCidrs reports it. */
export async function poolCidrState(harness: UseCaseHarness, poolId: string, poolCidrId: string): Promise<string | undefined> {
  const { IpamPoolCidrs } = await harness.call('GetIpamPoolCidrs', { IpamPoolId: poolId });
  return IpamPoolCidrs.find((record: { IpamPoolCidrId: string }) => record.IpamPoolCidrId === poolCidrId)?.State;
}

/** What a wrapped task does on its nth run (1-based) before the real one: returning an error throws it instead. */
export type TaskScript = Record<string, (nth: number, event: TaskEvent) => Error | undefined>;

/**
 * A wrapTask that records every task the engine runs and throws where `script` says (the script
 * can be changed while the harness runs). executions() finds the executions whose args match.
 */
export function taskTracker(script: TaskScript = {}) {
  const events: TaskEvent[] = [];
  const wrapTask = async (event: TaskEvent, run: TaskRunner): Promise<Record<string, unknown>> => {
    events.push(structuredClone(event));
    const error = script[event.task]?.(events.filter((seen) => seen.task === event.task).length, event);
    if (error) throw error;
    return run(event);
  };
  /** Executions whose args match, in the order they first ran a task: each id and its tasks in order. */
  const executions = (match: (args: Record<string, unknown>) => boolean) =>
    [...new Set(events.filter((event) => match(event.args)).map((event) => event.executionId))].map((executionId) => ({
      executionId,
      tasks: events.filter((event) => event.executionId === executionId).map((event) => event.task),
    }));
  return { script, events, wrapTask, executions };
}
