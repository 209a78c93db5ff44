// The console's Resources, Address history, Resource discoveries and Public space pages, in a
// real browser against the real service: a VPC allocated from a pool is a resource CIDR with
// history (found by CIDR and by an address in it), a discovery is created, associated, refused
// deletion while associated (the API's error shown), disassociated and deleted by typing
// "delete", a verification token is created, and axe-core finds no serious violation on any of
// these pages in the light or the dark theme.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  CreateVpcCommand,
  DescribeIpamExternalResourceVerificationTokensCommand,
  DescribeIpamResourceDiscoveriesCommand,
  type EC2Client,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { skipUnless } from '../support/optional-client.ts';
import { hasChromium, launchBrowser, screenshot, seriousAccessibilityViolations, signIn } from './support/browser.ts';

let service: TestService;
let browser: Browser;
let ec2: EC2Client;
let ipamId: string;
let scopeId: string;
let vpcId: string;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  browser = await launchBrowser();
  ec2 = service.ec2();
  const { Ipam } = await ec2.send(new CreateIpamCommand({ Description: 'admin-ipam' }));
  ipamId = Ipam!.IpamId!;
  scopeId = Ipam!.PrivateDefaultScopeId!;
  const { IpamPool } = await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: scopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }));
  const IpamPoolId = IpamPool!.IpamPoolId!;
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId, Cidr: '10.0.0.0/24' }));
  await poll(
    async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs?.[0]?.State,
    (state) => state === 'provisioned',
    'the pool CIDR to be provisioned',
    { intervalMs: 200 },
  );
  // Allocated from the pool: a managed, compliant resource CIDR with history at once.
  const { Vpc } = await ec2.send(new CreateVpcCommand({ Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 }));
  vpcId = Vpc!.VpcId!;
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** A signed-in page whose console errors, failed responses and foreign requests are collected. */
async function signedIn(key: typeof ADMIN = ADMIN): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => !request.url().startsWith(service.url) && problems.push(`request to ${request.url()}`));
  await signIn(page, service.url, key);
  return { page, problems };
}

