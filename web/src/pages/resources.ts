// Resources: the resource CIDRs of a scope (GetIpamResourceCidrs) with their management state,
// compliance and overlap, filtered by scope, Region, account and resource type, a page at a time.
import { type ApiClient, type ApiOutput, callAll, errorText } from '../api/client.ts';
import { field, h, replaceChildren, statusArea } from '../dom.ts';
import type { PageContext } from '../page.ts';
import { formatUsage, PageTrail, RESOURCE_TYPES, type ResourceFilter, resourceCidrsInput } from '../search/resources.ts';
import { table } from '../widgets.ts';

const PAGE_SIZE = 50;

/** Every scope of the signed-in account, private ones first (where resources mostly are). */
export async function loadScopes(client: ApiClient): Promise<ApiOutput[]> {
  const scopes = await callAll(client, 'DescribeIpamScopes', { MaxResults: 1000 }, 'IpamScopes');
  return scopes.sort((a, b) => (a.IpamScopeType === b.IpamScopeType ? 0 : a.IpamScopeType === 'private' ? -1 : 1));
}

/** A scope's IPAM: the last part of its IpamArn (`arn:aws:ec2::123456789012:ipam/ipam-…`). */
const ipamOf = (scope: ApiOutput): string =>
  String(scope.IpamArn ?? '')
    .split('/')
    .pop() ?? '';

export function scopeSelect(scopes: ApiOutput[], selected?: string): HTMLSelectElement {
  return h(
    'select',
    { name: 'scope', required: true },
    scopes.map((scope) =>
      h(
        'option',
        { value: scope.IpamScopeId, selected: scope.IpamScopeId === selected },
        `${scope.IpamScopeId} (${scope.IpamScopeType}${scope.IsDefault ? ', default' : ''}, ${ipamOf(scope)})`,
      ),
    ),
  );
}

export async function resourcesPage({ client }: PageContext): Promise<HTMLElement> {
  const scopes = await loadScopes(client);
  if (scopes.length === 0) {
    return h('div', { class: 'page' }, h('h1', {}, 'Resources'), h('p', { class: 'empty' }, 'No scopes yet: create an IPAM first.'));
  }
  const scope = scopeSelect(scopes);
  const region = h('input', { name: 'region', placeholder: client.credentials.region, spellcheck: 'false' });
  const account = h('input', { name: 'account', inputmode: 'numeric', spellcheck: 'false' });
  const type = h(
    'select',
    { name: 'type' },
    h('option', { value: '' }, 'Any'),
    RESOURCE_TYPES.map((each) => h('option', { value: each }, each)),
  );
  const status = statusArea();
  const results = h('div', { class: 'results' });
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Filter resource CIDRs' },
    field('Scope', scope),
    field('Region', region, 'ResourceRegion; empty for all'),
    field('Account', account, 'ResourceOwner (12 digits); empty for all'),
    field('Resource type', type),
    h('button', { type: 'submit', class: 'primary' }, 'Apply filter'),
  );

  let filter: ResourceFilter = { scopeId: scope.value };
  let trail = new PageTrail();
  const show = async () => {
    status.clear();
    results.setAttribute('aria-busy', 'true');
    try {
      const answer = await client.call('GetIpamResourceCidrs', {
        ...resourceCidrsInput(filter),
        MaxResults: PAGE_SIZE,
        ...(trail.current ? { NextToken: trail.current } : {}),
      });
      renderResults(answer.IpamResourceCidrs ?? [], answer.NextToken);
    } catch (error) {
      replaceChildren(results);
      status.show('error', errorText(error));
    } finally {
      results.removeAttribute('aria-busy');
    }
  };
  const renderResults = (records: ApiOutput[], nextToken: string | undefined) => {
    const previous = h('button', { type: 'button', disabled: !trail.hasPrevious }, 'Previous page');
    const next = h('button', { type: 'button', disabled: !nextToken }, 'Next page');
    previous.addEventListener('click', () => {
      trail.back();
      void show();
    });
    next.addEventListener('click', () => {
      trail.forward(nextToken!);
      void show();
    });
    replaceChildren(
      results,
      table(
        `Resource CIDRs in ${filter.scopeId}, page ${trail.number}`,
        ['Resource', 'Name', 'Type', 'CIDR', 'Region', 'Account', 'Pool', 'VPC', 'Management state', 'Compliance', 'Overlap', 'IP usage'],
        records.map((record) => [
          record.ResourceId,
          record.ResourceName ?? '',
          record.ResourceType,
          record.ResourceCidr,
          record.ResourceRegion,
          record.ResourceOwnerId,
          record.IpamPoolId ? h('a', { href: `#/pools/${record.IpamPoolId}` }, record.IpamPoolId) : '—',
          record.VpcId ?? '—',
          record.ManagementState ?? '—',
          record.ComplianceStatus ?? '—',
          record.OverlapStatus ?? '—',
          formatUsage(record.IpUsage),
        ]),
        'none match.',
      ),
      h('nav', { class: 'actions', 'aria-label': 'Pages of resource CIDRs' }, previous, next),
    );
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    filter = { scopeId: scope.value, region: region.value, account: account.value, type: type.value };
    trail = new PageTrail();
    void show();
  });
  await show();
  return h(
    'div',
    { class: 'page resources' },
    h('h1', {}, 'Resources'),
    h(
      'p',
      { class: 'note' },
      'The resource CIDRs the IPAM sees through its resource discoveries, with the states GetIpamResourceCidrs gives them.',
    ),
    form,
    status,
    results,
  );
}
