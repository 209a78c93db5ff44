// A pool: its details and rules (modify), CIDRs (provision, deprovision), allocations (allocate by
// netmask or CIDR, preview the next CIDR, release; 100 a page), the CIDR map, child pools (create)
// and tags. Destructive actions ask for "delete" to be typed.
import { type ApiClient, type ApiOutput, callAll, errorText } from '../api/client.ts';
import { h } from '../dom.ts';
import { actionButton, actionForm, numberOf, textOf } from '../forms.ts';
import { poolCidrs, poolLabel, scopeIdOf, utilisation } from '../inventory.ts';
import { formatCount } from '../map/cidr.ts';
import { cidrMap } from '../map/cidr-map.ts';
import type { PageContext } from '../page.ts';
import { createPool, poolFields } from '../pool-form.ts';
import { confirmByTyping, table, utilisationBar } from '../widgets.ts';

const ALLOCATIONS_PAGE = 100;

function text(name: string, label: string, attributes: Record<string, string> = {}): HTMLElement {
  const input = h('input', { name, id: attributes.id ?? name, ...attributes });
  return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
}

function facts(pairs: [string, string | Node | undefined][]): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, value]) => value !== undefined && value !== '').map(([term, value]) => [h('dt', {}, term), h('dd', {}, value)]),
  );
}

/**
 * The allocations table, 100 rows a page, read from the API 1,000 at a time (its smallest
 * MaxResults) as the user pages on, with Release on custom allocations.
 */
function allocationsTable(client: ApiClient, pool: ApiOutput, context: PageContext): HTMLElement {
  const holder = h('div', { id: 'allocations-table' });
  const loaded: ApiOutput[] = [];
  let nextToken: string | undefined;
  let exhausted = false;
  const fetchMore = async () => {
    const page = await client.call('GetIpamPoolAllocations', {
      IpamPoolId: pool.IpamPoolId,
      MaxResults: 1000,
      ...(nextToken ? { NextToken: nextToken } : {}),
    });
    loaded.push(...(page.IpamPoolAllocations ?? []));
    nextToken = page.NextToken;
    exhausted = !nextToken;
  };
  const show = async (pageIndex: number) => {
    while (!exhausted && loaded.length < (pageIndex + 1) * ALLOCATIONS_PAGE) await fetchMore();
    const rows = loaded.slice(pageIndex * ALLOCATIONS_PAGE, (pageIndex + 1) * ALLOCATIONS_PAGE).map((allocation) => [
      h('code', {}, allocation.Cidr),
      allocation.ResourceType ?? '',
      allocation.ResourceId ?? '',
      allocation.Description ?? '',
      allocation.IpamPoolAllocationId,
      allocation.ResourceType === 'custom'
        ? actionButton(
            'Release',
            context,
            async () => {
              await client.call('ReleaseIpamPoolAllocation', {
                IpamPoolId: pool.IpamPoolId,
                Cidr: allocation.Cidr,
                IpamPoolAllocationId: allocation.IpamPoolAllocationId,
              });
              return `Released ${allocation.Cidr}.`;
            },
            { ariaLabel: `Release ${allocation.Cidr}` },
          )
        : '',
    ]);
    const previous = h('button', { type: 'button', disabled: pageIndex === 0 }, 'Previous page');
    const next = h('button', { type: 'button', disabled: exhausted && loaded.length <= (pageIndex + 1) * ALLOCATIONS_PAGE }, 'Next page');
    previous.addEventListener('click', () => void show(pageIndex - 1));
    next.addEventListener('click', () => void show(pageIndex + 1));
    holder.replaceChildren(
      table(
        `Allocations, page ${pageIndex + 1}`,
        ['CIDR', 'Resource type', 'Resource', 'Description', 'Allocation', 'Actions'],
        rows,
        'none.',
      ),
      h('div', { class: 'actions' }, previous, next),
    );
  };
  void show(0).catch((error) => holder.replaceChildren(h('p', { class: 'status error', role: 'alert' }, errorText(error))));
  return holder;
}

