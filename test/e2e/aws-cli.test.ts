// The User Guide's "Getting started with IPAM using the AWS CLI" (scenario S1), run with the real
// AWS CLI exactly as the guide writes the commands, plus the CLI behaviours users rely on:
// error lines and exit status, --dry-run, auto-paging, --max-results, tags and tag filters.
// The VPC steps (16–18, C1) run create-vpc, describe-vpcs and delete-vpc against the embedded VPCs.
import { CreateIpamCommand, CreateIpamPoolCommand, DescribeIpamPoolsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI end-to-end tests', probe.reason));

const IPAM_ID = /^ipam-0[0-9a-f]{16}$/;
const SCOPE_ID = /^ipam-scope-0[0-9a-f]{16}$/;
const POOL_ID = /^ipam-pool-0[0-9a-f]{16}$/;
const POOL_CIDR_ID = /^ipam-pool-cidr-0[0-9a-f]{32}$/;
const ALLOCATION_ID = /^ipam-pool-alloc-0[0-9a-f]{32}$/;
const VPC_ID = /^vpc-0[0-9a-f]{16}$/;
/** Each CLI run starts Python and loads the EC2 model (~1–2 s); the tutorial makes ~37 of them. */
const TUTORIAL_TIMEOUT_MS = 300_000;
const CLI_TEST_TIMEOUT_MS = 120_000;

let service: TestService;
let cli: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService();
  cli = await awsCli(service.url, ADMIN);
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => {
  if (cli) console.log(`AWS CLI invocations in this file: ${cli.invocations}`);
  await service?.stop();
});

/** A service error as the CLI v1 reports it: the line on stderr and exit status 255. */
function expectCliError(result: CliResult, code: string, action: string): void {
  expect(result.stderr).toContain(`An error occurred (${code}) when calling the ${action} operation: `);
  expect({ status: result.status, code: result.errorCode, action: result.errorAction }).toEqual({ status: 255, code, action });
  expect(result.errorMessage?.trim()).not.toBe('');
  expect(result.stdout).toBe('');
}

/** Re-runs a `--output text` command until it prints `expected`, as the guide tells the reader to. */
async function pollText(command: string, expected: string): Promise<string> {
  return poll(
    async () => (await cli.ok(command)).stdout.trim(),
    (text) => text === expected,
    `\`${command}\` to print ${expected}`,
  );
}

