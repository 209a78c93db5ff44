// The DynamoDB Local launcher: real JVMs, started and stopped the way `npm start` does it.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureTable } from '../../../lambdas/adapters/dynamodb/table.ts';
import { LocalSetupError, type RunningDynamoDbLocal, startDynamoDbLocal } from '../../../lambdas/adapters/local/dynamodb-local.ts';
import { ensureDynamoDbLocal } from '../../../lambdas/adapters/local/fetch-dynamodb-local.ts';
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

/** Local addresses of the sockets listening on `port`, from the kernel's tables (Linux). */
async function listeningAddresses(port: number): Promise<string[]> {
  const addresses: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // 0A: LISTEN
      const [hex, portHex] = local.split(':');
      if (Number.parseInt(portHex!, 16) === port) addresses.push(decodeProcAddress(hex!));
    }
  }
  return addresses;
}

/** /proc/net/tcp{,6} print each 32-bit word of an address in host (little-endian) order. */
function decodeProcAddress(hex: string): string {
  const bytes = (hex.match(/.{8}/g) ?? []).flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => Number.parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const v4Mapped = bytes.slice(0, 10).every((byte) => byte === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (v4Mapped) return `::ffff:${bytes.slice(12).join('.')}`;
  if (bytes.every((byte) => byte === 0)) return '::';
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

function connects(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
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

  // The kernel's own table of listening sockets says which address the JVM bound; no traffic
  // is sent to the machine's other addresses (tests only ever talk to loopback).
  it.skipIf(process.platform !== 'linux')('listens on 127.0.0.1 only, never on the other addresses of the machine', async () => {
    const instance = await start();
    expect(await connects('127.0.0.1', instance.port)).toBe(true);
    expect(await listeningAddresses(instance.port)).toEqual(['127.0.0.1']);
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
      await expect(attempt).rejects.toThrow(/^Java 17\+ is required to run DynamoDB Local; install openjdk-17-jre-headless$/);
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
