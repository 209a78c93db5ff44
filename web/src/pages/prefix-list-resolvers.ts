// Prefix list resolvers (docs/prefix-lists.md): the resolvers of each IPAM with their last version's
// outcome, create (family, description, rules) and delete (type *delete*); a resolver's page with
// its rules (replaced as a whole), its versions and one version's entries (the latest by default).
import { type ApiClient, callAll } from '../api/client.ts';
import { field, h } from '../dom.ts';
import { actionForm, deleteButton, textOf } from '../forms.ts';
import { ipamIdOf, loadInventory } from '../inventory.ts';
import type { PageContext } from '../page.ts';
import { describePrefixLists } from './prefix-lists.ts';
import { conditionText } from '../resolver-conditions.ts';
import { ruleEditor } from '../resolver-rules.ts';
import { table } from '../widgets.ts';

const describeResolvers = (client: ApiClient, input: Record<string, unknown> = {}) =>
  callAll(client, 'DescribeIpamPrefixListResolvers', input, 'IpamPrefixListResolvers');

const resolverLink = (id: string) => h('a', { href: `#/prefix-list-resolvers/${id}` }, id);

/** The last evaluation's outcome: `success`, or `failure: <message>`. */
const lastVersion = (resolver: Record<string, string | undefined>) =>
  [resolver.LastVersionCreationStatus, resolver.LastVersionCreationStatusMessage].filter(Boolean).join(': ');

export async function prefixListResolversPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const [{ ipams, scopes }, resolvers] = await Promise.all([loadInventory(client), describeResolvers(client)]);

  const rules = ruleEditor('create-resolver-rule', scopes);
  const create = actionForm({
    title: 'Create prefix list resolver',
    id: 'create-resolver',
    context,
    submitLabel: 'Create resolver',
    fields: [
      field(
        'IPAM',
        h(
          'select',
          { name: 'IpamId', id: 'create-resolver-ipam' },
          ipams.map((ipam) => h('option', { value: ipam.IpamId }, `${ipam.IpamId} (${ipam.Tier ?? ''})`)),
        ),
      ),
      field(
        'Address family',
        h(
          'select',
          { name: 'AddressFamily', id: 'create-resolver-family' },
          ['ipv4', 'ipv6'].map((family) => h('option', { value: family }, family)),
        ),
      ),
      field('Description', h('input', { name: 'Description', id: 'create-resolver-description' })),
      rules.element,
    ],
    run: async (form) => {
      const Description = textOf(form, 'Description');
      const { IpamPrefixListResolver } = await client.call('CreateIpamPrefixListResolver', {
        IpamId: textOf(form, 'IpamId'),
        AddressFamily: textOf(form, 'AddressFamily'),
        ...(Description ? { Description } : {}),
        Rules: rules.rules(),
      });
      return `Created ${IpamPrefixListResolver.IpamPrefixListResolverId}.`;
    },
  });

  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'Prefix list resolvers'),
    h(
      'p',
      { class: 'note' },
      'An advanced-tier feature: a resolver’s rules select CIDRs from the IPAM (static CIDRs, pool CIDRs, resource CIDRs), and each change of the selection is kept as a numbered version.',
    ),
    ipams.length ? h('section', { class: 'panel' }, create) : h('p', { class: 'empty' }, 'Create an IPAM first (IPAMs and scopes).'),
    ipams.map((ipam) =>
      h(
        'section',
        {},
        h('h2', {}, `Resolvers of ${ipam.IpamId}`),
        table(
          `Resolvers of ${ipam.IpamId}`,
          ['Resolver', 'Family', 'Description', 'State', 'Last version', 'Actions'],
          resolvers
            .filter((resolver) => ipamIdOf(resolver) === ipam.IpamId)
            .map((resolver) => [
              resolverLink(resolver.IpamPrefixListResolverId),
              resolver.AddressFamily,
              resolver.Description ?? '',
              resolver.State,
              lastVersion(resolver),
              deleteButton(context, resolver.IpamPrefixListResolverId, () =>
                client.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: resolver.IpamPrefixListResolverId }),
              ),
            ]),
          'none yet.',
        ),
      ),
    ),
  );
}

