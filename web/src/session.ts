// The signed-in keys: kept in this tab's sessionStorage only (gone when the tab closes, never sent
// anywhere but in SigV4 signatures). Several keys (accounts of an organisation) may be signed in
// at once; one is in use, and the shell's account switcher picks it.
import type { Credentials } from './api/client.ts';

const KEY = 'ipam-console-credentials';

interface Stored {
  keys: Credentials[];
  current: number;
}

function read(): Stored {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? '') as Stored | Credentials;
    // One key (as earlier versions and the bench store it) or the list.
    const value = 'keys' in stored ? stored : { keys: [stored], current: 0 };
    const keys = value.keys.filter((key) => key.accessKeyId && key.secretAccessKey && key.region);
    return { keys, current: Math.min(value.current, keys.length - 1) };
  } catch {
    return { keys: [], current: 0 };
  }
}

const write = (stored: Stored) => sessionStorage.setItem(KEY, JSON.stringify(stored));

export function loadCredentials(): Credentials | undefined {
  const { keys, current } = read();
  return keys[current];
}

export const signedInKeys = (): Credentials[] => read().keys;

/** Adds a key (or replaces one with the same id and Region) and makes it the one in use. */
export function saveCredentials(credentials: Credentials): void {
  const keys = read().keys.filter((key) => !(key.accessKeyId === credentials.accessKeyId && key.region === credentials.region));
  write({ keys: [...keys, credentials], current: keys.length });
}

export function useCredentials(index: number): Credentials | undefined {
  const stored = read();
  if (!stored.keys[index]) return undefined;
  write({ ...stored, current: index });
  return stored.keys[index];
}

export const forgetCredentials = () => sessionStorage.removeItem(KEY);
