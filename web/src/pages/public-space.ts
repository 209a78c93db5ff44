// Public space: BYOIP CIDRs (DescribeByoipCidrs, the signed-in Region), BYOASNs, the IPAM's
// external-resource verification tokens (create, delete by typing "delete"), and Elastic IPs.
import { type ApiOutput, callAll } from '../api/client.ts';
import { field, h, statusArea } from '../dom.ts';
import { pageAction } from '../forms.ts';
import type { PageContext } from '../page.ts';
import { formatTime } from '../search/history.ts';
import { confirmByTyping, table } from '../widgets.ts';

const tagsText = (tags: { Key: string; Value: string }[] | undefined) => (tags ?? []).map((tag) => `${tag.Key}=${tag.Value}`).join(', ');

export async function publicSpacePage({ client, refresh }: PageContext): Promise<HTMLElement> {
  const [byoipCidrs, byoasns, tokens, addresses, ipams] = await Promise.all([
    callAll(client, 'DescribeByoipCidrs', { MaxResults: 100 }, 'ByoipCidrs'),
    callAll(client, 'DescribeIpamByoasn', { MaxResults: 100 }, 'Byoasns'),
    callAll(client, 'DescribeIpamExternalResourceVerificationTokens', { MaxResults: 1000 }, 'IpamExternalResourceVerificationTokens'),
    client.call('DescribeAddresses', {}).then((answer) => (answer.Addresses ?? []) as ApiOutput[]),
    callAll(client, 'DescribeIpams', { MaxResults: 1000 }, 'Ipams'),
  ]);
  const status = statusArea();
  const act = pageAction(status, refresh);

  const ipamChoice = h(
    'select',
    { name: 'ipam' },
    ipams.map((ipam) => h('option', { value: ipam.IpamId }, `${ipam.IpamId} ${ipam.Description ?? ''}`.trim())),
  );
  const create = h(
    'form',
    { class: 'inline', 'aria-label': 'Create a verification token' },
    field('IPAM', ipamChoice),
    h('button', { type: 'submit', class: 'primary', disabled: ipams.length === 0 }, 'Create verification token'),
  );
  create.addEventListener('submit', (event) => {
    event.preventDefault();
    void act(() => client.call('CreateIpamExternalResourceVerificationToken', { IpamId: ipamChoice.value }));
  });
  const deleteToken = (token: ApiOutput) => {
    const id = token.IpamExternalResourceVerificationTokenId;
    const button = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${id}` }, 'Delete');
    button.addEventListener('click', async () => {
      if (!(await confirmByTyping(`verification token ${id}`))) return;
      await act(() => client.call('DeleteIpamExternalResourceVerificationToken', { IpamExternalResourceVerificationTokenId: id }));
    });
    return button;
  };

  return h(
    'div',
    { class: 'page public-space' },
    h('h1', {}, 'Public space'),
    status,
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'byoip-title' },
      h('h2', { id: 'byoip-title' }, `BYOIP CIDRs in ${client.credentials.region}`),
      table(
        `BYOIP CIDRs in ${client.credentials.region}`,
        ['CIDR', 'Description', 'State', 'ASNs', 'Network border group', 'Status message'],
        byoipCidrs.map((cidr) => [
          cidr.Cidr,
          cidr.Description ?? '',
          cidr.State,
          (cidr.AsnAssociations ?? [])
            .map((association: { Asn: string; State: string }) => `${association.Asn} (${association.State})`)
            .join(', '),
          cidr.NetworkBorderGroup ?? '—',
          cidr.StatusMessage ?? '',
        ]),
        'none.',
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'byoasn-title' },
      h('h2', { id: 'byoasn-title' }, 'BYOASNs'),
      table(
        'BYOASNs',
        ['ASN', 'IPAM', 'State', 'Status message'],
        byoasns.map((asn) => [asn.Asn, asn.IpamId ?? '—', asn.State, asn.StatusMessage ?? '']),
        'none.',
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'tokens-title' },
      h('h2', { id: 'tokens-title' }, 'Verification tokens'),
      table(
        'Verification tokens',
        ['Token', 'IPAM', 'Token name', 'Token value', 'Not after', 'Status', 'State', 'Actions'],
        tokens.map((token) => [
          token.IpamExternalResourceVerificationTokenId,
          token.IpamId,
          token.TokenName,
          h('code', {}, token.TokenValue),
          formatTime(token.NotAfter),
          token.Status,
          token.State,
          deleteToken(token),
        ]),
        'none.',
      ),
      create,
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'eip-title' },
      h('h2', { id: 'eip-title' }, `Elastic IPs in ${client.credentials.region}`),
      table(
        `Elastic IPs in ${client.credentials.region}`,
        ['Public IP', 'Allocation', 'Domain', 'Association', 'Network interface', 'Private IP', 'Public IPv4 pool', 'Tags'],
        addresses.map((address) => [
          address.PublicIp,
          address.AllocationId ?? '—',
          address.Domain ?? '—',
          address.AssociationId ?? '—',
          address.NetworkInterfaceId ?? '—',
          address.PrivateIpAddress ?? '—',
          address.PublicIpv4Pool ?? '—',
          tagsText(address.Tags),
        ]),
        'none.',
      ),
    ),
  );
}
