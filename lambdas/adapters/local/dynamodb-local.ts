// Runs AWS's DynamoDB Local (a Java jar) as a child process of this one, for `npm start` and tests,
// listening on 127.0.0.1 only.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { access, constants, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureDynamoDbLocal } from './fetch-dynamodb-local.ts';
import { ensurePrivateDir, makeFilesPrivate, withPrivateUmask } from './private-files.ts';
import { freePort } from './free-port.ts';

/** A problem with this machine's set-up; the message is one sentence meant for stderr. */
export class LocalSetupError extends Error {
  override name = 'LocalSetupError';
}

interface DynamoDbLocalOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Directory the database persists in; absent: in memory. */
  dataDir?: string;
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  /** Process id of the JVM. */
  pid: number;
  /** Resolves if the JVM exits without stop() having been called (a crash, a kill); else never. */
  unexpectedExit: Promise<DynamoDbLocalExit>;
  /** Ends the JVM (SIGTERM, then SIGKILL after a grace period) and resolves once it has exited. */
  stop(): Promise<void>;
}

export interface DynamoDbLocalExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_CHARS = 4_000;

const execFileAsync = promisify(execFile);

const JAVA_MISSING = 'Java 17+ is required to run DynamoDB Local; install openjdk-17-jre-headless';
const portBusy = (port: number) =>
  `Port ${port} is already in use, so DynamoDB Local cannot listen on it; set IPAM_DYNAMODB_PORT to a free port, or 0 to pick one.`;

// Children must not outlive us: kill them when this process exits or is told to stop.
const running = new Set<ChildProcess>();
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killAllOnExit(): void {
  for (const child of running) child.kill('SIGTERM');
}

function killAllOnSignal(signal: NodeJS.Signals): void {
  // Another listener owns this signal; if it means to exit, it stops its instances itself.
  if (process.listenerCount(signal) > 1) return;
  // Otherwise the signal would have ended the process: let it, once the children are told to go.
  killAllOnExit();
  untrackAll();
  process.kill(process.pid, signal);
}

function untrackAll(): void {
  process.off('exit', killAllOnExit);
  for (const signal of STOP_SIGNALS) process.off(signal, killAllOnSignal);
}

function track(child: ChildProcess): void {
  if (running.size === 0) {
    process.on('exit', killAllOnExit);
    for (const signal of STOP_SIGNALS) process.on(signal, killAllOnSignal);
  }
  running.add(child);
  const untrack = () => {
    running.delete(child);
    if (running.size === 0) untrackAll();
  };
  child.once('exit', untrack);
  // A child that never started (no java) emits 'error' and perhaps no 'exit'.
  child.once('error', () => {
    if (child.pid === undefined) untrack();
  });
}

const LOOPBACK = '127.0.0.1';
const LOOPBACK_MAIN_SOURCE = fileURLToPath(new URL('DynamoDbLocalOnLoopback.java', import.meta.url));
const LOOPBACK_MAIN_CLASS = 'DynamoDbLocalOnLoopback';
let warnedAllInterfaces = false;

/**
 * The JVM arguments naming the main class: DynamoDbLocalOnLoopback (beside this file), which
 * starts DynamoDB Local bound to 127.0.0.1, since the jar's own main listens on every interface
 * with no way to choose. It is compiled once per version of its source and of the jar, into the
 * jar's directory, by the JDK's compiler (the jdk.compiler module, which Debian's
 * openjdk-17-jre-headless has): compiling it on every start would add about a second.
 */
async function loopbackMain(jarDir: string): Promise<string[]> {
  const source = await readFile(LOOPBACK_MAIN_SOURCE);
  const jar = await stat(path.join(jarDir, 'DynamoDBLocal.jar'));
  const version = createHash('sha256').update(source).update(`${jar.size}:${jar.mtimeMs}`).digest('hex').slice(0, 16);
  const classDir = path.join(jarDir, 'loopback-main', version);
  const classPath = [classDir, path.join(jarDir, 'DynamoDBLocal.jar'), path.join(jarDir, 'DynamoDBLocal_lib', '*')].join(path.delimiter);
  const compiled = await access(path.join(classDir, `${LOOPBACK_MAIN_CLASS}.class`)).then(
    () => true,
    () => false,
  );
  if (!compiled) {
    const failure = await compileLoopbackMain(classPath, classDir);
    if (failure) {
      // Still usable, but reachable from the network with no authentication: say so loudly.
      if (!warnedAllInterfaces) {
        console.warn(`WARNING: DynamoDB Local will listen on ALL network interfaces, with no authentication, because ${failure}.`);
        warnedAllInterfaces = true;
      }
      return ['-jar', path.join(jarDir, 'DynamoDBLocal.jar')];
    }
  }
  // IPv4 sockets, so the listening address reads 127.0.0.1 (not ::ffff:127.0.0.1) in netstat and ss.
  return ['-Djava.net.preferIPv4Stack=true', '-cp', classPath, LOOPBACK_MAIN_CLASS];
}

/** Compiles the loopback main into `classDir`; undefined on success, else why not. */
async function compileLoopbackMain(classPath: string, classDir: string): Promise<string | undefined> {
  // Into a directory of our own, then renamed into place: parallel starts (test workers) race safely.
  const draftDir = `${classDir}.${process.pid}.${Date.now()}.tmp`;
  try {
    await execFileAsync('java', ['-cp', classPath, LOOPBACK_MAIN_SOURCE, '--compile-into', draftDir, LOOPBACK_MAIN_SOURCE], {
      timeout: 60_000,
    });
    await rename(draftDir, classDir).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error; // another start won the race
    });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LocalSetupError(JAVA_MISSING);
    const stderr = String((error as { stderr?: string }).stderr ?? '');
    if (/UnsupportedClassVersionError/.test(stderr)) throw new LocalSetupError(JAVA_MISSING);
    // Typically a Java without the jdk.compiler module; its own words say which.
    const cause = stderr.trim().split('\n')[0] || (error instanceof Error ? error.message : String(error));
    return `its loopback launcher could not be compiled (${cause})`;
  } finally {
    await rm(draftDir, { recursive: true, force: true });
  }
}

