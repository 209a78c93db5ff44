// The rule editor of prefix list resolvers (docs/prefix-lists.md): one fieldset per rule, filled
// with a resolver's rules or empty, read back into the API's Rules on submit. Conditions are one per
// line, `Property operation value`; the console only splits them, the API judges them.
import type { ApiOutput } from './api/client.ts';
import { field, h } from './dom.ts';
import { conditionText, parseCondition } from './resolver-conditions.ts';

const RULE_TYPES = ['static-cidr', 'ipam-pool-cidr', 'ipam-resource-cidr'];
/** The resource types of ipam-resource-cidr rules; empty: every type. */
const RESOURCE_TYPES = ['', 'vpc', 'subnet', 'eip', 'public-ipv4-pool', 'ipv6-pool', 'eni', 'anycast-ip-list'];
export interface RuleEditor {
  element: HTMLElement;
  /** The rules as the API takes them. */
  rules(): Record<string, unknown>[];
}

/** `scopes`: the scopes of the resolver's IPAM, offered to pool and resource rules. */
export function ruleEditor(idPrefix: string, scopes: ApiOutput[], initial: ApiOutput[] = []): RuleEditor {
  const list = h('div', { class: 'rules' });
  const readers: (() => Record<string, unknown> | undefined)[] = [];

  const renumber = () => {
    for (const [index, fieldset] of [...list.querySelectorAll('fieldset')].entries()) {
      fieldset.querySelector('legend')!.textContent = `Rule ${index + 1}`;
      fieldset.querySelector('button')!.setAttribute('aria-label', `Remove rule ${index + 1}`);
    }
  };

  const addRule = (rule: ApiOutput = { RuleType: 'static-cidr' }) => {
    const n = readers.length;
    const type = h(
      'select',
      { id: `${idPrefix}-${n}-type` },
      RULE_TYPES.map((value) => h('option', { value, selected: value === rule.RuleType }, value)),
    );
    const staticCidr = h('input', { id: `${idPrefix}-${n}-cidr`, value: rule.StaticCidr ?? '', spellcheck: 'false' });
    const scope = h(
      'select',
      { id: `${idPrefix}-${n}-scope` },
      scopes.map((each) =>
        h(
          'option',
          { value: each.IpamScopeId, selected: each.IpamScopeId === rule.IpamScopeId },
          `${each.IpamScopeId} (${each.IpamScopeType})`,
        ),
      ),
    );
    const resourceType = h(
      'select',
      { id: `${idPrefix}-${n}-resource-type` },
      RESOURCE_TYPES.map((value) => h('option', { value, selected: value === (rule.ResourceType ?? '') }, value || 'every type')),
    );
    const conditions = h('textarea', { id: `${idPrefix}-${n}-conditions`, rows: 2, spellcheck: 'false' });
    conditions.value = (rule.Conditions ?? []).map(conditionText).join('\n');
    const fields = {
      static: field('Static CIDR', staticCidr),
      scope: field('Scope', scope),
      resourceType: field('Resource type', resourceType),
      conditions: field(
        'Conditions',
        conditions,
        'One a line: property, equals | not-equals | subnet-of, value (IpamPoolId, Cidr; ResourceId, ResourceOwner, ResourceRegion, ResourceTag key=value).',
      ),
    };
    // Only the members of the chosen type are shown, and sent (a style: .field's display outranks `hidden`).
    const show = () => {
      const shownFor = (visible: boolean) => (visible ? '' : 'none');
      fields.static.style.display = shownFor(type.value === 'static-cidr');
      fields.scope.style.display = shownFor(type.value !== 'static-cidr');
      fields.conditions.style.display = shownFor(type.value !== 'static-cidr');
      fields.resourceType.style.display = shownFor(type.value === 'ipam-resource-cidr');
    };
    type.addEventListener('change', show);
    show();
    const fieldset = h(
      'fieldset',
      { class: 'rule' },
      h('legend', {}, `Rule ${n + 1}`),
      h('div', { class: 'inline-fields' }, field('Rule type', type), Object.values(fields)),
    );
    let removed = false;
    fieldset.append(
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            removed = true;
            fieldset.remove();
            renumber();
          },
        },
        'Remove rule',
      ),
    );
    readers.push(() => {
      if (removed) return undefined;
      if (type.value === 'static-cidr') return { RuleType: type.value, StaticCidr: staticCidr.value.trim() || undefined };
      const lines = conditions.value.split('\n').filter((line) => line.trim());
      return {
        RuleType: type.value,
        IpamScopeId: scope.value || undefined,
        ...(type.value === 'ipam-resource-cidr' && resourceType.value ? { ResourceType: resourceType.value } : {}),
        ...(lines.length ? { Conditions: lines.map(parseCondition) } : {}),
      };
    });
    list.append(fieldset);
    renumber();
    return fieldset;
  };

  for (const rule of initial) addRule(rule);
  const add = h(
    'button',
    {
      type: 'button',
      onclick: () => addRule().querySelector('select')?.focus(),
    },
    'Add a rule',
  );
  return {
    element: h('div', { class: 'rule-editor' }, list, add),
    rules: () =>
      readers.flatMap((read) => {
        const rule = read();
        return rule ? [rule] : [];
      }),
  };
}
