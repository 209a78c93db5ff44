// What every command in bin/ shares: flag parsing (node:util parseArgs), --help and --version
// that print and exit before anything starts, one-sentence errors with fixed exit statuses, and
// one table of the environment variables the commands honour.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

/** Exit statuses: 1 = the command could not do its job, 2 = it was called wrongly (like getopt tools). */
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

/** A flag's value is wrong (not the flag itself): the message is followed by the usage line. */
export class UsageError extends Error {}

/** Every environment variable a command documents, with its default and meaning. */
const ENVIRONMENT = {
  PORT: 'HTTP port of npm start (default 4510; 0 picks a free port)',
  IPAM_HOST: 'address npm start listens on (default 127.0.0.1)',
  IPAM_DATA_DIR: 'directory holding the data and access keys (default .ipam-local)',
  IPAM_ACCESS_KEY_ID: "the administrator's access key id (default: generated once, kept in the data dir)",
  IPAM_SECRET_ACCESS_KEY: "the administrator's secret access key (set together with IPAM_ACCESS_KEY_ID)",
  IPAM_ACCOUNT_ID: "the administrator's account (default 123456789012)",
  IPAM_EXTRA_ACCOUNTS: 'more accounts: AKID:SECRET:ACCOUNT entries, comma-separated',
  IPAM_ORGANIZATION_FILE: 'the organisation document (default <data dir>/organization.json; docs/organizations.md)',
  IPAM_DYNAMODB_ENDPOINT: 'use this DynamoDB instead of starting DynamoDB Local',
  IPAM_DYNAMODB_PORT: 'port of the embedded DynamoDB Local (default: a free port)',
  IPAM_TABLE_NAME: 'the DynamoDB table (default ipam)',
  IPAM_DISCOVERY_INTERVAL_S: 'seconds between discovery sweeps (default 300; 0 = on demand only, else at least 60)',
  IPAM_DISCOVERY_MEMBER_ACCOUNTS: "12-digit accounts the administrator's resource discoveries read, comma-separated",
  IPAM_DISCOVERY_ROLE_NAME: 'role assumed in member accounts (default IpamDiscoveryRole)',
  IPAM_DISCOVERY_SOURCE: "where npm start's discovery reads: none (the default: no AWS calls) or aws (EC2 with this machine's credentials)",
  IPAM_EC2_ENDPOINT: 'EC2 endpoint override for discovery (default AWS; setting it turns EC2 discovery on)',
  IPAM_STS_ENDPOINT: 'STS endpoint override for discovery (default IPAM_EC2_ENDPOINT, else AWS)',
  IPAM_EC2_UPSTREAM_URL: 'forwarding mode: VPCs and subnets live on this EC2 endpoint (moto, LocalStack)',
  IPAM_EC2_UPSTREAM_ACCESS_KEY_ID: 'the key forwarded requests are re-signed with (default test)',
  IPAM_EC2_UPSTREAM_SECRET_ACCESS_KEY: 'its secret (default test)',
  IPAM_INVENTORY_FILE: 'a static inventory file read instead of EC2',
  IPAM_UTILIZATION_THRESHOLDS: 'percent-used levels that emit utilisation events (default 80,90)',
  IPAM_METRICS_NAMESPACE: 'namespace of the EMF metrics (default SelfHostedIPAM; not AWS/...)',
  IPAM_BYOIP_DNS_RESOLVER: 'DNS server for BYOIP dns-token proofs (default: the system resolver)',
  IPAM_BYOIP_RDAP_URL: 'RDAP service for BYOIP X.509 proofs (default https://rdap.org)',
  IPAM_AMAZON_IPV6_SPACE: 'simulated Amazon-provided IPv6 space (default 2001:db8::/32)',
  IPAM_AMAZON_IPV4_SPACE: 'simulated Amazon-owned IPv4 space (default 198.51.100.0/24)',
  POWERTOOLS_LOG_LEVEL: 'log level of the request log (default INFO)',
  AWS_PROFILE: 'the AWS credentials profile to use (AWS SDK default chain)',
  AWS_REGION: 'the Region of the deployment when --region is not given',
  AWS_ACCESS_KEY_ID: 'your AWS credentials, with AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN',
  AWS_ENDPOINT_URL_SECRETS_MANAGER: 'Secrets Manager endpoint override',
} as const;

type EnvironmentVariable = keyof typeof ENVIRONMENT;