export async function poolPage(context: PageContext): Promise<HTMLElement> {
  const { client, params } = context;
  const { IpamPools } = await client.call('DescribeIpamPools', { IpamPoolIds: [params.poolId] });
  const pool: ApiOutput = IpamPools[0];
  // Not every allocation before the page shows: the map reads them page by page, and the
  // utilisation is filled in once it has them all.
  const [space, allPools] = await Promise.all([
    poolCidrs(client, pool),
    callAll(client, 'DescribeIpamPools', { MaxResults: 1000 }, 'IpamPools'),
  ]);
  const usage = h('span', { id: 'pool-utilisation' }, 'measuring…');
  const childPools = allPools.filter((candidate) => candidate.SourceIpamPoolId === pool.IpamPoolId);
  const label = poolLabel(pool);
  const busy = String(pool.State).endsWith('in-progress') || space.cidrs.some((cidr) => String(cidr.State).startsWith('pending'));
  if (busy) context.refreshLater(1000);

  const removePool = actionButton(
    'Delete pool',
    context,
    async () => {
      await client.call('DeleteIpamPool', { IpamPoolId: pool.IpamPoolId, Cascade: true });
      context.navigate('#/pools');
      return `Deleting ${pool.IpamPoolId} with its CIDRs and allocations.`;
    },
    { danger: true, confirm: () => confirmByTyping(`pool ${label} with its CIDRs and allocations`) },
  );

  const modify = actionForm({
    title: 'Modify pool',
    id: 'modify-pool',
    context,
    submitLabel: 'Save',
    fields: [
      text('Description', 'Description', { id: 'modify-pool-description', value: pool.Description ?? '' }),
      text('Min', 'Min netmask', {
        id: 'modify-pool-min',
        value: String(pool.AllocationMinNetmaskLength ?? ''),
        inputmode: 'numeric',
        size: '4',
      }),
      text('Max', 'Max netmask', {
        id: 'modify-pool-max',
        value: String(pool.AllocationMaxNetmaskLength ?? ''),
        inputmode: 'numeric',
        size: '4',
      }),
      text('Default', 'Default netmask', {
        id: 'modify-pool-default',
        value: String(pool.AllocationDefaultNetmaskLength ?? ''),
        inputmode: 'numeric',
        size: '4',
      }),
    ],
    run: async (form) => {
      const defaultLength = numberOf(form, 'Default');
      await client.call('ModifyIpamPool', {
        IpamPoolId: pool.IpamPoolId,
        Description: textOf(form, 'Description'),
        AllocationMinNetmaskLength: numberOf(form, 'Min'),
        AllocationMaxNetmaskLength: numberOf(form, 'Max'),
        ...(defaultLength === undefined
          ? pool.AllocationDefaultNetmaskLength !== undefined
            ? { ClearAllocationDefaultNetmaskLength: true }
            : {}
          : { AllocationDefaultNetmaskLength: defaultLength }),
      });
      return `Modified ${pool.IpamPoolId}.`;
    },
  });

  const provision = actionForm({
    title: pool.SourceIpamPoolId ? 'Provision a CIDR from the parent pool' : 'Provision a CIDR',
    id: 'provision',
    context,
    submitLabel: 'Provision',
    fields: [
      text('Cidr', 'CIDR', { id: 'provision-cidr', placeholder: pool.AddressFamily === 'ipv6' ? '2001:db8::/56' : '10.0.0.0/16' }),
      pool.SourceIpamPoolId
        ? text('NetmaskLength', 'or netmask length', { id: 'provision-netmask', inputmode: 'numeric', size: '4' })
        : null,
    ].filter((field): field is HTMLElement => field !== null),
    run: async (form) => {
      const { IpamPoolCidr } = await client.call('ProvisionIpamPoolCidr', {
        IpamPoolId: pool.IpamPoolId,
        Cidr: textOf(form, 'Cidr'),
        NetmaskLength: numberOf(form, 'NetmaskLength'),
      });
      return `Provisioning ${IpamPoolCidr.Cidr ?? 'a CIDR'} (${IpamPoolCidr.State}).`;
    },
  });

  const cidrRows = space.cidrs.map((cidr) => [
    h('code', {}, cidr.Cidr ?? ''),
    cidr.State,
    cidr.FailureReason?.Message ?? '',
    cidr.State === 'provisioned'
      ? actionButton(
          'Deprovision',
          context,
          async () => {
            await client.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: cidr.Cidr });
            return `Deprovisioning ${cidr.Cidr}.`;
          },
          { ariaLabel: `Deprovision ${cidr.Cidr}`, confirm: () => confirmByTyping(`the provisioned CIDR ${cidr.Cidr}`) },
        )
      : '',
  ]);

  const allocate = actionForm({
    title: 'Allocate',
    id: 'allocate',
    context,
    submitLabel: 'Allocate',
    fields: [
      text('NetmaskLength', 'Netmask length', {
        id: 'allocate-netmask',
        inputmode: 'numeric',
        size: '4',
        value: String(pool.AllocationDefaultNetmaskLength ?? ''),
      }),
      text('Cidr', 'or CIDR', { id: 'allocate-cidr' }),
      text('Description', 'Description', { id: 'allocate-description' }),
    ],
    extraButtons: [h('button', { type: 'submit', name: 'preview', value: 'yes' }, 'Preview next CIDR')],
    run: async (form, submitter) => {
      const cidr = textOf(form, 'Cidr');
      const preview = submitter.name === 'preview';
      const { IpamPoolAllocation } = await client.call('AllocateIpamPoolCidr', {
        IpamPoolId: pool.IpamPoolId,
        ...(cidr ? { Cidr: cidr } : { NetmaskLength: numberOf(form, 'NetmaskLength') }),
        Description: preview ? undefined : textOf(form, 'Description'),
        PreviewNextCidr: preview || undefined,
      });
      // A preview changes nothing: its answer is shown in the form, the page stays as it is.
      if (preview) return { note: `Next CIDR: ${IpamPoolAllocation.Cidr}`, stay: true };
      return `Allocated ${IpamPoolAllocation.Cidr}.`;
    },
  });

  const childForm = actionForm({
    title: 'Create child pool',
    id: 'create-child',
    context,
    submitLabel: 'Create child pool',
    fields: poolFields('create-child', { families: false, locale: pool.Locale && pool.Locale !== 'None' ? pool.Locale : '' }),
    run: (form) => createPool(client, form, { IpamScopeId: scopeIdOf(pool), parent: pool }),
  });

  const tags: { Key: string; Value: string }[] = pool.Tags ?? [];
  const addTag = actionForm({
    title: 'Add tag',
    id: 'add-tag',
    context,
    submitLabel: 'Add tag',
    fields: [text('Key', 'Key', { id: 'tag-key' }), text('Value', 'Value', { id: 'tag-value' })],
    run: async (form) => {
      await client.call('CreateTags', {
        Resources: [pool.IpamPoolId],
        Tags: [{ Key: textOf(form, 'Key'), Value: textOf(form, 'Value') ?? '' }],
      });
      return `Tagged ${pool.IpamPoolId}.`;
    },
  });

  const allocateInput = () => allocate.querySelector<HTMLInputElement>('#allocate-cidr')!;
  const map = cidrMap({
    client,
    pool,
    cidrs: space.cidrs.filter((cidr) => cidr.State === 'provisioned').map((cidr) => cidr.Cidr),
    onAllocated: (allocated, complete) =>
      usage.replaceChildren(
        complete
          ? utilisationBar(utilisation({ provisioned: space.provisioned, allocated }), `Utilisation of ${label}`)
          : `measuring… (${formatCount(allocated)} addresses allocated so far)`,
      ),
    onAllocateHere: (cidr) => {
      allocateInput().value = cidr;
      allocateInput().focus();
      allocateInput().scrollIntoView({ block: 'center' });
    },
  });

  return h(
    'div',
    { class: 'page pool' },
    h(
      'p',
      { class: 'breadcrumbs' },
      h('a', { href: '#/pools' }, 'Pools'),
      '›',
      pool.SourceIpamPoolId ? [h('a', { href: `#/pools/${pool.SourceIpamPoolId}` }, pool.SourceIpamPoolId), '›'] : null,
      pool.IpamPoolId,
    ),
    h('h1', {}, label),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'details-title' },
      h('h2', { id: 'details-title' }, 'Details and rules'),
      facts([
        ['Pool', pool.IpamPoolId],
        ['State', pool.State + (pool.StateMessage ? ` (${pool.StateMessage})` : '')],
        ['Address family', pool.AddressFamily],
        ['Locale', pool.Locale ?? 'None'],
        ['Scope', `${scopeIdOf(pool)} (${pool.IpamScopeType})`],
        ['Parent pool', pool.SourceIpamPoolId],
        ['Description', pool.Description],
        ['Utilisation', usage],
        [
          'Allocation netmask',
          `min ${pool.AllocationMinNetmaskLength ?? '–'}, max ${pool.AllocationMaxNetmaskLength ?? '–'}, default ${pool.AllocationDefaultNetmaskLength ?? '–'}`,
        ],
        [
          'Required resource tags',
          (pool.AllocationResourceTags ?? []).map((tag: { Key: string; Value: string }) => `${tag.Key}=${tag.Value}`).join(', ') ||
            undefined,
        ],
        ['Auto-import', pool.AutoImport ? 'yes' : 'no'],
      ]),
      h('div', { class: 'actions' }, h('details', {}, h('summary', {}, 'Modify pool'), modify), removePool),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'cidrs-title' },
      h('h2', { id: 'cidrs-title' }, 'CIDRs'),
      table('Provisioned CIDRs', ['CIDR', 'State', 'Failure', 'Actions'], cidrRows, 'none yet.'),
      provision,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'allocations-title' },
      h('h2', { id: 'allocations-title' }, 'Allocations'),
      allocate,
      allocationsTable(client, pool, context),
    ),
    map,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'children-title' },
      h('h2', { id: 'children-title' }, 'Child pools'),
      table(
        'Child pools',
        ['Pool', 'Locale', 'State'],
        childPools.map((child) => [h('a', { href: `#/pools/${child.IpamPoolId}` }, poolLabel(child)), child.Locale ?? 'None', child.State]),
        'none.',
      ),
      childForm,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'tags-title' },
      h('h2', { id: 'tags-title' }, 'Tags'),
      table(
        'Tags',
        ['Key', 'Value', 'Actions'],
        tags.map((tag) => [
          tag.Key,
          tag.Value,
          actionButton(
            'Remove',
            context,
            async () => {
              await client.call('DeleteTags', { Resources: [pool.IpamPoolId], Tags: [{ Key: tag.Key, Value: tag.Value }] });
              return `Removed tag ${tag.Key}.`;
            },
            { ariaLabel: `Remove tag ${tag.Key}` },
          ),
        ]),
        'none.',
      ),
      addTag,
    ),
  );
}
