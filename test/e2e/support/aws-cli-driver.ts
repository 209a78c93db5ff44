// Long-lived Python processes that run AWS CLI v1 commands (aws-cli-driver.py), so the end-to-end
// tests pay for Python, the awscli imports and the EC2 model once per process instead of once per
// command (1.5–3 s each on a busy machine). It is still the real AWS CLI: each command goes through
// awscli.clidriver, the entry the `aws` script calls, with a new botocore session.
//
// A process runs one command at a time; commands that a test runs concurrently get one process
// each, from a pool started on demand and shared by the file's AwsCli objects (each command carries
// its own environment). When the `aws` program is not a Python script that can import
// awscli.clidriver (AWS CLI v2, say), runInDriver answers undefined and the caller runs `aws` itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { programPath } from './program.ts';

const DRIVER = fileURLToPath(new URL('./aws-cli-driver.py', import.meta.url));
const START_TIMEOUT_MS = 60_000;

export interface DriverResult {
  status: number;
  stdout: string;
  stderr: string;
}

interface Driver {
  child: ChildProcess;
  /** The answer to the command in flight, or to the start-up ({ ready: true }). */
  pending?: (message: any) => void;
}

const idle: Driver[] = [];
const all = new Set<Driver>();
/** False once a driver failed to start: every later command runs `aws` as a process. */
let usable = true;

/** The interpreter (and its argument) of the `aws` script's `#!` line, if it has one. */
function interpreter(): string[] | undefined {
  try {
    const head = readFileSync(programPath('aws')).subarray(0, 512).toString('utf8');
    if (!head.startsWith('#!')) return undefined;
    const line = head.slice(2).split('\n')[0]!.trim();
    const space = line.search(/\s/);
    return space < 0 ? [line] : [line.slice(0, space), line.slice(space).trim()];
  } catch {
    return undefined;
  }
}

function stop(driver: Driver): void {
  all.delete(driver);
  const at = idle.indexOf(driver);
  if (at >= 0) idle.splice(at, 1);
  driver.child.kill('SIGKILL');
}

/** Sends one message and waits for the answer line; undefined when the process ends or time runs out. */
function ask(driver: Driver, message: object | undefined, timeoutMs: number): Promise<any> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop(driver);
      finish(undefined);
    }, timeoutMs);
    const finish = (answer: any) => {
      clearTimeout(timer);
      driver.pending = undefined;
      resolve(answer);
    };
    driver.pending = finish;
    if (message) driver.child.stdin!.write(`${JSON.stringify(message)}\n`);
  });
}

async function start(env: NodeJS.ProcessEnv): Promise<Driver | undefined> {
  const command = interpreter();
  if (!command) return undefined;
  const [program, ...args] = command;
  const child = spawn(program!, [...args, DRIVER, programPath('aws')], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const driver: Driver = { child };
  all.add(driver);
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      driver.pending?.(JSON.parse(line));
    }
  });
  // Python's own complaints (a failed import) are not a command's output.
  child.stderr!.resume();
  child.stdin!.on('error', () => {});
  // Not started (no such interpreter) or ended: whatever was asked gets no answer.
  for (const event of ['error', 'exit']) {
    child.on(event, () => {
      all.delete(driver);
      driver.pending?.(undefined);
    });
  }
  // An idle driver does not keep the test worker alive; closeCliDrivers ends them all.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  const ready = await ask(driver, undefined, START_TIMEOUT_MS);
  if (ready?.ready === true) return driver;
  stop(driver);
  return undefined;
}

/** Runs `aws <args>` in a driver process; undefined when there is no usable driver. */
export async function runInDriver(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<DriverResult | undefined> {
  if (!usable) return undefined;
  const driver = idle.pop() ?? (await start(env));
  if (!driver) {
    usable = false;
    return undefined;
  }
  const answer = await ask(driver, { args, env }, timeoutMs);
  if (answer === undefined) {
    // Timed out (the process was killed, as execFile's timeout would) or the process died.
    stop(driver);
    return { status: -1, stdout: '', stderr: '' };
  }
  idle.push(driver);
  return answer as DriverResult;
}

/** Ends every driver process. */
export function closeCliDrivers(): void {
  for (const driver of [...all]) stop(driver);
}

/** The process ids of the running drivers, for the tests that check none is left behind. */
export function cliDriverPids(): number[] {
  return [...all].map((driver) => driver.child.pid!);
}

/** Whether commands run in a driver: starts one (kept for the next command) unless that already failed. */
export async function probeCliDriver(): Promise<boolean> {
  if (!usable) return false;
  if (idle.length > 0) return true;
  const driver = await start(process.env);
  if (driver) idle.push(driver);
  else usable = false;
  return usable;
}
