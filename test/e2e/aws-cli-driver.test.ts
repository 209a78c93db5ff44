// The AWS CLI driver (support/aws-cli-driver.py) gives the same CliResult as the `aws` program run as
// its own process: JSON and text output, a service error, a command-line error, a named profile,
// and commands run concurrently, each in a process of its own that ends with the file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { cliDriverPids, closeCliDrivers, probeCliDriver, runInDriver } from './support/aws-cli-driver.ts';

const probe = await probeAwsCli();
const driver = probe.available && (await probeCliDriver());
const whyNot = probe.available ? 'the aws program is not AWS CLI v1 on a Python that imports awscli' : probe.reason;
const describeDriver = describe.skipIf(skipUnless(driver, 'the AWS CLI driver tests', whyNot));
const TIMEOUT_MS = 120_000;

let service: TestService;
let inDriver: AwsCli;
let asProcess: AwsCli;

beforeAll(async () => {
  if (!driver) return;
  service = await startTestService();
  const profiles = { 'other-account': OTHER };
  inDriver = await awsCli(service.url, ADMIN, 'us-east-1', profiles);
  asProcess = await awsCli(service.url, ADMIN, 'us-east-1', profiles, { subprocess: true });
  await asProcess.ok('aws ec2 create-ipam --description driver-test');
}, TIMEOUT_MS);
afterAll(async () => {
  await service?.stop();
});

/** Runs `command` both ways and expects the same result; returns it. */
async function same(command: string): Promise<CliResult> {
  const [expected, actual] = [await asProcess.run(command), await inDriver.run(command)];
  expect(actual).toEqual(expected);
  return actual;
}

describeDriver('the AWS CLI driver', () => {
  it(
    'answers as the aws process does, for output, errors and profiles',
    async () => {
      const described = await same('aws ec2 describe-ipams');
      expect(described.status).toBe(0);
      expect(described.json.Ipams).toEqual([expect.objectContaining({ Description: 'driver-test' })]);

      const text = await same('aws ec2 describe-ipams --query Ipams[].Description --output text');
      expect(text.stdout).toBe('driver-test\n');

      const serviceError = await same('aws ec2 delete-ipam --ipam-id ipam-0123456789abcdef0');
      expect({ status: serviceError.status, code: serviceError.errorCode }).toEqual({ status: 255, code: 'InvalidIpamId.NotFound' });

      // AWS CLI v1: argparse exits 2 (SystemExit) for an unknown command, the driver 255 for an unknown option.
      const command = await same('aws ec2 no-such-command');
      expect(command.status).toBe(2);
      expect(command.stderr).toContain('usage: aws');
      const option = await same('aws ec2 describe-ipams --no-such-option');
      expect(option.status).toBe(255);
      expect(option.stderr).toContain('Unknown options: --no-such-option');

      // Another account's keys by profile, then the default keys again: nothing carries over.
      const other = await same('aws ec2 describe-ipams --profile other-account');
      expect(other.json).toEqual({ Ipams: [] });
      const missing = await same('aws ec2 describe-ipams --profile no-such-profile');
      expect(missing.status).toBe(255);
      expect(missing.stderr).toContain('The config profile (no-such-profile) could not be found');
      expect((await same('aws ec2 describe-ipams')).json).toEqual(described.json);
      expect(cliDriverPids().length).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    'runs concurrent commands concurrently, in processes that end with the file',
    async () => {
      const commands = ['aws ec2 describe-ipams', 'aws ec2 describe-ipam-pools --output text'];
      const expected = await Promise.all(commands.map((command) => asProcess.run(command)));
      const before = cliDriverPids().length;
      const actual = await Promise.all(commands.map((command) => inDriver.run(command)));
      expect(actual).toEqual(expected);
      const pids = cliDriverPids();
      expect(pids.length).toBeGreaterThanOrEqual(Math.max(before, 2));

      closeCliDrivers();
      expect(cliDriverPids()).toEqual([]);
      const alive = (pid: number) => {
        try {
          process.kill(pid, 0);
          return true;
        } catch {
          return false;
        }
      };
      await expect.poll(() => pids.filter(alive), { timeout: 10_000 }).toEqual([]);
      // The next command starts a driver again.
      expect(await inDriver.run(commands[0]!)).toEqual(expected[0]);
    },
    TIMEOUT_MS,
  );

  it(
    'kills a driver whose command outlives its timeout, as execFile kills an aws process, and starts another',
    async () => {
      expect((await inDriver.run('aws ec2 describe-ipams')).status).toBe(0);
      const before = cliDriverPids();
      const env = {
        ...process.env,
        AWS_ACCESS_KEY_ID: ADMIN.accessKeyId,
        AWS_SECRET_ACCESS_KEY: ADMIN.secretAccessKey,
        AWS_DEFAULT_REGION: 'us-east-1',
      };
      const timedOut = await runInDriver(['ec2', 'describe-ipams', '--endpoint-url', service.url], env, 1);
      expect(timedOut).toEqual({ status: -1, stdout: '', stderr: '' });
      expect(cliDriverPids().length).toBe(before.length - 1);
      expect((await inDriver.run('aws ec2 describe-ipams')).status).toBe(0);
    },
    TIMEOUT_MS,
  );
});
