// The account switcher's memory: several keys in the tab's session storage, one active, switching
// keeps their order, a new secret for a known key replaces the old one, and sign-out forgets all.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forgetCredentials, loadCredentials, rememberedKeys, saveCredentials } from '../../../web/src/session.ts';

/** The browser's sessionStorage, as far as session.ts uses it. */
class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
  removeItem = (key: string) => void this.items.delete(key);
}

let storage: MemoryStorage;
const original = Object.getOwnPropertyDescriptor(globalThis, 'sessionStorage');
beforeEach(() => {
  storage = new MemoryStorage();
  Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true });
});
afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'sessionStorage', original);
  else Reflect.deleteProperty(globalThis, 'sessionStorage');
});

const admin = { accessKeyId: 'AKIAADMIN', secretAccessKey: 'admin-secret', region: 'us-east-1' };
const other = { accessKeyId: 'AKIAOTHER', secretAccessKey: 'other-secret', region: 'us-east-1' };

describe('remembered keys', () => {
  it('keeps every key signed in with, the last one active; switching keeps the order', () => {
    expect(loadCredentials()).toBeUndefined();
    expect(rememberedKeys()).toEqual([]);
    saveCredentials(admin);
    saveCredentials(other);
    expect(loadCredentials()).toEqual(other);
    expect(rememberedKeys()).toEqual([admin, other]);
    saveCredentials(admin);
    expect(loadCredentials()).toEqual(admin);
    expect(rememberedKeys()).toEqual([admin, other]);
  });

  it('one entry per key and Region: a new secret replaces the old; another Region is another entry', () => {
    saveCredentials(admin);
    saveCredentials({ ...admin, secretAccessKey: 'rotated' });
    expect(rememberedKeys()).toEqual([{ ...admin, secretAccessKey: 'rotated' }]);
    saveCredentials({ ...admin, region: 'eu-west-1' });
    expect(rememberedKeys()).toHaveLength(2);
  });

  it('a tab signed in before the switcher existed (one stored key) still counts it', () => {
    storage.setItem('ipam-console-credentials', JSON.stringify(admin));
    expect(rememberedKeys()).toEqual([admin]);
    saveCredentials(other);
    expect(rememberedKeys()).toEqual([admin, other]);
  });

  it('sign-out forgets every key; unreadable storage counts as none', () => {
    saveCredentials(admin);
    saveCredentials(other);
    forgetCredentials();
    expect(storage.items.size).toBe(0);
    storage.setItem('ipam-console-keys', '{not json');
    storage.setItem('ipam-console-credentials', JSON.stringify({ accessKeyId: 'x' }));
    expect([loadCredentials(), rememberedKeys()]).toEqual([undefined, []]);
  });
});
