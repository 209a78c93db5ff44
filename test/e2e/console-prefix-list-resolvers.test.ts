// Prefix list resolvers in the console (docs/prefix-lists.md), in a real browser: a resolver created
// with a pool rule and its empty v1, a static CIDR of the other family refused in the API's words,
// a CIDR provisioned on the pool making v2 with its entry, the rules modified (v3) and the resolver
// kept in a managed prefix list by a target (tracking the latest, then pinned), and everything
// deleted by typing *delete*.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateIpamPrefixListResolverCommand,
  CreateManagedPrefixListCommand,
  DescribeIpamsCommand,
  type EC2Client,
  GetIpamPoolCidrsCommand,
  GetIpamPrefixListResolverVersionsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { expectAccessible, hasChromium, signedInPage } from './support/browser.ts';
import { poll } from './support/poll.ts';

let service: TestService;
let ec2: EC2Client;
let browser: Browser;
let page: Page;
let ipamId: string;
let scopeId: string;
let poolId: string;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  ec2 = service.ec2();
  const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  ipamId = Ipam!.IpamId!;
  scopeId = Ipam!.PrivateDefaultScopeId!;
  await poll(
    async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }))).Ipams![0].State,
    (state) => state === 'create-complete',
    'the IPAM to be created',
    { intervalMs: 200 },
  );
  poolId = (await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: scopeId, AddressFamily: 'ipv4' }))).IpamPool!.IpamPoolId!;
  ({ browser, page } = await signedInPage(service.url, ADMIN));
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const accessible = (name: string) => expectAccessible(page, name);

