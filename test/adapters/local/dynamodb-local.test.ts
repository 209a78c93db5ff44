// The DynamoDB Local launcher: real JVMs, started and stopped the way `npm start` does it.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../lambdas/adapters/dynamodb/table.ts';
import { LocalSetupError, type RunningDynamoDbLocal, startDynamoDbLocal } from '../../../lambdas/adapters/local/dynamodb-local.ts';
import { ensureDynamoDbLocal } from '../../../scripts/fetch-dynamodb-local.ts';
import { testDynamoDbClient } from '../../support/dynamodb.ts';

const started: RunningDynamoDbLocal[] = [];
const tempDirs: string[] = [];

async function start(options: Parameters<typeof startDynamoDbLocal>[0] = {}): Promise<RunningDynamoDbLocal> {
  const instance = await startDynamoDbLocal(options);
  started.push(instance);
  return instance;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((instance) => instance.stop()));
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ddb-local-test-'));
  tempDirs.push(dir);
  return dir;
}

describe('ensureDynamoDbLocal', () => {
  it('finds the jar and its native libraries in place (postinstall fetched them)', async () => {
    const dir = await ensureDynamoDbLocal();
    expect((await stat(path.join(dir, 'DynamoDBLocal.jar'))).isFile()).toBe(true);
    expect((await stat(path.join(dir, 'DynamoDBLocal_lib'))).isDirectory()).toBe(true);
  });
});

describe('startDynamoDbLocal', () => {
  it('keeps items in its data directory across a restart, and leaves no process behind', async () => {
    const dataDir = path.join(await tempDir(), 'nested', 'dynamodb');
    const item = { PK: 'POOL#ipam-pool-1', SK: 'META', description: 'survives restarts' };

    const first = await start({ dataDir });
    expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
    const firstClient = testDynamoDbClient(first.endpoint);
    await ensureTable(firstClient, 'persisted');
    await DynamoDBDocumentClient.from(firstClient).send(new PutCommand({ TableName: 'persisted', Item: item }));
    firstClient.destroy();
    expect(isAlive(first.pid)).toBe(true);
    await first.stop();
    expect(isAlive(first.pid)).toBe(false);
    await first.stop(); // stopping twice is harmless

    const second = await start({ dataDir });
    const secondClient = testDynamoDbClient(second.endpoint);
    const { Item } = await DynamoDBDocumentClient.from(secondClient).send(
      new GetCommand({ TableName: 'persisted', Key: { PK: item.PK, SK: item.SK }, ConsistentRead: true }),
    );
    secondClient.destroy();
    expect(Item).toEqual(item);
  });

  it('says so when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const attempt = startDynamoDbLocal({ port });
      await expect(attempt).rejects.toBeInstanceOf(LocalSetupError);
      await expect(attempt).rejects.toThrow(`Port ${port} is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('says so when the data directory cannot be written', async () => {
    const file = path.join(await tempDir(), 'a-file');
    await writeFile(file, '');
    await expect(startDynamoDbLocal({ dataDir: path.join(file, 'dynamodb') })).rejects.toThrow(
      /^The DynamoDB Local data directory .* is not writable/,
    );
  });

  it('says Java is required when there is no java on the PATH', async () => {
    const savedPath = process.env.PATH;
    process.env.PATH = await tempDir(); // an empty directory: no java anywhere
    try {
      const attempt = startDynamoDbLocal();
      await expect(attempt).rejects.toBeInstanceOf(LocalSetupError);
      await expect(attempt).rejects.toThrow(
        /^Java 17\+ is required to run DynamoDB Local; install openjdk-17-jre-headless$/,
      );
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
