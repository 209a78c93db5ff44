import { h } from '../dom.ts';
import type { PageContext } from '../page.ts';

export async function poolPage({ params }: PageContext): Promise<HTMLElement> {
  return h('div', { class: 'page' }, h('h1', {}, params.poolId));
}
