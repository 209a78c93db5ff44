// Sign-in: an access key the service issued (the one `npm start` printed), and the Region to work
// in. The key is checked by a signed DescribeIpams; a wrong one shows the API's own error.
import { ApiError, type ApiClient, type Credentials } from '../api/client.ts';
import { field, h, statusArea } from '../dom.ts';

export function signInPage(
  base: URL,
  connect: (credentials: Credentials) => ApiClient,
  onSignedIn: (client: ApiClient) => void,
): HTMLElement {
  const accessKeyId = h('input', { name: 'accessKeyId', autocomplete: 'username', required: true, spellcheck: 'false' });
  const secretAccessKey = h('input', { name: 'secretAccessKey', type: 'password', autocomplete: 'current-password', required: true });
  const region = h('input', { name: 'region', value: 'us-east-1', required: true, spellcheck: 'false' });
  const status = statusArea();
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'Sign in to the IPAM console'),
    field('Access key ID', accessKeyId),
    field('Secret access key', secretAccessKey, 'Kept in this tab only (session storage); every call is signed with it in the browser.'),
    field('Region', region),
    status,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    status.clear();
    submit.disabled = true;
    const client = connect({ accessKeyId: accessKeyId.value.trim(), secretAccessKey: secretAccessKey.value, region: region.value.trim() });
    try {
      await client.call('DescribeIpams', { MaxResults: 5 });
      onSignedIn(client);
    } catch (error) {
      status.show('error', error instanceof ApiError ? `${error.code}: ${error.message}` : String(error));
      submit.disabled = false;
    }
  });
  const endpoint = new URL('.', base).href.replace(/\/$/, '');
  return h(
    'main',
    { id: 'main', class: 'sign-in-page' },
    form,
    h(
      'section',
      { class: 'card about', 'aria-labelledby': 'about-title' },
      h('h2', { id: 'about-title' }, 'This address is also the API'),
      h('p', {}, 'Self-hosted IPAM: an AWS-compatible Amazon VPC IP Address Manager. Point the AWS CLI or an SDK at it:'),
      h('pre', {}, `aws ec2 describe-ipams --endpoint-url ${endpoint} --region us-east-1`),
      h(
        'p',
        {},
        'JSON API: ',
        h('code', {}, `POST ${endpoint}/api/{Action}`),
        ' (SigV4-signed). Health: ',
        h('a', { href: 'health' }, 'health'),
        '.',
      ),
    ),
  );
}
