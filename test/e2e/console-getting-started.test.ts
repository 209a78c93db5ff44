// The guide's getting-started flow walked in the console in a real browser: an IPAM, a three-level
// pool tree (top-level, Regional, development), provisioning, an allocation seen on the map and in
// the utilisation, its release, and the IPAM's cascade delete — plus a pool whose rules refuse an
// allocation with the API's own message, and axe-core on each main page.
import { DescribeIpamsCommand } from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { skipUnless } from '../support/optional-client.ts';
import { expectAccessible, hasChromium, screenshot, signedInPage } from './support/browser.ts';

let service: TestService;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  ({ browser, page } = await signedInPage(service.url, ADMIN));
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

const accessible = (name: string) => expectAccessible(page, name);

/** Fills a form of the page (by its heading) and submits it with its main button. */
async function submitForm(title: string, values: Record<string, string>, button?: string): Promise<void> {
  const form = page.getByRole('form', { name: title });
  for (const [label, value] of Object.entries(values)) {
    const field = form.getByLabel(label, { exact: true });
    if ((await field.evaluate((element) => element.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await form.getByRole('button', { name: button ?? title }).click();
}

const flash = () => page.locator('#flash');

/** Creates a pool from the open page's form and opens it once it is create-complete. */
async function createAndOpenPool(formTitle: string, values: Record<string, string>): Promise<string> {
  await submitForm(formTitle, values, formTitle === 'Create top-level pool' ? 'Create pool' : formTitle);
  // The note of success, or the API's refusal shown in the form.
  const formStatus = page.getByRole('form', { name: formTitle }).locator('.status');
  await expect
    .poll(async () => `${await flash().textContent()}${await formStatus.textContent()}`)
    .toMatch(/^Created ipam-pool-/)
    .catch(async (error) => {
      await screenshot(page, 'create-pool-failed');
      throw error;
    });
  const poolId = /(ipam-pool-[0-9a-f]+)/.exec((await flash().textContent())!)![1];
  await page.goto(`${service.url}/#/pools/${poolId}`);
  await expect.poll(() => page.locator('dl.facts').textContent(), { timeout: 20_000 }).toContain('create-complete');
  return poolId;
}

async function provision(cidr: string): Promise<void> {
  await submitForm(
    /from the parent/.test((await page.locator('#provision-title').textContent())!)
      ? 'Provision a CIDR from the parent pool'
      : 'Provision a CIDR',
    { CIDR: cidr },
    'Provision',
  );
  await expect
    .poll(() => page.getByRole('table', { name: 'Provisioned CIDRs' }).textContent(), { timeout: 20_000 })
    .toContain(`${cidr}provisioned`);
}

const utilisationOnPage = () => page.locator('dl.facts [role="meter"]').getAttribute('aria-valuenow');

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console: getting started',
  () => {
    let devPoolId: string;

    it('creates an IPAM on the IPAMs page', async () => {
      await page.getByRole('link', { name: 'IPAMs and scopes' }).click();
      await page.getByRole('heading', { level: 1, name: 'IPAMs and scopes' }).waitFor();
      await submitForm('Create IPAM', { Description: 'Console IPAM', 'Operating Regions (comma-separated)': 'us-east-1' });
      await expect.poll(() => page.getByRole('table', { name: 'IPAMs' }).textContent(), { timeout: 20_000 }).toContain('create-complete');
      await expect.poll(() => page.getByRole('table', { name: 'Scopes' }).textContent()).toContain('private');
      await accessible('ipams');
    });

    it('builds a three-level pool tree and provisions it', async () => {
      await page.getByRole('link', { name: 'Pools', exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Pools' }).waitFor();
      const privateScope = await page.locator('#create-pool-scope option', { hasText: 'private' }).getAttribute('value');
      await createAndOpenPool('Create top-level pool', { Scope: privateScope!, Name: 'top-level', 'Address family': 'ipv4' });
      await provision('10.0.0.0/8');
      await createAndOpenPool('Create child pool', { Name: 'regional', 'Locale (Region, or none)': 'us-east-1' });
      await provision('10.0.0.0/16');
      devPoolId = await createAndOpenPool('Create child pool', { Name: 'development', 'Default netmask': '24' });
      await provision('10.0.0.0/20');
      await page.goto(`${service.url}/#/pools`);
      const tree = page.getByRole('list', { name: /^Pools of ipam-scope-/ });
      await expect.poll(() => tree.locator('ul ul a').textContent()).toBe('development');
      await expect.poll(() => tree.textContent()).toContain('locale us-east-1');
      await accessible('pools');
    });

    it('allocates a /24, sees it on the map and in the utilisation, and releases it', async () => {
      await page.goto(`${service.url}/#/pools/${devPoolId}`);
      await page.getByRole('heading', { level: 1, name: 'development' }).waitFor();
      expect(await utilisationOnPage()).toBe('0');
      await submitForm('Allocate', { 'Netmask length': '24' }, 'Preview next CIDR');
      await expect.poll(() => page.locator('#allocate-status').textContent()).toBe('Next CIDR: 10.0.0.0/24');
      await submitForm('Allocate', { 'Netmask length': '24', Description: 'my VPC' });
      await expect.poll(() => flash().textContent()).toBe('Allocated 10.0.0.0/24.');
      await expect.poll(utilisationOnPage).toBe('6.2');
      const map = page.locator('.cidr-map svg');
      await expect
        .poll(() => map.getAttribute('aria-label'))
        .toBe('Map of 10.0.0.0/20: 1 allocations and child pools, 3,840 of 4,096 addresses free');
      expect(await page.locator('.cidr-map rect.allocated').count()).toBe(1);
      // Zoom into the free space and allocate there from the map.
      await page.locator('.cidr-map rect.free').first().click();
      await page.getByRole('button', { name: 'Zoom in on selection' }).click();
      await expect.poll(() => page.locator('#map-window').textContent()).toMatch(/\/24$/);
      await page.getByRole('button', { name: 'Zoom out' }).click();
      await page.getByRole('button', { name: 'Allocate 10.0.8.0/21' }).click();
      expect(await page.locator('#allocate-cidr').inputValue()).toBe('10.0.8.0/21');
      await accessible('pool');
      await page.getByRole('button', { name: 'Release 10.0.0.0/24' }).click();
      await expect.poll(() => flash().textContent()).toBe('Released 10.0.0.0/24.');
      await expect.poll(utilisationOnPage).toBe('0');
      await expect.poll(() => page.locator('.cidr-map svg').getAttribute('aria-label')).toContain('0 allocations');
    });

    it('shows the dashboard with the space of the private scope', async () => {
      await page.getByRole('link', { name: 'Dashboard' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      const space = page.getByRole('table', { name: 'Space per scope and address family' });
      await expect.poll(() => space.textContent()).toContain('16,777,216');
      // No discovery has run: every scope is listed with no resource CIDR.
      expect(await page.getByRole('table', { name: 'Resource CIDRs per scope' }).locator('tbody tr').count()).toBe(2);
      // The latest events first: the /24 released, then allocated; the pool CIDRs provisioned before them.
      const events = page.getByRole('table', { name: 'Recent events' }).locator('tbody tr');
      // Three pool CIDRs provisioned (two events each), one allocation made and released.
      expect(await events.count()).toBe(8);
      const row = async (n: number) => (await events.nth(n).locator('td').allTextContents()).slice(1);
      expect(await row(0)).toEqual([
        'IPAM Pool Allocation Change',
        expect.stringMatching(/^ipam-pool-alloc-[0-9a-f]+ 10\.0\.0\.0\/24$/),
        'released',
      ]);
      expect(await row(1)).toEqual(['IPAM Pool Allocation Change', expect.stringMatching(/ 10\.0\.0\.0\/24$/), 'created']);
      expect(await row(2)).toEqual(['IPAM Pool CIDR State Change', `${devPoolId} 10.0.0.0/20`, 'pending-provision → provisioned']);
      expect(await events.first().locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
      await accessible('dashboard');
    });

    it('deletes the IPAM with everything in it, confirmed by typing delete (keyboard only)', async () => {
      await page.getByRole('link', { name: 'IPAMs and scopes' }).click();
      await page.getByRole('heading', { level: 1, name: 'IPAMs and scopes' }).waitFor();
      await page.getByRole('button', { name: /^Delete ipam-/ }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog');
      await dialog.waitFor();
      await page.keyboard.type('delete');
      await page.keyboard.press('Enter');
      await expect.poll(async () => (await service.ec2().send(new DescribeIpamsCommand({}))).Ipams?.length, { timeout: 30_000 }).toBe(0);
    });
  },
);
