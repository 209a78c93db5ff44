// The refusals whose words real AWS is known to answer (spec 20-scenarios.md, Summary 3: the guide's
// messages and "real AWS responses seen in public issue threads"), each through the use cases and
// the real store, with AWS's code and its message word for word. Each row quotes its source.
import { describe, expect, it } from 'vitest';
import { createUseCaseHarness, type UseCaseHarness } from '../support/use-cases.ts';
import { refusal } from './refusal.ts';

/** S1's development pool: an IPAM in us-east-1 and a private IPv4 pool, locale us-east-1, holding `cidr` (none: no CIDR). */
async function developmentPool(harness: UseCaseHarness, rules: Record<string, unknown> = {}, cidr: string | null = '10.0.0.0/24') {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: 'us-east-1' }, { RegionName: 'us-west-2' }] });
  const { IpamPool } = await harness.call('CreateIpamPool', {
    IpamScopeId: Ipam.PrivateDefaultScopeId,
    AddressFamily: 'ipv4',
    Locale: 'us-east-1',
    ...rules,
  });
  if (cidr) await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr });
  return IpamPool.IpamPoolId as string;
}

interface Refused {
  source: string;
  /** Sets up and sends the request; returns what the message names (a pool id), if anything. */
  send: (harness: UseCaseHarness) => Promise<{ request: Promise<unknown>; poolId?: string }>;
  code: string;
  message: (poolId?: string) => string;
}

const EMPTY_CIDR_AND_NETMASK =
  'The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided.';
const TOO_BIG = 'The allocation size is too big for the pool.';

