// Terraform's hashicorp/aws provider against the service: an IPAM, a pool and a pool CIDR
// (aws_vpc_ipam, aws_vpc_ipam_pool, aws_vpc_ipam_pool_cidr), applied, the CIDR replaced with
// `terraform apply -replace`, and everything destroyed. The provider finds a pool CIDR by its CIDR
// and needs exactly one answer, so this is the test of "a CIDR provisioned again is one record".
//
// No network: the provider comes from a local filesystem mirror, found at run time (below), and
// talks only to the service on loopback.
import { execFile } from 'node:child_process';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeIpamPoolsCommand, DescribeIpamsCommand, GetIpamPoolCidrsCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';

const PROVIDER = 'registry.terraform.io/hashicorp/aws';
const CIDR = '10.0.0.0/16';

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { ...options, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** A directory that holds registry.terraform.io/hashicorp/aws, searched at most `depth` levels down. */
async function findMirrorUnder(root: string, depth: number): Promise<string | undefined> {
  if (await exists(path.join(root, PROVIDER))) return root;
  if (depth === 0) return undefined;
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name === 'node_modules') continue;
    const found = await findMirrorUnder(path.join(root, entry.name), depth - 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * The provider mirror: IPAM_TF_PROVIDER_MIRROR, else one of Terraform's implied local mirror
 * directories, else a shallow search of /opt and /usr/local (where machine images put them).
 */
async function findProviderMirror(): Promise<string | undefined> {
  const configured = process.env.IPAM_TF_PROVIDER_MIRROR;
  if (configured) return (await exists(path.join(configured, PROVIDER))) ? configured : undefined;
  const implied = [
    path.join(homedir(), '.terraform.d/plugins'),
    path.join(homedir(), '.local/share/terraform/plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ];
  for (const dir of implied) if (await exists(path.join(dir, PROVIDER))) return dir;
  // A mirror is the directory above registry.terraform.io, so search one level less deep than 3.
  for (const root of ['/opt', '/usr/local']) {
    const found = await findMirrorUnder(root, 2);
    if (found) return found;
  }
  return undefined;
}

const terraformPath = (await run('sh', ['-c', 'command -v terraform'])).stdout.trim();
const mirror = terraformPath ? await findProviderMirror() : undefined;
const skipReason = !terraformPath
  ? 'terraform is not on PATH'
  : !mirror
    ? `no local mirror of ${PROVIDER} (set IPAM_TF_PROVIDER_MIRROR to the directory holding registry.terraform.io)`
    : undefined;
const describeTerraform = describe.skipIf(skipUnless(!skipReason, 'the Terraform end-to-end test', skipReason));

function configuration(endpoint: string): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "${ADMIN.accessKeyId}"
  secret_key                  = "${ADMIN.secretAccessKey}"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2 = "${endpoint}"
  }
}

resource "aws_vpc_ipam" "main" {
  operating_regions {
    region_name = "us-east-1"
  }
}

resource "aws_vpc_ipam_pool" "main" {
  address_family = "ipv4"
  ipam_scope_id  = aws_vpc_ipam.main.private_default_scope_id
  locale         = "us-east-1"
}

resource "aws_vpc_ipam_pool_cidr" "x" {
  ipam_pool_id = aws_vpc_ipam_pool.main.id
  cidr         = "${CIDR}"
  timeouts {
    create = "2m"
    delete = "2m"
  }
}
`;
}

let service: TestService;
let workDir: string;
let env: NodeJS.ProcessEnv;

/** Runs terraform in the work directory; fails the test with Terraform's own words if it fails. */
async function terraform(...args: string[]) {
  const started = Date.now();
  const result = await run(terraformPath, args, { cwd: workDir, env, timeout: 150_000 });
  if (result.status !== 0)
    throw new Error(
      `terraform ${args.join(' ')} exited ${result.status} after ${Date.now() - started} ms:\n${result.stderr}\n${result.stdout.slice(-4000)}`,
    );
  return result;
}

async function poolCidrRows(poolId: string) {
  const { IpamPoolCidrs } = await service
    .ec2()
    .send(new GetIpamPoolCidrsCommand({ IpamPoolId: poolId, Filters: [{ Name: 'cidr', Values: [CIDR] }] }));
  return IpamPoolCidrs ?? [];
}

beforeAll(async () => {
  if (skipReason) return;
  service = await startTestService();
  workDir = await mkdtemp(path.join(tmpdir(), 'ipam-terraform-'));
  const cliConfig = path.join(workDir, 'terraform.rc');
  await writeFile(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${PROVIDER}"]\n  }\n}\n`,
  );
  await writeFile(path.join(workDir, 'main.tf'), configuration(service.url));
  env = {
    // Only what Terraform needs: no AWS settings or credentials of the machine, no plugin cache.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(AWS_|TF_)/i.test(name))),
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: path.join(workDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-aws-credentials'),
  };
  await terraform('init', '-input=false', '-no-color');
}, 120_000);

afterAll(async () => {
  await service?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

describeTerraform('Terraform (hashicorp/aws)', () => {
  let poolId: string;

  it('applies an IPAM, a pool and a provisioned pool CIDR', { timeout: 180_000 }, async () => {
    await terraform('apply', '-auto-approve', '-input=false', '-no-color');
    const { IpamPools } = await service.ec2().send(new DescribeIpamPoolsCommand({}));
    expect(IpamPools).toHaveLength(1);
    poolId = IpamPools![0]!.IpamPoolId!;
    expect((await poolCidrRows(poolId)).map((row) => row.State)).toEqual(['provisioned']);
  });

  it('replaces the pool CIDR (-replace): deprovisioned and provisioned again, still one row for the CIDR', {
    timeout: 180_000,
  }, async () => {
    const before = (await poolCidrRows(poolId))[0]!;
    await terraform('apply', '-replace=aws_vpc_ipam_pool_cidr.x', '-auto-approve', '-input=false', '-no-color');
    const rows = await poolCidrRows(poolId);
    expect(rows.map((row) => row.State)).toEqual(['provisioned']);
    expect(rows[0]!.IpamPoolCidrId).not.toBe(before.IpamPoolCidrId);
  });

  it('destroys everything: no IPAM and no pool left in the service', { timeout: 180_000 }, async () => {
    await terraform('destroy', '-auto-approve', '-input=false', '-no-color');
    const ec2 = service.ec2();
    expect((await ec2.send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);
    expect((await ec2.send(new DescribeIpamsCommand({}))).Ipams).toEqual([]);
  });
});
