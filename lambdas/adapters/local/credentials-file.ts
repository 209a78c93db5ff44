// Access keys in local mode: the administrator key (from the environment, or generated once
// and kept in <dataDir>/credentials.json), extra accounts from IPAM_EXTRA_ACCOUNTS, and keys
// added to the file by `bin/add-access-key.ts`, possibly while the service runs.
import { randomBytes } from 'node:crypto';
import { generateKeyPair, isAccountId } from '../access-keys.ts';
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Config, ConfigError, type LocalConfig } from '../../config.ts';
import type { AccessKey, CredentialStore } from '../../ports/credentials.ts';
import { LocalSetupError } from './dynamodb-local.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './private-files.ts';

type KeyPair = Omit<AccessKey, 'accountId'>;

/** What credentials.json holds. The admin key has no account: it acts as IPAM_ACCOUNT_ID. */
interface CredentialsFile {
  admin?: KeyPair;
  accessKeys: AccessKey[];
}

interface LocalCredentials {
  store: CredentialStore;
  admin: AccessKey;
  /** True when the admin key was created by this call: the caller should print it. */
  generated: boolean;
}

export function credentialsFilePath(dataDir: string): string {
  return path.join(dataDir, 'credentials.json');
}

/**
 * Reads the key file without changing it, so that one that cannot be used is reported before
 * anything is started; a missing file is fine (the first start writes it).
 */
export async function checkCredentialsFile(dataDir: string): Promise<void> {
  await readCredentialsFile(credentialsFilePath(dataDir));
}

export async function loadLocalCredentials(config: Config): Promise<LocalCredentials> {
  if (!isAccountId(config.accountId)) {
    throw new ConfigError(`IPAM_ACCOUNT_ID must be a 12-digit account id, got '${config.accountId}'.`);
  }
  const filePath = credentialsFilePath(config.local.dataDir);
  const { keyPair, generated } = await resolveAdminKeyPair(config.local, filePath);
  const admin = { ...keyPair, accountId: config.accountId };
  const configuredKeys = [admin, ...parseExtraAccounts(config.local.extraAccounts)];
  const repeated = configuredKeys.find(
    (key, index) => configuredKeys.findIndex((other) => other.accessKeyId === key.accessKeyId) !== index,
  );
  if (repeated) throw new ConfigError(`Access key ${repeated.accessKeyId} is configured more than once.`);
  const store = new LocalCredentialStore(configuredKeys, filePath);
  await store.reloadFileIfChanged();
  return { store, admin, generated };
}

/** The environment's key pair, else the stored one, else a new one stored for next time. */
async function resolveAdminKeyPair(
  { accessKeyId, secretAccessKey }: LocalConfig,
  filePath: string,
): Promise<{ keyPair: KeyPair; generated: boolean }> {
  if (!accessKeyId !== !secretAccessKey) {
    throw new ConfigError('IPAM_ACCESS_KEY_ID and IPAM_SECRET_ACCESS_KEY must be set together.');
  }
  if (accessKeyId && secretAccessKey) return { keyPair: { accessKeyId, secretAccessKey }, generated: false };
  const stored = (await readCredentialsFile(filePath)).admin;
  if (stored) {
    return { keyPair: { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey }, generated: false };
  }
  const keyPair = generateKeyPair();
  await updateCredentialsFile(filePath, (file) => ({ ...file, admin: keyPair }));
  return { keyPair, generated: true };
}

/** Parses IPAM_EXTRA_ACCOUNTS: `AKID:SECRET:ACCOUNT` entries separated by commas. */
export function parseExtraAccounts(value: string | undefined): AccessKey[] {
  if (!value) return [];
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  return entries.map((entry, index) => {
    const [accessKeyId, secretAccessKey, accountId, ...excess] = entry.split(':');
    // The message names the position, never the entry: it holds a secret.
    if (!accessKeyId || !secretAccessKey || !accountId || excess.length > 0 || !isAccountId(accountId)) {
      throw new ConfigError(
        `IPAM_EXTRA_ACCOUNTS entry ${index + 1} must be ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT_ID with a 12-digit account id.`,
      );
    }
    return { accessKeyId, secretAccessKey, accountId };
  });
}

/**
 * The accounts that have local keys — the administrator, IPAM_EXTRA_ACCOUNTS, the file's keys —
 * read without writing anything (`npm run org` needs them while the service may be running).
 */
export async function localKeyAccounts(config: Config): Promise<string[]> {
  const file = await readCredentialsFile(credentialsFilePath(config.local.dataDir));
  const keys = [...parseExtraAccounts(config.local.extraAccounts), ...file.accessKeys];
  return [...new Set([config.accountId, ...keys.map((key) => key.accountId)])];
}

