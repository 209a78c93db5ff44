// The guide's scenarios S3 ("Create an IPAM and pools using the AWS CLI", single account) and S13
// ("Plan VPC IP address space for subnet IP allocations", the CLI equivalent of the console
// tutorial) run with the real AWS CLI: the guide's commands unchanged but for the endpoint and
// the ids the service returned, plus the acceptance variants where the guide is defective.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, type CliResult, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI scenario tests (S3, S13)', probe.reason));

const POOL_ID = /^ipam-pool-0[0-9a-f]{16}$/;
const SCOPE_ID = /^ipam-scope-0[0-9a-f]{16}$/;
const VPC_ID = /^vpc-0[0-9a-f]{16}$/;
const SUBNET_ID = /^subnet-0[0-9a-f]{16}$/;
/** Each CLI run starts Python and loads the EC2 model (~1–2 s); a scenario makes ~40 of them. */
const SCENARIO_TIMEOUT_MS = 300_000;
const SETUP_TIMEOUT_MS = 120_000;

let service: TestService;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService();
}, SETUP_TIMEOUT_MS);
afterAll(async () => service?.stop());

/** A service error as the CLI v1 reports it: the line on stderr and exit status 255. */
function expectCliError(result: CliResult, code: string, action: string): void {
  expect(result.stderr).toContain(`An error occurred (${code}) when calling the ${action} operation: `);
  expect({ status: result.status, code: result.errorCode, action: result.errorAction }).toEqual({ status: 255, code, action });
  expect(result.stdout).toBe('');
}

/** Re-runs a `--output text` command until it prints `expected`, as the guide tells the reader to. */
function pollText(cli: AwsCli, command: string, expected: string): Promise<string> {
  return poll(
    async () => (await cli.ok(command)).stdout.trim(),
    (text) => text === expected,
    `\`${command}\` to print ${expected}`,
  );
}

