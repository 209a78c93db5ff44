import { h } from '../dom.ts';
import type { PageContext } from '../page.ts';

export async function ipamsPage(_context: PageContext): Promise<HTMLElement> {
  return h('div', { class: 'page' }, h('h1', {}, 'IPAMs and scopes'));
}
