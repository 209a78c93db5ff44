// Managed prefix lists (docs/prefix-lists.md): the Region's lists with the resolver target that
// syncs each, create (name, family, max entries, entries) and delete (type *delete*); a list's page
// with its versions and one version's entries (the current one by default).
import { type ApiClient, callAll } from '../api/client.ts';
import { field, h } from '../dom.ts';
import { actionForm, deleteButton, numberOf, textOf } from '../forms.ts';
import type { PageContext } from '../page.ts';
import { table } from '../widgets.ts';

export const describePrefixLists = (client: ApiClient, input: Record<string, unknown> = {}) =>
  callAll(client, 'DescribeManagedPrefixLists', input, 'PrefixLists');

const listLink = (id: string) => h('a', { href: `#/prefix-lists/${id}` }, id);

/** Who keeps the list: its resolver target and whether sync is on, or nobody. */
const syncedBy = (list: Record<string, unknown>) =>
  list.IpamPrefixListResolverTargetId
    ? `${list.IpamPrefixListResolverTargetId} (sync ${list.IpamPrefixListResolverSyncEnabled === false ? 'off' : 'on'})`
    : '';

/** Entries typed one a line, `CIDR [description]`. */
const entriesOf = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [Cidr, ...description] = line.split(/\s+/);
      return description.length ? { Cidr, Description: description.join(' ') } : { Cidr };
    });

export async function prefixListsPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const lists = await describePrefixLists(client);
  const create = actionForm({
    title: 'Create prefix list',
    id: 'create-prefix-list',
    context,
    submitLabel: 'Create prefix list',
    fields: [
      field('Name', h('input', { name: 'PrefixListName', id: 'create-prefix-list-name', required: true })),
      field(
        'Address family',
        h(
          'select',
          { name: 'AddressFamily', id: 'create-prefix-list-family' },
          ['IPv4', 'IPv6'].map((family) => h('option', { value: family }, family)),
        ),
      ),
      field('Max entries', h('input', { name: 'MaxEntries', id: 'create-prefix-list-max', type: 'number', value: '10', required: true })),
      field(
        'Entries',
        h('textarea', { name: 'Entries', id: 'create-prefix-list-entries', rows: 3, spellcheck: 'false' }),
        'One a line: a CIDR, then an optional description.',
      ),
    ],
    run: async (form) => {
      const entries = entriesOf(textOf(form, 'Entries') ?? '');
      const { PrefixList } = await client.call('CreateManagedPrefixList', {
        PrefixListName: textOf(form, 'PrefixListName'),
        AddressFamily: textOf(form, 'AddressFamily'),
        MaxEntries: numberOf(form, 'MaxEntries'),
        ...(entries.length ? { Entries: entries } : {}),
      });
      return `Created ${PrefixList.PrefixListId}.`;
    },
  });
  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Prefix lists'),
    h(
      'p',
      { class: 'note' },
      `The customer-managed prefix lists of ${client.credentials.region}. A prefix list resolver’s target keeps a list at one of the resolver’s versions.`,
    ),
    h('section', { class: 'panel' }, create),
    table(
      'Prefix lists',
      ['Prefix list', 'Name', 'Family', 'Max entries', 'Version', 'State', 'Synced by', 'Actions'],
      lists.map((list) => [
        listLink(list.PrefixListId),
        list.PrefixListName,
        list.AddressFamily,
        String(list.MaxEntries),
        String(list.Version),
        list.State,
        syncedBy(list),
        deleteButton(context, list.PrefixListId, () => client.call('DeleteManagedPrefixList', { PrefixListId: list.PrefixListId })),
      ]),
      'none yet.',
    ),
  );
}

export async function prefixListPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const id = context.params.prefixListId;
  const [list] = await describePrefixLists(client, { PrefixListIds: [id] });
  const current = Number(list.Version);
  const shown = context.params.version ? Number(context.params.version) : current;
  const entries = await callAll(client, 'GetManagedPrefixListEntries', { PrefixListId: id, TargetVersion: shown }, 'Entries');
  const numbers = Array.from({ length: current }, (_, index) => index + 1);
  return h(
    'div',
    { class: 'page' },
    h('p', {}, h('a', { href: '#/prefix-lists' }, 'Prefix lists')),
    h('h1', {}, id),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Name'),
      h('dd', {}, list.PrefixListName),
      h('dt', {}, 'Address family'),
      h('dd', {}, list.AddressFamily),
      h('dt', {}, 'Max entries'),
      h('dd', {}, String(list.MaxEntries)),
      h('dt', {}, 'State'),
      h('dd', {}, list.State),
      h('dt', {}, 'Synced by'),
      h('dd', {}, syncedBy(list) || 'no resolver target'),
      h('dt', {}, 'ARN'),
      h('dd', {}, list.PrefixListArn ?? ''),
    ),
    h('h2', {}, 'Versions'),
    h(
      'p',
      { id: 'versions' },
      'Versions: ',
      numbers.map((number, index) => [
        index ? ', ' : '',
        number === shown
          ? h('strong', { 'aria-current': 'true' }, `v${number}`)
          : h('a', { href: `#/prefix-lists/${id}/versions/${number}` }, `v${number}`),
      ]),
    ),
    table(
      `Entries of version ${shown}`,
      ['CIDR', 'Description'],
      entries.map((entry) => [entry.Cidr, entry.Description ?? '']),
      'none.',
    ),
    h('h2', {}, 'Delete'),
    h(
      'p',
      {},
      deleteButton(
        context,
        id,
        () => client.call('DeleteManagedPrefixList', { PrefixListId: id }),
        () => context.navigate('#/prefix-lists'),
      ),
    ),
  );
}
