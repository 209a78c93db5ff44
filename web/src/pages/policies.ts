// IPAM policies (docs/tiers-and-policies.md): the policies of each IPAM and the one governing the
// signed-in account; a policy's page with its allocation rules (an editor per locale and resource
// type), where it is enabled (enable on a target, disable there or everywhere) and its delete,
// confirmed by typing *delete*. Every refusal is the API's code and message.
import { type ApiClient, type ApiOutput, callAll } from '../api/client.ts';
import { field, h } from '../dom.ts';
import { actionButton, actionForm, deleteButton, textOf } from '../forms.ts';
import { ipamIdOf, loadInventory } from '../inventory.ts';
import type { PageContext } from '../page.ts';
import { table } from '../widgets.ts';

/** The resource types a policy's rules are for (ModifyIpamPolicyAllocationRules' ResourceType). */
const RESOURCE_TYPES = ['eip', 'alb', 'rds', 'rnat'];

const describePolicies = (client: ApiClient, input: Record<string, unknown> = {}) =>
  callAll(client, 'DescribeIpamPolicies', input, 'IpamPolicies');

const targetsOf = async (client: ApiClient, policyId: string) =>
  (await callAll(client, 'GetIpamPolicyOrganizationTargets', { IpamPolicyId: policyId }, 'OrganizationTargets')).map(
    (target) => target.OrganizationTargetId as string,
  );

const policyLink = (policyId: string) => h('a', { href: `#/policies/${policyId}` }, policyId);

export async function policiesPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const [{ ipams }, policies, enabled] = await Promise.all([
    loadInventory(client),
    describePolicies(client),
    client.call('GetEnabledIpamPolicy'),
  ]);
  const targets = new Map(
    await Promise.all(policies.map(async (policy) => [policy.IpamPolicyId, await targetsOf(client, policy.IpamPolicyId)] as const)),
  );

  const create = actionForm({
    title: 'Create IPAM policy',
    id: 'create-policy',
    context,
    submitLabel: 'Create policy',
    fields: [
      field(
        'IPAM',
        h(
          'select',
          { name: 'IpamId', id: 'create-policy-ipam' },
          ipams.map((ipam) => h('option', { value: ipam.IpamId }, `${ipam.IpamId} (${ipam.Tier ?? ''})`)),
        ),
      ),
    ],
    run: async (form) => {
      const { IpamPolicy } = await client.call('CreateIpamPolicy', { IpamId: textOf(form, 'IpamId') });
      return `Created ${IpamPolicy.IpamPolicyId}.`;
    },
  });

  const governing = enabled.IpamPolicyEnabled
    ? h(
        'p',
        { id: 'governing-policy' },
        'The policy governing this account: ',
        policyLink(enabled.IpamPolicyId),
        ` (managed by ${enabled.ManagedBy}).`,
      )
    : h('p', { id: 'governing-policy' }, 'No IPAM policy governs this account.');

  return h(
    'div',
    { class: 'page' },
    h('h1', {}, 'IPAM policies'),
    h(
      'p',
      { class: 'note' },
      'An advanced-tier feature: the allocation rules say which public IPv4 pools an Elastic IP without a pool comes from, per locale and resource type.',
    ),
    governing,
    ipams.length ? h('section', { class: 'panel' }, create) : h('p', { class: 'empty' }, 'Create an IPAM first (IPAMs and scopes).'),
    ipams.map((ipam) =>
      h(
        'section',
        {},
        h('h2', {}, `Policies of ${ipam.IpamId}`),
        table(
          `Policies of ${ipam.IpamId}`,
          ['Policy', 'State', 'Region', 'Enabled on', 'Actions'],
          policies
            .filter((policy) => policy.IpamId === ipam.IpamId)
            .map((policy) => [
              policyLink(policy.IpamPolicyId),
              policy.State,
              policy.IpamPolicyRegion ?? '',
              (targets.get(policy.IpamPolicyId) ?? []).join(', ') || 'nowhere',
              deleteButton(context, policy.IpamPolicyId, () => client.call('DeleteIpamPolicy', { IpamPolicyId: policy.IpamPolicyId })),
            ]),
          'none yet.',
        ),
      ),
    ),
  );
}

