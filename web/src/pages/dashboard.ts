// Dashboard: IPAMs, scopes, pools by state, the space per scope and address family
// (provisioned to top-level pools, allocated from them, free), and the compliance and overlap
// counts of each scope's resource CIDRs, and the last events delivered (ListRecentEvents).
import { type ApiClient, callAll, errorText } from '../api/client.ts';
import { h } from '../dom.ts';
import { loadInventory, poolSpace, scopeIdOf, utilisation } from '../inventory.ts';
import { formatCount } from '../map/cidr.ts';
import type { PageContext } from '../page.ts';
import { eventLine } from '../recent-events.ts';
import { formatTime } from '../search/history.ts';
import { table, utilisationBar } from '../widgets.ts';

/** How many of the latest events the dashboard lists. */
const RECENT_EVENTS_SHOWN = 10;

export async function dashboardPage({ client }: PageContext): Promise<HTMLElement> {
  const recent = recentEvents(client);
  const { ipams, scopes, pools } = await loadInventory(client);
  const byState = new Map<string, number>();
  for (const pool of pools) byState.set(pool.State, (byState.get(pool.State) ?? 0) + 1);
  // Top-level pools hold the scope's space; their allocations include what child pools took.
  const topLevel = pools.filter((pool) => !pool.SourceIpamPoolId);
  const spaces = await Promise.all(topLevel.map(async (pool) => ({ pool, space: await poolSpace(client, pool) })));
  const perScope = new Map<string, { scopeId: string; family: string; provisioned: bigint; allocated: bigint }>();
  for (const { pool, space } of spaces) {
    const key = `${scopeIdOf(pool)} ${space.family}`;
    const row = perScope.get(key) ?? { scopeId: scopeIdOf(pool), family: space.family, provisioned: 0n, allocated: 0n };
    row.provisioned += space.provisioned;
    row.allocated += space.allocated;
    perScope.set(key, row);
  }
  // Compliance and overlap of the resource CIDRs discovery found, per scope.
  const resourceCidrs = await Promise.all(
    scopes.map(async (scope) => ({
      scope,
      cidrs: await callAll(client, 'GetIpamResourceCidrs', { IpamScopeId: scope.IpamScopeId, MaxResults: 1000 }, 'IpamResourceCidrs'),
    })),
  );
  const scopeType = (scopeId: string) => scopes.find((scope) => scope.IpamScopeId === scopeId)?.IpamScopeType ?? '';
  return h(
    'div',
    { class: 'page dashboard' },
    h('h1', {}, 'Dashboard'),
    h(
      'ul',
      { class: 'tiles', 'aria-label': 'Counts' },
      h('li', {}, h('a', { href: '#/ipams' }, h('strong', {}, ipams.length), ' IPAMs')),
      h('li', {}, h('a', { href: '#/ipams' }, h('strong', {}, scopes.length), ' scopes')),
      h('li', {}, h('a', { href: '#/pools' }, h('strong', {}, pools.length), ' pools')),
    ),
    h('h2', {}, 'Space per scope and address family'),
    table(
      'Space per scope and address family',
      ['Scope', 'Type', 'Family', 'Provisioned', 'Allocated', 'Free', 'Utilisation'],
      [...perScope.values()].map((row) => [
        row.scopeId,
        scopeType(row.scopeId),
        row.family,
        formatCount(row.provisioned),
        formatCount(row.allocated),
        formatCount(row.provisioned - row.allocated),
        utilisationBar(utilisation(row), `Utilisation of ${row.family} space in ${row.scopeId}`),
      ]),
      'no space provisioned yet.',
    ),
    h('h2', {}, 'Resource CIDRs'),
    table(
      'Resource CIDRs per scope',
      ['Scope', 'Type', 'Resource CIDRs', 'Noncompliant', 'Overlapping', 'Unmanaged'],
      resourceCidrs.map(({ scope, cidrs }) => [
        scope.IpamScopeId,
        scope.IpamScopeType,
        String(cidrs.length),
        String(cidrs.filter((cidr) => cidr.ComplianceStatus === 'noncompliant').length),
        String(cidrs.filter((cidr) => cidr.OverlapStatus === 'overlapping').length),
        String(cidrs.filter((cidr) => cidr.ManagementState === 'unmanaged').length),
      ]),
      'no scopes yet.',
    ),
    h('h2', {}, 'Pools by state'),
    table(
      'Pools by state',
      ['State', 'Pools'],
      [...byState].map(([state, count]) => [state, String(count)]),
      'no pools yet.',
    ),
    h('h2', {}, 'IPAMs'),
    table(
      'IPAMs',
      ['IPAM', 'Description', 'Tier', 'State', 'Operating Regions', 'Scopes'],
      ipams.map((ipam) => [
        ipam.IpamId,
        ipam.Description ?? '',
        ipam.Tier ?? '',
        ipam.State,
        (ipam.OperatingRegions ?? []).map((region: { RegionName: string }) => region.RegionName).join(', '),
        String(ipam.ScopeCount ?? ''),
      ]),
      'none yet. Create one on the IPAMs page.',
    ),
    h('h2', {}, 'Recent events'),
    await recent,
  );
}

/** The latest events as a table, or the API's refusal in its words: the rest of the dashboard stands without them. */
async function recentEvents(client: ApiClient): Promise<HTMLElement> {
  try {
    const { Events = [] } = await client.call('ListRecentEvents', { MaxResults: RECENT_EVENTS_SHOWN });
    return table(
      'Recent events',
      ['Time', 'Type', 'Resource', 'State'],
      (Events as Record<string, unknown>[])
        .map(eventLine)
        .map((line) => [h('time', { datetime: line.time }, formatTime(line.time)), line.type, line.resource, line.state]),
      'none recently.',
    );
  } catch (error) {
    return h('p', { class: 'status error', role: 'alert' }, `Recent events: ${errorText(error)}`);
  }
}
