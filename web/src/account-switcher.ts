// The header's account switcher: the keys this tab signed in with (session.ts), one active; picking
// another signs with it from then on, without asking for its secret again.
import type { Credentials } from './api/client.ts';
import { h } from './dom.ts';
import { rememberedKeys, sameKey } from './session.ts';

const keyLabel = (key: Credentials) => `${key.accessKeyId} · ${key.region}`;

export function accountSwitcher(active: Credentials, actions: { switchTo(credentials: Credentials): void; addKey(): void }): HTMLElement {
  const keys = rememberedKeys();
  const add = h('button', { type: 'button', class: 'link' }, 'Add a key');
  add.addEventListener('click', () => actions.addKey());
  if (keys.length <= 1) return h('span', { class: 'who' }, keyLabel(active), ' ', add);
  const select = h(
    'select',
    { 'aria-label': 'Signed-in key', class: 'who' },
    keys.map((key, index) => h('option', { value: index, selected: sameKey(key, active) }, keyLabel(key))),
  );
  select.addEventListener('change', () => actions.switchTo(keys[Number(select.value)]!));
  return h('span', { class: 'who' }, select, ' ', add);
}
