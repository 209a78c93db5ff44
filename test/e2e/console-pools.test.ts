// The pool page against pools made through the SDK: rules refusing an allocation with the API's
// own message, a pool of more than one API page of allocations (the map fills in page by page,
// the table pages on), and the whole thing by keyboard.
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamsCommand,
  type EC2Client,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { skipUnless } from '../support/optional-client.ts';
import { hasChromium, launchBrowser, screenshot } from './support/browser.ts';

let service: TestService;
let ec2: EC2Client;
let browser: Browser;
let page: Page;

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting');
}

/** A top-level private pool with `cidr` provisioned, and the given allocation rules. */
async function provisionedPool(cidr: string, rules: Record<string, number> = {}): Promise<string> {
  const { Ipams } = await ec2.send(new DescribeIpamsCommand({}));
  const ipam = Ipams![0];
  await until(
    async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipam.IpamId!] }))).Ipams![0].State,
    (state) => state === 'create-complete',
  );
  const { IpamPool } = await ec2.send(
    new CreateIpamPoolCommand({ IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4', Description: `rules ${cidr}`, ...rules }),
  );
  const poolId = IpamPool!.IpamPoolId!;
  await until(
    async () => (await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [poolId] }))).IpamPools![0].State,
    (state) => state === 'create-complete',
  );
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: poolId, Cidr: cidr }));
  await until(
    async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId }))).IpamPoolCidrs![0].State,
    (state) => state === 'provisioned',
  );
  return poolId;
}

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  ec2 = service.ec2();
  await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console: pools',
  () => {
    it('signs in with the keyboard alone', async () => {
      await page.goto(service.url);
      await page.getByLabel('Access key ID').waitFor();
      // Focus starts in the first field; Tab walks the form in order; Enter submits.
      await page.keyboard.type(ADMIN.accessKeyId);
      await page.keyboard.press('Tab');
      await page.keyboard.type(ADMIN.secretAccessKey);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      // Focus lands on the page's heading; the content follows it, the navigation comes before it.
      const focused = () => page.evaluate<string>('document.activeElement.textContent');
      expect(await focused()).toBe('Dashboard');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('1 IPAMs');
      await page.keyboard.press('Shift+Tab');
      expect(await focused()).toBe('Sign out');
      await page.keyboard.press('Shift+Tab');
      expect(await page.evaluate<string>('document.activeElement.id')).toBe('key-switcher');
      // Back along the navigation, last link first.
      for (const link of [
        'Prefix lists',
        'Prefix list resolvers',
        'IPAM policies',
        'Public space',
        'Resource discoveries',
        'Address history',
        'Resources',
        'Pools',
      ]) {
        await page.keyboard.press('Shift+Tab');
        expect(await focused()).toBe(link);
      }
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Pools' }).waitFor();
    });

    it('a pool with rules refuses a bad allocation with the API message', async () => {
      const poolId = await provisionedPool('10.1.0.0/16', { AllocationMinNetmaskLength: 20, AllocationMaxNetmaskLength: 24 });
      const refusal = await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: poolId, NetmaskLength: 16 })).catch((error) => error);
      expect(refusal.name).toBe('InvalidParameterValue');
      await page.goto(`${service.url}/#/pools/${poolId}`);
      const form = page.getByRole('form', { name: 'Allocate' });
      await form.getByLabel('Netmask length').fill('16');
      await form.getByRole('button', { name: 'Allocate', exact: true }).click();
      await expect.poll(() => form.getByRole('alert').textContent()).toBe(`${refusal.name}: ${refusal.message}`);
      expect(await page.locator('dl.facts').textContent()).toContain('min 20, max 24');
      await screenshot(page, 'pool-rules-refusal');
    });

    it('a pool of more than 1,000 allocations draws at once, fills in page by page, and pages its table', async () => {
      const poolId = await provisionedPool('10.2.0.0/16');
      const count = 1_050;
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < count) {
            next++;
            await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: poolId, NetmaskLength: 28 }));
          }
        }),
      );
      await page.goto(`${service.url}/#/pools/${poolId}`);
      await expect.poll(() => page.locator('#map-progress').textContent(), { timeout: 20_000 }).toBe(`All ${count} allocations loaded.`);
      expect(await page.locator('.cidr-map svg').getAttribute('aria-label')).toBe(
        `Map of 10.2.0.0/16: ${count} allocations and child pools, ${(65_536 - count * 16).toLocaleString('en-US')} of 65,536 addresses free`,
      );
      expect(await page.locator('.cidr-map rect.allocated').count()).toBeGreaterThan(0);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByRole('table', { name: 'Allocations, page 2' }).waitFor();
      // The map by keyboard: select the first block, zoom in on it, and back out.
      await page.locator('.cidr-map svg').focus();
      await page.keyboard.press('ArrowRight');
      expect(await page.locator('#map-details').textContent()).toMatch(/^10\.2\./);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#map-window').textContent()).toBe('10.2.0.0/20');
      await page.keyboard.press('Backspace');
      await expect.poll(() => page.locator('#map-window').textContent()).toBe('10.2.0.0/16');
      await screenshot(page, 'pool-large');
    });
  },
);
