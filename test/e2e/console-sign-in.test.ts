// The console's sign-in in a real browser: the key checked by a SigV4-signed JSON API call made
// in the page, the secret kept in the tab's session storage, a wrong secret refused with the
// API's own error, and the page's policy holding (no third-party request, no CSP violation).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateIpamCommand } from '@aws-sdk/client-ec2';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { skipUnless } from '../support/optional-client.ts';
import { hasChromium, launchBrowser, screenshot, seriousAccessibilityViolations, signIn } from './support/browser.ts';

let service: TestService;
let browser: Browser;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

async function freshPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
  page.on('response', (response) => response.status() >= 400 && problems.push(`${response.status()} for ${response.url()}`));
  page.on('pageerror', (error) => problems.push(error.message));
  page.on('request', (request) => !request.url().startsWith(service.url) && problems.push(`request to ${request.url()}`));
  return { page, problems };
}

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console sign-in',
  () => {
    it('a wrong secret is refused with the API error, and nothing is stored', async () => {
      const { page } = await freshPage();
      await page.goto(service.url);
      await page.getByLabel('Access key ID').fill(ADMIN.accessKeyId);
      await page.getByLabel('Secret access key').fill('not-the-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('alert');
      await expect.poll(() => alert.textContent()).toMatch(/^SignatureDoesNotMatch: /);
      expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
      await screenshot(page, 'sign-in-refused');
      await page.close();
    });

    it('the right key signs in; the secret lives in session storage only; sign-out forgets it', async () => {
      const { page, problems } = await freshPage();
      await page.goto(service.url);
      expect(await seriousAccessibilityViolations(page)).toEqual([]);
      await screenshot(page, 'sign-in');
      await signIn(page, service.url, ADMIN);
      // Evaluated in the page (as text: the tests compile without the DOM's types).
      const stored = await page.evaluate<{ session: string; local: number; cookies: string }>(
        '({ session: JSON.stringify(sessionStorage), local: localStorage.length, cookies: document.cookie })',
      );
      expect(stored.session).toContain(ADMIN.secretAccessKey);
      expect(stored).toMatchObject({ local: 0, cookies: '' });
      // A reload keeps the tab signed in (session storage), without asking again.
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to the IPAM console' }).waitFor();
      expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });

    it('several keys signed in at once: the account switcher moves between their accounts', async () => {
      await service.ec2().send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
      const { page, problems } = await freshPage();
      await signIn(page, service.url, ADMIN);
      const ipamCount = () => page.locator('.tiles li').first().textContent();
      await expect.poll(ipamCount).toBe('1 IPAMs');
      // Adding a key can be abandoned: back to the console, still signed in with the first.
      await page.getByLabel('Signed-in key').selectOption({ label: 'Sign in with another key…' });
      await page.getByRole('button', { name: 'Back to the console' }).click();
      await expect.poll(ipamCount).toBe('1 IPAMs');
      await page.getByLabel('Signed-in key').selectOption({ label: 'Sign in with another key…' });
      // The sign-in form again, in the same tab (no reload: that would open the key in use).
      await page.getByLabel('Access key ID').fill(OTHER.accessKeyId);
      await page.getByLabel('Secret access key').fill(OTHER.secretAccessKey);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(ipamCount).toBe('0 IPAMs');
      const switcher = page.getByLabel('Signed-in key');
      expect(await switcher.locator('option').allTextContents()).toEqual([
        `${ADMIN.accessKeyId} · us-east-1`,
        `${OTHER.accessKeyId} · us-east-1`,
        'Sign in with another key…',
      ]);
      await switcher.selectOption({ label: `${ADMIN.accessKeyId} · us-east-1` });
      await expect.poll(ipamCount).toBe('1 IPAMs');
      // A reload keeps both keys and the one in use.
      await page.reload();
      await expect.poll(ipamCount).toBe('1 IPAMs');
      expect(await page.getByLabel('Signed-in key').locator('option').count()).toBe(3);
      // Signing out forgets every key of the tab.
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Access key ID').waitFor();
      expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