describeCli('S1 getting started, with the AWS CLI', () => {
  it(
    'builds the three-level pool tree, creates a /26 VPC from it, fails out-of-order cleanup as AWS does, and takes it all down in reverse order',
    async () => {
      // 1. Create the IPAM; the home Region is listed once among the operating Regions.
      const created = await cli.ok(
        'aws ec2 create-ipam --description "My IPAM" --operating-regions RegionName=us-east-1 RegionName=us-west-2',
      );
      const ipam = created.json.Ipam;
      expect(ipam.IpamId).toMatch(IPAM_ID);
      expect(ipam).toMatchObject({
        OwnerId: '123456789012',
        IpamArn: `arn:aws:ec2::123456789012:ipam/${ipam.IpamId}`,
        IpamRegion: 'us-east-1',
        ScopeCount: 2,
        Description: 'My IPAM',
        Tags: [],
      });
      expect(ipam.PublicDefaultScopeId).toMatch(SCOPE_ID);
      expect(ipam.PrivateDefaultScopeId).toMatch(SCOPE_ID);
      expect(ipam.OperatingRegions.map((r: { RegionName: string }) => r.RegionName).sort()).toEqual(['us-east-1', 'us-west-2']);
      expect(['create-in-progress', 'create-complete']).toContain(ipam.State);
      const ipamId: string = ipam.IpamId;

      // 2. It is listed.
      const listed = await cli.ok('aws ec2 describe-ipams');
      expect(listed.json.Ipams.map((i: { IpamId: string }) => i.IpamId)).toEqual([ipamId]);

      // 3. Instead of `sleep 20`, poll the state like a careful user.
      await pollText(`aws ec2 describe-ipams --ipam-ids ${ipamId} --query 'Ipams[0].State' --output text`, 'create-complete');

      // 4. The guide's abbreviation `--ipam-id` of `--ipam-ids` (sent as IpamId.1).
      const one = await cli.ok(`aws ec2 describe-ipams --ipam-id ${ipamId}`);
      expect(one.json.Ipams).toHaveLength(1);
      expect(one.json.Ipams[0]).toMatchObject({
        IpamId: ipamId,
        State: 'create-complete',
        PrivateDefaultScopeId: ipam.PrivateDefaultScopeId,
      });
      const scopeId: string = one.json.Ipams[0].PrivateDefaultScopeId;

      // Troubleshooting: one IPAM per account (and Region) by default.
      expectCliError(
        await cli.run('aws ec2 create-ipam --description "Second IPAM" --operating-regions RegionName=us-east-1'),
        'ResourceLimitExceeded',
        'CreateIpam',
      );

      // 5–6. Top-level pool.
      const topPool = (
        await cli.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --description "Top-level pool"`)
      ).json.IpamPool;
      expect(topPool.IpamPoolId).toMatch(POOL_ID);
      expect(topPool).toMatchObject({
        IpamScopeType: 'private',
        Locale: 'None',
        PoolDepth: 1,
        AddressFamily: 'ipv4',
        AutoImport: false,
        Description: 'Top-level pool',
        IpamPoolArn: `arn:aws:ec2::123456789012:ipam-pool/${topPool.IpamPoolId}`,
      });
      expect(topPool).not.toHaveProperty('SourceIpamPoolId');
      expect(['create-in-progress', 'create-complete']).toContain(topPool.State);
      const top: string = topPool.IpamPoolId;
      await pollText(`aws ec2 describe-ipam-pools --ipam-pool-ids ${top} --query 'IpamPools[0].State' --output text`, 'create-complete');

      // 7–8. 10.0.0.0/8 into the top-level pool.
      const topCidr = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${top} --cidr 10.0.0.0/8`)).json.IpamPoolCidr;
      expect(topCidr).toMatchObject({ Cidr: '10.0.0.0/8', NetmaskLength: 8 });
      expect(topCidr.IpamPoolCidrId).toMatch(POOL_CIDR_ID);
      expect(['pending-provision', 'provisioned']).toContain(topCidr.State);
      await pollText(
        `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${top} --query "IpamPoolCidrs[?Cidr=='10.0.0.0/8'].State" --output text`,
        'provisioned',
      );

      // 9–12. Regional pool; its CIDR becomes an ipam-pool allocation in the top-level pool.
      const regionalPool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --source-ipam-pool-id ${top} --locale us-east-1 --address-family ipv4 --description "Regional pool in us-east-1"`,
        )
      ).json.IpamPool;
      expect(regionalPool).toMatchObject({
        SourceIpamPoolId: top,
        Locale: 'us-east-1',
        PoolDepth: 2,
        Description: 'Regional pool in us-east-1',
      });
      const regional: string = regionalPool.IpamPoolId;
      await pollText(
        `aws ec2 describe-ipam-pools --ipam-pool-ids ${regional} --query 'IpamPools[0].State' --output text`,
        'create-complete',
      );
      const regionalCidr = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${regional} --cidr 10.0.0.0/16`)).json
        .IpamPoolCidr;
      expect(regionalCidr).toMatchObject({ Cidr: '10.0.0.0/16', NetmaskLength: 16 });
      await pollText(
        `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${regional} --query "IpamPoolCidrs[?Cidr=='10.0.0.0/16'].State" --output text`,
        'provisioned',
      );
      const topAllocations = (await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${top}`)).json.IpamPoolAllocations;
      expect(topAllocations).toHaveLength(1);
      expect(topAllocations[0]).toMatchObject({
        Cidr: '10.0.0.0/16',
        ResourceType: 'ipam-pool',
        ResourceId: regional,
        ResourceOwner: '123456789012',
      });
      expect(topAllocations[0].IpamPoolAllocationId).toMatch(ALLOCATION_ID);

      // 13–15. Development pool, the guide's two code blocks joined: the second --description wins.
      const developmentPool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --source-ipam-pool-id ${regional} --description "Development pool in us-east-1" --locale us-east-1 --address-family ipv4 --description "Development pool"`,
        )
      ).json.IpamPool;
      expect(developmentPool).toMatchObject({
        SourceIpamPoolId: regional,
        Description: 'Development pool',
        Locale: 'us-east-1',
        PoolDepth: 3,
      });
      const development: string = developmentPool.IpamPoolId;
      await pollText(
        `aws ec2 describe-ipam-pools --ipam-pool-ids ${development} --query 'IpamPools[0].State' --output text`,
        'create-complete',
      );
      const developmentCidr = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${development} --cidr 10.0.0.0/24`)).json
        .IpamPoolCidr;
      expect(developmentCidr).toMatchObject({ Cidr: '10.0.0.0/24', NetmaskLength: 24 });
      await pollText(
        `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${development} --query "IpamPoolCidrs[?Cidr=='10.0.0.0/24'].State" --output text`,
        'provisioned',
      );
      const regionalAllocations = (await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${regional}`)).json.IpamPoolAllocations;
      expect(regionalAllocations).toEqual([
        expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceType: 'ipam-pool', ResourceId: development }),
      ]);

      // Troubleshooting: a /23 does not fit in the /24 development pool.
      expectCliError(
        await cli.run(`aws ec2 create-vpc --ipv4-ipam-pool-id ${development} --ipv4-netmask-length 23`),
        'InvalidParameterValue',
        'CreateVpc',
      );

      // 16–18: a VPC from the development pool by netmask (a /26 at the lowest address), found by
      // its Name tag, and its allocation.
      const vpc = (
        await cli.ok(`aws ec2 create-vpc \
    --ipv4-ipam-pool-id ${development} \
    --ipv4-netmask-length 26 \
    --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=IPAM-VPC}]'`)
      ).json.Vpc;
      expect(vpc).toMatchObject({
        VpcId: expect.stringMatching(VPC_ID),
        CidrBlock: '10.0.0.0/26',
        State: 'pending', // as EC2 answers (AWS CLI example create-vpc.rst)
        Tags: [{ Key: 'Name', Value: 'IPAM-VPC' }],
      });
      const described = (await cli.ok('aws ec2 describe-vpcs --filters "Name=tag:Name,Values=IPAM-VPC"')).json.Vpcs;
      expect(described.map((found: { VpcId: string; State: string }) => `${found.VpcId} ${found.State}`)).toEqual([
        `${vpc.VpcId} available`,
      ]);
      const developmentAllocations = (
        await cli.ok(`aws ec2 get-ipam-pool-allocations \
      --ipam-pool-id ${development}`)
      ).json.IpamPoolAllocations;
      expect(developmentAllocations).toEqual([
        expect.objectContaining({
          IpamPoolAllocationId: expect.stringMatching(ALLOCATION_ID),
          Cidr: '10.0.0.0/26',
          ResourceType: 'vpc',
          ResourceId: vpc.VpcId,
          ResourceOwner: '123456789012',
          ResourceRegion: 'us-east-1',
        }),
      ]);

      // Troubleshooting: cleaning up out of order is a DependencyViolation, in AWS's words
      // (terraform-provider-aws PR #22328).
      const tooEarly = await cli.run(`aws ec2 delete-ipam-pool --ipam-pool-id ${regional}`);
      expectCliError(tooEarly, 'DependencyViolation', 'DeleteIpamPool');
      expect(tooEarly.errorMessage?.trim()).toBe(
        `The specified action is not valid for ${regional}. There are one or more pool cidrs provisioned in the pool.`,
      );
      // Deprovisioning a CIDR with allocations inside is accepted and fails, as in AWS
      // (terraform-provider-aws #30165: failed-deprovision, "The CIDR has one or more allocations.").
      const early = (await cli.ok(`aws ec2 deprovision-ipam-pool-cidr --ipam-pool-id ${regional} --cidr 10.0.0.0/16`)).json.IpamPoolCidr;
      expect(early).toMatchObject({ Cidr: '10.0.0.0/16', State: 'pending-deprovision' });
      await pollText(
        `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${regional} --query "IpamPoolCidrs[?Cidr=='10.0.0.0/16'].State" --output text`,
        'failed-deprovision',
      );
      const [failed] = (await cli.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${regional}`)).json.IpamPoolCidrs;
      expect(failed.FailureReason).toEqual({ Message: 'The CIDR has one or more allocations.' });

      // C1: delete the VPC (no output); its allocation leaves the development pool at once.
      const deleted = await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpc.VpcId}`);
      expect(deleted.stdout.trim()).toBe('');
      expect((await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${development}`)).json.IpamPoolAllocations).toEqual([]);

      // C2–C7: deprovision and delete each pool, youngest first.
      for (const [poolId, cidr] of [
        [development, '10.0.0.0/24'],
        [regional, '10.0.0.0/16'],
        [top, '10.0.0.0/8'],
      ] as const) {
        const deprovisioned = (await cli.ok(`aws ec2 deprovision-ipam-pool-cidr --ipam-pool-id ${poolId} --cidr ${cidr}`)).json
          .IpamPoolCidr;
        expect(deprovisioned.Cidr).toBe(cidr);
        expect(['pending-deprovision', 'deprovisioned']).toContain(deprovisioned.State);
        await pollText(
          `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${poolId} --query "IpamPoolCidrs[?Cidr=='${cidr}'].State" --output text`,
          'deprovisioned',
        );
        if (poolId === development) {
          // The regional pool's ipam-pool allocation for the development CIDR is gone.
          expect((await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${regional}`)).json.IpamPoolAllocations).toEqual([]);
        }
        const deleted = (await cli.ok(`aws ec2 delete-ipam-pool --ipam-pool-id ${poolId}`)).json.IpamPool;
        expect(deleted.IpamPoolId).toBe(poolId);
        expect(['delete-in-progress', 'delete-complete']).toContain(deleted.State);
        // Deleting is asynchronous and the parent can only go once this pool is gone (the guide: retry).
        const sdk = service.ec2();
        await poll(
          () => sdk.send(new DescribeIpamPoolsCommand({})).then((page) => page.IpamPools?.map((pool) => pool.IpamPoolId) ?? []),
          (ids) => !ids.includes(poolId),
          `pool ${poolId} to be deleted`,
        );
      }
      await poll(
        async () => (await cli.ok('aws ec2 describe-ipam-pools')).json.IpamPools,
        (pools) => pools.length === 0,
        'the pools to be gone',
      );

      // C8.
      const deletedIpam = (await cli.ok(`aws ec2 delete-ipam --ipam-id ${ipamId}`)).json.Ipam;
      expect(deletedIpam.IpamId).toBe(ipamId);
      await poll(
        async () => (await cli.ok('aws ec2 describe-ipams')).json.Ipams,
        (ipams) => ipams.length === 0,
        'the IPAM to be gone',
      );
    },
    TUTORIAL_TIMEOUT_MS,
  );
});