async function open(page: Page, hash: string, heading: string): Promise<void> {
  await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

/** axe-core in both themes the console follows. */
async function accessibilityInBothThemes(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    found.push(...(await seriousAccessibilityViolations(page)).map((violation) => `${colorScheme}: ${violation}`));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return found;
}

/** Clicks the page's Refresh until the locator shows up (changes settle in the background). */
async function refreshUntil(page: Page, visible: () => Promise<boolean>, what: string): Promise<void> {
  await poll(
    async () => {
      if (await visible()) return true;
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.locator('main:not([aria-busy])').getByRole('heading', { level: 1 }).waitFor();
      return false;
    },
    Boolean,
    what,
    { intervalMs: 200 },
  );
}

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console resources, history, discoveries and public space',
  () => {
    it('address history finds the allocation by its CIDR and by an address in it', async () => {
      const { page, problems } = await signedIn();
      await open(page, '#/history', 'Address history');
      await page.getByLabel('Scope').selectOption(scopeId);
      expect(await page.getByLabel('Scope').locator('option:checked').textContent()).toBe(`${scopeId} (private, default, ${ipamId})`);
      // The custom bounds show only for a custom range.
      expect(await page.getByLabel('Start').isVisible()).toBe(false);
      await page.getByLabel('Time range').selectOption('24h');
      const results = page.getByRole('table', { name: /^History of / });

      await page.getByLabel('CIDR or IP address').fill('10.0.0.0/26');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByRole('status').filter({ hasText: 'found' }).waitFor();
      expect(await results.getByRole('row').allTextContents()).toEqual([
        expect.stringContaining('Resource'),
        expect.stringMatching(new RegExp(`^10\\.0\\.0\\.0/26${vpcId}.*vpcus-east-1${ADMIN.accountId}.*compliant.*UTC—$`)),
      ]);

      await page.getByLabel('CIDR or IP address').fill('10.0.0.5');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('Searched 10.0.0.5 in: 10.0.0.5/32, 10.0.0.0/26.').waitFor();
      expect(await results.getByRole('row').allTextContents()).toEqual([
        expect.stringContaining('Resource'),
        expect.stringMatching(new RegExp(`^10\\.0\\.0\\.0/26${vpcId}`)),
      ]);

      // An address outside every resource CIDR finds nothing; bad input is refused before any call.
      await page.getByLabel('CIDR or IP address').fill('10.0.0.200');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('History of 10.0.0.200: no records in this time range.').waitFor();
      await page.getByLabel('CIDR or IP address').fill('10.0.0.0/40');
      await page.getByRole('button', { name: 'Search' }).click();
      expect(await page.getByRole('alert').textContent()).toBe('10.0.0.0/40 is not a CIDR.');

      // A custom range: one that ended before the VPC began finds nothing.
      await page.getByLabel('Time range').selectOption('custom');
      expect(await page.getByLabel('Start').isVisible()).toBe(true);
      await page.getByLabel('Start').fill('2020-01-01T00:00');
      await page.getByLabel('End').fill('2020-01-02T00:00');
      await page.getByLabel('CIDR or IP address').fill('10.0.0.0/26');
      await page.getByRole('button', { name: 'Search' }).click();
      await page.getByText('History of 10.0.0.0/26: no records in this time range.').waitFor();

      expect(await accessibilityInBothThemes(page)).toEqual([]);
      await screenshot(page, 'history');
      expect(problems).toEqual([]);
      await page.close();
    });

    it('resources lists the VPC with its states, and each filter narrows the list', async () => {
      const { page, problems } = await signedIn();
      await open(page, '#/resources', 'Resources');
      const rows = () =>
        page
          .getByRole('table', { name: /^Resource CIDRs in / })
          .getByRole('row')
          .allTextContents();
      const apply = async (filter: { region?: string; account?: string; type?: string }) => {
        await page.getByLabel('Region').fill(filter.region ?? '');
        await page.getByLabel('Account').fill(filter.account ?? '');
        await page.getByLabel('Resource type').selectOption(filter.type ?? '');
        await page.getByRole('button', { name: 'Apply filter' }).click();
        await page.locator('.results:not([aria-busy])').waitFor({ state: 'attached' });
      };
      await page.getByRole('table', { name: `Resource CIDRs in ${scopeId}, page 1` }).waitFor();
      expect(await rows()).toContainEqual(
        expect.stringMatching(new RegExp(`^${vpcId}.*vpc10\\.0\\.0\\.0/26us-east-1.*managedcompliantnonoverlapping`)),
      );

      await apply({ type: 'vpc', region: 'us-east-1', account: ADMIN.accountId });
      expect(await rows()).toHaveLength(2);
      for (const filter of [{ type: 'subnet' }, { region: 'eu-west-1' }, { account: OTHER.accountId }]) {
        await apply(filter);
        expect(await page.getByText(`Resource CIDRs in ${scopeId}, page 1: none match.`).count()).toBe(1);
      }
      // A value the API refuses gets the API's own error.
      await apply({ region: 'x'.repeat(256) });
      expect(await page.getByRole('alert').textContent()).toMatch(
        /^InvalidParameterValue: Value \(x+… \(256 characters\)\) for parameter Filters\[0\]\.Values\[0\] is invalid\. Expecting a length at most 255 characters\.$/,
      );
      await apply({ type: 'vpc' });
      expect(await rows()).toHaveLength(2);
      expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true);

      expect(await accessibilityInBothThemes(page)).toEqual([]);
      await screenshot(page, 'resources');
      expect(problems).toEqual([]);
      await page.close();
    });

    it('a discovery is created, associated, refused deletion while associated, disassociated and deleted by typing delete', async () => {
      const { page, problems } = await signedIn();
      await open(page, '#/discoveries', 'Resource discoveries');
      await page.getByLabel('Description').fill('console discovery');
      await page.getByRole('button', { name: 'Create resource discovery' }).click();
      const discoveries = page.getByRole('table', { name: 'Resource discoveries' });
      const row = discoveries.getByRole('row').filter({ hasText: 'console discovery' });
      await refreshUntil(page, async () => (await row.textContent())?.includes('create-complete') ?? false, 'the discovery to be created');
      const { IpamResourceDiscoveries } = await ec2.send(
        new DescribeIpamResourceDiscoveriesCommand({ Filters: [{ Name: 'description', Values: ['console discovery'] }] }),
      );
      const discoveryId = IpamResourceDiscoveries![0]!.IpamResourceDiscoveryId!;

      await page.getByLabel('Resource discovery', { exact: true }).selectOption(discoveryId);
      await page.getByLabel('IPAM', { exact: true }).selectOption(ipamId);
      await page.getByRole('button', { name: 'Associate', exact: true }).click();
      const association = page
        .getByRole('table', { name: 'Resource discovery associations' })
        .getByRole('row')
        .filter({ hasText: discoveryId });
      await refreshUntil(
        page,
        async () => (await association.textContent().catch(() => ''))?.includes('associate-complete') ?? false,
        'the association to complete',
      );
      expect(await accessibilityInBothThemes(page)).toEqual([]);
      await screenshot(page, 'discoveries');

      // The typed confirmation: Delete stays disabled until "delete" is typed; the API then refuses
      // (still associated) and its message is shown.
      await page.getByRole('button', { name: `Delete ${discoveryId}` }).click();
      const dialog = page.getByRole('dialog', { name: `Delete resource discovery ${discoveryId}?` });
      const confirm = dialog.getByRole('button', { name: 'Delete' });
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel('Type delete to confirm').fill('delet');
      expect(await confirm.isDisabled()).toBe(true);
      await dialog.getByLabel('Type delete to confirm').fill('delete');
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await confirm.click();
      expect(await page.getByRole('alert').textContent()).toMatch(/^DependencyViolation: .*disassociate it first$/);

      await page.getByRole('button', { name: /^Disassociate ipam-res-disco-assoc-/ }).click();
      await refreshUntil(page, async () => (await association.count()) === 0, 'the association to go');

      // Cancelling keeps it; typing delete deletes it.
      await page.getByRole('button', { name: `Delete ${discoveryId}` }).click();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      expect(await row.count()).toBe(1);
      await page.getByRole('button', { name: `Delete ${discoveryId}` }).click();
      await dialog.getByLabel('Type delete to confirm').fill('delete');
      await confirm.click();
      await refreshUntil(page, async () => (await row.count()) === 0, 'the discovery to go');

      // The default discovery's page: what it discovered in the signed-in Region.
      await page
        .getByRole('link', { name: /^ipam-res-disco-/ })
        .first()
        .click();
      await page.getByRole('heading', { level: 1, name: /^Resource discovery ipam-res-disco-/ }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Discovered resource CIDRs in us-east-1' }).waitFor();
      expect(await accessibilityInBothThemes(page)).toEqual([]);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('public space lists BYOIP CIDRs, BYOASNs, Elastic IPs and a verification token it created, then deletes it by typing delete', async () => {
      const { page, problems } = await signedIn();
      await open(page, '#/public', 'Public space');
      for (const name of ['BYOIP CIDRs in us-east-1', 'BYOASNs', 'Verification tokens', 'Elastic IPs in us-east-1']) {
        await page.getByRole('heading', { level: 2, name }).waitFor();
      }
      await page.getByLabel('IPAM', { exact: true }).selectOption(ipamId);
      await page.getByRole('button', { name: 'Create verification token' }).click();
      const tokens = page.getByRole('table', { name: 'Verification tokens' });
      await tokens.waitFor();
      const { IpamExternalResourceVerificationTokens } = await ec2.send(new DescribeIpamExternalResourceVerificationTokensCommand({}));
      expect(IpamExternalResourceVerificationTokens).toHaveLength(1);
      const token = IpamExternalResourceVerificationTokens![0]!;
      expect(await tokens.getByRole('row').nth(1).textContent()).toMatch(
        new RegExp(`^${token.IpamExternalResourceVerificationTokenId}${ipamId}${token.TokenName}${token.TokenValue}.*UTCvalid`),
      );
      expect(await accessibilityInBothThemes(page)).toEqual([]);
      await screenshot(page, 'public-space');

      // Deleted by typing delete.
      await page.getByRole('button', { name: `Delete ${token.IpamExternalResourceVerificationTokenId}` }).click();
      const dialog = page.getByRole('dialog', { name: `Delete verification token ${token.IpamExternalResourceVerificationTokenId}?` });
      await dialog.getByLabel('Type delete to confirm').fill('delete');
      await dialog.getByRole('button', { name: 'Delete' }).click();
      await page.getByText('Verification tokens: none.').waitFor();
      expect(
        (await ec2.send(new DescribeIpamExternalResourceVerificationTokensCommand({}))).IpamExternalResourceVerificationTokens?.map(
          (each) => each.State,
        ),
      ).not.toContain('create-complete');
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
