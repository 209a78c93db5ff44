// Resource discoveries and their associations with IPAMs: create, associate, disassociate, delete
// (typed "delete"), and one discovery's discovered accounts and resource CIDRs per Region.
import { type ApiOutput, callAll, errorText } from '../api/client.ts';
import { field, h, replaceChildren, statusArea } from '../dom.ts';
import { pageAction } from '../forms.ts';
import type { PageContext } from '../page.ts';
import { formatTime } from '../search/history.ts';
import { formatUsage } from '../search/resources.ts';
import { confirmByTyping, table } from '../widgets.ts';

const regionNames = (record: ApiOutput) => (record.OperatingRegions ?? []).map((region: { RegionName: string }) => region.RegionName);

export async function discoveriesPage({ client, refresh }: PageContext): Promise<HTMLElement> {
  const [discoveries, associations, ipams] = await Promise.all([
    callAll(client, 'DescribeIpamResourceDiscoveries', { MaxResults: 1000 }, 'IpamResourceDiscoveries'),
    callAll(client, 'DescribeIpamResourceDiscoveryAssociations', { MaxResults: 1000 }, 'IpamResourceDiscoveryAssociations'),
    callAll(client, 'DescribeIpams', { MaxResults: 1000 }, 'Ipams'),
  ]);
  const status = statusArea();
  const act = pageAction(status, refresh);

  const description = h('input', { name: 'description' });
  const regions = h('input', { name: 'regions', value: client.credentials.region, spellcheck: 'false' });
  const create = h(
    'form',
    { class: 'inline', 'aria-label': 'Create a resource discovery' },
    field('Description', description),
    field('Operating Regions', regions, 'Comma-separated, e.g. us-east-1, eu-west-1'),
    h('button', { type: 'submit', class: 'primary' }, 'Create resource discovery'),
  );
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    const names = regions.value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    void act(() =>
      client.call('CreateIpamResourceDiscovery', {
        ...(description.value.trim() ? { Description: description.value.trim() } : {}),
        OperatingRegions: names.map((RegionName) => ({ RegionName })),
      }),
    );
  });

  const own = discoveries.filter((discovery) => !discovery.IsDefault);
  const discoveryChoice = h(
    'select',
    { name: 'discovery' },
    own.map((discovery) =>
      h(
        'option',
        { value: discovery.IpamResourceDiscoveryId },
        `${discovery.IpamResourceDiscoveryId} ${discovery.Description ?? ''}`.trim(),
      ),
    ),
  );
  const ipamChoice = h(
    'select',
    { name: 'ipam' },
    ipams.map((ipam) => h('option', { value: ipam.IpamId }, `${ipam.IpamId} ${ipam.Description ?? ''}`.trim())),
  );
  const associate = h(
    'form',
    { class: 'inline', 'aria-label': 'Associate a resource discovery with an IPAM' },
    field('Resource discovery', discoveryChoice),
    field('IPAM', ipamChoice),
    h('button', { type: 'submit', disabled: own.length === 0 || ipams.length === 0 }, 'Associate'),
  );
  associate.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() =>
      client.call('AssociateIpamResourceDiscovery', { IpamId: ipamChoice.value, IpamResourceDiscoveryId: discoveryChoice.value }),
    );
  });

  const deleteButton = (discovery: ApiOutput) => {
    if (discovery.IsDefault) return 'default';
    const button = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${discovery.IpamResourceDiscoveryId}` }, 'Delete');
    button.addEventListener('click', async () => {
      if (!(await confirmByTyping(`resource discovery ${discovery.IpamResourceDiscoveryId}`))) return;
      await act(() => client.call('DeleteIpamResourceDiscovery', { IpamResourceDiscoveryId: discovery.IpamResourceDiscoveryId }));
    });
    return button;
  };
  const disassociateButton = (association: ApiOutput) => {
    if (association.IsDefault) return 'default';
    const button = h(
      'button',
      { type: 'button', 'aria-label': `Disassociate ${association.IpamResourceDiscoveryAssociationId}` },
      'Disassociate',
    );
    button.addEventListener('click', () =>
      act(() =>
        client.call('DisassociateIpamResourceDiscovery', {
          IpamResourceDiscoveryAssociationId: association.IpamResourceDiscoveryAssociationId,
        }),
      ),
    );
    return button;
  };
  const reload = h('button', { type: 'button' }, 'Refresh');
  reload.addEventListener('click', () => refresh());

  return h(
    'div',
    { class: 'page discoveries' },
    h('h1', {}, 'Resource discoveries'),
    h('p', { class: 'note' }, 'Changes settle in the background: states go from …-in-progress to …-complete. ', reload),
    status,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'discoveries-title' },
      h('h2', { id: 'discoveries-title' }, 'Discoveries'),
      table(
        'Resource discoveries',
        ['Resource discovery', 'Description', 'Owner', 'Home Region', 'Operating Regions', 'State', 'Actions'],
        discoveries.map((discovery) => [
          h('a', { href: `#/discoveries/${discovery.IpamResourceDiscoveryId}` }, discovery.IpamResourceDiscoveryId),
          discovery.Description ?? '',
          discovery.OwnerId,
          discovery.IpamResourceDiscoveryRegion,
          regionNames(discovery).join(', '),
          discovery.State,
          deleteButton(discovery),
        ]),
        'none.',
      ),
      create,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'associations-title' },
      h('h2', { id: 'associations-title' }, 'Associations'),
      table(
        'Resource discovery associations',
        ['Association', 'Resource discovery', 'IPAM', 'IPAM Region', 'Owner', 'Discovery status', 'State', 'Actions'],
        associations.map((association) => [
          association.IpamResourceDiscoveryAssociationId,
          association.IpamResourceDiscoveryId,
          association.IpamId,
          association.IpamRegion,
          association.OwnerId,
          association.ResourceDiscoveryStatus ?? '—',
          association.State,
          disassociateButton(association),
        ]),
        'none.',
      ),
      associate,
    ),
  );
}

