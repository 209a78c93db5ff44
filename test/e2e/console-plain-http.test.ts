// The console opened over plain HTTP through a name that is not loopback, as from another machine:
// not a secure context, so the browser hides crypto.subtle, and the console must still sign (with
// the pure-JS SHA-256) — sign in, create and describe an IPAM, and refuse a wrong secret.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { skipUnless } from '../support/optional-client.ts';
import { hasChromium, launchBrowser, screenshot, signIn } from './support/browser.ts';

let service: TestService;
let browser: Browser;
let url: string;

beforeAll(async () => {
  if (!hasChromium) return;
  service = await startTestService();
  // `ipam.test` resolves to the service's loopback address in this browser only (no DNS, no hosts file).
  browser = await launchBrowser(['--host-resolver-rules=MAP ipam.test 127.0.0.1']);
  url = `http://ipam.test:${new URL(service.url).port}/`;
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
  page.on('request', (request) => !request.url().startsWith(url) && problems.push(`request to ${request.url()}`));
  return { page, problems };
}

describe.skipIf(skipUnless(hasChromium, 'the console browser tests', 'no chromium at /usr/bin/chromium (apt-get install chromium)'))(
  'console over plain HTTP from another host (not a secure context)',
  () => {
    it('is not a secure context: no crypto.subtle', async () => {
      const { page } = await freshPage();
      await page.goto(url);
      // Evaluated in the page (as text: the tests compile without the DOM's types).
      expect(await page.evaluate<{ secure: boolean; subtle: boolean }>('({ secure: isSecureContext, subtle: !!crypto.subtle })')).toEqual({
        secure: false,
        subtle: false,
      });
      await page.close();
    });

    it('a wrong secret is still refused with the API error', async () => {
      const { page } = await freshPage();
      await page.goto(url);
      await page.getByLabel('Access key ID').fill(ADMIN.accessKeyId);
      await page.getByLabel('Secret access key').fill('not-the-secret');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^SignatureDoesNotMatch: /);
      expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
      await page.close();
    });

    it('signs in, creates an IPAM and describes it', async () => {
      const { page, problems } = await freshPage();
      await signIn(page, url, ADMIN);
      await page.getByRole('link', { name: 'IPAMs and scopes' }).click();
      await page.getByRole('heading', { level: 1, name: 'IPAMs and scopes' }).waitFor();
      const form = page.getByRole('form', { name: 'Create IPAM' });
      await form.getByLabel('Description', { exact: true }).fill('Over plain HTTP');
      await form.getByLabel('Operating Regions (comma-separated)', { exact: true }).fill('us-east-1');
      await form.getByRole('button', { name: 'Create IPAM' }).click();
      // The table is the console's signed DescribeIpams.
      const ipams = page.getByRole('table', { name: 'IPAMs' });
      await expect.poll(() => ipams.textContent(), { timeout: 20_000 }).toContain('create-complete');
      expect(await ipams.textContent()).toContain('Over plain HTTP');
      await screenshot(page, 'plain-http-ipams');
      expect(problems).toEqual([]);
      await page.close();
    });
  },
);
