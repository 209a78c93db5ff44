// The organisation document in local mode: <dataDir>/organization.json, or IPAM_ORGANIZATION_FILE
// (docs/organizations.md). `npm run org` and the running service both write it, so a change
// takes a lock file beside it (created exclusively; one left by a dead writer is taken over
// after LOCK_STALE_MS), checks the version it read, and replaces the file atomically (temporary
// file + rename). Readers re-read only when a stat says the file changed.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type OrganizationDocument, OrganizationDocumentError, parseOrganizationDocument } from '../../domain/organization-document.ts';
import type { DocumentStorage, StoredDocument } from '../organization-directory.ts';
import { LocalSetupError } from './dynamodb-local.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.ts';

/** A lock older than this was left by a writer that died: a change holds it for milliseconds. */
const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 15_000;

export class OrganizationFile implements DocumentStorage {
  readonly #filePath: string;
  #cached: { stamp: string; stored: StoredDocument } | undefined;

  constructor(filePath: string) {
    this.#filePath = filePath;
  }

  get filePath(): string {
    return this.#filePath;
  }

  async read(): Promise<StoredDocument> {
    const stamp = await fileStamp(this.#filePath);
    if (stamp === undefined) return { document: undefined, version: 0 };
    if (this.#cached?.stamp === stamp) return this.#cached.stored;
    const stored = await readOrganizationFile(this.#filePath);
    this.#cached = { stamp, stored };
    return stored;
  }

  async write(document: OrganizationDocument, version: number): Promise<boolean> {
    await mkdir(path.dirname(this.#filePath), { recursive: true, mode: PRIVATE_DIR_MODE });
    const release = await this.#lock();
    try {
      // Invariant: the file changes only from the version the writer read (checked under the lock).
      const current = (await fileStamp(this.#filePath)) === undefined ? 0 : (await readOrganizationFile(this.#filePath)).version;
      if (current !== version) return false;
      const temporaryPath = `${this.#filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await writeFile(temporaryPath, `${JSON.stringify({ version: version + 1, ...document }, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
      await chmod(temporaryPath, PRIVATE_FILE_MODE); // a restrictive umask could have dropped the owner's bits
      await rename(temporaryPath, this.#filePath);
      return true;
    } finally {
      await release();
    }
  }

  async #lock(): Promise<() => Promise<void>> {
    const lockPath = `${this.#filePath}.lock`;
    const deadline = Date.now() + LOCK_WAIT_MS;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx', PRIVATE_FILE_MODE);
        await handle.writeFile(String(process.pid));
        await handle.close();
        return () => rm(lockPath, { force: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const held = await stat(lockPath).catch(() => undefined);
      if (held && Date.now() - held.mtimeMs > LOCK_STALE_MS) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new LocalSetupError(`${lockPath} has been held for ${LOCK_WAIT_MS / 1000} s; if no npm run org is running, delete it.`);
      }
      await sleep(10 + Math.random() * 20);
    }
  }
}

async function fileStamp(filePath: string): Promise<string | undefined> {
  try {
    const stats = await stat(filePath);
    // The inode changes on every atomic rewrite, even within one mtime tick.
    return `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

/** Reads and checks the file; a problem is one sentence naming the file and what to fix. */
export async function readOrganizationFile(filePath: string): Promise<StoredDocument> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file yet; if the data dir itself is unusable, creating it says so (service.ts).
    if (code === 'ENOENT' || code === 'ENOTDIR') return { document: undefined, version: 0 };
    throw new LocalSetupError(`The organisation file ${filePath} cannot be read (${code ?? String(error)}).`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LocalSetupError(`${filePath} is not valid JSON; fix or delete it.`);
  }
  try {
    const version = (parsed as { version?: unknown }).version ?? 0;
    if (typeof version !== 'number' || !Number.isInteger(version) || version < 0) {
      throw new OrganizationDocumentError("'version' must be a non-negative integer");
    }
    return { document: parseOrganizationDocument(parsed), version };
  } catch (error) {
    if (error instanceof OrganizationDocumentError)
      throw new LocalSetupError(`${filePath}: ${error.message.replace(/\.$/, '')}; see docs/organizations.md.`);
    throw error;
  }
}
