// Workflows under `npm start`: the same statemachines/*.asl.json that Step Functions runs, executed
// in-process by aws-local-stepfunctions, every Task state bound to the task runner instead of the
// workflow-task Lambda.
//
// Durability comes from the execution records, not from this engine: a use case commits an open
// record with the pending state, the workflow's finishExecution task closes it, and every task is
// idempotent. So after a crash the reconciler (use-cases/kernel/reconcile.ts) simply runs each open
// execution this engine is not running again from its first state (resume()).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { WorkflowName } from '../../domain/model/execution.ts';
import type { TaskEvent, TaskRunner, WorkflowInput, WorkflowStart, Workflows } from '../../ports/workflows.ts';

export type { TaskRunner };

/** A Powertools Logger fits. */
export interface WorkflowLog {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
  error(message: string, fields: Record<string, unknown>): void;
}

export interface LocalWorkflowEngineOptions {
  runTask: TaskRunner;
  /** Where the *.asl.json files are; defaults to the project's statemachines/. */
  statemachinesDir?: string;
  /** Pause before every retry, instead of the ASL's IntervalSeconds × BackoffRate^n (no backoff). */
  retryIntervalMs?: number;
  /**
   * Crash rehearsal: an execution that reaches a Task with this task name stops there for good,
   * as if the process died just before the task; its record stays open for the next start.
   */
  pauseBeforeTask?: string;
  log?: WorkflowLog;
}

/** What `${WorkflowTaskFunctionArn}` becomes locally; only its shape matters (the ASL validator checks it). */
export const LOCAL_TASK_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:ipam-workflow-task';
const DEFAULT_RETRY_INTERVAL_MS = 50;
const DEFAULT_STATEMACHINES_DIR = fileURLToPath(new URL('../../../statemachines/', import.meta.url));

type LocalTaskHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type JsonInput = Parameters<StateMachine['run']>[0];

interface StateDefinition {
  Type: string;
  Retry?: unknown[];
}

interface LoadedWorkflow {
  machine: StateMachine;
  taskStates: readonly string[];
  retryingStates: readonly string[];
}

/**
 * Loaded workflows by file, shared by every engine of the process: validating a definition
 * (asl-validator) takes hundreds of milliseconds, and a StateMachine keeps nothing of a run —
 * each run() has its own state and options — so one instance serves all concurrent executions.
 */
const loadedWorkflows = new Map<string, Promise<LoadedWorkflow>>();

interface Running {
  /** Settles when the execution has ended (or, if paused, when the engine stops). */
  done: Promise<void>;
}

/** Thrown into a paused Task after its execution was aborted, so the state ends without running anything. */
class ExecutionPaused extends Error {
  constructor(task: string) {
    super(`Paused before task ${task}`);
    this.name = 'ExecutionPaused';
  }
}

/**
 * The Catch of a Lambda Task gets `{ Error: errorType, Cause: <JSON of the Lambda error> }` from
 * Step Functions; aws-local-stepfunctions takes Error from `error.name` and Cause from
 * `error.message`. Rethrowing with the Lambda error JSON as the message gives the failure tasks
 * the same $.error in both homes.
 */
function asLambdaError(error: unknown): Error {
  const errorType = error instanceof Error ? error.name : 'Error';
  const errorMessage = error instanceof Error ? error.message : String(error);
  const failure = new Error(JSON.stringify({ errorType, errorMessage }));
  failure.name = errorType;
  return failure;
}

export class LocalWorkflowEngine implements Workflows {
  private readonly runTask: TaskRunner;
  private readonly statemachinesDir: string;
  private readonly retryIntervalMs: number;
  private readonly pauseBeforeTask: string | undefined;
  private readonly log: WorkflowLog;
  private readonly running = new Map<string, Running>();
  /** Releases every paused execution; called by stop(). */
  private readonly releasePaused = new Set<() => void>();
  private stopping = false;

  constructor(options: LocalWorkflowEngineOptions) {
    this.runTask = options.runTask;
    this.statemachinesDir = options.statemachinesDir ?? DEFAULT_STATEMACHINES_DIR;
    this.retryIntervalMs = options.retryIntervalMs ?? DEFAULT_RETRY_INTERVAL_MS;
    this.pauseBeforeTask = options.pauseBeforeTask;
    this.log = options.log ?? new Logger({ serviceName: 'ipam-workflows' });
  }

  /** Launches the execution in the background. A start for an execution already running here is ignored. */
  async start(start: WorkflowStart): Promise<void> {
    if (this.stopping) {
      // Its record is open already: the next start of the service resumes it.
      this.log.warn('workflow not started: the engine is stopping', { executionId: start.executionId, workflow: start.workflow });
      return;
    }
    if (this.running.has(start.executionId)) return;
    // Load before launching so that a missing or invalid file fails the caller, not a background task.
    const workflow = await this.load(start.workflow);
    if (this.running.has(start.executionId)) return;
    this.launch(workflow, start);
  }

