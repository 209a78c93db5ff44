// The commands the README shows, run as a user runs them: through npm (so on the project's own
// Node 24 even where the machine's Node is older), each answering --help and --version without
// starting or creating anything, and refusing a flag it does not know with exit status 2.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const { version } = JSON.parse(await readFile(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };

const COMMANDS = [
  { name: 'npm start', npm: ['start'], file: 'bin/local.ts', usage: 'Usage: npm start', variables: ['PORT', 'IPAM_DATA_DIR', 'IPAM_HOST'] },
  {
    name: 'npm run add-access-key',
    npm: ['run', 'add-access-key'],
    file: 'bin/add-access-key.ts',
    usage: 'Usage: npm run add-access-key -- --account',
    variables: ['IPAM_DATA_DIR'],
  },
  {
    name: 'npm run create-access-key',
    npm: ['run', 'create-access-key'],
    file: 'bin/create-access-key.ts',
    usage: 'Usage: npm run create-access-key -- --secret-id',
    variables: ['AWS_REGION'],
  },
  {
    name: 'npm run org',
    npm: ['run', 'org'],
    file: 'bin/org.ts',
    usage: 'Usage: npm run org -- show',
    variables: ['IPAM_ORGANIZATION_FILE', 'IPAM_DATA_DIR'],
  },
  {
    name: 'npm run sweep',
    npm: ['run', 'sweep'],
    file: 'bin/sweep.ts',
    usage: 'Usage: npm run sweep',
    variables: ['IPAM_ACCESS_KEY_ID', 'PORT'],
  },
];

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end; one that is still running after 30 s (a started service) is stopped. */
function run(program: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(program, args, { ...options, timeout: 30_000, killSignal: 'SIGTERM' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

let scratch: string;
let dataDir: string;

beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ipam-cli-'));
  dataDir = path.join(scratch, 'data');
});

afterEach(() => rm(scratch, { recursive: true, force: true }));

/** The command's script on the project's Node, from an empty working directory. */
function runScript(file: string, ...args: string[]): Promise<Outcome> {
  return run(process.execPath, [path.join(projectRoot, file), ...args], {
    cwd: scratch,
    env: { PATH: process.env.PATH, PORT: '0', IPAM_DATA_DIR: dataDir },
  });
}

describe.each(COMMANDS)('$file', ({ file, usage, variables }) => {
  it.each(['--help', '-h'])(
    '%s prints the usage with the flags and environment variables, and starts and creates nothing',
    async (flag) => {
      const { code, stdout, stderr } = await runScript(file, flag);
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout.startsWith(usage)).toBe(true);
      expect(stdout).toContain('--help');
      expect(stdout).toContain('--version');
      for (const variable of variables) expect(stdout).toMatch(new RegExp(`^  ${variable} `, 'm'));
      expect(await readdir(scratch)).toEqual([]);
    },
  );

  it('--version prints the package version', async () => {
    expect(await runScript(file, '--version')).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await readdir(scratch)).toEqual([]);
  });

  it('an unknown flag is one sentence pointing at --help, and exit status 2', async () => {
    const { code, stdout, stderr } = await runScript(file, '--no-such-flag');
    expect({ code, stdout }).toEqual({ code: 2, stdout: '' });
    expect(stderr).toMatch(/^Unknown option '--no-such-flag'; see npm .+ -- --help\.\n$/);
    expect(await readdir(scratch)).toEqual([]);
  });
});

describe('through npm, whatever Node the machine has', () => {
  // The user's shell: no node_modules/.bin on PATH (npx and vitest put it there), so `node` is the
  // machine's own; npm run puts the project's Node 24 first for the script.
  const userPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((entry) => !entry.endsWith(`node_modules${path.sep}.bin`))
    .join(path.delimiter);
  const userEnv = {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('npm_'))),
    PATH: userPath,
    npm_config_update_notifier: 'false',
  };

  it.each(COMMANDS)('$name -- --help prints the usage', async ({ npm, usage }) => {
    const { code, stdout } = await run('npm', [...npm, '--', '--help'], { cwd: projectRoot, env: { ...userEnv, IPAM_DATA_DIR: dataDir } });
    expect(code).toBe(0);
    expect(stdout).toContain(usage);
    await expect(readdir(dataDir)).rejects.toThrow(/ENOENT/);
  });
});