export async function policyPage(context: PageContext): Promise<HTMLElement> {
  const { client } = context;
  const policyId = context.params.policyId;
  const [[policy], rules, targets, { pools }] = await Promise.all([
    describePolicies(client, { IpamPolicyIds: [policyId] }),
    callAll(client, 'GetIpamPolicyAllocationRules', { IpamPolicyId: policyId }, 'IpamPolicyDocuments'),
    targetsOf(client, policyId),
    loadInventory(client),
  ]);
  // The pools rules may name: public-scope IPv4 pools of the policy's IPAM.
  const candidates = pools.filter(
    (pool) => ipamIdOf(pool) === policy.IpamId && pool.IpamScopeType === 'public' && pool.AddressFamily === 'ipv4',
  );

  const locale = h('input', { name: 'Locale', id: 'rules-locale', value: client.credentials.region, required: true });
  const resourceType = h(
    'select',
    { name: 'ResourceType', id: 'rules-resource-type' },
    RESOURCE_TYPES.map((type) => h('option', { value: type }, type)),
  );
  const sourcePools = h('textarea', { name: 'SourcePools', id: 'rules-source-pools', rows: 3, spellcheck: 'false' });
  const editor = actionForm({
    title: 'Edit allocation rules',
    id: 'edit-rules',
    context,
    submitLabel: 'Save rules',
    fields: [
      field('Locale', locale),
      field('Resource type', resourceType),
      field(
        'Source pools, in order',
        sourcePools,
        `One pool id per line or comma-separated; empty removes the rules of this locale and type. Public IPv4 pools of ${policy.IpamId}: ${
          candidates.map((pool) => `${pool.IpamPoolId} (${pool.Locale ?? 'no locale'})`).join(', ') || 'none'
        }.`,
      ),
    ],
    run: async (form) => {
      const poolIds = (textOf(form, 'SourcePools') ?? '').split(/[\s,]+/).filter(Boolean);
      await client.call('ModifyIpamPolicyAllocationRules', {
        IpamPolicyId: policyId,
        Locale: textOf(form, 'Locale'),
        ResourceType: textOf(form, 'ResourceType'),
        AllocationRules: poolIds.map((SourceIpamPoolId) => ({ SourceIpamPoolId })),
      });
      return `Saved the ${textOf(form, 'ResourceType')} rules of ${textOf(form, 'Locale')}.`;
    },
  });
  /** Puts a pair's rules into the editor, to change them. */
  const editButton = (document: ApiOutput) =>
    h(
      'button',
      {
        type: 'button',
        'aria-label': `Edit the ${document.ResourceType} rules of ${document.Locale}`,
        onclick: () => {
          locale.value = document.Locale;
          resourceType.value = document.ResourceType;
          sourcePools.value = (document.AllocationRules ?? []).map((rule: ApiOutput) => rule.SourceIpamPoolId).join('\n');
          sourcePools.focus();
        },
      },
      'Edit',
    );

  const enable = actionForm({
    title: 'Enable the policy',
    id: 'enable-policy',
    context,
    submitLabel: 'Enable',
    fields: [
      field(
        'Organization target',
        h('input', { name: 'OrganizationTargetId', id: 'enable-target', spellcheck: 'false' }),
        "An account, OU or root id of the delegated administrator's organisation; empty: this account.",
      ),
    ],
    run: async (form) => {
      const OrganizationTargetId = textOf(form, 'OrganizationTargetId');
      await client.call('EnableIpamPolicy', { IpamPolicyId: policyId, ...(OrganizationTargetId ? { OrganizationTargetId } : {}) });
      return `Enabled ${policyId}${OrganizationTargetId ? ` on ${OrganizationTargetId}` : ''}.`;
    },
  });
  const disableOn = (target: string) =>
    actionButton(
      'Disable',
      context,
      async () => {
        await client.call('DisableIpamPolicy', { IpamPolicyId: policyId, OrganizationTargetId: target });
        return `Disabled ${policyId} on ${target}.`;
      },
      { ariaLabel: `Disable on ${target}` },
    );
  const disableEverywhere = actionButton('Disable everywhere', context, async () => {
    await client.call('DisableIpamPolicy', { IpamPolicyId: policyId });
    return `Disabled ${policyId} everywhere.`;
  });

  return h(
    'div',
    { class: 'page' },
    h('p', {}, h('a', { href: '#/policies' }, 'IPAM policies')),
    h('h1', {}, policyId),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'IPAM'),
      h('dd', {}, policy.IpamId),
      h('dt', {}, 'State'),
      h('dd', {}, policy.State),
      h('dt', {}, 'Region'),
      h('dd', {}, policy.IpamPolicyRegion ?? ''),
      h('dt', {}, 'ARN'),
      h('dd', {}, policy.IpamPolicyArn ?? ''),
    ),
    h('h2', {}, 'Allocation rules'),
    table(
      'Allocation rules',
      ['Locale', 'Resource type', 'Source pools, in order', 'Actions'],
      rules.map((document) => [
        document.Locale,
        document.ResourceType,
        (document.AllocationRules ?? []).map((rule: ApiOutput) => rule.SourceIpamPoolId).join(' → '),
        editButton(document),
      ]),
      'none yet.',
    ),
    h('section', { class: 'panel' }, editor),
    h('h2', {}, 'Enabled on'),
    table(
      'Enabled on',
      ['Target', 'Actions'],
      targets.map((target) => [target, disableOn(target)]),
      'nowhere.',
    ),
    h('section', { class: 'panel' }, enable, targets.length ? h('div', { class: 'actions' }, disableEverywhere) : null),
    h('h2', {}, 'Delete'),
    h(
      'p',
      {},
      'A policy still enabled cannot be deleted. ',
      deleteButton(
        context,
        policyId,
        () => client.call('DeleteIpamPolicy', { IpamPolicyId: policyId }),
        () => context.navigate('#/policies'),
      ),
    ),
  );
}
