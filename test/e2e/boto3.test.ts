import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, type PythonRun, python } from './support/python.ts';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';

const SCRIPT = fileURLToPath(new URL('./support/boto3_getting_started.py', import.meta.url));
const REPROVISION_SCRIPT = fileURLToPath(new URL('./support/boto3_reprovision.py', import.meta.url));

const probe = await python(['-c', 'import boto3; print(boto3.__version__)']);
const boto3Available = probe.status === 0;
const describeBoto3 = describe.skipIf(skipUnless(boto3Available, 'the boto3 end-to-end test', boto3Missing(probe)));

function boto3Missing({ status, stderr, startError }: PythonRun): string {
  if (startError === 'ENOENT') return "'python3' is not on PATH (install Python 3, then pip install boto3)";
  const lastLine = stderr.trim().split('\n').at(-1) || startError || `exit status ${status}`;
  return `python3 cannot import boto3 (pip install boto3): ${lastLine}`;
}

const IPAM_ID = /^ipam-0[0-9a-f]{16}$/;
const POOL_ID = /^ipam-pool-0[0-9a-f]{16}$/;
/** Request ids are opaque to clients: any non-empty string will do. */
const REQUEST_ID = /^\S+$/;

let service: TestService;
let summary: any;
let run: { status: number; stdout: string; stderr: string };

beforeAll(async () => {
  if (!boto3Available) return;
  service = await startTestService();
  run = await python([SCRIPT, service.url, ADMIN.accessKeyId, ADMIN.secretAccessKey], await isolatedEnv(), 110_000);
  if (run.status === 0) summary = JSON.parse(run.stdout);
}, 120_000);
afterAll(async () => service?.stop());

