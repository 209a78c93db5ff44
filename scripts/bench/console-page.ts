// The console's pool page in the real browser (issue 20, item 6): a pool of 10,000 allocations
// seeded through the use cases, served by a second local service on the bench's table acting as
// the pool's account, and loaded in Debian's chromium. Measured from navigation to the first map
// drawn (the first page of 1,000 allocations) and to the map complete (all pages). Skipped with a
// printed line when chromium is absent.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { loadConfig } from '../../lambdas/config.ts';
import { startLocalService } from '../../lambdas/hosts/local/service.ts';
import type { BenchContext } from './bench-context.ts';
import { seedLargePool } from './scenarios.ts';
import { round } from './stats.ts';

const CHROMIUM = '/usr/bin/chromium';
const LOADS = 3;

export interface ConsolePageResult {
  allocations: number;
  /** Medians over LOADS loads, in milliseconds. */
  firstDrawMs: number;
  completeMs: number;
}

export async function measureConsolePoolPage(
  bench: BenchContext,
  options: { dynamoDbEndpoint: string; dataDir: string; allocations: number; clients: number },
): Promise<ConsolePageResult | undefined> {
  if (!existsSync(CHROMIUM)) {
    console.log(`console pool page skipped: no chromium at ${CHROMIUM} (apt-get install chromium)`);
    return undefined;
  }
  const seeded = await seedLargePool(bench, 'ipv4', options.allocations, options.clients);
  const key = { accessKeyId: 'AKIABENCHCONSOLE0001', secretAccessKey: 'bench-console-secret', region: 'us-east-1' };
  const service = await startLocalService(
    loadConfig({
      PORT: '0',
      IPAM_DISCOVERY_INTERVAL_S: '0',
      IPAM_DATA_DIR: path.join(options.dataDir, 'console'),
      IPAM_TABLE_NAME: bench.tableName,
      IPAM_DYNAMODB_ENDPOINT: options.dynamoDbEndpoint,
      IPAM_ACCESS_KEY_ID: key.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: key.secretAccessKey,
      IPAM_ACCOUNT_ID: seeded.account.accountId,
    }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Signed in as the sign-in page leaves a tab: the key in session storage.
    await page.goto(service.url);
    await page.evaluate(`sessionStorage.setItem('ipam-console-credentials', ${JSON.stringify(JSON.stringify(key))})`);
    const firstDraws: number[] = [];
    const completes: number[] = [];
    for (let load = 0; load < LOADS; load++) {
      await page.goto('about:blank');
      const started = performance.now();
      await page.goto(`${service.url}/#/pools/${seeded.poolId}`);
      // The map is drawn again after each page and says so in its progress line.
      await page.locator('#map-progress', { hasText: /^(Loaded|All) / }).waitFor({ timeout: 120_000 });
      firstDraws.push(performance.now() - started);
      await page.locator('.cidr-map[data-loaded]').waitFor({ timeout: 300_000 });
      completes.push(performance.now() - started);
      const progress = await page.locator('#map-progress').textContent();
      if (progress !== `All ${seeded.allocations} allocations loaded.`) throw new Error(`console map: ${progress}`);
    }
    const median = (values: number[]) => round([...values].sort((a, b) => a - b)[Math.floor(values.length / 2)], 0);
    return { allocations: seeded.allocations, firstDrawMs: median(firstDraws), completeMs: median(completes) };
  } finally {
    await browser.close();
    await service.stop();
  }
}