const refusals: Record<string, Refused> = {
  'AllocateIpamPoolCidr with neither Cidr nor NetmaskLength, from a pool without a default netmask': {
    source:
      'terraform-aws-modules/terraform-aws-vpc #1135: "api error InvalidParameterCombination: The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided."',
    send: async (harness) => ({ request: harness.call('AllocateIpamPoolCidr', { IpamPoolId: await developmentPool(harness) }) }),
    code: 'InvalidParameterCombination',
    message: () => EMPTY_CIDR_AND_NETMASK,
  },
  'CreateVpc from such a pool without Ipv4NetmaskLength': {
    source:
      'terraform-aws-modules/terraform-aws-vpc #1135: "operation error EC2: CreateVpc … api error InvalidParameterCombination: The request cannot contain empty CIDR …"',
    send: async (harness) => ({ request: harness.call('CreateVpc', { Ipv4IpamPoolId: await developmentPool(harness) }) }),
    code: 'InvalidParameterCombination',
    message: () => EMPTY_CIDR_AND_NETMASK,
  },
  'DeleteIpamPool of a pool with a CIDR provisioned': {
    source:
      'hashicorp/terraform-provider-aws PR #22328: "DependencyViolation: The specified action is not valid for ipam-pool-053b66095dd7a3fef. There are one or more pool cidrs provisioned in the pool."',
    send: async (harness) => {
      const poolId = await developmentPool(harness);
      // A child pool too: AWS gave these words for every pool of the account it swept, parents included.
      const { Ipams } = await harness.call('DescribeIpams', {});
      await harness.call('CreateIpamPool', {
        IpamScopeId: Ipams[0].PrivateDefaultScopeId,
        AddressFamily: 'ipv4',
        SourceIpamPoolId: poolId,
      });
      return { request: harness.call('DeleteIpamPool', { IpamPoolId: poolId }), poolId };
    },
    code: 'DependencyViolation',
    message: (poolId) => `The specified action is not valid for ${poolId}. There are one or more pool cidrs provisioned in the pool.`,
  },
  'CreateVpc asking for more than the pool holds (the guide: "you can\'t allocate a /25 CIDR from a /24 pool")': {
    source:
      'hashicorp/terraform-provider-aws #39046: "operation error EC2: CreateVpc … api error InvalidParameterValue: The allocation size is too big for the pool."; the guide\'s Troubleshooting (seed line 3417): "InvalidParameterValue" errors about allocation size',
    send: async (harness) => ({
      request: harness.call('CreateVpc', { Ipv4IpamPoolId: await developmentPool(harness), Ipv4NetmaskLength: 23 }),
    }),
    code: 'InvalidParameterValue',
    message: () => TOO_BIG,
  },
  'CreateVpc when the pool has no room left for the size asked': {
    source:
      'hashicorp/terraform-provider-aws #39046 (a pool whose CIDR an allocation already took): "The allocation size is too big for the pool."',
    send: async (harness) => {
      const IpamPoolId = await developmentPool(harness);
      await harness.call('AllocateIpamPoolCidr', { IpamPoolId, NetmaskLength: 25 });
      return { request: harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 24 }) };
    },
    code: 'InvalidParameterValue',
    message: () => TOO_BIG,
  },
  'an allocation from a pool with no CIDR provisioned': {
    source:
      'terraform-aws-modules/terraform-aws-vpc PR #718 (a VPC with ipv6_netmask_length 56 from the example\'s IPv6 pool, whose CIDR is commented out): "InvalidParameterValue: The allocation size is too big for the pool."',
    send: async (harness) => ({
      request: harness.call('AllocateIpamPoolCidr', { IpamPoolId: await developmentPool(harness, {}, null), NetmaskLength: 26 }),
    }),
    code: 'InvalidParameterValue',
    message: () => TOO_BIG,
  },
  'CreateVpc without the tags the pool requires': {
    source:
      'the guide, S2 step 7: "The resource is missing one or more of the resource tags required by the IPAM pool."; awslabs/landing-zone-accelerator-on-aws #917 (Service: Ec2, Status Code: 400)',
    send: async (harness) => ({
      request: harness.call('CreateVpc', {
        Ipv4IpamPoolId: await developmentPool(harness, { AllocationResourceTags: [{ Key: 'environment', Value: 'pre-prod' }] }),
        Ipv4NetmaskLength: 26,
      }),
    }),
    code: 'InvalidParameterValue',
    message: () => 'The resource is missing one or more of the resource tags required by the IPAM pool.',
  },
  "CreateVpc in another Region than the pool's locale": {
    source: 'the guide, S2 (Create VPC): "The locale of the IPAM pool must be equal to the current region."',
    send: async (harness) => ({
      // A pool of the us-east-1 IPAM whose locale is us-west-2, asked from us-east-1.
      request: harness.call('CreateVpc', {
        Ipv4IpamPoolId: await developmentPool(harness, { Locale: 'us-west-2' }),
        Ipv4NetmaskLength: 26,
      }),
    }),
    code: 'InvalidParameterValue',
    message: () => 'The locale of the IPAM pool must be equal to the current region.',
  },
  'a second IPAM in the Region': {
    source:
      'rebuy-de/aws-nuke #834: "ResourceLimitExceeded: You\'ve reached the limit for ipams. You have created 1 ipams and you are limited to 1."; the guide\'s Troubleshooting (seed line 3411): "Resource limit exceeded"',
    send: async (harness) => {
      await harness.call('CreateIpam', {});
      return { request: harness.call('CreateIpam', {}) };
    },
    code: 'ResourceLimitExceeded',
    message: () => "You've reached the limit for ipams. You have created 1 ipams and you are limited to 1.",
  },
  "a preview of the next CIDR from one's own pool, asked in another Region": {
    source:
      'aws-ia/terraform-aws-vpc #65 (aws_vpc_ipam_preview_next_cidr after moving Regions): "InvalidParameterValue: The pool ipam-pool-XXXXXXXXXXXXX is not in the current region us-west-2."',
    send: async (harness) => {
      const poolId = await developmentPool(harness);
      return {
        request: harness.call(
          'AllocateIpamPoolCidr',
          { IpamPoolId: poolId, NetmaskLength: 28, PreviewNextCidr: true },
          { region: 'eu-west-1' },
        ),
        poolId,
      };
    },
    code: 'InvalidParameterValue',
    message: (poolId) => `The pool ${poolId} is not in the current region eu-west-1.`,
  },
  'ProvisionIpamPoolCidr of a CIDR the pool already holds': {
    source:
      'hashicorp/terraform-provider-aws #27424 (applying again after a crash): "IncorrectState: The specified action is not valid for ipam-pool-bar. The CIDR 10.10.10./10 is in an invalid state."',
    send: async (harness) => {
      const poolId = await developmentPool(harness);
      return { request: harness.call('ProvisionIpamPoolCidr', { IpamPoolId: poolId, Cidr: '10.0.0.0/24' }), poolId };
    },
    code: 'IncorrectState',
    message: (poolId) => `The specified action is not valid for ${poolId}. The CIDR 10.0.0.0/24 is in an invalid state.`,
  },
  'GetIpamPoolAllocations of an allocation id the pool does not have': {
    source:
      'hashicorp/terraform-provider-aws #28913: "InvalidIpamPoolAllocationId.NotFound: The IPAM pool allocation (ipam-pool-alloc-0f1fe03456e174fea9c82affb5ee35e01) does not exist."',
    send: async (harness) => {
      const IpamPoolId = await developmentPool(harness);
      return {
        request: harness.call('GetIpamPoolAllocations', {
          IpamPoolId,
          IpamPoolAllocationId: 'ipam-pool-alloc-0f1fe03456e174fea9c82affb5ee35e01',
        }),
      };
    },
    code: 'InvalidIpamPoolAllocationId.NotFound',
    message: () => 'The IPAM pool allocation (ipam-pool-alloc-0f1fe03456e174fea9c82affb5ee35e01) does not exist.',
  },
  'ModifyIpam naming nothing to change': {
    source:
      'aws-cloudformation/cloudformation-coverage-roadmap #1550 (AWS::EC2::IPAM, only tags changed): "The request must contain a modification to the ipam. (Service: Ec2, Status Code: 400 …)"',
    send: async (harness) => {
      const { Ipam } = await harness.call('CreateIpam', {});
      return { request: harness.call('ModifyIpam', { IpamId: Ipam.IpamId, AddOperatingRegions: [] }) };
    },
    code: 'InvalidParameterCombination',
    message: () => 'The request must contain a modification to the ipam.',
  },
  'ModifyIpamPool naming nothing to change': {
    source:
      'aws-ia/terraform-aws-ipam #65: "InvalidParameterCombination - The request must contain a modification to the ipam pool" (the final stop as in #1550 for the IPAM)',
    send: async (harness) => ({ request: harness.call('ModifyIpamPool', { IpamPoolId: await developmentPool(harness) }) }),
    code: 'InvalidParameterCombination',
    message: () => 'The request must contain a modification to the ipam pool.',
  },
  'CreateIpamPool with PubliclyAdvertisable on an Amazon-provided IPv6 pool': {
    source:
      'hashicorp/terraform-provider-aws #39967 (public scope, ipv6, public_ip_source amazon): "api error InvalidParameterCombination: The request can only contain PubliclyAdvertisable if the AddressFamily is IPv6 and PublicIpSource is byoip."',
    send: async (harness) => {
      const { Ipam } = await harness.call('CreateIpam', {});
      return {
        request: harness.call('CreateIpamPool', {
          IpamScopeId: Ipam.PublicDefaultScopeId,
          AddressFamily: 'ipv6',
          PublicIpSource: 'amazon',
          AwsService: 'ec2',
          Locale: 'us-east-1',
          PubliclyAdvertisable: false,
        }),
      };
    },
    code: 'InvalidParameterCombination',
    message: () => 'The request can only contain PubliclyAdvertisable if the AddressFamily is IPv6 and PublicIpSource is byoip.',
  },
  'CreateIpamPool with PubliclyAdvertisable on a private IPv6 pool': {
    source:
      'hashicorp/terraform-provider-aws PR #39600: provider 5.70 sent publicly_advertisable for a private-scope IPv6 pool and AWS refused the pool (its words not quoted there); the EC2 model states the one rule for both ("The request can only contain PubliclyAdvertisable if AddressFamily is ipv6 and PublicIpSource is byoip"), whose refusal #39967 quotes',
    send: async (harness) => {
      const { Ipam } = await harness.call('CreateIpam', {});
      return {
        request: harness.call('CreateIpamPool', {
          IpamScopeId: Ipam.PrivateDefaultScopeId,
          AddressFamily: 'ipv6',
          Locale: 'us-east-1',
          PubliclyAdvertisable: false,
        }),
      };
    },
    code: 'InvalidParameterCombination',
    message: () => 'The request can only contain PubliclyAdvertisable if the AddressFamily is IPv6 and PublicIpSource is byoip.',
  },
  'CreateSubnet from a pool that plans no VPC': {
    source:
      'awslabs/landing-zone-accelerator-on-aws #320 (AWS::EC2::Subnet with Ipv4IpamPoolId): "IpamPool \'ipam-pool-00e118a83a56b5152\' is missing a source resource (Service: Ec2, Status Code: 400 …)"',
    send: async (harness) => {
      const poolId = await developmentPool(harness, {}, '10.0.0.0/16');
      const { Vpc } = await harness.call('CreateVpc', { CidrBlock: '10.0.0.0/20' });
      return { request: harness.call('CreateSubnet', { VpcId: Vpc.VpcId, Ipv4IpamPoolId: poolId, Ipv4NetmaskLength: 24 }), poolId };
    },
    code: 'InvalidParameterValue',
    message: (poolId) => `IpamPool '${poolId}' is missing a source resource`,
  },
};

