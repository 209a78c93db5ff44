// Terraform's hashicorp/aws provider against the test service, with no network: the provider
// comes from a local filesystem mirror, found at run time, and talks only to the service on
// loopback. `terraformWorkspace` writes a configuration into a fresh directory, runs `init`, and
// runs terraform there with only the settings Terraform needs.
import { spawn } from 'node:child_process';
import { access, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';

const PROVIDER = 'registry.terraform.io/hashicorp/aws';

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/**
 * Runs a command in its own process group: on the timeout the whole group is killed, so the
 * provider processes Terraform started do not outlive it (killing terraform alone left them running).
 */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer =
      options.timeout === undefined
        ? undefined
        : setTimeout(() => {
            if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
          }, options.timeout);
    const finish = (status: number) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString(), stderr: Buffer.concat(stderr).toString() });
    };
    child.on('error', () => finish(-1));
    child.on('close', (code) => finish(code ?? -1));
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

/** Why Terraform tests cannot run here, or undefined when they can. */
export const terraformSkipReason = !terraformPath
  ? 'terraform is not on PATH'
  : !mirror
    ? `no local mirror of ${PROVIDER} (set IPAM_TF_PROVIDER_MIRROR to the directory holding registry.terraform.io)`
    : undefined;

export interface TerraformWorkspace {
  /** Runs terraform there; fails the test with Terraform's own words if it fails. */
  terraform(...args: string[]): Promise<{ stdout: string; stderr: string }>;
  /** Replaces the configuration file's text (same name as at the start). */
  configure(text: string): Promise<void>;
  /** The directory Terraform runs in, for module sources relative to it. */
  directory: string;
  remove(): Promise<void>;
}

/**
 * Starts the workspace's installed provider once, in its debug mode, and returns the
 * TF_REATTACH_PROVIDERS value that makes every later terraform command in the workspace talk to
 * that process instead of starting its own. Each start of hashicorp/aws costs 3-4 s of CPU (it
 * builds every resource's schema), and an apply starts it four times or more: in a full `npm test`
 * the provider's starts took about a quarter of all the CPU. Same binary, same gRPC protocol;
 * only its lifetime differs. One process holds one provider configuration, so a configuration
 * with aliases must not share it (their credentials would overwrite each other).
 */
async function startSharedProvider(workDir: string, env: NodeJS.ProcessEnv): Promise<{ reattach: string; stop: () => void }> {
  // .terraform/providers/<address>/<version>/<platform>/terraform-provider-aws_v<version>_x5, where
  // <platform> is a symlink into the mirror (so no glob: it does not follow links).
  let binary: string | undefined;
  const installed = path.join(workDir, '.terraform/providers', PROVIDER);
  for (const version of await readdir(installed).catch(() => []))
    for (const platform of await readdir(path.join(installed, version)))
      for (const file of await readdir(path.join(installed, version, platform)))
        if (file.startsWith('terraform-provider-aws')) binary = path.join(installed, version, platform, file);
  if (!binary) throw new Error(`terraform init installed no ${PROVIDER} under ${workDir}`);
  const child = spawn(binary, ['-debug'], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'ignore'] });
  const kill = () => child.kill('SIGKILL');
  // A test worker that dies without its afterAll must not leave a provider serving forever.
  process.once('exit', kill);
  const reattach = await new Promise<string>((resolve, reject) => {
    let printed = '';
    const timer = setTimeout(() => fail(new Error(`the provider printed no TF_REATTACH_PROVIDERS within 60 s:\n${printed}`)), 60_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      kill();
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`the provider exited (${code}) before it could be shared:\n${printed}`)));
    child.stdout.on('data', function read(chunk: Buffer) {
      printed += chunk.toString();
      const value = /TF_REATTACH_PROVIDERS='([^']+)'/.exec(printed)?.[1];
      if (value) {
        clearTimeout(timer);
        child.stdout.off('data', read).resume();
        resolve(value);
      }
    });
  });
  return {
    reattach,
    stop: () => {
      process.removeListener('exit', kill);
      kill();
    },
  };
}

/**
 * A fresh directory holding the configuration `text` (in `fileName`: `main.tf.json` for JSON),
 * initialised against the local mirror. `text` may be a function of the directory's path, for a
 * configuration that names a module relative to it. With `shareProvider`, every command reuses
 * one provider process (startSharedProvider); only for a configuration with one `aws` provider.
 */
export async function terraformWorkspace(
  text: string | ((directory: string) => string),
  fileName = 'main.tf',
  options: { shareProvider?: boolean } = {},
): Promise<TerraformWorkspace> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'ipam-terraform-'));
  const cliConfig = path.join(workDir, 'terraform.rc');
  await writeFile(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["${PROVIDER}"]\n  }\n}\n`,
  );
  const configure = (content: string) => writeFile(path.join(workDir, fileName), content);
  await configure(typeof text === 'string' ? text : text(workDir));
  const env: NodeJS.ProcessEnv = {
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
  const terraform = async (...args: string[]) => {
    const started = Date.now();
    const result = await run(terraformPath, args, { cwd: workDir, env, timeout: 150_000 });
    if (result.status !== 0)
      throw new Error(
        `terraform ${args.join(' ')} exited ${result.status} after ${Date.now() - started} ms:\n${result.stderr}\n${result.stdout.slice(-4000)}`,
      );
    return result;
  };
  await terraform('init', '-input=false', '-no-color');
  const shared = options.shareProvider ? await startSharedProvider(workDir, env) : undefined;
  if (shared) env.TF_REATTACH_PROVIDERS = shared.reattach;
  return {
    terraform,
    configure,
    directory: workDir,
    remove: async () => {
      shared?.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/**
 * The start of a one-account configuration: the hashicorp/aws provider with `key`, its EC2 calls
 * sent to `endpoint`, an IPAM operating in us-east-1 and a private IPv4 pool `main` there.
 */
export function ipamPoolConfiguration(endpoint: string, key: { accessKeyId: string; secretAccessKey: string }): string {
  return `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "${key.accessKeyId}"
  secret_key                  = "${key.secretAccessKey}"
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
`;
}
