// IPAM policies in the console (docs/tiers-and-policies.md), in a real browser: a policy created,
// its allocation rules edited (a private pool refused in the API's words, a public pool accepted),
// enabled on the account and then governing it, its delete refused while enabled, disabled and
// deleted by typing *delete*; and the IPAM page's cost distribution refused as the API refuses it.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamsCommand,
  type EC2Client,
  ModifyIpamCommand,
  ModifyIpamPolicyAllocationRulesCommand,
  CreateIpamPolicyCommand,
  DeleteIpamPolicyCommand,
} from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { skipUnless } from '../support/optional-client.ts';
import { expectAccessible, hasChromium, signedInPage } from './support/browser.ts';
import { poll } from './support/poll.ts';

let service: TestService;
let ec2: EC2Client;
let browser: Browser;
let page: Page;
let ipamId: string;
let publicPoolId: string;
let privatePoolId: string;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  ec2 = service.ec2();
  const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  ipamId = Ipam!.IpamId!;
  await poll(
    async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }))).Ipams![0].State,
    (state) => state === 'create-complete',
    'the IPAM to be created',
    { intervalMs: 200 },
  );
  const publicPool = await ec2.send(
    new CreateIpamPoolCommand({
      IpamScopeId: Ipam!.PublicDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: 'us-east-1',
      AwsService: 'ec2',
      PublicIpSource: 'amazon',
    }),
  );
  publicPoolId = publicPool.IpamPool!.IpamPoolId!;
  const privatePool = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4' }));
  privatePoolId = privatePool.IpamPool!.IpamPoolId!;
  ({ browser, page } = await signedInPage(service.url, ADMIN));
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const accessible = (name: string) => expectAccessible(page, name);

const flash = () => page.locator('#flash');

