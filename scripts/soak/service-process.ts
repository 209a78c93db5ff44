// The service under soak: `npm start` (bin/local.ts under this Node) in its own process on a
// scratch data directory, on fixed loopback ports so that clients and the checker keep their
// endpoints across restarts. kill() is a real `kill -9`: no exit hook runs, and the DynamoDB Local
// JVM it leaves is the kernel's to end (setpriv --pdeathsig) — the soak checks that it does.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const OUTPUT_TAIL_CHARS = 8_000;
export const SOAK_TABLE = 'ipam';

export interface ServiceSettings {
  dataDir: string;
  port: number;
  dynamoDbPort: number;
  admin: { accessKeyId: string; secretAccessKey: string; accountId: string };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> = Promise.resolve();
  private output = '';

  private readonly settings: ServiceSettings;

  constructor(settings: ServiceSettings) {
    this.settings = settings;
  }

  get url(): string {
    return `http://127.0.0.1:${this.settings.port}`;
  }

  get dynamoDbEndpoint(): string {
    return `http://127.0.0.1:${this.settings.dynamoDbPort}`;
  }

  /** The last lines the service printed, for a report when it would not start. */
  tail(): string {
    return this.output.slice(-OUTPUT_TAIL_CHARS);
  }

  /** Starts the service and resolves once GET /health answers 200; rejects if it exits first or takes over `limitMs`. */
  async start(limitMs = 90_000): Promise<void> {
    const { dataDir, port, dynamoDbPort, admin } = this.settings;
    const child = spawn(process.execPath, ['bin/local.ts'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PORT: String(port),
        IPAM_HOST: '127.0.0.1',
        IPAM_DATA_DIR: dataDir,
        IPAM_DYNAMODB_PORT: String(dynamoDbPort),
        // Its own DynamoDB Local, whatever this shell points at.
        IPAM_DYNAMODB_ENDPOINT: '',
        IPAM_TABLE_NAME: SOAK_TABLE,
        IPAM_ACCESS_KEY_ID: admin.accessKeyId,
        IPAM_SECRET_ACCESS_KEY: admin.secretAccessKey,
        IPAM_ACCOUNT_ID: admin.accountId,
        IPAM_DISCOVERY_INTERVAL_S: '0',
        POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      },
    });
    this.child = child;
    const append = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4 * OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    let exitCode: number | string | null | undefined;
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        exitCode = code ?? signal;
        resolve(exitCode);
      }),
    );
    const deadline = Date.now() + limitMs;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`the service exited (${exitCode}) while starting:\n${this.tail()}`);
      if (await this.healthy()) return;
      if (Date.now() > deadline) {
        await this.kill();
        throw new Error(`the service was not healthy after ${limitMs} ms:\n${this.tail()}`);
      }
      await sleep(100);
    }
  }

  async healthy(): Promise<boolean> {
    try {
      const response = await fetch(`${this.url}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** The JVM of DynamoDB Local serving the data directory now, as the service's lock file records it. */
  async storePid(): Promise<number | undefined> {
    try {
      const owner = JSON.parse(await readFile(path.join(this.settings.dataDir, 'service.lock'), 'utf8')) as { store?: { pid: number } };
      return owner.store?.pid;
    } catch {
      return undefined;
    }
  }

  /** kill -9 of the service's process; resolves once it has exited, with the pid of the JVM it left behind. */
  async kill(): Promise<number | undefined> {
    const jvm = await this.storePid();
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
    return jvm;
  }

  /** A graceful stop (SIGTERM: the service stops its JVM and releases its lock). */
  async stop(): Promise<void> {
    if (!this.child) return;
    this.child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!stopped) await this.kill();
    this.child = undefined;
  }
}
