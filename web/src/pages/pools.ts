// Pools: the pool tree of each scope, with locale, state and a utilisation bar per pool (drawn
// as each pool's space arrives), and a form for a top-level pool.
import { type ApiOutput, errorText } from '../api/client.ts';
import { h } from '../dom.ts';
import { actionForm, textOf } from '../forms.ts';
import { ipamIdOf, loadInventory, poolLabel, poolSpace, scopeIdOf, utilisation } from '../inventory.ts';
import type { PageContext } from '../page.ts';
import { createPool, poolFields } from '../pool-form.ts';
import { utilisationBar } from '../widgets.ts';

function poolNode(pool: ApiOutput, childrenOf: Map<string, ApiOutput[]>, context: PageContext): HTMLElement {
  const usage = h('span', { class: 'usage' }, h('span', { class: 'meta' }, 'measuring…'));
  void poolSpace(context.client, pool).then(
    (space) =>
      usage.replaceChildren(
        utilisationBar(utilisation(space), `Utilisation of ${poolLabel(pool)}`),
        h('span', { class: 'meta' }, space.cidrs.map((cidr) => cidr.Cidr).join(', ') || 'no CIDRs'),
      ),
    (error) => usage.replaceChildren(h('span', { class: 'meta' }, errorText(error))),
  );
  const children = childrenOf.get(pool.IpamPoolId) ?? [];
  return h(
    'li',
    {},
    h(
      'div',
      { class: 'row' },
      h('a', { href: `#/pools/${pool.IpamPoolId}` }, poolLabel(pool)),
      h('span', { class: 'meta' }, `${pool.IpamPoolId} · ${pool.AddressFamily} · locale ${pool.Locale ?? 'none'} · ${pool.State}`),
      usage,
    ),
    children.length
      ? h(
          'ul',
          {},
          children.map((child) => poolNode(child, childrenOf, context)),
        )
      : null,
  );
}

export async function poolsPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const { scopes, pools } = await loadInventory(client);
  const childrenOf = new Map<string, ApiOutput[]>();
  for (const pool of pools) {
    const parent = pool.SourceIpamPoolId ?? `scope:${scopeIdOf(pool)}`;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), pool]);
  }
  const create = actionForm({
    title: 'Create top-level pool',
    id: 'create-pool',
    context,
    submitLabel: 'Create pool',
    fields: [
      h(
        'div',
        { class: 'field' },
        h('label', { for: 'create-pool-scope' }, 'Scope'),
        h(
          'select',
          { name: 'IpamScopeId', id: 'create-pool-scope' },
          scopes.map((scope) =>
            h('option', { value: scope.IpamScopeId }, `${scope.IpamScopeId} (${scope.IpamScopeType}, ${ipamIdOf(scope)})`),
          ),
        ),
      ),
      ...poolFields('create-pool', { families: true }),
    ],
    run: (form) => createPool(client, form, { IpamScopeId: textOf(form, 'IpamScopeId') ?? '' }),
  });
  if (pools.some((pool) => String(pool.State).endsWith('in-progress'))) context.refreshLater(1000);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Pools'),
    scopes.length
      ? h('section', { class: 'panel' }, create)
      : h('p', {}, 'No scopes yet: ', h('a', { href: '#/ipams' }, 'create an IPAM'), ' first.'),
    scopes.map((scope) => {
      const topLevel = childrenOf.get(`scope:${scope.IpamScopeId}`) ?? [];
      return h(
        'section',
        { class: 'panel', 'aria-labelledby': `scope-${scope.IpamScopeId}` },
        h(
          'h2',
          { id: `scope-${scope.IpamScopeId}` },
          `${scope.IpamScopeType} scope ${scope.IpamScopeId}`,
          h('span', { class: 'meta' }, ` · ${ipamIdOf(scope)}`),
        ),
        topLevel.length
          ? h(
              'ul',
              { class: 'tree', 'aria-label': `Pools of ${scope.IpamScopeId}` },
              topLevel.map((pool) => poolNode(pool, childrenOf, context)),
            )
          : h('p', { class: 'empty' }, 'No pools in this scope.'),
      );
    }),
  );
}