const flash = () => page.locator('#flash');
const cells = (tableName: string) => page.getByRole('table', { name: tableName }).locator('tbody td').allTextContents();

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console: prefix list resolvers',
  () => {
    let resolverId: string;

    it('creates a resolver with a pool rule from the page reached by keyboard, and shows its v1', async () => {
      await page.getByRole('link', { name: 'Prefix list resolvers' }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Prefix list resolvers' }).waitFor();
      const form = page.getByRole('form', { name: 'Create prefix list resolver' });
      await form.getByLabel('IPAM').selectOption(ipamId);
      await form.getByLabel('Address family').selectOption('ipv4');
      await form.getByLabel('Description').fill('private pool');
      await form.getByRole('button', { name: 'Add a rule' }).click();
      const rule = form.getByRole('group', { name: 'Rule 1' });
      // The new rule's type has the focus; a pool rule shows its scope and conditions, not a static CIDR.
      expect(await page.evaluate<string>('document.activeElement.id')).toBe(await rule.getByLabel('Rule type').getAttribute('id'));
      await rule.getByLabel('Rule type').selectOption('ipam-pool-cidr');
      expect(await rule.getByLabel('Static CIDR').isVisible()).toBe(false);
      await rule.getByLabel('Scope').selectOption(scopeId);
      await rule.getByLabel('Conditions').fill(`IpamPoolId equals ${poolId}`);
      await form.getByRole('button', { name: 'Create resolver' }).click();
      await expect.poll(() => flash().textContent()).toMatch(/^Created ipam-prefix-list-resolver-[0-9a-f]+\.$/);
      resolverId = /(ipam-prefix-list-resolver-[0-9a-f]+)/.exec((await flash().textContent())!)![1];
      await expect
        .poll(() => cells(`Resolvers of ${ipamId}`))
        .toEqual([resolverId, 'ipv4', 'private pool', 'create-complete', 'success', 'Delete']);
      await accessible('prefix-list-resolvers');

      await page.getByRole('link', { name: resolverId }).click();
      await page.getByRole('heading', { level: 1, name: resolverId }).waitFor();
      await expect.poll(() => cells('Rules')).toEqual(['ipam-pool-cidr', scopeId, '', `IpamPoolId equals ${poolId}`]);
      expect(await page.locator('#versions').textContent()).toBe('Versions: v1');
      // The pool has no CIDR yet: v1 is empty.
      expect(await page.locator('p.empty', { hasText: 'Entries of version 1' }).textContent()).toBe('Entries of version 1: none.');
      await accessible('prefix-list-resolver');
    });

    it('refuses a static CIDR of the other family in the API’s words', async () => {
      await page.getByRole('link', { name: 'Prefix list resolvers', exact: true }).first().click();
      const form = page.getByRole('form', { name: 'Create prefix list resolver' });
      await form.getByLabel('IPAM').selectOption(ipamId);
      // Two rules, the first removed: the second becomes Rule 1.
      await form.getByRole('button', { name: 'Add a rule' }).click();
      await form.getByRole('group', { name: 'Rule 1' }).getByLabel('Static CIDR').fill('10.0.0.0/8');
      await form.getByRole('button', { name: 'Add a rule' }).click();
      await form.getByRole('group', { name: 'Rule 2' }).getByLabel('Static CIDR').fill('2001:db8::/32');
      await form.getByRole('button', { name: 'Remove rule 1' }).click();
      expect(await form.getByRole('group', { name: 'Rule 1' }).getByLabel('Static CIDR').inputValue()).toBe('2001:db8::/32');
      expect(await form.getByRole('group').count()).toBe(1);
      await form.getByRole('button', { name: 'Create resolver' }).click();
      const refused = await ec2
        .send(
          new CreateIpamPrefixListResolverCommand({
            IpamId: ipamId,
            AddressFamily: 'ipv4',
            Rules: [{ RuleType: 'static-cidr', StaticCidr: '2001:db8::/32' }],
          }),
        )
        .then(
          () => 'accepted',
          (error: Error) => `${error.name}: ${error.message}`,
        );
      expect(refused).toMatch(/^InvalidParameterValue: /);
      await expect.poll(() => form.getByRole('alert').textContent()).toBe(refused);
      // Nothing was created.
      expect((await cells(`Resolvers of ${ipamId}`))[0]).toBe(resolverId);
      expect(
        await page
          .getByRole('table', { name: `Resolvers of ${ipamId}` })
          .locator('tbody tr')
          .count(),
      ).toBe(1);
    });

    it('shows the next version once a CIDR is provisioned on the pool, and each version’s entries', async () => {
      const { IpamPoolCidr } = await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: poolId, Cidr: '10.0.0.0/16' }));
      await poll(
        async () =>
          (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs?.find(
            (cidr) => cidr.IpamPoolCidrId === IpamPoolCidr!.IpamPoolCidrId,
          )?.State,
        (state) => state === 'provisioned',
        'the CIDR to be provisioned',
        { intervalMs: 200 },
      );
      await poll(
        async () =>
          (await ec2.send(new GetIpamPrefixListResolverVersionsCommand({ IpamPrefixListResolverId: resolverId })))
            .IpamPrefixListResolverVersions?.length,
        (count) => count === 2,
        'the resolver’s second version',
        { intervalMs: 200 },
      );
      await page.goto(`${service.url}/#/prefix-list-resolvers/${resolverId}`);
      await page.getByRole('heading', { level: 1, name: resolverId }).waitFor();
      expect(await page.locator('#versions').textContent()).toBe('Versions: v1, v2');
      await expect.poll(() => cells('Entries of version 2')).toEqual(['10.0.0.0/16']);
      await page.getByRole('link', { name: 'v1', exact: true }).click();
      await page.locator('p.empty', { hasText: 'Entries of version 1: none.' }).waitFor();
    });

    it('modifies the rules (the pool rule kept as read, a static rule added) into v3', async () => {
      const form = page.getByRole('form', { name: 'Modify the resolver' });
      expect(await form.getByRole('group', { name: 'Rule 1' }).getByLabel('Conditions').inputValue()).toBe(`IpamPoolId equals ${poolId}`);
      await form.getByRole('button', { name: 'Add a rule' }).click();
      await form.getByRole('group', { name: 'Rule 2' }).getByLabel('Static CIDR').fill('192.168.0.0/24');
      await form.getByLabel('Description', { exact: true }).fill('pool and office');
      await form.getByRole('button', { name: 'Save' }).click();
      await expect.poll(() => flash().textContent()).toBe(`Saved ${resolverId}.`);
      await page.goto(`${service.url}/#/prefix-list-resolvers/${resolverId}`);
      await page.getByRole('heading', { level: 1, name: resolverId }).waitFor();
      expect(await page.locator('#versions').textContent()).toBe('Versions: v1, v2, v3');
      await expect.poll(() => cells('Entries of version 3')).toEqual(['10.0.0.0/16', '192.168.0.0/24']);
      await expect
        .poll(() => cells('Rules'))
        .toEqual(['ipam-pool-cidr', scopeId, '', `IpamPoolId equals ${poolId}`, 'static-cidr', '192.168.0.0/24', '', '']);
    });

    let prefixListId: string;

    it('creates a prefix list (a CIDR of the other family refused in the API’s words) and shows its entries', async () => {
      await page.getByRole('link', { name: 'Prefix lists', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Prefix lists' }).waitFor();
      const form = page.getByRole('form', { name: 'Create prefix list' });
      await form.getByLabel('Name', { exact: true }).fill('resolver-cidrs');
      await form.getByLabel('Max entries').fill('10');
      await form.getByLabel('Entries', { exact: true }).fill('2001:db8::/32');
      await form.getByRole('button', { name: 'Create prefix list' }).click();
      const refused = await ec2
        .send(
          new CreateManagedPrefixListCommand({
            PrefixListName: 'resolver-cidrs',
            AddressFamily: 'IPv4',
            MaxEntries: 10,
            Entries: [{ Cidr: '2001:db8::/32' }],
          }),
        )
        .then(
          () => 'accepted',
          (error: Error) => `${error.name}: ${error.message}`,
        );
      expect(refused).toMatch(/^InvalidParameterValue: /);
      await expect.poll(() => form.getByRole('alert').textContent()).toBe(refused);

      await form.getByLabel('Entries', { exact: true }).fill('172.16.0.0/16 by hand');
      await form.getByRole('button', { name: 'Create prefix list' }).click();
      await expect.poll(() => flash().textContent()).toMatch(/^Created pl-[0-9a-f]+\.$/);
      prefixListId = /(pl-[0-9a-f]+)/.exec((await flash().textContent())!)![1];
      await expect
        .poll(() => cells('Prefix lists'))
        .toEqual([prefixListId, 'resolver-cidrs', 'IPv4', '10', '1', 'create-complete', '', 'Delete']);
      await accessible('prefix-lists');
      await page.getByRole('link', { name: prefixListId }).click();
      await page.getByRole('heading', { level: 1, name: prefixListId }).waitFor();
      await expect.poll(() => cells('Entries of version 1')).toEqual(['172.16.0.0/16', 'by hand']);
    });

    it('keeps the list at the latest version by a target, then at a pinned version', async () => {
      await page.goto(`${service.url}/#/prefix-list-resolvers/${resolverId}`);
      await page.getByRole('heading', { level: 1, name: resolverId }).waitFor();
      const form = page.getByRole('form', { name: 'Create target' });
      await form.getByLabel('Prefix list').selectOption(prefixListId);
      await form.getByLabel('Version').selectOption('latest');
      await form.getByRole('button', { name: 'Create target' }).click();
      await expect.poll(() => flash().textContent()).toMatch(/^Created ipam-prefix-list-resolver-target-[0-9a-f]+\.$/);
      const targetId = /(ipam-prefix-list-resolver-target-[0-9a-f]+)/.exec((await flash().textContent())!)![1];
      await expect.poll(() => cells('Targets')).toEqual([targetId, prefixListId, 'us-east-1', 'latest', 'v3', 'sync-complete', 'Delete']);
      await accessible('prefix-list-resolver-targets');

      // The list took v3's CIDRs as its version 2; its version 1 is still readable.
      await page.getByRole('link', { name: prefixListId }).click();
      await page.getByRole('heading', { level: 1, name: prefixListId }).waitFor();
      expect(await page.locator('#versions').textContent()).toBe('Versions: v1, v2');
      await expect.poll(() => cells('Entries of version 2')).toEqual(['10.0.0.0/16', '', '192.168.0.0/24', '']);
      expect(await page.locator('dl.facts').textContent()).toContain(`${targetId} (sync on)`);
      await page.getByRole('link', { name: 'v1', exact: true }).click();
      await expect.poll(() => cells('Entries of version 1')).toEqual(['172.16.0.0/16', 'by hand']);

      // Deleted (type delete), then a target pinned at v2.
      await page.goto(`${service.url}/#/prefix-list-resolvers/${resolverId}`);
      await page.getByRole('button', { name: `Delete ${targetId}` }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await expect.poll(() => flash().textContent()).toBe(`Deleted ${targetId}.`);
      await page.locator('p.empty', { hasText: 'Targets: none' }).waitFor();
      await form.getByLabel('Prefix list').selectOption(prefixListId);
      await form.getByLabel('Version').selectOption('2');
      await form.getByRole('button', { name: 'Create target' }).click();
      await expect.poll(() => flash().textContent()).toMatch(/^Created ipam-prefix-list-resolver-target-/);
      await expect.poll(async () => (await cells('Targets')).slice(3, 6)).toEqual(['v2', 'v2', 'sync-complete']);
      await page.goto(`${service.url}/#/prefix-lists/${prefixListId}`);
      await page.getByRole('heading', { level: 1, name: prefixListId }).waitFor();
      await expect.poll(() => cells('Entries of version 3')).toEqual(['10.0.0.0/16', '']);
      await page.goto(`${service.url}/#/prefix-list-resolvers/${resolverId}`);
      await page.getByRole('heading', { level: 1, name: resolverId }).waitFor();
    });

    it('deletes the resolver by typing delete', async () => {
      await page.getByRole('button', { name: `Delete ${resolverId}` }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Prefix list resolvers' }).waitFor();
      await expect.poll(() => page.locator('p.empty').textContent()).toBe(`Resolvers of ${ipamId}: none yet.`);
      expect(await flash().textContent()).toBe(`Deleted ${resolverId}.`);

      // Its target went with it; the list stays, no longer synced, and is deleted from its page.
      await page.getByRole('link', { name: 'Prefix lists', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Prefix lists' }).waitFor();
      await expect.poll(async () => (await cells('Prefix lists')).slice(4, 7)).toEqual(['3', 'modify-complete', '']);
      await page.getByRole('button', { name: `Delete ${prefixListId}` }).click();
      await page.getByRole('dialog').waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('p.empty').textContent()).toBe('Prefix lists: none yet.');
    });
  },
);
