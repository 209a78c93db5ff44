// Address history: which resources held a CIDR during a time range (GetIpamAddressHistory). The
// API matches the CIDR exactly, so an IP address is searched as its own /32 (/128) and as every
// resource CIDR of the scope that holds it now.
import { type ApiOutput, callAll, errorText } from '../api/client.ts';
import { field, h, replaceChildren, statusArea } from '../dom.ts';
import type { PageContext } from '../page.ts';
import { cidrsHolding, formatTime, parseSearchTerm, TIME_RANGES, type TimeRangeChoice, timeRange } from '../search/history.ts';
import { table } from '../widgets.ts';
import { loadScopes, scopeSelect } from './resources.ts';

export async function historyPage({ client }: PageContext): Promise<HTMLElement> {
  const scopes = await loadScopes(client);
  if (scopes.length === 0) {
    return h('div', { class: 'page' }, h('h1', {}, 'Address history'), h('p', { class: 'empty' }, 'No scopes yet: create an IPAM first.'));
  }
  const scope = scopeSelect(scopes);
  const term = h('input', { name: 'cidr', required: true, spellcheck: 'false', placeholder: '10.0.0.0/24 or 10.0.0.5' });
  const vpc = h('input', { name: 'vpc', spellcheck: 'false' });
  const range = h(
    'select',
    { name: 'range' },
    TIME_RANGES.map((choice) => h('option', { value: choice.value, selected: choice.value === '30d' }, choice.label)),
  );
  const start = h('input', { name: 'start', type: 'datetime-local', step: 1 });
  const end = h('input', { name: 'end', type: 'datetime-local', step: 1 });
  // The custom bounds show only for a custom range (a style, as .field's display would outrank `hidden`).
  const custom = [field('Start', start), field('End', end)];
  const showCustom = () => {
    for (const each of custom) each.style.display = range.value === 'custom' ? '' : 'none';
  };
  showCustom();
  range.addEventListener('change', showCustom);
  const status = statusArea();
  const results = h('div', { class: 'results' });
  const form = h(
    'form',
    { class: 'inline', 'aria-label': 'Search address history' },
    field('Scope', scope),
    field('CIDR or IP address', term),
    field('VPC ID', vpc, 'Optional'),
    field('Time range', range),
    custom,
    h('button', { type: 'submit', class: 'primary' }, 'Search'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.clear();
    replaceChildren(results);
    const searched = parseSearchTerm(term.value);
    const times = timeRange(range.value as TimeRangeChoice, new Date(), { start: start.value, end: end.value });
    if ('error' in searched || 'error' in times) {
      status.show('error', 'error' in searched ? searched.error : (times as { error: string }).error);
      return;
    }
    results.setAttribute('aria-busy', 'true');
    try {
      let cidrs = [searched.cidr];
      if (searched.kind === 'address') {
        const resources = await callAll(
          client,
          'GetIpamResourceCidrs',
          { IpamScopeId: scope.value, MaxResults: 1000 },
          'IpamResourceCidrs',
        );
        cidrs = [
          ...new Set([
            searched.cidr,
            ...cidrsHolding(
              searched.address,
              resources.map((resource) => resource.ResourceCidr),
            ),
          ]),
        ];
      }
      const input = { IpamScopeId: scope.value, ...times, ...(vpc.value.trim() ? { VpcId: vpc.value.trim() } : {}) };
      const found = await Promise.all(
        cidrs.map(async (cidr) => ({
          cidr,
          records: await callAll(client, 'GetIpamAddressHistory', { ...input, Cidr: cidr, MaxResults: 1000 }, 'HistoryRecords'),
        })),
      );
      const rows = found.flatMap(({ cidr, records }) => records.map((record: ApiOutput) => ({ cidr, record })));
      replaceChildren(
        results,
        searched.kind === 'address' ? h('p', { class: 'note' }, `Searched ${searched.address} in: ${cidrs.join(', ')}.`) : null,
        table(
          `History of ${searched.kind === 'address' ? searched.address : searched.cidr}`,
          ['CIDR', 'Resource', 'Name', 'Type', 'Region', 'Account', 'VPC', 'Compliance', 'Overlap', 'Sampled start', 'Sampled end'],
          rows.map(({ record }) => [
            record.ResourceCidr,
            record.ResourceId,
            record.ResourceName ?? '',
            record.ResourceType,
            record.ResourceRegion,
            record.ResourceOwnerId,
            record.VpcId ?? '—',
            record.ResourceComplianceStatus ?? '—',
            record.ResourceOverlapStatus ?? '—',
            formatTime(record.SampledStartTime),
            formatTime(record.SampledEndTime),
          ]),
          'no records in this time range.',
        ),
      );
      status.show('ok', `${rows.length} history record${rows.length === 1 ? '' : 's'} found.`);
    } catch (error) {
      status.show('error', errorText(error));
    } finally {
      results.removeAttribute('aria-busy');
    }
  });
  return h(
    'div',
    { class: 'page history' },
    h('h1', {}, 'Address history'),
    h(
      'p',
      { class: 'note' },
      'Which resources held a CIDR, and with what compliance and overlap, during a time range. A sampled end of — means the record is still open.',
    ),
    form,
    status,
    results,
  );
}
