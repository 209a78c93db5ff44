// IPAMs and their scopes: create, modify (description, tier, cost distribution, Regions) and
// delete — an IPAM with everything in it (cascade), a private scope when empty. Messages are the
// API's (docs/tiers-and-policies.md: a tier or metered account it refuses is refused here in its words).
import { h } from '../dom.ts';
import { actionButton, actionForm, textOf } from '../forms.ts';
import { ipamIdOf, loadInventory } from '../inventory.ts';
import type { PageContext } from '../page.ts';
import { confirmByTyping, table } from '../widgets.ts';

const regionsOf = (text: string | undefined) =>
  (text ?? '')
    .split(',')
    .map((region) => region.trim())
    .filter(Boolean)
    .map((RegionName) => ({ RegionName }));

function input(name: string, attributes: Record<string, string> = {}): HTMLInputElement {
  return h('input', { name, id: attributes.id ?? name, ...attributes });
}

function labelled(label: string, control: HTMLInputElement | HTMLSelectElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control);
}

/** Who pays for the IPAM's addresses (docs/tiers-and-policies.md); the API's default when it says nothing. */
const METERED_ACCOUNTS = ['ipam-owner', 'resource-owner'];
const meteredAccountOf = (ipam: { MeteredAccount?: string }) => ipam.MeteredAccount ?? 'ipam-owner';

export async function ipamsPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const { ipams, scopes, pools } = await loadInventory(client);
  const region = client.credentials.region;

  const createIpam = actionForm({
    title: 'Create IPAM',
    id: 'create-ipam',
    context,
    submitLabel: 'Create IPAM',
    fields: [
      labelled('Description', input('Description', { id: 'create-ipam-description' })),
      labelled('Operating Regions (comma-separated)', input('Regions', { id: 'create-ipam-regions', value: region })),
      labelled(
        'Tier',
        h(
          'select',
          { name: 'Tier', id: 'create-ipam-tier' },
          h('option', { value: 'advanced' }, 'advanced'),
          h('option', { value: 'free' }, 'free'),
        ),
      ),
    ],
    run: async (form) => {
      const { Ipam } = await client.call('CreateIpam', {
        Description: textOf(form, 'Description'),
        OperatingRegions: regionsOf(textOf(form, 'Regions')),
        Tier: textOf(form, 'Tier'),
      });
      return `Created ${Ipam.IpamId}.`;
    },
  });

  const ipamRows = ipams.map((ipam) => {
    const modify = actionForm({
      title: `Modify ${ipam.IpamId}`,
      id: `modify-${ipam.IpamId}`,
      context,
      submitLabel: 'Save',
      fields: [
        labelled('Description', input('Description', { id: `modify-${ipam.IpamId}-description`, value: ipam.Description ?? '' })),
        labelled(
          'Tier',
          h(
            'select',
            { name: 'Tier', id: `modify-${ipam.IpamId}-tier` },
            ['advanced', 'free'].map((tier) => h('option', { value: tier, selected: ipam.Tier === tier }, tier)),
          ),
        ),
        labelled(
          'Metered account',
          h(
            'select',
            { name: 'MeteredAccount', id: `modify-${ipam.IpamId}-metered-account` },
            METERED_ACCOUNTS.map((metered) => h('option', { value: metered, selected: meteredAccountOf(ipam) === metered }, metered)),
          ),
        ),
        labelled('Add operating Regions (comma-separated)', input('AddRegions', { id: `modify-${ipam.IpamId}-add-regions` })),
      ],
      run: async (form) => {
        const AddOperatingRegions = regionsOf(textOf(form, 'AddRegions'));
        const MeteredAccount = textOf(form, 'MeteredAccount');
        await client.call('ModifyIpam', {
          IpamId: ipam.IpamId,
          Description: textOf(form, 'Description'),
          Tier: textOf(form, 'Tier'),
          // Sent only when changed: the API judges a switch (its time restriction), not a repeat.
          ...(MeteredAccount !== meteredAccountOf(ipam) ? { MeteredAccount } : {}),
          ...(AddOperatingRegions.length ? { AddOperatingRegions } : {}),
        });
        return `Modified ${ipam.IpamId}.`;
      },
    });
    const remove = actionButton(
      'Delete',
      context,
      async () => {
        await client.call('DeleteIpam', { IpamId: ipam.IpamId, Cascade: true });
        return `Deleting ${ipam.IpamId} with its scopes and pools.`;
      },
      { danger: true, ariaLabel: `Delete ${ipam.IpamId}`, confirm: () => confirmByTyping(`${ipam.IpamId} and all its scopes and pools`) },
    );
    return [
      ipam.IpamId,
      ipam.Description ?? '',
      ipam.Tier ?? '',
      meteredAccountOf(ipam),
      ipam.State,
      (ipam.OperatingRegions ?? []).map((operating: { RegionName: string }) => operating.RegionName).join(', '),
      h('div', { class: 'actions' }, h('details', {}, h('summary', {}, 'Modify'), modify), remove),
    ];
  });

  const createScope = actionForm({
    title: 'Create private scope',
    id: 'create-scope',
    context,
    submitLabel: 'Create scope',
    fields: [
      labelled(
        'IPAM',
        h(
          'select',
          { name: 'IpamId', id: 'create-scope-ipam' },
          ipams.map((ipam) => h('option', { value: ipam.IpamId }, ipam.IpamId)),
        ),
      ),
      labelled('Description', input('Description', { id: 'create-scope-description' })),
    ],
    run: async (form) => {
      const { IpamScope } = await client.call('CreateIpamScope', {
        IpamId: textOf(form, 'IpamId'),
        Description: textOf(form, 'Description'),
      });
      return `Created ${IpamScope.IpamScopeId}.`;
    },
  });

  const scopeRows = scopes.map((scope) => [
    scope.IpamScopeId,
    ipamIdOf(scope),
    scope.IpamScopeType,
    scope.IsDefault ? 'yes' : 'no',
    scope.Description ?? '',
    scope.State,
    String(pools.filter((pool) => pool.IpamScopeId === scope.IpamScopeId).length),
    scope.IsDefault
      ? ''
      : actionButton(
          'Delete',
          context,
          async () => {
            await client.call('DeleteIpamScope', { IpamScopeId: scope.IpamScopeId });
            return `Deleting ${scope.IpamScopeId}.`;
          },
          { danger: true, ariaLabel: `Delete ${scope.IpamScopeId}`, confirm: () => confirmByTyping(scope.IpamScopeId) },
        ),
  ]);

  if (ipams.some((ipam) => String(ipam.State).endsWith('in-progress'))) context.refreshLater(1000);
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'IPAMs and scopes'),
    h('section', { class: 'panel' }, createIpam),
    table('IPAMs', ['IPAM', 'Description', 'Tier', 'Metered account', 'State', 'Operating Regions', 'Actions'], ipamRows, 'none yet.'),
    h('h2', {}, 'Scopes'),
    ipams.length ? h('section', { class: 'panel' }, createScope) : null,
    table('Scopes', ['Scope', 'IPAM', 'Type', 'Default', 'Description', 'State', 'Pools', 'Actions'], scopeRows, 'none yet.'),
  );
}
