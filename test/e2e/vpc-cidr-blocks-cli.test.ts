// A VPC's secondary and IPv6 CIDR blocks with the real AWS CLI (issue 16, embedded): from an S1-like
// development pool (10.0.0.0/24, locale us-east-1) and a ULA IPv6 pool, associate-vpc-cidr-block
// by pool and netmask, describe-vpcs by block, a dual-stack subnet, associate/disassociate a
// subnet's IPv6 block, disassociate-vpc-cidr-block and delete-vpc giving every block back; an IPv6
// resource planning pool of a VPC's block and a subnet's /64 drawn from it by netmask.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cidrFromStart, containsCidr, formatCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { type AwsCli, awsCli, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';

const probe = await probeAwsCli();
const describeCli = describe.skipIf(skipUnless(probe.available, 'the AWS CLI end-to-end tests', probe.reason));

const CLI_TEST_TIMEOUT_MS = 240_000;
const ULA = 'fd12:3456:7800::/40';

let service: TestService;
let cli: AwsCli;

beforeAll(async () => {
  if (!probe.available) return;
  service = await startTestService();
  cli = await awsCli(service.url, ADMIN);
}, CLI_TEST_TIMEOUT_MS);
afterAll(async () => service?.stop());

/** A pool of the private scope, locale us-east-1, with `cidr` provisioned (polled as the guide does). */
async function poolHolding(scopeId: string, family: 'ipv4' | 'ipv6', cidr: string): Promise<string> {
  const pool = (
    await cli.ok(
      `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ${family} --locale us-east-1 --description "${family} development pool"`,
    )
  ).json.IpamPool;
  await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${pool.IpamPoolId} --cidr ${cidr}`);
  await poll(
    async () =>
      (
        await cli.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${pool.IpamPoolId} --query "IpamPoolCidrs[0].State" --output text`)
      ).stdout.trim(),
    (state) => state === 'provisioned',
    `pool ${pool.IpamPoolId} to have ${cidr} provisioned`,
  );
  return pool.IpamPoolId;
}

const allocations = async (poolId: string): Promise<string[]> =>
  (await cli.ok(`aws ec2 get-ipam-pool-allocations --ipam-pool-id ${poolId}`)).json.IpamPoolAllocations.map(
    (allocation: { ResourceType: string; ResourceId: string; Cidr: string }) =>
      `${allocation.ResourceType} ${allocation.ResourceId} ${allocation.Cidr}`,
  );

