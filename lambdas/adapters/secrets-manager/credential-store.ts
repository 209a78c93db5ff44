// Access keys of a cloud deployment, read from the Secrets Manager secret and kept in memory.
// A read is trusted for `cacheMs`; an unknown key re-reads sooner — at most once per
// `missRefreshMs` — so a key added by bin/create-access-key.ts works within seconds without
// letting a stream of bad keys turn every request into a GetSecretValue call.
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AccessKey, CredentialStore } from '../../ports/credentials.ts';
import { type AccessKeysSecret, readAccessKeysSecret } from './access-keys-secret.ts';

interface SecretsManagerCredentialStoreOptions {
  client: SecretsManagerClient;
  secretId: string;
  cacheMs: number;
  missRefreshMs: number;
  /** Milliseconds since the epoch; a parameter so tests can move time. */
  now?: () => number;
}

interface CachedSecret {
  secret: AccessKeysSecret;
  keys: Map<string, AccessKey>;
  readAt: number;
}

export class SecretsManagerCredentialStore implements CredentialStore {
  readonly #options: SecretsManagerCredentialStoreOptions;
  readonly #now: () => number;
  #cached: CachedSecret | undefined;
  #reading: Promise<CachedSecret> | undefined;

  constructor(options: SecretsManagerCredentialStoreOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async lookup(accessKeyId: string): Promise<AccessKey | undefined> {
    let cached = await this.#current();
    const known = cached.keys.get(accessKeyId);
    if (known || this.#now() - cached.readAt < this.#options.missRefreshMs) return known;
    cached = await this.#read();
    return cached.keys.get(accessKeyId);
  }

  async accountsWithKeys(): Promise<string[]> {
    return [...new Set((await this.#current()).secret.accessKeys.map((key) => key.accountId))];
  }

  /** The whole secret (keys and pagination secret), read if the cached copy is stale. */
  async load(): Promise<AccessKeysSecret> {
    return (await this.#current()).secret;
  }

  async #current(): Promise<CachedSecret> {
    const cached = this.#cached;
    if (cached && this.#now() - cached.readAt < this.#options.cacheMs) return cached;
    return this.#read();
  }

  /** One read at a time: concurrent callers share it. A failed read keeps nothing and is retried by the next caller. */
  #read(): Promise<CachedSecret> {
    this.#reading ??= readAccessKeysSecret(this.#options.client, this.#options.secretId)
      .then((secret) => {
        this.#cached = { secret, keys: new Map(secret.accessKeys.map((key) => [key.accessKeyId, key])), readAt: this.#now() };
        return this.#cached;
      })
      .finally(() => {
        this.#reading = undefined;
      });
    return this.#reading;
  }
}