  /** One process runs the workflows of a data directory (its lock), so not running here is not running. */
  async resume(start: WorkflowStart): Promise<'running' | 'started'> {
    if (this.running.has(start.executionId)) return 'running';
    await this.start(start);
    return 'started';
  }

  /** Resolves once no execution is running, including any started while waiting. Paused ones count as running. */
  async drain(): Promise<void> {
    while (this.running.size > 0) {
      await Promise.all([...this.running.values()].map((running) => running.done));
    }
  }

  /** Refuses new starts, lets running executions finish, and drops paused ones (their records stay open). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const release of this.releasePaused) release();
    await this.drain();
  }

  private launch(workflow: LoadedWorkflow, start: WorkflowStart): void {
    const { executionId } = start;
    let aborted = false;
    let releasePause: (() => void) | undefined;
    const paused = new Promise<void>((resolve) => (releasePause = resolve));

    let execution: ReturnType<StateMachine['run']> | undefined;
    const runTaskState = async (input: unknown): Promise<unknown> => {
      // The first Task is called synchronously from run(), before `execution` is assigned.
      await Promise.resolve();
      const event = input as TaskEvent;
      if (aborted) throw new ExecutionPaused(event.task);
      if (event.task === this.pauseBeforeTask) {
        // Abort first: once the state machine sees the abort it enters no further state, so the
        // failure thrown below is never retried into the task nor caught into the failure branch.
        aborted = true;
        execution!.abort();
        this.releasePaused.add(releasePause!);
        if (this.stopping) releasePause!();
        this.log.warn('workflow paused before task', { executionId, workflow: start.workflow, task: event.task });
        throw new ExecutionPaused(event.task);
      }
      try {
        return await this.runTask(event);
      } catch (error) {
        if (!(error instanceof Error && error.name === 'StoreConflict')) {
          this.log.warn('workflow task failed', { executionId, workflow: start.workflow, task: event.task, error });
        }
        throw asLambdaError(error);
      }
    };

    const input: WorkflowInput = { executionId, args: start.args };
    execution = workflow.machine.run(input as unknown as JsonInput, {
      noThrowOnAbort: true,
      overrides: {
        taskResourceLocalHandlers: Object.fromEntries(workflow.taskStates.map((state) => [state, runTaskState as LocalTaskHandler])),
        retryIntervalOverrides: Object.fromEntries(workflow.retryingStates.map((state) => [state, this.retryIntervalMs])),
      },
    });
    const ended = execution.result.then(
      () => {
        if (!aborted) this.log.info('workflow ended', { executionId, workflow: start.workflow });
      },
      (error: unknown) => {
        // Only a task that kept failing with no Catch left (finishExecution itself) gets here.
        this.log.error('workflow failed; its execution stays open until the reconciler resumes it', {
          executionId,
          workflow: start.workflow,
          error,
        });
      },
    );
    const done = ended
      .then(() => (aborted ? paused : undefined))
      .finally(() => {
        this.running.delete(executionId);
        this.releasePaused.delete(releasePause!);
      });
    this.running.set(executionId, { done });
  }

  private load(name: WorkflowName): Promise<LoadedWorkflow> {
    const file = path.join(this.statemachinesDir, `${name}.asl.json`);
    let loaded = loadedWorkflows.get(file);
    if (!loaded) {
      loaded = readDefinition(file);
      // A failed load is not cached: the file may be fixed before the next start.
      loaded.catch(() => loadedWorkflows.delete(file));
      loadedWorkflows.set(file, loaded);
    }
    return loaded;
  }
}

async function readDefinition(file: string): Promise<LoadedWorkflow> {
  // The same substitution CDK makes with definitionSubstitutions.
  const text = (await readFile(file, 'utf8')).replaceAll('${WorkflowTaskFunctionArn}', LOCAL_TASK_FUNCTION_ARN);
  const unsubstituted = text.match(/\$\{[A-Za-z0-9_]+\}/);
  if (unsubstituted) throw new Error(`${file} uses ${unsubstituted[0]}, which the local engine does not substitute`);
  const definition = JSON.parse(text) as StateMachineDefinition;
  const states = Object.entries(definition.States as Record<string, StateDefinition>);
  return {
    // The constructor validates the definition (asl-validator) and throws if it is invalid.
    machine: new StateMachine(definition),
    taskStates: states.filter(([, state]) => state.Type === 'Task').map(([stateName]) => stateName),
    retryingStates: states.filter(([, state]) => state.Retry !== undefined).map(([stateName]) => stateName),
  };
}