// Exit hooks do not run when this process is SIGKILLed or crashes. On Linux, setpriv (util-linux,
// in every Debian) asks the kernel to SIGTERM the JVM when its parent dies, whatever the cause.
const SETPRIV = '/usr/bin/setpriv';

async function javaCommand(javaArgs: string[]): Promise<[command: string, args: string[]]> {
  const canUseSetpriv =
    process.platform === 'linux' &&
    (await access(SETPRIV, constants.X_OK).then(
      () => true,
      () => false,
    ));
  return canUseSetpriv ? [SETPRIV, ['--pdeathsig', 'TERM', '--', 'java', ...javaArgs]] : ['java', javaArgs];
}

async function requireFreePort(port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, resolve);
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new LocalSetupError(portBusy(port));
    throw error;
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

async function requireWritableDir(dir: string): Promise<void> {
  // Writing a file catches every cause at once (permissions, read-only mount, a file in the way);
  // access(W_OK) would say yes to root whatever the permission bits.
  const probe = path.join(dir, `.write-test-${process.pid}`);
  try {
    await ensurePrivateDir(dir);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new LocalSetupError(
      `The DynamoDB Local data directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}); choose a writable IPAM_DATA_DIR.`,
    );
  }
}

/** Keeps the last characters a stream wrote, for error messages; also keeps the pipe drained. */
function tail(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    text = (text + chunk).slice(-OUTPUT_TAIL_CHARS);
  });
  return () => text.trim();
}

const hasEnded = (child: ChildProcess) => child.pid === undefined || child.exitCode !== null || child.signalCode !== null;

async function stopChild(child: ChildProcess): Promise<void> {
  if (hasEnded(child)) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const escalation = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(escalation);
}

/** Resolves once DynamoDB Local answers; rejects with the reason if it exits or stays silent. */
async function waitUntilReady(child: ChildProcess, endpoint: string, output: () => string, port: number): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  let failure: Error | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    failure = error.code === 'ENOENT' ? new LocalSetupError(JAVA_MISSING) : error;
  });
  // 'close' rather than 'exit': by then its last words have been read from the pipes.
  child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
    failure ??= exitFailure(output(), port, code, signal);
  });
  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (failure) throw failure;
      // Jetty's bind failure leaves the JVM running, so it has to be read from the output.
      if (/BindException|Failed to bind/.test(output())) throw new LocalSetupError(portBusy(port));
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new LocalSetupError(
          `DynamoDB Local did not answer on ${endpoint} within ${READY_TIMEOUT_MS / 1000} s; its output was:\n${output() || '(nothing)'}`,
        );
      }
      await sleep(POLL_INTERVAL_MS);
    }
  } finally {
    client.destroy();
  }
}

function exitFailure(output: string, port: number, code: number | null, signal: NodeJS.Signals | null): Error {
  // 127: setpriv found no java to execute. UnsupportedClassVersionError: this java is too old.
  if (code === 127 || /UnsupportedClassVersionError/.test(output)) return new LocalSetupError(JAVA_MISSING);
  if (/BindException|Failed to bind/.test(output)) return new LocalSetupError(portBusy(port));
  return new LocalSetupError(
    `DynamoDB Local exited (${signal ?? `code ${code}`}) before answering; its output was:\n${output || '(nothing)'}`,
  );
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<RunningDynamoDbLocal> {
  const dataDir = options.dataDir === undefined ? undefined : path.resolve(options.dataDir);
  if (dataDir) await requireWritableDir(dataDir);
  const port = options.port ? options.port : await freePort();
  if (options.port) await requireFreePort(port);
  const jarDir = await ensureDynamoDbLocal();

  const [command, args] = await javaCommand([
    // C1 only: measured here, it starts in ~60% of the time and is faster on short-lived workloads.
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${path.join(jarDir, 'DynamoDBLocal_lib')}`,
    ...(await loopbackMain(jarDir)),
    '-disableTelemetry',
    '-port',
    String(port),
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
    '-sharedDb',
  ]);
  // The jar writes dynamodb-local-metadata.json into its working directory. Under umask 077 what
  // it creates there (the database file, its journal) is its user's alone.
  const child = withPrivateUmask(() => spawn(command, args, { cwd: dataDir ?? jarDir, stdio: ['ignore', 'pipe', 'pipe'] }));
  track(child);
  // Never let a forgotten instance keep this process alive; the exit hook still kills it.
  child.unref();
  for (const stream of [child.stdout, child.stderr]) (stream as net.Socket | null)?.unref();
  const stdout = tail(child.stdout);
  const stderr = tail(child.stderr);
  const output = () => [stderr(), stdout()].filter(Boolean).join('\n');

  const endpoint = `http://${LOOPBACK}:${port}`;
  try {
    await waitUntilReady(child, endpoint, output, port);
    // Files an older version (or a JVM started outside this process's umask) left readable.
    if (dataDir) await makeFilesPrivate(dataDir);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  let stopping = false;
  const unexpectedExit = new Promise<DynamoDbLocalExit>((resolve) => {
    const report = (code: number | null, signal: NodeJS.Signals | null) => {
      if (!stopping) resolve({ code, signal });
    };
    if (hasEnded(child)) report(child.exitCode, child.signalCode);
    else child.once('exit', report);
  });
  return {
    endpoint,
    port,
    pid: child.pid as number,
    unexpectedExit,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
  };
}
