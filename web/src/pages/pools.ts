import { h } from '../dom.ts';
import type { PageContext } from '../page.ts';

export async function poolsPage(_context: PageContext): Promise<HTMLElement> {
  return h('div', { class: 'page' }, h('h1', {}, 'Pools'));
}