/** Generates a key for an account and adds it to <dataDir>/credentials.json. */
export async function addAccessKey(dataDir: string, accountId: string): Promise<AccessKey> {
  if (!isAccountId(accountId)) throw new Error(`The account id must be 12 digits, got '${accountId}'.`);
  const key = { ...generateKeyPair(), accountId };
  await updateCredentialsFile(credentialsFilePath(dataDir), (file) => ({
    ...file,
    accessKeys: [...file.accessKeys, key],
  }));
  return key;
}

/** The commands that configure the AWS CLI for a key, ready to paste. */
class LocalCredentialStore implements CredentialStore {
  readonly #configuredKeys: Map<string, AccessKey>;
  readonly #filePath: string;
  #fileKeys = new Map<string, AccessKey>();
  #fileVersion: string | undefined;

  constructor(configuredKeys: AccessKey[], filePath: string) {
    this.#configuredKeys = new Map(configuredKeys.map((key) => [key.accessKeyId, key]));
    this.#filePath = filePath;
  }

  async lookup(accessKeyId: string): Promise<AccessKey | undefined> {
    const known = this.#configuredKeys.get(accessKeyId) ?? this.#fileKeys.get(accessKeyId);
    if (known) return known;
    // A miss may be a key added by bin/add-access-key.ts since we last read the file.
    await this.reloadFileIfChanged();
    return this.#fileKeys.get(accessKeyId);
  }

  async accountsWithKeys(): Promise<string[]> {
    await this.reloadFileIfChanged();
    return [...new Set([...this.#configuredKeys.values(), ...this.#fileKeys.values()].map((key) => key.accountId))];
  }

  /** Re-reads the file only when a stat says it changed, so misses stay cheap. */
  async reloadFileIfChanged(): Promise<void> {
    const version = await fileVersion(this.#filePath);
    if (version === this.#fileVersion) return;
    const file = await readCredentialsFile(this.#filePath);
    // Configured keys win over the file, so the file cannot re-map an administrator key.
    this.#fileKeys = new Map(
      file.accessKeys
        .filter((key) => !this.#configuredKeys.has(key.accessKeyId))
        .map(({ accessKeyId, secretAccessKey, accountId }) => [accessKeyId, { accessKeyId, secretAccessKey, accountId }]),
    );
    this.#fileVersion = version;
  }
}

async function fileVersion(filePath: string): Promise<string | undefined> {
  try {
    const stats = await stat(filePath);
    // The inode changes on every atomic rewrite, even within one mtime tick.
    return `${stats.ino}:${stats.mtimeMs}:${stats.size}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function readCredentialsFile(filePath: string): Promise<CredentialsFile> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // No file yet; if the data dir itself is unusable, creating it says so (service.ts).
    if (code === 'ENOENT' || code === 'ENOTDIR') return { accessKeys: [] };
    if (code === 'EISDIR') {
      throw new LocalSetupError(
        `${filePath} is a directory, not the access-key file; remove it, or set IPAM_DATA_DIR to another directory.`,
      );
    }
    throw new LocalSetupError(
      `The access-key file ${filePath} cannot be read (${code ?? String(error)}); fix its permissions, or set IPAM_DATA_DIR to another directory.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LocalSetupError(`${filePath} is not valid JSON; fix or delete it.`);
  }
  if (!isCredentialsFile(parsed)) {
    throw new LocalSetupError(`${filePath} does not hold an 'admin' key pair and an 'accessKeys' list; fix or delete it.`);
  }
  return { ...parsed, accessKeys: parsed.accessKeys ?? [] }; // a hand-written file may list none
}

// Write-then-rename so a running service never reads a half-written file. Concurrent writers
// could still lose an update; adding keys is a rare, manual step.
async function updateCredentialsFile(filePath: string, change: (file: CredentialsFile) => CredentialsFile): Promise<void> {
  await mkdir(path.dirname(filePath), { recursive: true, mode: PRIVATE_DIR_MODE });
  const updated = change(await readCredentialsFile(filePath));
  const temporaryPath = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporaryPath, `${JSON.stringify(updated, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  await chmod(temporaryPath, PRIVATE_FILE_MODE); // a restrictive umask could have dropped the owner's bits
  await rename(temporaryPath, filePath);
}

function isCredentialsFile(value: unknown): value is Partial<CredentialsFile> {
  if (typeof value !== 'object' || value === null) return false;
  const { admin, accessKeys } = value as Record<string, unknown>;
  const isText = (field: unknown) => typeof field === 'string' && field !== '';
  const isKeyPair = (key: unknown): key is Record<string, unknown> =>
    typeof key === 'object' &&
    key !== null &&
    isText((key as Record<string, unknown>).accessKeyId) &&
    isText((key as Record<string, unknown>).secretAccessKey);
  return (
    (admin === undefined || isKeyPair(admin)) &&
    (accessKeys === undefined || Array.isArray(accessKeys)) &&
    (accessKeys ?? []).every((key) => isKeyPair(key) && typeof key.accountId === 'string' && isAccountId(key.accountId))
  );
}
