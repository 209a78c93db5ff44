// Running boto3 scripts for the end-to-end tests: python3 with an environment free of the
// machine's AWS settings, so only the script's explicit endpoint and keys count.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { programPath } from './program.ts';

/** The environment without the machine's AWS settings, so only the script's explicit ones count. */
export async function isolatedEnv(): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ipam-boto3-'));
  await writeFile(path.join(dir, 'config'), '');
  await writeFile(path.join(dir, 'credentials'), '');
  return {
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^AWS_/i.test(name))),
    AWS_CONFIG_FILE: path.join(dir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

export interface PythonRun {
  status: number;
  stdout: string;
  stderr: string;
  /** Set when python3 could not be started at all (ENOENT: not on PATH). */
  startError?: string;
}

export function python(args: string[], env?: NodeJS.ProcessEnv, timeout = 60_000): Promise<PythonRun> {
  return new Promise((resolve) => {
    execFile(programPath('python3'), args, { env, timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const startError = typeof error?.code === 'string' ? error.code : undefined;
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, startError });
    });
  });
}