/** One discovery: what it found per Region (GetIpamDiscoveredAccounts and GetIpamDiscoveredResourceCidrs). */
export async function discoveryPage({ client, params }: PageContext): Promise<HTMLElement> {
  const id = params.discoveryId!;
  const { IpamResourceDiscoveries } = await client.call('DescribeIpamResourceDiscoveries', { IpamResourceDiscoveryIds: [id] });
  const discovery: ApiOutput = IpamResourceDiscoveries[0];
  const names: string[] = regionNames(discovery);
  const region = h(
    'select',
    { name: 'region' },
    names.map((name) => h('option', { value: name, selected: name === client.credentials.region }, name)),
  );
  const status = statusArea();
  const found = h('div', { class: 'results' });
  const show = async () => {
    status.clear();
    found.setAttribute('aria-busy', 'true');
    try {
      const [accounts, cidrs] = await Promise.all([
        callAll(
          client,
          'GetIpamDiscoveredAccounts',
          { IpamResourceDiscoveryId: id, DiscoveryRegion: region.value, MaxResults: 1000 },
          'IpamDiscoveredAccounts',
        ),
        callAll(
          client,
          'GetIpamDiscoveredResourceCidrs',
          { IpamResourceDiscoveryId: id, ResourceRegion: region.value, MaxResults: 1000 },
          'IpamDiscoveredResourceCidrs',
        ),
      ]);
      replaceChildren(
        found,
        h('h2', {}, `Discovered accounts in ${region.value}`),
        table(
          `Discovered accounts in ${region.value}`,
          ['Account', 'Organizational unit', 'Last attempted', 'Last successful', 'Failure'],
          accounts.map((account) => [
            account.AccountId,
            account.OrganizationalUnitId ?? '—',
            formatTime(account.LastAttemptedDiscoveryTime),
            formatTime(account.LastSuccessfulDiscoveryTime),
            account.FailureReason ? `${account.FailureReason.Code}: ${account.FailureReason.Message}` : '—',
          ]),
          'none yet (a sweep has not run in this Region).',
        ),
        h('h2', {}, `Discovered resource CIDRs in ${region.value}`),
        table(
          `Discovered resource CIDRs in ${region.value}`,
          ['Resource', 'Type', 'CIDR', 'Account', 'VPC', 'IP usage', 'Sampled'],
          cidrs.map((cidr) => [
            cidr.ResourceId,
            cidr.ResourceType,
            cidr.ResourceCidr,
            cidr.ResourceOwnerId,
            cidr.VpcId ?? '—',
            formatUsage(cidr.IpUsage),
            formatTime(cidr.SampleTime),
          ]),
          'none.',
        ),
      );
    } catch (error) {
      replaceChildren(found);
      status.show('error', errorText(error));
    } finally {
      found.removeAttribute('aria-busy');
    }
  };
  region.addEventListener('change', () => void show());
  if (names.length > 0) await show();
  return h(
    'div',
    { class: 'page discovery' },
    h('p', { class: 'breadcrumbs' }, h('a', { href: '#/discoveries' }, 'Resource discoveries'), ' / ', id),
    h('h1', {}, `Resource discovery ${id}`),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Description'),
      h('dd', {}, discovery.Description || '—'),
      h('dt', {}, 'Owner'),
      h('dd', {}, discovery.OwnerId),
      h('dt', {}, 'State'),
      h('dd', {}, discovery.State),
      h('dt', {}, 'Default'),
      h('dd', {}, discovery.IsDefault ? 'yes' : 'no'),
    ),
    field('Discovery Region', region),
    status,
    found,
  );
}
