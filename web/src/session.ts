// The signed-in keys: kept in this tab's sessionStorage only (gone when the tab closes, never sent
// anywhere but in SigV4 signatures). Several keys can be remembered (the account switcher); one is
// active at a time.
import type { Credentials } from './api/client.ts';

const KEY = 'ipam-console-credentials';
const KEYS = 'ipam-console-keys';

const valid = (value: Credentials | undefined): value is Credentials =>
  Boolean(value?.accessKeyId && value.secretAccessKey && value.region);

function read<T>(name: string): T | undefined {
  const stored = sessionStorage.getItem(name);
  if (!stored) return undefined;
  try {
    return JSON.parse(stored) as T;
  } catch {
    return undefined;
  }
}

/** The active key. */
export function loadCredentials(): Credentials | undefined {
  const value = read<Credentials>(KEY);
  return valid(value) ? value : undefined;
}

/** Every remembered key (the active one too), in the order they were added. */
export function rememberedKeys(): Credentials[] {
  const keys = read<Credentials[]>(KEYS);
  const active = loadCredentials();
  const list = Array.isArray(keys) ? keys.filter(valid) : [];
  return active && !list.some((key) => sameKey(key, active)) ? [...list, active] : list;
}

/** One key per access key ID and Region. */
export const sameKey = (a: Credentials, b: Credentials) => a.accessKeyId === b.accessKeyId && a.region === b.region;

/** Makes the key the active one, remembering it beside the others (a new secret replaces an old one). */
export function saveCredentials(credentials: Credentials): void {
  const keys = rememberedKeys();
  const known = keys.some((key) => sameKey(key, credentials));
  const list = known ? keys.map((key) => (sameKey(key, credentials) ? credentials : key)) : [...keys, credentials];
  sessionStorage.setItem(KEYS, JSON.stringify(list));
  sessionStorage.setItem(KEY, JSON.stringify(credentials));
}

/** Signing out forgets every key. */
export const forgetCredentials = () => {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(KEYS);
};