/** The API's refusal of `send`, as the console shows it: `Code: message`. */
async function refusalOf(send: () => Promise<unknown>): Promise<string> {
  const error = await send().then(
    () => {
      throw new Error('the API accepted what it should refuse');
    },
    (thrown: { name: string; message: string }) => thrown,
  );
  return `${error.name}: ${error.message}`;
}

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console: IPAM policies',
  () => {
    let policyId: string;

    it('creates a policy from the IPAM policies page, reached by keyboard', async () => {
      await page.getByRole('link', { name: 'IPAM policies' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'IPAM policies' }).waitFor();
      expect(await page.locator('#governing-policy').textContent()).toBe('No IPAM policy governs this account.');
      const form = page.getByRole('form', { name: 'Create IPAM policy' });
      await form.getByLabel('IPAM').selectOption(ipamId);
      await form.getByRole('button', { name: 'Create policy' }).click();
      await expect.poll(() => flash().textContent()).toMatch(/^Created ipam-policy-[0-9a-f]+\.$/);
      policyId = /(ipam-policy-[0-9a-f]+)/.exec((await flash().textContent())!)![1];
      const policies = page.getByRole('table', { name: `Policies of ${ipamId}` });
      // The note shows as soon as the call answers; the page renders again right after.
      await expect
        .poll(() => policies.locator('tbody tr td').allTextContents())
        .toEqual([policyId, 'create-complete', 'us-east-1', 'nowhere', 'Delete']);
      await accessible('policies');
    });

    it('edits the allocation rules: a private pool refused in the API’s words, a public pool kept', async () => {
      await page.getByRole('link', { name: policyId }).click();
      await page.getByRole('heading', { level: 1, name: policyId }).waitFor();
      const editor = page.getByRole('form', { name: 'Edit allocation rules' });
      expect(await editor.getByLabel('Locale').inputValue()).toBe('us-east-1');
      await editor.getByLabel('Resource type').selectOption('eip');
      await editor.getByLabel('Source pools, in order').fill(privatePoolId);
      await editor.getByRole('button', { name: 'Save rules' }).click();
      const refused = await refusalOf(() =>
        ec2.send(
          new ModifyIpamPolicyAllocationRulesCommand({
            IpamPolicyId: policyId,
            Locale: 'us-east-1',
            ResourceType: 'eip',
            AllocationRules: [{ SourceIpamPoolId: privatePoolId }],
          }),
        ),
      );
      expect(refused).toMatch(/^InvalidParameterValue: /);
      await expect.poll(() => editor.getByRole('alert').textContent()).toBe(refused);

      await editor.getByLabel('Source pools, in order').fill(publicPoolId);
      await editor.getByRole('button', { name: 'Save rules' }).click();
      await expect.poll(() => flash().textContent()).toBe('Saved the eip rules of us-east-1.');
      const rules = page.getByRole('table', { name: 'Allocation rules' });
      await expect.poll(() => rules.locator('tbody tr td').allTextContents()).toEqual(['us-east-1', 'eip', publicPoolId, 'Edit']);
      // Edit puts the pair's rules back into the editor.
      await page.getByRole('button', { name: 'Edit the eip rules of us-east-1' }).click();
      expect(await editor.getByLabel('Source pools, in order').inputValue()).toBe(publicPoolId);
      await accessible('policy');
    });

    it('enables the policy on the account, which it then governs; a delete is refused while it is enabled', async () => {
      await page.getByRole('form', { name: 'Enable the policy' }).getByRole('button', { name: 'Enable' }).click();
      await expect.poll(() => flash().textContent()).toBe(`Enabled ${policyId}.`);
      await expect
        .poll(() => page.getByRole('table', { name: 'Enabled on' }).locator('tbody td').first().textContent())
        .toBe(ADMIN.accountId);

      await page.getByRole('button', { name: `Delete ${policyId}` }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await expect.poll(() => flash().textContent()).toMatch(/^IncorrectState: /);
      const refused = await refusalOf(() => ec2.send(new DeleteIpamPolicyCommand({ IpamPolicyId: policyId })));
      expect(await flash().textContent()).toBe(refused);

      await page.getByRole('link', { name: 'IPAM policies', exact: true }).first().click();
      await page.getByRole('heading', { level: 1, name: 'IPAM policies' }).waitFor();
      expect(await page.locator('#governing-policy').textContent()).toBe(
        `The policy governing this account: ${policyId} (managed by account).`,
      );
    });

    it('disables the policy and deletes it by typing delete', async () => {
      await page.goto(`${service.url}/#/policies/${policyId}`);
      await page.getByRole('heading', { level: 1, name: policyId }).waitFor();
      await page.getByRole('button', { name: `Disable on ${ADMIN.accountId}` }).click();
      await expect.poll(() => flash().textContent()).toBe(`Disabled ${policyId} on ${ADMIN.accountId}.`);
      await expect.poll(() => page.getByRole('table', { name: 'Enabled on' }).count()).toBe(0);
      await page.getByRole('button', { name: `Delete ${policyId}` }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'IPAM policies' }).waitFor();
      await expect.poll(() => page.locator('p.empty').textContent()).toBe(`Policies of ${ipamId}: none yet.`);
      // The note of the delete outlives the navigation it made.
      expect(await flash().textContent()).toBe(`Deleted ${policyId}.`);
      // The API agrees: creating one again works, the old one is gone.
      expect((await ec2.send(new CreateIpamPolicyCommand({ IpamId: ipamId }))).IpamPolicy?.IpamPolicyId).not.toBe(policyId);
    });

    it('shows the IPAM’s tier and metered account, and refuses resource-owner metering in the API’s words', async () => {
      await page.getByRole('link', { name: 'IPAMs and scopes' }).click();
      await page.getByRole('heading', { level: 1, name: 'IPAMs and scopes' }).waitFor();
      const row = page.getByRole('table', { name: 'IPAMs' }).locator('tbody tr').first();
      expect((await row.locator('td').allTextContents()).slice(2, 4)).toEqual(['advanced', 'ipam-owner']);
      await row.locator('summary', { hasText: 'Modify' }).click();
      const form = page.getByRole('form', { name: `Modify ${ipamId}` });
      await form.getByLabel('Metered account').selectOption('resource-owner');
      await form.getByRole('button', { name: 'Save' }).click();
      const refused = await refusalOf(() => ec2.send(new ModifyIpamCommand({ IpamId: ipamId, MeteredAccount: 'resource-owner' })));
      await expect.poll(() => form.getByRole('alert').textContent()).toBe(refused);
      await accessible('ipams-metered-account');
    });
  },
);
