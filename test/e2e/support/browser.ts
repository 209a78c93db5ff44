// The real browser for the console tests: Debian's chromium driven by playwright-core. Absent
// chromium, the console tests skip with one printed line (skipUnless; .ci/run installs it).
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

const projectRoot = path.resolve(import.meta.dirname, '../../..');
/** Screenshots of test runs (gitignored); `npm run screenshots` refreshes docs/screenshots/. */
export const ARTIFACTS_DIR = path.join(projectRoot, 'test-artifacts', 'console');

export function launchBrowser(args: string[] = []): Promise<Browser> {
  // Root has no user namespace for chromium's sandbox here; the page is our own console.
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({ executablePath: CHROMIUM, args: asRoot ? ['--no-sandbox', ...args] : args });
}

/** Signs in through the form as a person would, and waits for the dashboard. */
export async function signIn(
  page: Page,
  url: string,
  key: { accessKeyId: string; secretAccessKey: string },
  region = 'us-east-1',
): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Access key ID').fill(key.accessKeyId);
  await page.getByLabel('Secret access key').fill(key.secretAccessKey);
  await page.getByLabel('Region').fill(region);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
}

/** A 1280×900 page of a new browser, signed in as `key`: the console tests' starting point. */
export async function signedInPage(
  url: string,
  key: { accessKeyId: string; secretAccessKey: string },
): Promise<{ browser: Browser; page: Page }> {
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signIn(page, url, key);
  return { browser, page };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS_DIR, `${name}.png`), fullPage: true });
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now, as `rule: target` lines. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  // Through the DevTools protocol, which the page's CSP does not govern (a script tag would be refused).
  await page.evaluate(await axeSource);
  // Evaluated in the page (as text: the tests compile without the DOM's types).
  const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(`
    axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      targets: violation.nodes.map((node) => node.target.join(' ')),
    })))`);
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id}: ${violation.targets.join(', ')}`);
}

/** Saves the page's screenshot as `name` and expects axe-core to find no serious or critical violation on it. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousAccessibilityViolations(page)).toEqual([]);
}
