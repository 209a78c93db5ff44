// The data directory holds access keys and the whole database: it is 0700 and what the service
// writes in it 0600, whatever the umask (which can only take bits away from a mode given at
// creation, never make it exact), and whatever an older version left behind.
import { chmod, mkdir, open, readdir } from 'node:fs/promises';
import path from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` as 0700. An existing directory is made 0700 only when `isOurs` says it is one we
 * made before (IPAM_DATA_DIR could name a shared directory such as /tmp).
 */
export async function ensurePrivateDir(dir: string, isOurs: () => Promise<boolean> = async () => true): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined || (await isOurs())) await chmod(dir, PRIVATE_DIR_MODE);
}

/** Creates `file` empty if it is missing, and makes it 0600 either way. */
export async function ensurePrivateFile(file: string): Promise<void> {
  const handle = await open(file, 'a', PRIVATE_FILE_MODE);
  try {
    await handle.chmod(PRIVATE_FILE_MODE);
  } finally {
    await handle.close();
  }
}

/** Makes every file directly in `dir` 0600 (a program we do not control wrote them). */
export async function makeFilesPrivate(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isFile()) await chmod(path.join(dir, entry.name), PRIVATE_FILE_MODE).catch(() => {}); // may vanish meanwhile
  }
}

/**
 * Runs `spawnChild` (which must fork synchronously, as child_process.spawn does) with umask 077,
 * so that what the child creates is private from the start. Worker threads cannot change the
 * umask; there the caller's makeFilesPrivate pass is all there is.
 */
export function withPrivateUmask<T>(spawnChild: () => T): T {
  let previous: number | undefined;
  try {
    previous = process.umask(0o077);
  } catch {
    // ERR_WORKER_UNSUPPORTED_OPERATION
  }
  try {
    return spawnChild();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}