interface Flag {
  type: 'string' | 'boolean';
  /** Shown in the help after the flag, e.g. `<dir>`; string flags only. */
  value?: string;
  description: string;
}

export interface Command<Flags extends Record<string, Flag>> {
  /** How the user runs it, e.g. `npm run add-access-key`; flags follow a `--`. */
  invocation: string;
  /** What the command does, one sentence. */
  summary: string;
  /** The flags after the `--`, as one synopsis line; empty when the command needs none. */
  synopsis: string;
  flags: Flags;
  environment: readonly EnvironmentVariable[];
}

/** Keeps the flags' literal types, so parseCommandLine knows which values are strings. */
export function defineCommand<const Flags extends Record<string, Flag>>(command: Command<Flags>): Command<Flags> {
  return command;
}

type Values<Flags extends Record<string, Flag>> = {
  [Name in keyof Flags]?: Flags[Name]['type'] extends 'string' ? string : boolean;
};

function usageLine(command: Command<Record<string, Flag>>): string {
  return `Usage: ${command.invocation}${command.synopsis ? ` -- ${command.synopsis}` : ''}`;
}

function help(command: Command<Record<string, Flag>>): string {
  const flags: [string, string][] = [
    ...Object.entries(command.flags).map(([name, flag]): [string, string] => [
      `--${name}${flag.value ? ` ${flag.value}` : ''}`,
      flag.description,
    ]),
    ['-h, --help', 'print this help and exit'],
    ['--version', 'print the version and exit'],
  ];
  const variables: [string, string][] = command.environment.map((name) => [name, ENVIRONMENT[name]]);
  const width = Math.max(...[...flags, ...variables].map(([name]) => name.length)) + 2;
  const table = (rows: [string, string][]) => rows.map(([name, meaning]) => `  ${name.padEnd(width)}${meaning}`).join('\n');
  return `${usageLine(command)}\n\n${command.summary}\n\nOptions:\n${table(flags)}\n\nEnvironment:\n${table(variables)}\n`;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/**
 * The command's flags. --help, -h and --version print and end the process with status 0; a flag
 * the command does not know ends it with status 2. Call it before reading any configuration.
 */
export function parseCommandLine<Flags extends Record<string, Flag>>(command: Command<Flags>, args = process.argv.slice(2)): Values<Flags> {
  return parseWords(command, args, false).values;
}

/** Like parseCommandLine, for a command that takes a subcommand and operands (`npm run org -- create-ou --name Prod`). */
export function parseSubcommandLine<Flags extends Record<string, Flag>>(
  command: Command<Flags>,
  args = process.argv.slice(2),
): { values: Values<Flags>; positionals: string[] } {
  return parseWords(command, args, true);
}

function parseWords<Flags extends Record<string, Flag>>(
  command: Command<Flags>,
  args: string[],
  allowPositionals: boolean,
): { values: Values<Flags>; positionals: string[] } {
  const options = {
    ...Object.fromEntries(Object.entries(command.flags).map(([name, { type }]) => [name, { type }])),
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  } as const;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args, options, strict: true, allowPositionals }));
  } catch (error) {
    // parseArgs' messages go on with advice about `--`; the first sentence says what is wrong.
    const [what] = (error instanceof Error ? error.message : String(error)).split(/\.(?:\s|$)/);
    console.error(`${what}; see ${command.invocation} -- --help.`);
    process.exit(EXIT_USAGE);
  }
  if (values.help) {
    process.stdout.write(help(command));
    process.exit(0);
  }
  if (values.version) {
    console.log(packageVersion());
    process.exit(0);
  }
  const { help: _help, version: _version, ...flags } = values;
  return { values: flags as Values<Flags>, positionals };
}

interface FailureWording {
  /** The sentence printed for a failure, given the error and its message; default the message itself. */
  describe?: (error: unknown, message: string) => string;
}

/**
 * Runs the command's work and turns a failure into one sentence on stderr and status 1 — never
 * a stack trace. Wrong flag values are followed by the usage line. A failed command ends at once:
 * whatever it had started (npm start's DynamoDB Local, a socket) must not keep it alive.
 */
export async function runCommand(
  command: Command<Record<string, Flag>>,
  work: () => Promise<void>,
  wording: FailureWording = {},
): Promise<void> {
  try {
    await work();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    console.error(wording.describe ? wording.describe(error, message) : message);
    if (error instanceof UsageError) console.error(usageLine(command));
    process.exit(EXIT_FAILED);
  }
}
