// `npm start` in its own process (bin/local.ts under this Node), for tests that kill it, start it
// twice, or watch what it prints; and the processes it leaves on this machine.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const projectRoot = path.resolve(import.meta.dirname, '../../..');
const spawned: ChildProcess[] = [];

export interface StartedService {
  child: ChildProcess;
  url: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<number | NodeJS.Signals | null>;
}

function spawnService(env: Record<string, string>): {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: StartedService['exited'];
} {
  const child = spawn(process.execPath, ['bin/local.ts'], { cwd: projectRoot, env: { ...process.env, PORT: '0', ...env }, stdio: 'pipe' });
  spawned.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Starts the service and resolves once it prints its URL; rejects if it exits first. */
export function startService(env: Record<string, string>): Promise<StartedService> {
  const started = spawnService(env);
  return new Promise((resolve, reject) => {
    started.child.stdout!.on('data', () => {
      const match = /IPAM listening on (http:\/\/\S+)/.exec(started.stdout());
      if (match) resolve({ ...started, url: match[1]! });
    });
    void started.exited.then((code) => reject(new Error(`exited ${code}: ${started.stderr()}`)));
  });
}

/** Runs the service until it exits by itself, or kills it after `limitMs` (then code is 'timeout'). */
export async function runToExit(
  env: Record<string, string>,
  limitMs = 20_000,
): Promise<{ code: number | NodeJS.Signals | null | 'timeout'; stderr: string; elapsedMs: number }> {
  const began = Date.now();
  const { child, stderr, exited } = spawnService(env);
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  const code = await exited;
  clearTimeout(timer);
  const elapsedMs = Date.now() - began;
  return { code: elapsedMs >= limitMs ? 'timeout' : code, stderr: stderr(), elapsedMs };
}

export async function stopService(service: StartedService): Promise<number | NodeJS.Signals | null> {
  service.child.kill('SIGTERM');
  return service.exited;
}

/** SIGKILLs every process these helpers started that is still running. */
export function killSpawned(): void {
  for (const child of spawned.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Pids of the JVMs whose command line mentions the data directory: the service's DynamoDB Local. */
export function javaPidsUsing(dataDir: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null && match[2]!.includes(dataDir) && /\bjava\b/.test(match[2]!))
    .map((match) => Number(match[1]));
}

export async function waitFor<T>(read: () => T | Promise<T>, done: (value: T) => boolean, what: string, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

export async function adminKeyOf(dataDir: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const { admin } = JSON.parse(await readFile(path.join(dataDir, 'credentials.json'), 'utf8'));
  return admin;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