describeCli('S3 create an IPAM and pools using the AWS CLI (single account)', () => {
  it(
    'builds the top-level and regional us-west-2 pools, creates a VPC by CIDR from the regional pool, and cleans up',
    async () => {
      const cli = await awsCli(service.url, ADMIN);
      // 2. The IPAM, homed in us-east-1, operating also in us-west-2.
      const ipam = (await cli.ok('aws ec2 create-ipam --description my-ipam --region us-east-1 --operating-regions RegionName=us-west-2'))
        .json.Ipam;
      expect(ipam).toMatchObject({ OwnerId: '123456789012', ScopeCount: 2, Description: 'my-ipam', Tags: [] });
      expect(ipam.IpamArn).toBe(`arn:aws:ec2::123456789012:ipam/${ipam.IpamId}`);
      expect(ipam.OperatingRegions.map((region: { RegionName: string }) => region.RegionName).sort()).toEqual(['us-east-1', 'us-west-2']);
      const ipamId: string = ipam.IpamId;
      const privateScope: string = ipam.PrivateDefaultScopeId;

      // 3. The two default scopes.
      const scopes = (await cli.ok('aws ec2 describe-ipam-scopes --region us-east-1')).json.IpamScopes;
      expect(scopes).toHaveLength(2);
      for (const scope of scopes) {
        expect(scope).toMatchObject({ OwnerId: '123456789012', IpamArn: ipam.IpamArn, IsDefault: true, PoolCount: 0 });
        expect(scope.IpamScopeId).toMatch(SCOPE_ID);
        expect(scope.IpamScopeArn).toBe(`arn:aws:ec2::123456789012:ipam-scope/${scope.IpamScopeId}`);
      }
      const byType = Object.fromEntries(
        scopes.map((scope: { IpamScopeType: string; IpamScopeId: string }) => [scope.IpamScopeType, scope.IpamScopeId]),
      );
      expect(byType).toEqual({ public: ipam.PublicDefaultScopeId, private: privateScope });

      // 4–5. The top-level pool, without a locale.
      const topPool = (
        await cli.ok(`aws ec2 create-ipam-pool --ipam-scope-id ${privateScope} --description "top-level-pool" --address-family ipv4`)
      ).json.IpamPool;
      expect(topPool).toMatchObject({
        OwnerId: '123456789012',
        IpamPoolArn: `arn:aws:ec2::123456789012:ipam-pool/${topPool.IpamPoolId}`,
        IpamScopeType: 'private',
        Locale: 'None',
        PoolDepth: 1,
        Description: 'top-level-pool',
        AutoImport: false,
        AddressFamily: 'ipv4',
        Tags: [],
      });
      expect(topPool.IpamPoolId).toMatch(POOL_ID);
      const top: string = topPool.IpamPoolId;
      await pollText(cli, `aws ec2 describe-ipam-pools --query "IpamPools[?IpamPoolId=='${top}'].State" --output text`, 'create-complete');

      // 6–7. Its CIDR.
      const topCidr = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${top} --cidr 10.0.0.0/8`)).json
        .IpamPoolCidr;
      expect(topCidr.Cidr).toBe('10.0.0.0/8');
      expect(['pending-provision', 'provisioned']).toContain(topCidr.State);
      await pollText(
        cli,
        `aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${top} --query "IpamPoolCidrs[0].State" --output text`,
        'provisioned',
      );

      // 8–9. The regional pool in us-west-2; a locale outside the operating Regions is refused.
      expectCliError(
        await cli.run(
          `aws ec2 create-ipam-pool --description "regional--pool" --region us-east-1 --ipam-scope-id ${privateScope} --source-ipam-pool-id ${top} --locale eu-west-1 --address-family ipv4`,
        ),
        'InvalidParameterValue',
        'CreateIpamPool',
      );
      const regionalPool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --description "regional--pool" --region us-east-1 --ipam-scope-id ${privateScope} --source-ipam-pool-id ${top} --locale us-west-2 --address-family ipv4`,
        )
      ).json.IpamPool;
      expect(regionalPool).toMatchObject({ SourceIpamPoolId: top, Locale: 'us-west-2', PoolDepth: 2, Description: 'regional--pool' });
      const regional: string = regionalPool.IpamPoolId;
      await pollText(cli, `aws ec2 describe-ipam-pools --query "length(IpamPools[?State=='create-complete'])" --output text`, '2');

      // 10. Its CIDR.
      expect(
        (await cli.ok(`aws ec2 provision-ipam-pool-cidr --region us-east-1 --ipam-pool-id ${regional} --cidr 10.0.0.0/16`)).json
          .IpamPoolCidr.Cidr,
      ).toBe('10.0.0.0/16');
      await pollText(
        cli,
        `aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${regional} --query "IpamPoolCidrs[0].State" --output text`,
        'provisioned',
      );

      // 11. The regional pool is an allocation of the top-level pool.
      const topAllocations = (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-east-1 --ipam-pool-id ${top}`)).json
        .IpamPoolAllocations;
      expect(topAllocations).toEqual([
        expect.objectContaining({ Cidr: '10.0.0.0/16', ResourceId: regional, ResourceType: 'ipam-pool', ResourceOwner: '123456789012' }),
      ]);

      // 13 (acceptance variant: the regional pool, in its locale us-west-2). In us-east-1 the
      // locale differs; the top-level pool has none: both refused.
      expectCliError(
        await cli.run(`aws ec2 create-vpc --region us-east-1 --ipv4-ipam-pool-id ${regional} --cidr-block 10.0.0.0/24`),
        'InvalidParameterValue',
        'CreateVpc',
      );
      expectCliError(
        await cli.run(`aws ec2 create-vpc --region us-east-1 --ipv4-ipam-pool-id ${top} --cidr-block 10.0.0.0/24`),
        'InvalidParameterValue',
        'CreateVpc',
      );
      const vpc = (await cli.ok(`aws ec2 create-vpc --region us-west-2 --ipv4-ipam-pool-id ${regional} --cidr-block 10.0.0.0/24`)).json.Vpc;
      expect(vpc).toMatchObject({
        CidrBlock: '10.0.0.0/24',
        OwnerId: '123456789012',
        InstanceTenancy: 'default',
        IsDefault: false,
        CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/24', CidrBlockState: { State: 'associated' } }],
      });
      expect(vpc.VpcId).toMatch(VPC_ID);
      expect(vpc.CidrBlockAssociationSet[0].AssociationId).toMatch(/^vpc-cidr-assoc-/);
      expect(vpc.DhcpOptionsId).toBeDefined();
      // EC2 answers a new VPC `pending` (AWS CLI example create-vpc.rst); here it is settled at once.
      expect(vpc.State).toBe('pending');
      expect((await cli.ok(`aws ec2 describe-vpcs --region us-west-2 --vpc-ids ${vpc.VpcId}`)).json.Vpcs[0].State).toBe('available');
      expect(
        (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-east-1 --ipam-pool-id ${regional}`)).json.IpamPoolAllocations,
      ).toEqual([
        expect.objectContaining({ Cidr: '10.0.0.0/24', ResourceType: 'vpc', ResourceId: vpc.VpcId, ResourceRegion: 'us-west-2' }),
      ]);

      // C1. The VPC lives in us-west-2, where it was created.
      expect((await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpc.VpcId} --region us-west-2`)).stdout.trim()).toBe('');
      expect(
        (await cli.ok(`aws ec2 get-ipam-pool-allocations --region us-east-1 --ipam-pool-id ${regional}`)).json.IpamPoolAllocations,
      ).toEqual([]);

      // C3–C4, as the guide writes them (no --cidr): each pool has exactly one CIDR to deprovision.
      for (const poolId of [regional, top]) {
        const pending = (await cli.ok(`aws ec2 deprovision-ipam-pool-cidr --ipam-pool-id ${poolId} --region us-east-1`)).json.IpamPoolCidr;
        expect(['pending-deprovision', 'deprovisioned']).toContain(pending.State);
        await pollText(
          cli,
          `aws ec2 get-ipam-pool-cidrs --region us-east-1 --ipam-pool-id ${poolId} --query "IpamPoolCidrs[0].State" --output text`,
          'deprovisioned',
        );
      }

      // C5 (acceptance): the IPAM cannot go while it has pools, unless with --cascade; delete the
      // pools, youngest first, then the IPAM.
      expectCliError(await cli.run(`aws ec2 delete-ipam --region us-east-1 --ipam-id ${ipamId}`), 'DependencyViolation', 'DeleteIpam');
      for (const poolId of [regional, top]) {
        await cli.ok(`aws ec2 delete-ipam-pool --region us-east-1 --ipam-pool-id ${poolId}`);
        await pollText(cli, `aws ec2 describe-ipam-pools --query "length(IpamPools[?IpamPoolId=='${poolId}'])" --output text`, '0');
      }
      await cli.ok(`aws ec2 delete-ipam --region us-east-1 --ipam-id ${ipamId}`);
      await pollText(cli, 'aws ec2 describe-ipams --query "length(Ipams)" --output text', '0');
    },
    SCENARIO_TIMEOUT_MS,
  );
});

describeCli('S13 plan VPC IP address space for subnet IP allocations (CLI equivalent)', () => {
  it(
    'plans the tutorial VPC, carves dev and prod subnets by netmask from subnet pools, and cleans up with a cascade delete',
    async () => {
      // Another account than S3's, so that the two scenarios do not share an IPAM.
      const cli = await awsCli(service.url, OTHER);
      const account = OTHER.accountId;
      const ipam = (await cli.ok('aws ec2 create-ipam --region us-east-1 --operating-regions RegionName=us-east-1')).json.Ipam;
      const privateScope: string = ipam.PrivateDefaultScopeId;

      // 1. The tutorial VPC, by CIDR; wait until IPAM has discovered it.
      const vpc = (
        await cli.ok(
          `aws ec2 create-vpc --cidr-block 10.0.0.0/20 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=tutorial-vpc}]'`,
        )
      ).json.Vpc;
      expect(vpc).toMatchObject({ CidrBlock: '10.0.0.0/20', State: 'pending', Tags: [{ Key: 'Name', Value: 'tutorial-vpc' }] }); // create-vpc.rst
      const vpcId: string = vpc.VpcId;
      await poll(
        async () => {
          const found = (await cli.ok(`aws ec2 get-ipam-resource-cidrs --ipam-scope-id ${privateScope} --resource-type vpc`)).json;
          if (found.IpamResourceCidrs.length === 0) await service.sweep();
          return found.IpamResourceCidrs.map(
            (record: { ResourceId: string; ResourceCidr: string }) => `${record.ResourceId} ${record.ResourceCidr}`,
          );
        },
        (lines) => lines.includes(`${vpcId} 10.0.0.0/20`),
        'the tutorial VPC to be discovered',
      );

      // 2. The resource planning pool: the VPC as its source resource, its locale the VPC's Region.
      const planningPool = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${privateScope} --address-family ipv4 --source-resource ResourceId=${vpcId},ResourceType=vpc,ResourceRegion=us-east-1,ResourceOwner=${account}`,
        )
      ).json.IpamPool;
      expect(planningPool).toMatchObject({
        SourceResource: { ResourceId: vpcId, ResourceType: 'vpc', ResourceRegion: 'us-east-1', ResourceOwner: account },
        Locale: 'us-east-1',
        PoolDepth: 1,
        AddressFamily: 'ipv4',
      });
      const planning: string = planningPool.IpamPoolId;
      await pollText(
        cli,
        `aws ec2 describe-ipam-pools --ipam-pool-ids ${planning} --query "IpamPools[0].State" --output text`,
        'create-complete',
      );
      expect((await cli.ok(`aws ec2 describe-ipam-pools --ipam-pool-ids ${planning} --query "IpamPools[0].SourceResource"`)).json).toEqual({
        ResourceId: vpcId,
        ResourceType: 'vpc',
        ResourceRegion: 'us-east-1',
        ResourceOwner: account,
      });
      // An undiscovered VPC, and a CIDR that is not the VPC's, are refused.
      expectCliError(
        await cli.run(
          `aws ec2 create-ipam-pool --ipam-scope-id ${privateScope} --address-family ipv4 --source-resource ResourceId=vpc-0123456789abcdef0,ResourceType=vpc,ResourceRegion=us-east-1,ResourceOwner=${account}`,
        ),
        'InvalidParameterValue',
        'CreateIpamPool',
      );
      expectCliError(
        await cli.run(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${planning} --cidr 10.0.0.0/24`),
        'InvalidParameterValue',
        'ProvisionIpamPoolCidr',
      );
      const planningCidr = (await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${planning} --cidr 10.0.0.0/20`)).json
        .IpamPoolCidr;
      expect(planningCidr.Cidr).toBe('10.0.0.0/20');
      expect(['pending-provision', 'provisioned']).toContain(planningCidr.State);
      await pollText(
        cli,
        `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${planning} --query "IpamPoolCidrs[0].State" --output text`,
        'provisioned',
      );

      // 3. The dev and prod subnet pools (acceptance: prod 10.0.1.0/24; the guide's 10.0.0.1/24 has host bits set).
      const subnetPool = async (cidr: string) => {
        const pool = (
          await cli.ok(
            `aws ec2 create-ipam-pool --ipam-scope-id ${privateScope} --source-ipam-pool-id ${planning} --address-family ipv4 --locale us-east-1`,
          )
        ).json.IpamPool;
        expect(pool).toMatchObject({ SourceIpamPoolId: planning, Locale: 'us-east-1', PoolDepth: 2 });
        await pollText(
          cli,
          `aws ec2 describe-ipam-pools --ipam-pool-ids ${pool.IpamPoolId} --query "IpamPools[0].State" --output text`,
          'create-complete',
        );
        await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --cidr ${cidr}`);
        await pollText(
          cli,
          `aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${pool.IpamPoolId} --query "IpamPoolCidrs[0].State" --output text`,
          'provisioned',
        );
        return pool.IpamPoolId as string;
      };
      const dev = await subnetPool('10.0.0.0/24');
      expectCliError(
        await cli.run(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${dev} --cidr 10.0.0.1/24`),
        'InvalidParameterValue',
        'ProvisionIpamPoolCidr',
      );
      const prod = await subnetPool('10.0.1.0/24');

      // 4. The subnets, by netmask: the lowest free /28 of each pool, each a subnet allocation.
      const devSubnet = (
        await cli.ok(
          `aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${dev} --ipv4-netmask-length 28 --tag-specifications 'ResourceType=subnet,Tags=[{Key=Name,Value=tutorial-subnet}]'`,
        )
      ).json.Subnet;
      expect(devSubnet).toMatchObject({
        VpcId: vpcId,
        CidrBlock: '10.0.0.0/28',
        State: 'available', // create-subnet.rst
        Tags: [{ Key: 'Name', Value: 'tutorial-subnet' }],
      });
      expect(devSubnet.SubnetId).toMatch(SUBNET_ID);
      const prodSubnet = (await cli.ok(`aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${prod} --ipv4-netmask-length 28`)).json
        .Subnet;
      expect(prodSubnet.CidrBlock).toBe('10.0.1.0/28');
      const allocationsOf = async (poolId: string) =>
        (await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations.map(
          (allocation: Record<string, string>) => `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`,
        );
      expect(await allocationsOf(dev)).toEqual([`subnet ${devSubnet.SubnetId} 10.0.0.0/28`]);
      expect(await allocationsOf(prod)).toEqual([`subnet ${prodSubnet.SubnetId} 10.0.1.0/28`]);

      // Beyond the tutorial: the next /28 never overlaps; a /23 is bigger than the /24 pool; a
      // deleted subnet's space is given out again.
      const second = (await cli.ok(`aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${dev} --ipv4-netmask-length 28`)).json
        .Subnet;
      expect(second.CidrBlock).toBe('10.0.0.16/28');
      expectCliError(
        await cli.run(`aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${dev} --ipv4-netmask-length 23`),
        'InvalidParameterValue',
        'CreateSubnet',
      );
      await cli.ok(`aws ec2 delete-subnet --subnet-id ${second.SubnetId}`);
      expect(await allocationsOf(dev)).toEqual([`subnet ${devSubnet.SubnetId} 10.0.0.0/28`]);
      const third = (await cli.ok(`aws ec2 create-subnet --vpc-id ${vpcId} --ipv4-ipam-pool-id ${dev} --ipv4-netmask-length 28`)).json
        .Subnet;
      expect(third.CidrBlock).toBe('10.0.0.16/28');

      // The subnets appear beneath their pools in Resources.
      const subnetLines = await poll(
        async () => {
          await service.sweep();
          const found = (await cli.ok(`aws ec2 get-ipam-resource-cidrs --ipam-scope-id ${privateScope} --resource-type subnet`)).json;
          return found.IpamResourceCidrs.map(
            (record: Record<string, string>) =>
              `${record.ResourceId} ${record.ResourceCidr} ${record.IpamPoolId} ${record.ManagementState}`,
          ) as string[];
        },
        (lines) => lines.length === 3,
        'the three subnets to be discovered',
      );
      expect(subnetLines.sort()).toEqual(
        [
          `${devSubnet.SubnetId} 10.0.0.0/28 ${dev} managed`,
          `${third.SubnetId} 10.0.0.16/28 ${dev} managed`,
          `${prodSubnet.SubnetId} 10.0.1.0/28 ${prod} managed`,
        ].sort(),
      );

      // 5. Cleanup: cascade delete of the planning pool takes the subnet pools with it; the
      // subnets stay, no longer IPAM allocations; then the subnets and the VPC go.
      await cli.ok(`aws ec2 delete-ipam-pool --ipam-pool-id ${planning} --cascade`);
      await pollText(cli, 'aws ec2 describe-ipam-pools --query "length(IpamPools)" --output text', '0');
      const left = (await cli.ok(`aws ec2 describe-subnets --filters Name=vpc-id,Values=${vpcId}`)).json.Subnets;
      expect(left.map((subnet: { CidrBlock: string }) => subnet.CidrBlock).sort()).toEqual(['10.0.0.0/28', '10.0.0.16/28', '10.0.1.0/28']);
      expect(left.map((subnet: { State: string }) => subnet.State)).toEqual(['available', 'available', 'available']);
      for (const subnet of left) expect((await cli.ok(`aws ec2 delete-subnet --subnet-id ${subnet.SubnetId}`)).stdout.trim()).toBe('');
      expect((await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpcId}`)).stdout.trim()).toBe('');
      expect((await cli.ok('aws ec2 describe-vpcs')).json.Vpcs).toEqual([]);
    },
    SCENARIO_TIMEOUT_MS,
  );
});