describeCli('AWS CLI behaviours beyond the tutorial (us-west-2)', () => {
  const region = '--region us-west-2';
  let ec2: EC2Client;
  let ipamId: string;
  let scopeId: string;

  beforeAll(async () => {
    if (!probe.available) return;
    // Set-up through the JS SDK: only the behaviour under test goes through the CLI.
    ec2 = service.ec2({ region: 'us-west-2' });
    const { Ipam } = await ec2.send(new CreateIpamCommand({ Description: 'Paging IPAM' }));
    ipamId = Ipam!.IpamId!;
    scopeId = Ipam!.PrivateDefaultScopeId!;
    for (let i = 1; i <= 7; i++) {
      await ec2.send(new CreateIpamPoolCommand({ IpamScopeId: scopeId, AddressFamily: 'ipv4', Description: `pool ${i}` }));
    }
  }, CLI_TEST_TIMEOUT_MS);

  it(
    '--dry-run answers DryRunOperation and creates nothing',
    async () => {
      const result = await cli.run(
        `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv4 --description "Not really" --dry-run ${region}`,
      );
      expectCliError(result, 'DryRunOperation', 'CreateIpamPool');
      expect(result.errorMessage).toBe('Request would have succeeded, but DryRun flag is set.');
      // Nothing was created: the next test still sees exactly the 7 pools of the set-up.
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    '--page-size 5 pages through all 7 pools by itself; --max-results 5 returns one page and a NextToken',
    async () => {
      const all = (await cli.ok(`aws ec2 describe-ipam-pools --page-size 5 ${region}`)).json;
      expect(all.IpamPools).toHaveLength(7);
      expect(new Set(all.IpamPools.map((p: { IpamPoolId: string }) => p.IpamPoolId)).size).toBe(7);
      expect(all.IpamPools.map((p: { Description: string }) => p.Description).sort()).toEqual(
        [1, 2, 3, 4, 5, 6, 7].map((i) => `pool ${i}`),
      );
      expect(all).not.toHaveProperty('NextToken');

      const first = (await cli.ok(`aws ec2 describe-ipam-pools --max-results 5 ${region}`)).json;
      expect(first.IpamPools).toHaveLength(5);
      expect(typeof first.NextToken).toBe('string');
      expect(first.NextToken).not.toBe('');
      const second = (await cli.ok(`aws ec2 describe-ipam-pools --max-results 5 --next-token ${first.NextToken} ${region}`)).json;
      expect(second.IpamPools).toHaveLength(2);
      expect(second).not.toHaveProperty('NextToken');
      expect([...first.IpamPools, ...second.IpamPools].map((p: { IpamPoolId: string }) => p.IpamPoolId).sort()).toEqual(
        all.IpamPools.map((p: { IpamPoolId: string }) => p.IpamPoolId).sort(),
      );

      // Below the model's minimum the CLI itself refuses, before anything is sent.
      const tooSmall = await cli.run(`aws ec2 describe-ipam-pools --max-results 1 ${region}`);
      expect(tooSmall.status).not.toBe(0);
      expect(tooSmall.stderr).toMatch(/MaxResults/);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'create-tags tags an IPAM and describe-ipams --filters Name=tag:env finds it',
    async () => {
      const tagged = await cli.run(`aws ec2 create-tags --resources ${ipamId} --tags Key=env,Value=prod ${region}`);
      expect({ status: tagged.status, stdout: tagged.stdout, stderr: tagged.stderr }).toEqual({ status: 0, stdout: '', stderr: '' });

      const prod = (await cli.ok(`aws ec2 describe-ipams --filters Name=tag:env,Values=prod ${region}`)).json.Ipams;
      expect(prod).toHaveLength(1);
      expect(prod[0]).toMatchObject({ IpamId: ipamId, Tags: [{ Key: 'env', Value: 'prod' }] });
      expect((await cli.ok(`aws ec2 describe-ipams --filters Name=tag:env,Values=dev ${region}`)).json.Ipams).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