export async function prefixListResolverPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const id = context.params.resolverId;
  const [[resolver], rules, versions, { scopes }, targets, lists] = await Promise.all([
    describeResolvers(client, { IpamPrefixListResolverIds: [id] }),
    callAll(client, 'GetIpamPrefixListResolverRules', { IpamPrefixListResolverId: id }, 'Rules'),
    callAll(client, 'GetIpamPrefixListResolverVersions', { IpamPrefixListResolverId: id }, 'IpamPrefixListResolverVersions'),
    loadInventory(client),
    callAll(client, 'DescribeIpamPrefixListResolverTargets', { IpamPrefixListResolverId: id }, 'IpamPrefixListResolverTargets'),
    describePrefixLists(client),
  ]);
  const ipamId = ipamIdOf(resolver);
  const numbers = versions.map((version) => Number(version.Version));
  const shown = context.params.version ? Number(context.params.version) : numbers.at(-1);
  const entries =
    shown === undefined
      ? []
      : await callAll(
          client,
          'GetIpamPrefixListResolverVersionEntries',
          { IpamPrefixListResolverId: id, IpamPrefixListResolverVersion: shown },
          'Entries',
        );

  const editor = ruleEditor(
    'modify-resolver-rule',
    scopes.filter((scope) => ipamIdOf(scope) === ipamId),
    rules,
  );
  const modify = actionForm({
    title: 'Modify the resolver',
    id: 'modify-resolver',
    context,
    submitLabel: 'Save',
    fields: [
      field('Description', h('input', { name: 'Description', id: 'modify-resolver-description', value: resolver.Description ?? '' })),
      editor.element,
    ],
    run: async (form) => {
      const Description = textOf(form, 'Description');
      await client.call('ModifyIpamPrefixListResolver', {
        IpamPrefixListResolverId: id,
        ...(Description ? { Description } : {}),
        Rules: editor.rules(),
      });
      return `Saved ${id}.`;
    },
  });

  // Lists a target may take here: this Region's, of the resolver's family, not yet targeted.
  const free = lists.filter((list) => list.AddressFamily.toLowerCase() === resolver.AddressFamily && !list.IpamPrefixListResolverTargetId);
  const createTarget = actionForm({
    title: 'Create target',
    id: 'create-target',
    context,
    submitLabel: 'Create target',
    fields: [
      field(
        'Prefix list',
        h(
          'select',
          { name: 'PrefixListId', id: 'create-target-list' },
          free.map((list) => h('option', { value: list.PrefixListId }, `${list.PrefixListId} (${list.PrefixListName})`)),
        ),
        `The ${resolver.AddressFamily} prefix lists of ${client.credentials.region} that no resolver keeps yet (Prefix lists).`,
      ),
      field(
        'Version',
        h(
          'select',
          { name: 'Version', id: 'create-target-version' },
          h('option', { value: 'latest' }, 'track the latest'),
          numbers.map((number) => h('option', { value: String(number) }, `keep at v${number}`)),
        ),
      ),
    ],
    run: async (form) => {
      const version = textOf(form, 'Version');
      const { IpamPrefixListResolverTarget } = await client.call('CreateIpamPrefixListResolverTarget', {
        IpamPrefixListResolverId: id,
        PrefixListId: textOf(form, 'PrefixListId'),
        PrefixListRegion: client.credentials.region,
        ...(version === 'latest' ? { TrackLatestVersion: true } : { TrackLatestVersion: false, DesiredVersion: Number(version) }),
      });
      return `Created ${IpamPrefixListResolverTarget.IpamPrefixListResolverTargetId}.`;
    },
  });
  const deleteTarget = (targetId: string) =>
    deleteButton(context, targetId, () => client.call('DeleteIpamPrefixListResolverTarget', { IpamPrefixListResolverTargetId: targetId }));

  return h(
    'div',
    { class: 'page' },
    h('p', {}, h('a', { href: '#/prefix-list-resolvers' }, 'Prefix list resolvers')),
    h('h1', {}, id),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'IPAM'),
      h('dd', {}, ipamId),
      h('dt', {}, 'Address family'),
      h('dd', {}, resolver.AddressFamily),
      h('dt', {}, 'Description'),
      h('dd', {}, resolver.Description ?? ''),
      h('dt', {}, 'State'),
      h('dd', {}, resolver.State),
      h('dt', {}, 'Last version'),
      h('dd', { id: 'last-version' }, lastVersion(resolver)),
      h('dt', {}, 'ARN'),
      h('dd', {}, resolver.IpamPrefixListResolverArn ?? ''),
    ),
    h('h2', {}, 'Rules'),
    table(
      'Rules',
      ['Type', 'CIDR or scope', 'Resource type', 'Conditions'],
      rules.map((rule) => [
        rule.RuleType,
        rule.StaticCidr ?? rule.IpamScopeId ?? '',
        rule.ResourceType ?? '',
        (rule.Conditions ?? []).map(conditionText).join('; '),
      ]),
      'none: the versions are empty.',
    ),
    h('section', { class: 'panel' }, modify),
    h('h2', {}, 'Versions'),
    h(
      'p',
      { id: 'versions' },
      'Versions: ',
      numbers.map((number, index) => [
        index ? ', ' : '',
        number === shown
          ? h('strong', { 'aria-current': 'true' }, `v${number}`)
          : h('a', { href: `#/prefix-list-resolvers/${id}/versions/${number}` }, `v${number}`),
      ]),
    ),
    shown === undefined
      ? null
      : table(
          `Entries of version ${shown}`,
          ['CIDR'],
          entries.map((entry) => [entry.Cidr]),
          'none.',
        ),
    h('h2', {}, 'Targets'),
    table(
      'Targets',
      ['Target', 'Prefix list', 'Region', 'Version', 'Last synced', 'State', 'Actions'],
      targets.map((target) => [
        target.IpamPrefixListResolverTargetId,
        h('a', { href: `#/prefix-lists/${target.PrefixListId}` }, target.PrefixListId),
        target.PrefixListRegion,
        target.TrackLatestVersion ? 'latest' : `v${target.DesiredVersion}`,
        target.LastSyncedVersion === undefined ? '' : `v${target.LastSyncedVersion}`,
        [target.State, target.StateMessage].filter(Boolean).join(': '),
        deleteTarget(target.IpamPrefixListResolverTargetId),
      ]),
      'none: no prefix list follows this resolver.',
    ),
    h('section', { class: 'panel' }, createTarget),
    h('h2', {}, 'Delete'),
    h(
      'p',
      {},
      'Deletes the resolver, its versions and its targets (their prefix lists stay). ',
      deleteButton(
        context,
        id,
        () => client.call('DeleteIpamPrefixListResolver', { IpamPrefixListResolverId: id }),
        () => context.navigate('#/prefix-list-resolvers'),
      ),
    ),
  );
}