describe('refusals in AWS’s words', () => {
  for (const [name, row] of Object.entries(refusals)) {
    it(name, async () => {
      const harness = await createUseCaseHarness();
      const { request, poolId } = await row.send(harness);
      const error = await refusal(request);
      expect({ code: error.code, message: error.message }, row.source).toEqual({ code: row.code, message: row.message(poolId) });
    });
  }
});

describe('asynchronous failures in AWS’s words', () => {
  it('DeprovisionIpamPoolCidr with an allocation inside is accepted and ends failed-deprovision', async () => {
    // hashicorp/terraform-provider-aws #30165: "waiting for IPAM Pool CIDR (192.168.192.0/18_ipam-pool-0b14282cdda6542b7)
    // delete: unexpected state 'failed-deprovision', wanted target ''. last error: : The CIDR has one or more allocations."
    // — the provider prints FailureReason as "Code: Message", so AWS gives a Message and no Code.
    const harness = await createUseCaseHarness();
    const IpamPoolId = await developmentPool(harness);
    const { Vpc } = await harness.call('CreateVpc', { Ipv4IpamPoolId: IpamPoolId, Ipv4NetmaskLength: 26 });
    const { IpamPoolCidr } = await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId, Cidr: '10.0.0.0/24' });
    expect(IpamPoolCidr).toMatchObject({ Cidr: '10.0.0.0/24', State: 'pending-deprovision' });
    expect(IpamPoolCidr).not.toHaveProperty('FailureReason');

    const [record] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs;
    expect(record).toMatchObject({ Cidr: '10.0.0.0/24', State: 'failed-deprovision' });
    expect(record.FailureReason).toEqual({ Message: 'The CIDR has one or more allocations.' });

    // Once the VPC is gone, the same request deprovisions it.
    await harness.call('DeleteVpc', { VpcId: Vpc.VpcId });
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId, Cidr: '10.0.0.0/24' });
    const [again] = (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs;
    expect(again).toMatchObject({ Cidr: '10.0.0.0/24', State: 'deprovisioned' });
    expect(again).not.toHaveProperty('FailureReason');
  });
});
