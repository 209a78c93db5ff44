// Runs the real AWS CLI against the test service, with a clean environment: only the given
// account's keys, us-east-1 as the default Region, and empty config/credentials files so the
// machine's own AWS set-up cannot leak in. With AWS CLI v1 the commands run in long-lived Python
// processes (aws-cli-driver.ts), otherwise one `aws` process per command.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runInDriver } from './aws-cli-driver.ts';
import { programPath } from './program.ts';

export interface CliAccount {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CliResult {
  /** Exit status: 0, or 255 for a service error (AWS CLI v1). */
  status: number;
  stdout: string;
  stderr: string;
  /** The EC2 error code from `An error occurred (<Code>) when calling the <Action> operation: <Message>`. */
  errorCode?: string;
  errorAction?: string;
  errorMessage?: string;
  /** stdout parsed as JSON, when it is JSON. */
  json?: any;
}

/** Whether `aws` runs at all; the reason when it does not. */
export async function probeAwsCli(): Promise<{ available: boolean; version?: string; reason?: string }> {
  return new Promise((resolve) => {
    execFile(programPath('aws'), ['--version'], { timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) {
        const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
        const reason = missing
          ? "'aws' is not on PATH (pip install awscli for AWS CLI v1, or install v2 from https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)"
          : `'aws --version' failed: ${(stderr.trim().split('\n').at(-1) || error.message).trim()}`;
        resolve({ available: false, reason });
      } else resolve({ available: true, version: `${stdout}${stderr}`.trim() });
    });
  });
}

/**
 * Splits a command line the way a POSIX shell would for the guide's commands: whitespace
 * separates words, single and double quotes group (and are removed), a backslash-newline joins lines.
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const text = line.replace(/\\\r?\n/g, ' ');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unbalanced quote in: ${line}`);
  if (inWord) words.push(word);
  return words;
}

const COMMAND_TIMEOUT_MS = 60_000;
const ERROR_LINE = /An error occurred \(([^)]+)\) when calling the (\w+) operation(?: \(reached max retries: \d+\))?: (.*)/;

export interface AwsCli {
  /** Runs `aws …` (the command as the guide writes it, starting with `aws`) against the service. */
  run(command: string): Promise<CliResult>;
  /** Like run, but fails the test unless the command exits 0. */
  ok(command: string): Promise<CliResult>;
  /** Number of AWS CLI commands run so far. */
  readonly invocations: number;
}

/**
 * `profiles` become named profiles of the credentials file, for the guide's commands that carry
 * `--profile ipam-account` and the like.
 */
export async function awsCli(
  endpointUrl: string,
  account: CliAccount,
  region = 'us-east-1',
  profiles: Record<string, CliAccount> = {},
  /** `subprocess: true` runs each command as its own `aws` process, even where the driver would do. */
  options: { subprocess?: boolean } = {},
): Promise<AwsCli> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-aws-cli-'));
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  await writeFile(configFile, '');
  await writeFile(
    credentialsFile,
    Object.entries(profiles)
      .map(([name, keys]) => `[${name}]\naws_access_key_id = ${keys.accessKeyId}\naws_secret_access_key = ${keys.secretAccessKey}\n`)
      .join(''),
  );
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/i.test(name)));
  Object.assign(env, {
    AWS_ACCESS_KEY_ID: account.accessKeyId,
    AWS_SECRET_ACCESS_KEY: account.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: configFile,
    AWS_SHARED_CREDENTIALS_FILE: credentialsFile,
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
  let invocations = 0;

  const run = async (command: string): Promise<CliResult> => {
    const [program, ...args] = shellWords(command);
    if (program !== 'aws') throw new Error(`not an aws command: ${command}`);
    invocations++;
    const argv = [...args, '--endpoint-url', endpointUrl];
    const done = (status: number, stdout: string, stderr: string): CliResult => {
      const result: CliResult = { status, stdout, stderr };
      const match = ERROR_LINE.exec(stderr);
      if (match) [, result.errorCode, result.errorAction, result.errorMessage] = match;
      try {
        if (stdout.trim().startsWith('{') || stdout.trim().startsWith('[')) result.json = JSON.parse(stdout);
      } catch {
        // not JSON: --output text
      }
      return result;
    };
    const inDriver = options.subprocess ? undefined : await runInDriver(argv, env, COMMAND_TIMEOUT_MS);
    if (inDriver) return done(inDriver.status, inDriver.stdout, inDriver.stderr);
    return new Promise((resolve) => {
      execFile(programPath('aws'), argv, { env, timeout: COMMAND_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) =>
        resolve(done(error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr)),
      );
    });
  };

  return {
    run,
    async ok(command) {
      const result = await run(command);
      if (result.status !== 0) throw new Error(`\`${command}\` exited ${result.status}: ${result.stderr.trim()}`);
      return result;
    },
    get invocations() {
      return invocations;
    },
  };
}
