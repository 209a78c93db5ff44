// The fields of a new pool (top-level on the Pools page, child on a pool's page) and the
// CreateIpamPool input they make: the API judges every value and its message is shown.
import type { ApiClient, ApiOutput } from './api/client.ts';
import { h } from './dom.ts';
import { numberOf, textOf } from './forms.ts';

function control(label: string, element: HTMLInputElement | HTMLSelectElement): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: element.id }, label), element);
}

/** `prefix` keeps the ids of two such forms on one page apart. */
export function poolFields(prefix: string, options: { families: boolean; locale?: string }): HTMLElement[] {
  return [
    options.families
      ? control(
          'Address family',
          h(
            'select',
            { name: 'AddressFamily', id: `${prefix}-family` },
            h('option', { value: 'ipv4' }, 'IPv4'),
            h('option', { value: 'ipv6' }, 'IPv6'),
          ),
        )
      : null,
    control('Name', h('input', { name: 'Name', id: `${prefix}-name` })),
    control('Description', h('input', { name: 'Description', id: `${prefix}-description` })),
    control(
      'Locale (Region, or none)',
      h('input', { name: 'Locale', id: `${prefix}-locale`, value: options.locale ?? '', placeholder: 'none' }),
    ),
    control('Min netmask', h('input', { name: 'Min', id: `${prefix}-min`, inputmode: 'numeric', size: '4' })),
    control('Max netmask', h('input', { name: 'Max', id: `${prefix}-max`, inputmode: 'numeric', size: '4' })),
    control('Default netmask', h('input', { name: 'Default', id: `${prefix}-default`, inputmode: 'numeric', size: '4' })),
  ].filter((element): element is HTMLElement => element !== null);
}

export async function createPool(
  client: ApiClient,
  form: HTMLFormElement,
  base: { IpamScopeId: string; parent?: ApiOutput },
): Promise<string> {
  const name = textOf(form, 'Name');
  const locale = textOf(form, 'Locale');
  const { IpamPool } = await client.call('CreateIpamPool', {
    IpamScopeId: base.IpamScopeId,
    AddressFamily: base.parent?.AddressFamily ?? textOf(form, 'AddressFamily'),
    SourceIpamPoolId: base.parent?.IpamPoolId,
    Description: textOf(form, 'Description'),
    Locale: locale && locale !== 'none' ? locale : undefined,
    AllocationMinNetmaskLength: numberOf(form, 'Min'),
    AllocationMaxNetmaskLength: numberOf(form, 'Max'),
    AllocationDefaultNetmaskLength: numberOf(form, 'Default'),
    TagSpecifications: name ? [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'Name', Value: name }] }] : undefined,
  });
  return `Created ${IpamPool.IpamPoolId}${name ? ` (${name})` : ''}.`;
}
