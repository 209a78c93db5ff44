// DynamoDB Local under `npm start` is one JVM: when it dies (a kill -9, the OOM killer, a crash)
// the service must not go on answering every call with InternalError. The supervisor notices the
// unexpected exit, restarts it on the same port and data directory (the data is on disk) a bounded
// number of times, and says when it gives up. Meanwhile the store's client fails fast with
// EC2's `Unavailable` (HTTP 503), which AWS clients retry.
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@aws-lambda-powertools/logger';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StoreUnavailable } from '../../ports/store.ts';
import { type DynamoDbLocalExit, LocalSetupError, type RunningDynamoDbLocal } from './dynamodb-local.ts';

/** `failed`: restarts ran out; the service is going down. */
export type StoreState = 'ok' | 'restarting' | 'failed';

interface SupervisorOptions {
  /** Starts DynamoDB Local; on the same port and data directory every time. */
  start: () => Promise<RunningDynamoDbLocal>;
  /** After a restart, before calls are let through again (the table). */
  recover: (store: RunningDynamoDbLocal) => Promise<void>;
  /** After a restart, once calls are let through again (resuming workflows). */
  onRecovered?: (store: RunningDynamoDbLocal) => void;
  /** At most this many restarts within `windowMs`; one more exit and the supervisor gives up. */
  maxRestarts?: number;
  windowMs?: number;
  /** Pause between a failed restart and the next try. */
  retryDelayMs?: number;
  /** Awaited before each restart; tests hold a restart back here to see the service while down. */
  beforeRestart?: () => Promise<void>;
}

const logger = new Logger({ serviceName: 'ipam-local' });

/**
 * How long an exit waits before it counts as a crash: Ctrl-C sends SIGINT to the JVM too (same
 * process group), and its exit can be seen just before our own shutdown calls stop().
 */
const EXIT_SETTLE_MS = 250;

export class SupervisedDynamoDbLocal {
  readonly #options: Required<Omit<SupervisorOptions, 'onRecovered' | 'beforeRestart'>> &
    Pick<SupervisorOptions, 'onRecovered' | 'beforeRestart'>;
  #current: RunningDynamoDbLocal;
  #state: StoreState = 'ok';
  #stopping = false;
  readonly #restartTimes: number[] = [];
  #giveUp!: (error: LocalSetupError) => void;
  /** Resolves with a one-sentence error once DynamoDB Local cannot be restarted; else never. */
  readonly failed = new Promise<LocalSetupError>((resolve) => (this.#giveUp = resolve));

  private constructor(first: RunningDynamoDbLocal, options: SupervisorOptions) {
    this.#options = { maxRestarts: 3, windowMs: 60_000, retryDelayMs: 1_000, ...options };
    this.#current = first;
    this.#watch(first);
  }

  static async start(options: SupervisorOptions): Promise<SupervisedDynamoDbLocal> {
    return new SupervisedDynamoDbLocal(await options.start(), options);
  }

  get state(): StoreState {
    return this.#state;
  }

  get endpoint(): string {
    return this.#current.endpoint;
  }

  /** The JVM serving now (or the one that last did). */
  get pid(): number {
    return this.#current.pid;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#current.stop();
  }

  #watch(store: RunningDynamoDbLocal): void {
    void store.unexpectedExit.then((exit) => this.#restartAfter(store, exit));
  }

  async #restartAfter(dead: RunningDynamoDbLocal, exit: DynamoDbLocalExit): Promise<void> {
    await sleep(EXIT_SETTLE_MS);
    if (this.#stopping) return;
    this.#state = 'restarting';
    logger.error('DynamoDB Local exited unexpectedly; API calls answer 503 Unavailable until it is back', {
      pid: dead.pid,
      exitCode: exit.code,
      signal: exit.signal,
    });
    const { maxRestarts, windowMs } = this.#options;
    for (;;) {
      const now = Date.now();
      while (this.#restartTimes.length > 0 && now - this.#restartTimes[0]! >= windowMs) this.#restartTimes.shift();
      if (this.#restartTimes.length >= maxRestarts) {
        this.#state = 'failed';
        this.#giveUp(
          new LocalSetupError(
            `DynamoDB Local stopped and could not be kept running (${maxRestarts} restarts within ${windowMs / 1000} s), so the IPAM is stopping; its data is kept in the data directory.`,
          ),
        );
        return;
      }
      this.#restartTimes.push(now);
      logger.warn('restarting DynamoDB Local', { attempt: this.#restartTimes.length, maxRestarts, withinSeconds: windowMs / 1000 });
      let next: RunningDynamoDbLocal | undefined;
      try {
        await this.#options.beforeRestart?.();
        if (this.#stopping) return;
        next = await this.#options.start();
        this.#current = next;
        if (this.#stopping) return void (await next.stop());
        await this.#options.recover(next);
      } catch (error) {
        logger.error('DynamoDB Local did not restart', { error: error instanceof Error ? error.message : String(error) });
        // A JVM that started but did not recover is not trusted: stop it, and try again afresh.
        await next?.stop();
        await sleep(this.#options.retryDelayMs);
        if (this.#stopping) return;
        continue;
      }
      this.#state = 'ok';
      logger.warn('DynamoDB Local is back; the IPAM answers calls again', { pid: next.pid });
      this.#watch(next);
      this.#options.onRecovered?.(next);
      return;
    }
  }
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

function isConnectionError(error: unknown): boolean {
  const { code, name } = error as { code?: string; name?: string };
  return (code !== undefined && CONNECTION_ERRORS.has(code)) || name === 'TimeoutError';
}

// StoreUnavailable, like a DynamoDB that stays unavailable through retries: a workflow task retries it.
const unavailable = () =>
  new StoreUnavailable('The IPAM store (DynamoDB Local) is restarting and cannot serve requests right now; retry the request');

/**
 * Makes the store's client fail with IpamError `Unavailable` while the store is not `ok`, at once
 * rather than after the SDK's retries, and when a call could not reach it at all.
 */
export function failWhileStoreDown(client: DynamoDBClient, state: () => StoreState): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      if (state() !== 'ok') throw unavailable();
      try {
        return await next(args);
      } catch (error) {
        if (state() !== 'ok' || isConnectionError(error)) throw unavailable();
        throw error;
      }
    },
    { step: 'initialize', name: 'failWhileStoreDown' },
  );
}
