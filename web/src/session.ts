// The signed-in key: kept in this tab's sessionStorage only (gone when the tab closes, never sent
// anywhere but in SigV4 signatures).
import type { Credentials } from './api/client.ts';

const KEY = 'ipam-console-credentials';

export function loadCredentials(): Credentials | undefined {
  const stored = sessionStorage.getItem(KEY);
  if (!stored) return undefined;
  try {
    const value = JSON.parse(stored) as Credentials;
    return value.accessKeyId && value.secretAccessKey && value.region ? value : undefined;
  } catch {
    return undefined;
  }
}

export const saveCredentials = (credentials: Credentials) => sessionStorage.setItem(KEY, JSON.stringify(credentials));
export const forgetCredentials = () => sessionStorage.removeItem(KEY);