describeBoto3(`boto3 ${probe.stdout.trim()}`, () => {
  it('runs the script to the end', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(summary).toBeDefined();
  });

  it('builds the tutorial tree: IPAM, three pools with locales and depths, the ipam-pool and /26 allocations', () => {
    const { ipam, tutorial } = summary;
    expect(summary.createIpamRequestId).toMatch(REQUEST_ID);
    expect(ipam.IpamId).toMatch(IPAM_ID);
    expect(ipam).toMatchObject({ State: 'create-complete', Description: 'My IPAM', ScopeCount: 2, Tags: [], IpamRegion: 'us-east-1' });
    expect(ipam.OperatingRegions.map((r: { RegionName: string }) => r.RegionName).sort()).toEqual(['us-east-1', 'us-west-2']);

    expect(tutorial.top.IpamPoolId).toMatch(POOL_ID);
    expect(tutorial.top).toMatchObject({
      Locale: 'None',
      PoolDepth: 1,
      IpamScopeType: 'private',
      AddressFamily: 'ipv4',
      AutoImport: false,
    });
    expect(tutorial.topCidr).toMatchObject({ Cidr: '10.0.0.0/8', NetmaskLength: 8 });
    expect(tutorial.regional).toMatchObject({ SourceIpamPoolId: tutorial.top.IpamPoolId, Locale: 'us-east-1', PoolDepth: 2 });
    expect(tutorial.development).toMatchObject({ SourceIpamPoolId: tutorial.regional.IpamPoolId, Locale: 'us-east-1', PoolDepth: 3 });
    expect(tutorial.topAllocations).toEqual([
      expect.objectContaining({
        Cidr: '10.0.0.0/16',
        ResourceType: 'ipam-pool',
        ResourceId: tutorial.regional.IpamPoolId,
        ResourceOwner: '123456789012',
      }),
    ]);
    expect(tutorial.tooBig).toMatchObject({ code: 'InvalidParameterValue', httpStatus: 400, operation: 'AllocateIpamPoolCidr' });
    expect(tutorial.vpcCidr.Cidr).toBe('10.0.0.0/26');
    // get-ipam-pool-allocations.rst: a reservation answers no ResourceRegion.
    expect(tutorial.developmentAllocations).toEqual([
      expect.objectContaining({ Cidr: '10.0.0.0/26', ResourceType: 'custom', ResourceOwner: '123456789012' }),
    ]);
    expect(tutorial.developmentAllocations[0]).not.toHaveProperty('ResourceRegion');
    expect(tutorial.deleteRegionalTooEarly).toMatchObject({ code: 'DependencyViolation', httpStatus: 400 });
  });

  it('allocates consecutive /56s from a ULA /48 in a private IPv6 pool', () => {
    const { ipv6 } = summary;
    expect(ipv6.pool).toMatchObject({ AddressFamily: 'ipv6', Locale: 'None', PoolDepth: 1 });
    expect(ipv6.cidr).toMatchObject({ Cidr: 'fd12:3456:7800::/48', NetmaskLength: 48 });
    expect(ipv6.cidrState).toBe('provisioned');
    expect(ipv6.allocations).toEqual(['fd12:3456:7800::/56', 'fd12:3456:7800:100::/56']);
    expect(ipv6.listed).toEqual(['fd12:3456:7800:100::/56', 'fd12:3456:7800::/56'].sort());
  });

  it('the describe_ipam_pools paginator walks several pages and sees every pool once', () => {
    const { paginator } = summary;
    expect(paginator.pageSizes).toEqual([5, 2]);
    expect(paginator.hasNextToken).toEqual([true, false]);
    expect(new Set(paginator.poolIds).size).toBe(7);
    expect([...paginator.poolIds].sort()).toEqual(paginator.unpaged);
  });

  it('errors arrive as ClientError with the EC2 code, the message and a request id', () => {
    const { unknownPool, dryRun } = summary.errors;
    expect(unknownPool).toMatchObject({
      code: 'InvalidIpamPoolId.NotFound',
      httpStatus: 400,
      operation: 'DescribeIpamPools',
      message: "The ipam-pool ID 'ipam-pool-0123456789abcdef0' does not exist",
    });
    expect(unknownPool.requestId).toMatch(REQUEST_ID);
    expect(unknownPool.str).toBe(
      "An error occurred (InvalidIpamPoolId.NotFound) when calling the DescribeIpamPools operation: The ipam-pool ID 'ipam-pool-0123456789abcdef0' does not exist",
    );
    expect(dryRun).toMatchObject({
      code: 'DryRunOperation',
      httpStatus: 412,
      operation: 'CreateIpamPool',
      message: 'Request would have succeeded, but DryRun flag is set.',
    });
    expect(dryRun.requestId).toMatch(REQUEST_ID);
    expect(dryRun.requestId).not.toBe(unknownPool.requestId);
  });

  it('cleans up in reverse order, then Cascade takes the rest', () => {
    const { cleanup, tutorial, ipam } = summary;
    expect(cleanup.pools.map((p: { pool: string }) => p.pool)).toEqual([
      tutorial.development.IpamPoolId,
      tutorial.regional.IpamPoolId,
      tutorial.top.IpamPoolId,
    ]);
    for (const pool of cleanup.pools) {
      expect(pool.cidrState).toBe('deprovisioned');
      expect(['delete-in-progress', 'delete-complete']).toContain(pool.deleteState);
    }
    expect(cleanup.deletedIpamId).toBe(ipam.IpamId);
    expect(cleanup.ipamsAfter).toEqual([]);
    expect(cleanup.poolsAfter).toEqual([]);
  });
});

describeBoto3('boto3: a CIDR provisioned again is one record', () => {
  let reprovision: { status: number; stdout: string; stderr: string };
  let result: any;

  beforeAll(async () => {
    // Another account than the getting-started run's, so the two never meet.
    reprovision = await python([REPROVISION_SCRIPT, service.url, OTHER.accessKeyId, OTHER.secretAccessKey], await isolatedEnv());
    if (reprovision.status === 0) result = JSON.parse(reprovision.stdout);
  }, 90_000);

  it('runs the script to the end', () => {
    expect(reprovision.stderr).toBe('');
    expect(reprovision.status).toBe(0);
  });

  it('provision → deprovision → provision: get_ipam_pool_cidrs with the cidr filter answers one row, provisioned', () => {
    const { first, deprovisioned, again, rows } = result.reprovisioned;
    expect([first.state, deprovisioned.state, again.state]).toEqual(['provisioned', 'deprovisioned', 'provisioned']);
    expect(rows).toEqual([{ IpamPoolCidrId: again.id, State: 'provisioned' }]);
  });

  it('failed-provision twice, then provisioned once the space is free: always one row', () => {
    const { attempts, rows } = result.failed;
    expect(attempts.map((attempt: { state: string }) => attempt.state)).toEqual(['failed-provision', 'failed-provision']);
    expect(rows).toEqual([{ IpamPoolCidrId: attempts[1].id, State: 'failed-provision' }]);
    const { provision, rows: after } = result.afterRelease;
    expect(provision.state).toBe('provisioned');
    expect(after).toEqual([{ IpamPoolCidrId: provision.id, State: 'provisioned' }]);
  });
});
