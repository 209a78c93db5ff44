// `npm run screenshots`: refreshes the console's screenshots in docs/screenshots/ (shown in the
// README). Starts the service as `npm start` does, on a fresh data directory of its own, builds a
// small example estate through the AWS SDK (an IPAM, a three-level pool tree, allocations), and
// photographs each main page in Debian's chromium, light theme and one page dark.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AllocateIpamPoolCidrCommand,
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamsCommand,
  EC2Client,
  GetIpamPoolCidrsCommand,
  ProvisionIpamPoolCidrCommand,
} from '@aws-sdk/client-ec2';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../../lambdas/config.ts';
import { startLocalService } from '../../lambdas/hosts/local/service.ts';

const CHROMIUM = '/usr/bin/chromium';
const projectRoot = path.resolve(import.meta.dirname, '../..');
const outDir = path.join(projectRoot, 'docs', 'screenshots');
const key = { accessKeyId: 'AKIASCREENSHOTS00001', secretAccessKey: 'screenshots-secret', accountId: '123456789012' };

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error('gave up waiting');
}

async function pool(
  ec2: EC2Client,
  input: ConstructorParameters<typeof CreateIpamPoolCommand>[0],
  name: string,
  cidr: string,
): Promise<string> {
  const { IpamPool } = await ec2.send(
    new CreateIpamPoolCommand({ ...input, TagSpecifications: [{ ResourceType: 'ipam-pool', Tags: [{ Key: 'Name', Value: name }] }] }),
  );
  const id = IpamPool!.IpamPoolId!;
  await until(
    async () => (await ec2.send(new DescribeIpamPoolsCommand({ IpamPoolIds: [id] }))).IpamPools![0].State,
    (state) => state === 'create-complete',
  );
  await ec2.send(new ProvisionIpamPoolCidrCommand({ IpamPoolId: id, Cidr: cidr }));
  await until(
    async () => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId: id }))).IpamPoolCidrs![0].State,
    (state) => state === 'provisioned',
  );
  return id;
}

/** An IPAM with top-level → Regional → development pools, and some allocations in the last. */
async function exampleEstate(ec2: EC2Client): Promise<string> {
  const { Ipam } = await ec2.send(new CreateIpamCommand({ Description: 'Example IPAM', OperatingRegions: [{ RegionName: 'us-east-1' }] }));
  await until(
    async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [Ipam!.IpamId!] }))).Ipams![0].State,
    (state) => state === 'create-complete',
  );
  const scope = { IpamScopeId: Ipam!.PrivateDefaultScopeId!, AddressFamily: 'ipv4' as const };
  const top = await pool(ec2, { ...scope, Description: 'Top-level pool' }, 'top-level', '10.0.0.0/8');
  const regional = await pool(ec2, { ...scope, SourceIpamPoolId: top, Locale: 'us-east-1' }, 'us-east-1', '10.0.0.0/16');
  const dev = await pool(
    ec2,
    { ...scope, SourceIpamPoolId: regional, Locale: 'us-east-1', AllocationMinNetmaskLength: 20, AllocationMaxNetmaskLength: 28 },
    'development',
    '10.0.0.0/20',
  );
  await pool(ec2, { ...scope, SourceIpamPoolId: regional, Locale: 'us-east-1' }, 'production', '10.0.64.0/18');
  for (const [netmask, description] of [
    [22, 'shared services VPC'],
    [24, 'build farm'],
    [26, 'bastions'],
    [24, 'test VPC'],
    [28, 'VPN endpoints'],
  ] as const) {
    await ec2.send(new AllocateIpamPoolCidrCommand({ IpamPoolId: dev, NetmaskLength: netmask, Description: description }));
  }
  return dev;
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: name !== 'pool' });
  console.log(`wrote docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'ipam-screenshots-'));
  const service = await startLocalService(
    loadConfig({
      PORT: '0',
      IPAM_DATA_DIR: dataDir,
      IPAM_ACCESS_KEY_ID: key.accessKeyId,
      IPAM_SECRET_ACCESS_KEY: key.secretAccessKey,
      IPAM_ACCOUNT_ID: key.accountId,
      IPAM_DISCOVERY_INTERVAL_S: '0',
    }),
  );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  try {
    const ec2 = new EC2Client({ region: 'us-east-1', endpoint: service.url, credentials: key, maxAttempts: 1 });
    const devPool = await exampleEstate(ec2);
    for (const colorScheme of ['light', 'dark'] as const) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, colorScheme });
      const suffix = colorScheme === 'dark' ? '-dark' : '';
      await page.goto(service.url);
      await page.getByLabel('Access key ID').fill(key.accessKeyId);
      await page.getByLabel('Secret access key').fill(key.secretAccessKey);
      if (colorScheme === 'light') await shoot(page, 'sign-in');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.locator('[role="meter"]').first().waitFor();
      if (colorScheme === 'light') await shoot(page, 'dashboard');
      await page.goto(`${service.url}/#/pools`);
      await page.locator('.tree [role="meter"]').nth(3).waitFor();
      if (colorScheme === 'light') await shoot(page, 'pools');
      await page.goto(`${service.url}/#/pools/${devPool}`);
      await page.locator('.cidr-map[data-loaded]').waitFor();
      await page.locator('.cidr-map').scrollIntoViewIfNeeded();
      await shoot(page, `pool${suffix}`);
      await page.close();
    }
  } finally {
    await browser.close();
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
