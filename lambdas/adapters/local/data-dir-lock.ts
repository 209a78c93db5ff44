// One service per data directory: two DynamoDB Locals on one database file lose and duplicate
// allocations. The holder's pid sits in <dataDir>/service.lock; a lock whose process is gone (a
// kill -9, a crash, a reboot) is stale and taken over, so only a live holder blocks a start.
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { chmod, link, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalSetupError } from './dynamodb-local.ts';
import { PRIVATE_FILE_MODE } from './private-files.ts';

export const LOCK_FILE = 'service.lock';

/** What the lock file holds. `startTicks` tells a pid reused by a later process from the holder. */
interface LockOwner {
  pid: number;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22); Linux only. */
  startTicks?: string;
  startedAt: string;
  /** Tells this holder's file from one a later holder wrote, so release never removes another's. */
  token: string;
  /** The holder's DynamoDB Local JVM, which may outlive a killed holder by a moment. */
  store?: { pid: number; startTicks?: string };
}

export interface DataDirLock {
  readonly file: string;
  /** Records the JVM now serving the data directory, so that a start after a crash can wait for it. */
  recordStorePid(pid: number): Promise<void>;
  /** Removes the lock file if it is still ours. Harmless to call twice. */
  release(): Promise<void>;
}

// Exit hooks do not run on SIGKILL; the next start then finds those locks stale.
const heldByThisProcess = new Set<string>();

function releaseAllOnExit(): void {
  for (const file of heldByThisProcess) {
    try {
      unlinkSync(file);
    } catch {
      // already gone
    }
  }
}

/** The start time of a process, which with its pid names it uniquely; undefined without /proc. */
async function processStartTicks(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

async function isRunning({ pid, startTicks }: { pid: number; startTicks?: string }): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: a process of another user has the pid, so it runs (and may well be the holder).
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A live pid may have been handed to an unrelated process since the holder died.
  if (startTicks === undefined) return true;
  const ticks = await processStartTicks(pid);
  return ticks === undefined || ticks === startTicks;
}

const ORPHAN_GRACE_MS = 10_000;

/**
 * A killed holder's JVM gets SIGTERM from the kernel (setpriv --pdeathsig) and exits within a
 * moment; a second JVM on the same database file must not start before it has. One that lingers
 * past the grace period is killed.
 */
async function awaitOrphanedStore(holder: LockOwner | undefined): Promise<void> {
  const store = holder?.store;
  if (!store) return;
  const deadline = Date.now() + ORPHAN_GRACE_MS;
  while (await isRunning(store)) {
    if (Date.now() > deadline) {
      try {
        process.kill(store.pid, 'SIGKILL');
      } catch {
        // gone, or not ours to kill
      }
      return;
    }
    await sleep(100);
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? (parsed as LockOwner) : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw error;
    return undefined; // not ours to read: treated as stale
  }
}

const inUse = (dataDir: string, pid: number) =>
  new LocalSetupError(
    `The data directory ${dataDir} is in use by another IPAM service (pid ${pid}); stop that one first, or set IPAM_DATA_DIR to another directory.`,
  );

/**
 * Takes <dataDir>/service.lock for this process, or throws a LocalSetupError naming the pid that
 * holds it. The file appears with its content in one step (written aside, then hard-linked into
 * place, which fails if it exists), so a reader never sees it half written.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const file = path.join(dataDir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    startTicks: await processStartTicks(process.pid),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const draft = `${file}.${owner.token}.tmp`;
  await writeDraft(draft, owner);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(draft, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        if (attempt >= 2)
          throw new LocalSetupError(
            `The data directory ${dataDir} is being taken by another IPAM service starting at the same time; try again.`,
          );
      }
      let holder: LockOwner | undefined;
      try {
        holder = await readOwner(file);
      } catch {
        continue; // released between our link and our read
      }
      if (holder && (await isRunning(holder))) throw inUse(dataDir, holder.pid);
      await awaitOrphanedStore(holder);
      await removeStale(file, holder);
    }
  } finally {
    await rm(draft, { force: true });
  }
  heldByThisProcess.add(file);
  if (heldByThisProcess.size === 1) process.once('exit', releaseAllOnExit);
  let released = false;
  return {
    file,
    async recordStorePid(pid) {
      owner.store = { pid, startTicks: await processStartTicks(pid) };
      const update = `${file}.${randomBytes(8).toString('hex')}.tmp`;
      await writeDraft(update, owner);
      await rename(update, file);
    },
    async release() {
      if (released) return;
      released = true;
      heldByThisProcess.delete(file);
      if (heldByThisProcess.size === 0) process.off('exit', releaseAllOnExit);
      const current = await readOwner(file).catch(() => undefined);
      if (current?.token === owner.token) await unlink(file).catch(() => {});
    },
  };
}

async function writeDraft(file: string, owner: LockOwner): Promise<void> {
  await writeFile(file, `${JSON.stringify(owner)}\n`, { mode: PRIVATE_FILE_MODE });
  await chmod(file, PRIVATE_FILE_MODE); // exactly 0600, whatever the umask
}

/**
 * Removes a stale lock. Moved aside first and checked, so that of two starts that both judged it
 * stale, the slower one does not remove the lock the faster one has just taken.
 */
async function removeStale(file: string, stale: LockOwner | undefined): Promise<void> {
  const aside = `${file}.${randomBytes(8).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readOwner(aside).catch(() => undefined);
  if (stale !== undefined && moved?.token !== stale.token) {
    // Not the stale one: another start's fresh lock. Put it back; our next link then fails.
    await link(aside, file).catch(() => {});
  }
  await rm(aside, { force: true });
}
