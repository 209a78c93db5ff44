// The supervisor around DynamoDB Local, with stand-in JVMs: it restarts one that died, a bounded
// number of times, lets calls through only once the store is back, and says when it gives up.
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import type { DynamoDbLocalExit, RunningDynamoDbLocal } from '../../../lambdas/adapters/local/dynamodb-local.ts';
import { failWhileStoreDown, type StoreState, SupervisedDynamoDbLocal } from '../../../lambdas/adapters/local/supervised-dynamodb-local.ts';

interface FakeStore extends RunningDynamoDbLocal {
  crash(): void;
  stopped: boolean;
}

/** Stand-ins for DynamoDB Local: each start makes one with the next pid, or fails when told to. */
function fakeStarts(options: { failFrom?: number } = {}) {
  const stores: FakeStore[] = [];
  const start = async (): Promise<RunningDynamoDbLocal> => {
    if (options.failFrom !== undefined && stores.length >= options.failFrom) {
      stores.push(undefined as unknown as FakeStore); // counts the attempt
      throw new Error('Port 8000 is already in use');
    }
    let crash!: (exit: DynamoDbLocalExit) => void;
    const store: FakeStore = {
      endpoint: 'http://127.0.0.1:8000',
      port: 8000,
      pid: 1000 + stores.length,
      unexpectedExit: new Promise((resolve) => (crash = resolve)),
      crash: () => crash({ code: null, signal: 'SIGKILL' }),
      stopped: false,
      stop: async () => {
        store.stopped = true;
      },
    };
    stores.push(store);
    return store;
  };
  return { stores, start };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe('SupervisedDynamoDbLocal', () => {
  it('restarts a store that died, recovers it, and only then reports ok', async () => {
    const { stores, start } = fakeStarts();
    const recovered: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const supervisor = await SupervisedDynamoDbLocal.start({
      start,
      recover: async (store) => void recovered.push(store.pid),
      beforeRestart: () => held,
    });
    expect([supervisor.state, supervisor.pid]).toEqual(['ok', 1000]);

    stores[0]!.crash();
    await until(() => supervisor.state === 'restarting');
    release();
    await until(() => supervisor.state === 'ok');
    expect([supervisor.pid, recovered]).toEqual([1001, [1001]]);

    await supervisor.stop();
    expect(stores[1]!.stopped).toBe(true);
  });

  it('gives up, with one sentence, when the store dies more often than it may be restarted', async () => {
    const { stores, start } = fakeStarts();
    const supervisor = await SupervisedDynamoDbLocal.start({ start, recover: async () => {}, maxRestarts: 2, windowMs: 60_000 });
    for (const index of [0, 1]) {
      stores[index]!.crash();
      await until(() => stores.length === index + 2 && supervisor.state === 'ok');
    }
    stores[2]!.crash();
    const error = await supervisor.failed;
    expect(supervisor.state).toBe('failed');
    expect(error.message).toBe(
      'DynamoDB Local stopped and could not be kept running (2 restarts within 60 s), so the IPAM is stopping; its data is kept in the data directory.',
    );
    expect(stores).toHaveLength(3);
  });

  it('gives up when the restarts themselves fail', async () => {
    const { stores, start } = fakeStarts({ failFrom: 1 });
    const supervisor = await SupervisedDynamoDbLocal.start({ start, recover: async () => {}, retryDelayMs: 1 });
    stores[0]!.crash();
    await supervisor.failed;
    expect(stores).toHaveLength(4); // the first start and three tries
  });

  it('does not restart a store it was told to stop', async () => {
    const { stores, start } = fakeStarts();
    const supervisor = await SupervisedDynamoDbLocal.start({ start, recover: async () => {} });
    stores[0]!.crash(); // as Ctrl-C does: the JVM gets SIGINT as well, just before our stop()
    await supervisor.stop();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect([stores.length, supervisor.state]).toEqual([1, 'ok']);
  });
});

describe('failWhileStoreDown', () => {
  it('answers Unavailable at once while the store is down, and when the store cannot be reached', async () => {
    let state: StoreState = 'restarting';
    // Nothing listens on port 9 of the loopback address.
    const client = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    failWhileStoreDown(client, () => state);
    for (const expected of ['restarting', 'ok'] as const) {
      state = expected;
      const error = await client.send(new ListTablesCommand({})).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(IpamError);
      expect((error as IpamError).code).toBe('Unavailable');
      expect((error as IpamError).httpStatus).toBe(503);
    }
    client.destroy();
  });
});