describeCli('VPC CIDR block associations with the AWS CLI', () => {
  it(
    'associates a pool block and an IPv6 block, carves a dual-stack subnet, and gives every block back',
    async () => {
      const ipam = (await cli.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1')).json.Ipam;
      const scopeId: string = ipam.PrivateDefaultScopeId;
      const development = await poolHolding(scopeId, 'ipv4', '10.0.0.0/24');
      const ipv6Pool = await poolHolding(scopeId, 'ipv6', ULA);

      const vpc = (
        await cli.ok(
          `aws ec2 create-vpc --ipv4-ipam-pool-id ${development} --ipv4-netmask-length 26 --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=IPAM-VPC}]'`,
        )
      ).json.Vpc;
      expect(vpc).toMatchObject({ CidrBlock: '10.0.0.0/26', State: 'pending' }); // create-vpc.rst (AWS CLI examples)

      // A second /26 of the development pool.
      const secondary = (
        await cli.ok(`aws ec2 associate-vpc-cidr-block --vpc-id ${vpc.VpcId} --ipv4-ipam-pool-id ${development} --ipv4-netmask-length 26`)
      ).json;
      expect(secondary).toEqual({
        VpcId: vpc.VpcId,
        CidrBlockAssociation: {
          AssociationId: expect.stringMatching(/^vpc-cidr-assoc-0[0-9a-f]{16}$/),
          CidrBlock: '10.0.0.64/26',
          CidrBlockState: { State: 'associating' }, // associate-vpc-cidr-block.rst
        },
      });
      expect((await allocations(development)).sort()).toEqual([`vpc ${vpc.VpcId} 10.0.0.0/26`, `vpc ${vpc.VpcId} 10.0.0.64/26`]);
      const byBlock = (await cli.ok('aws ec2 describe-vpcs --filters Name=cidr-block-association.cidr-block,Values=10.0.0.64/26')).json
        .Vpcs;
      expect(byBlock.map((found: { VpcId: string }) => found.VpcId)).toEqual([vpc.VpcId]);
      // Settled at once: describe-vpcs shows the VPC `available` and the new block `associated`.
      expect(byBlock[0]).toMatchObject({
        State: 'available',
        CidrBlockAssociationSet: [
          vpc.CidrBlockAssociationSet[0],
          { ...secondary.CidrBlockAssociation, CidrBlockState: { State: 'associated' } },
        ],
      });
      const tooSmall = await cli.run(
        `aws ec2 associate-vpc-cidr-block --vpc-id ${vpc.VpcId} --ipv4-ipam-pool-id ${development} --ipv4-netmask-length 29`,
      );
      expect({ status: tooSmall.status, code: tooSmall.errorCode }).toEqual({ status: 255, code: 'InvalidVpc.Range' });

      // An IPv6 /56 of the ULA pool.
      const ipv6 = (
        await cli.ok(`aws ec2 associate-vpc-cidr-block --vpc-id ${vpc.VpcId} --ipv6-ipam-pool-id ${ipv6Pool} --ipv6-netmask-length 56`)
      ).json.Ipv6CidrBlockAssociation;
      expect(ipv6).toMatchObject({ Ipv6Pool: ipv6Pool, Ipv6CidrBlockState: { State: 'associating' }, NetworkBorderGroup: 'us-east-1' }); // associate-vpc-cidr-block.rst
      const block = parseCidr(ipv6.Ipv6CidrBlock);
      expect(block.prefixLength).toBe(56);
      expect(containsCidr(parseCidr(ULA), block)).toBe(true);
      const described = (await cli.ok(`aws ec2 describe-vpcs --vpc-ids ${vpc.VpcId}`)).json.Vpcs[0];
      expect(described.Ipv6CidrBlockAssociationSet).toEqual([{ ...ipv6, Ipv6CidrBlockState: { State: 'associated' } }]);
      expect(described.CidrBlockAssociationSet.map((association: { CidrBlock: string }) => association.CidrBlock)).toEqual([
        '10.0.0.0/26',
        '10.0.0.64/26',
      ]);

      // A dual-stack subnet in the secondary block and the IPv6 block; a second /64 associated later.
      const first64 = formatCidr(cidrFromStart('ipv6', block.start, 64));
      const second64 = formatCidr(cidrFromStart('ipv6', block.start + (1n << 64n), 64));
      const subnet = (await cli.ok(`aws ec2 create-subnet --vpc-id ${vpc.VpcId} --cidr-block 10.0.0.64/27 --ipv6-cidr-block ${first64}`))
        .json.Subnet;
      expect(subnet.Ipv6CidrBlockAssociationSet).toEqual([
        expect.objectContaining({ Ipv6CidrBlock: first64, Ipv6CidrBlockState: { State: 'associating' } }), // create-subnet.rst
      ]);
      expect(subnet.State).toBe('available'); // create-subnet.rst
      const subnetDescribed = (await cli.ok(`aws ec2 describe-subnets --subnet-ids ${subnet.SubnetId}`)).json.Subnets[0];
      expect(subnetDescribed.Ipv6CidrBlockAssociationSet).toEqual([
        { ...subnet.Ipv6CidrBlockAssociationSet[0], Ipv6CidrBlockState: { State: 'associated' } },
      ]);
      const inUse = await cli.run(`aws ec2 disassociate-vpc-cidr-block --association-id ${secondary.CidrBlockAssociation.AssociationId}`);
      expect({ status: inUse.status, code: inUse.errorCode }).toEqual({ status: 255, code: 'InvalidCidrBlock.InUse' });
      const other = (await cli.ok(`aws ec2 create-subnet --vpc-id ${vpc.VpcId} --cidr-block 10.0.0.96/27`)).json.Subnet;
      const subnetBlock = (await cli.ok(`aws ec2 associate-subnet-cidr-block --subnet-id ${other.SubnetId} --ipv6-cidr-block ${second64}`))
        .json;
      expect(subnetBlock).toMatchObject({
        SubnetId: other.SubnetId,
        Ipv6CidrBlockAssociation: { Ipv6CidrBlock: second64, Ipv6CidrBlockState: { State: 'associating' } }, // associate-subnet-cidr-block.rst
      });
      const found = (await cli.ok(`aws ec2 describe-subnets --filters Name=ipv6-cidr-block-association.ipv6-cidr-block,Values=${second64}`))
        .json.Subnets;
      expect(found.map((s: { SubnetId: string }) => s.SubnetId)).toEqual([other.SubnetId]);
      expect(found[0].Ipv6CidrBlockAssociationSet).toEqual([
        { ...subnetBlock.Ipv6CidrBlockAssociation, Ipv6CidrBlockState: { State: 'associated' } },
      ]);
      const removed = (
        await cli.ok(`aws ec2 disassociate-subnet-cidr-block --association-id ${subnetBlock.Ipv6CidrBlockAssociation.AssociationId}`)
      ).json;
      expect(removed.Ipv6CidrBlockAssociation.Ipv6CidrBlockState).toEqual({ State: 'disassociating' }); // disassociate-subnet-cidr-block.rst
      expect((await cli.ok(`aws ec2 describe-subnets --subnet-ids ${other.SubnetId}`)).json.Subnets[0]).not.toHaveProperty(
        'Ipv6CidrBlockAssociationSet',
      );
      for (const id of [subnet.SubnetId, other.SubnetId]) await cli.ok(`aws ec2 delete-subnet --subnet-id ${id}`);

      // The secondary block goes back to the pool at once; the primary one stays.
      const gone = (await cli.ok(`aws ec2 disassociate-vpc-cidr-block --association-id ${secondary.CidrBlockAssociation.AssociationId}`))
        .json;
      expect(gone.CidrBlockAssociation).toEqual({ ...secondary.CidrBlockAssociation, CidrBlockState: { State: 'disassociating' } }); // disassociate-vpc-cidr-block.rst
      expect((await cli.ok(`aws ec2 describe-vpcs --vpc-ids ${vpc.VpcId}`)).json.Vpcs[0].CidrBlockAssociationSet).toEqual(
        vpc.CidrBlockAssociationSet,
      );
      expect(await allocations(development)).toEqual([`vpc ${vpc.VpcId} 10.0.0.0/26`]);
      const primary = await cli.run(`aws ec2 disassociate-vpc-cidr-block --association-id ${vpc.CidrBlockAssociationSet[0].AssociationId}`);
      expect({ status: primary.status, code: primary.errorCode }).toEqual({ status: 255, code: 'OperationNotPermitted' });

      // S10 step 8's form: a VPC with an IPv6 block from the pool needs an IPv4 --cidr-block too.
      const s10 = (await cli.ok(`aws ec2 create-vpc --ipv6-ipam-pool-id ${ipv6Pool} --cidr-block 10.1.0.0/16 --ipv6-netmask-length 56`))
        .json.Vpc;
      expect(s10).toMatchObject({
        CidrBlock: '10.1.0.0/16',
        CidrBlockAssociationSet: [expect.objectContaining({ CidrBlock: '10.1.0.0/16', CidrBlockState: { State: 'associated' } })],
        Ipv6CidrBlockAssociationSet: [
          expect.objectContaining({
            Ipv6Pool: ipv6Pool,
            Ipv6CidrBlock: expect.stringMatching(/\/56$/),
            Ipv6CidrBlockState: { State: 'associating' }, // create-vpc.rst
          }),
        ],
      });
      const withoutIpv4 = await cli.run(`aws ec2 create-vpc --ipv6-ipam-pool-id ${ipv6Pool} --ipv6-netmask-length 56`);
      expect({ status: withoutIpv4.status, code: withoutIpv4.errorCode }).toEqual({ status: 255, code: 'MissingParameter' });
      await cli.ok(`aws ec2 delete-vpc --vpc-id ${s10.VpcId}`);

      // delete-vpc releases the primary and the IPv6 block together: both pools are whole again.
      expect((await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpc.VpcId}`)).stdout.trim()).toBe('');
      expect(await allocations(development)).toEqual([]);
      expect(await allocations(ipv6Pool)).toEqual([]);
      const whole = (await cli.ok(`aws ec2 create-vpc --ipv4-ipam-pool-id ${development} --ipv4-netmask-length 24`)).json.Vpc;
      expect(whole.CidrBlock).toBe('10.0.0.0/24');
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'plans a VPC’s IPv6 block with an IPv6 resource planning pool and carves a subnet’s /64 by netmask',
    async () => {
      const [existing] = (await cli.ok('aws ec2 describe-ipams')).json.Ipams;
      const ipam = existing ?? (await cli.ok('aws ec2 create-ipam --operating-regions RegionName=us-east-1')).json.Ipam;
      const scopeId: string = ipam.PrivateDefaultScopeId;
      const ula = await poolHolding(scopeId, 'ipv6', 'fd12:3456:9a00::/40');
      const vpc = (await cli.ok(`aws ec2 create-vpc --cidr-block 10.2.0.0/16 --ipv6-ipam-pool-id ${ula} --ipv6-netmask-length 56`)).json
        .Vpc;
      const block: string = vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock;
      const planning = (
        await cli.ok(
          `aws ec2 create-ipam-pool --ipam-scope-id ${scopeId} --address-family ipv6 --source-resource ResourceId=${vpc.VpcId},ResourceType=vpc`,
        )
      ).json.IpamPool;
      expect(planning).toMatchObject({ AddressFamily: 'ipv6', Locale: 'us-east-1', SourceResource: { ResourceId: vpc.VpcId } });
      await cli.ok(`aws ec2 provision-ipam-pool-cidr --ipam-pool-id ${planning.IpamPoolId} --cidr ${block}`);
      await poll(
        async () =>
          (
            await cli.ok(`aws ec2 get-ipam-pool-cidrs --ipam-pool-id ${planning.IpamPoolId} --query "IpamPoolCidrs[0].State" --output text`)
          ).stdout.trim(),
        (state) => state === 'provisioned',
        `planning pool ${planning.IpamPoolId} to have ${block} provisioned`,
      );

      const subnet = (
        await cli.ok(
          `aws ec2 create-subnet --vpc-id ${vpc.VpcId} --cidr-block 10.2.0.0/24 --ipv6-ipam-pool-id ${planning.IpamPoolId} --ipv6-netmask-length 64`,
        )
      ).json.Subnet;
      const [association] = subnet.Ipv6CidrBlockAssociationSet;
      expect(association).toMatchObject({ Ipv6CidrBlock: expect.stringMatching(/\/64$/), Ipv6CidrBlockState: { State: 'associating' } }); // create-subnet.rst
      expect(containsCidr(parseCidr(block), parseCidr(association.Ipv6CidrBlock))).toBe(true);
      expect(await allocations(planning.IpamPoolId)).toEqual([`subnet ${subnet.SubnetId} ${association.Ipv6CidrBlock}`]);

      // delete-subnet gives the /64 back; the cascade takes the planning pool, then the VPC goes.
      await cli.ok(`aws ec2 delete-subnet --subnet-id ${subnet.SubnetId}`);
      expect(await allocations(planning.IpamPoolId)).toEqual([]);
      await cli.ok(`aws ec2 delete-ipam-pool --ipam-pool-id ${planning.IpamPoolId} --cascade`);
      await poll(
        async () => (await cli.ok('aws ec2 describe-ipam-pools')).json.IpamPools.map((pool: { IpamPoolId: string }) => pool.IpamPoolId),
        (ids: string[]) => !ids.includes(planning.IpamPoolId),
        `planning pool ${planning.IpamPoolId} to be deleted`,
      );
      await cli.ok(`aws ec2 delete-vpc --vpc-id ${vpc.VpcId}`);
      expect(await allocations(ula)).toEqual([]);
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
