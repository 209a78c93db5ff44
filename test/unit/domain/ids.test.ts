// The id and ARN shapes AWS mints, checked against its published examples: the AWS CLI examples
// (examples/ec2/*.rst of the awscli package), the IPAM user guide, and the id table of the
// project's protocol notes (protocol/ec2-query.md §6), which quotes them.
import { describe, expect, it } from 'vitest';
import {
  arnOf,
  eventIdMinter,
  newAllocationId,
  newElasticIpAllocationId,
  newElasticIpAssociationId,
  newPublicIpv4PoolId,
  newIpamId,
  newIpamPolicyId,
  newPoolCidrId,
  newPoolId,
  newPrefixListId,
  newPrefixListResolverTargetId,
  newResourceDiscoveryAssociationId,
  newResourceDiscoveryId,
  newScopeId,
  newSubnetCidrAssociationId,
  newSubnetId,
  newVerificationTokenId,
  newVpcCidrAssociationId,
  newVpcId,
  regionalEc2Arn,
  newPrefixListResolverId,
  taggableKindOfId,
} from '../../../lambdas/domain/ids.ts';

// AWS CLI examples (allocate-ipam-pool-cidr.rst, get-ipam-pool-allocations.rst,
// release-ipam-pool-allocation.rst): `ipam-pool-alloc-018ecc28043b54ba38e2cd99943cebfbd`,
// `ipam-pool-alloc-0e6186d73999e47389266a5d6991e6220` — a 0 and 32 hex digits, 33 in all.
it('IPAM pool allocation ids are ipam-pool-alloc- and 33 hex digits, the first 0', () => {
  for (let i = 0; i < 50; i++) expect(newAllocationId()).toMatch(/^ipam-pool-alloc-0[0-9a-f]{32}$/);
  expect(new Set(Array.from({ length: 50 }, newAllocationId)).size).toBe(50);
});

it('IPAM pool CIDR ids are ipam-pool-cidr- and 33 hex digits, the first 0', () => {
  expect(newPoolCidrId()).toMatch(/^ipam-pool-cidr-0[0-9a-f]{32}$/);
});

/** The shape of an example id: its prefix, then as many lowercase hex digits, the first a 0 if the example's is. */
function shapeOf(example: string): RegExp {
  const [, prefix, digits] = /^(.*-)([0-9a-f]+)$/.exec(example)!;
  const rest = digits.startsWith('0') ? `0[0-9a-f]{${digits.length - 1}}` : `[0-9a-f]{${digits.length}}`;
  return new RegExp(`^${prefix.replaceAll('-', '\\-')}${rest}$`);
}

describe('every other id the service mints has the shape of AWS’s examples', () => {
  it.each([
    ['IPAM', newIpamId, 'ipam-036486dfa6af58ee0', 'create-ipam.rst'],
    ['scope', newScopeId, 'ipam-scope-01c1ebab2b63bd7e4', 'create-ipam-scope.rst'],
    ['pool', newPoolId, 'ipam-pool-0533048da7d823723', 'create-ipam-pool.rst'],
    ['pool CIDR', newPoolCidrId, 'ipam-pool-cidr-01856e43994df4913b7bc6aac47adf983', 'the user guide (ec2-query.md §6)'],
    ['resource discovery', newResourceDiscoveryId, 'ipam-res-disco-0257046d8aa78b8bc', 'create-ipam-resource-discovery.rst'],
    [
      'resource discovery association',
      newResourceDiscoveryAssociationId,
      'ipam-res-disco-assoc-04382a6346357cf82',
      'associate-ipam-resource-discovery.rst',
    ],
    ['verification token', newVerificationTokenId, 'ipam-ext-res-ver-token-0309ce7f67a768cf0', 'the user guide (ec2-query.md §6)'],
    ['Elastic IP allocation', newElasticIpAllocationId, 'eipalloc-abcdef01234567890', 'allocate-address.rst'],
    ['VPC', newVpcId, 'vpc-010e1791024eb0af9', 'create-vpc.rst'],
    ['subnet', newSubnetId, 'subnet-000de86e3b49c932a', 'describe-subnets.rst'],
    ['VPC CIDR block association', newVpcCidrAssociationId, 'vpc-cidr-assoc-0a77de1d803226d4b', 'associate-vpc-cidr-block.rst'],
    ['subnet CIDR block association', newSubnetCidrAssociationId, 'subnet-cidr-assoc-01ef639edde556709', 'associate-subnet-cidr-block.rst'],
  ])('%s ids are shaped like %s (%s)', (_kind, mint, example) => {
    const shape = shapeOf(example);
    expect(example).toMatch(shape);
    for (let i = 0; i < 20; i++) expect(mint()).toMatch(shape);
  });
});

describe('ARNs', () => {
  // IPAM ARNs name no Region (every IPAM example); ids from the same examples as above.
  it.each([
    ['ipam', 'ipam-036486dfa6af58ee0', 'arn:aws:ec2::123456789012:ipam/ipam-036486dfa6af58ee0', 'create-ipam.rst'],
    [
      'ipam-scope',
      'ipam-scope-01c1ebab2b63bd7e4',
      'arn:aws:ec2::123456789012:ipam-scope/ipam-scope-01c1ebab2b63bd7e4',
      'create-ipam-scope.rst',
    ],
    ['ipam-pool', 'ipam-pool-0533048da7d823723', 'arn:aws:ec2::123456789012:ipam-pool/ipam-pool-0533048da7d823723', 'create-ipam-pool.rst'],
    [
      'ipam-resource-discovery',
      'ipam-res-disco-0257046d8aa78b8bc',
      'arn:aws:ec2::123456789012:ipam-resource-discovery/ipam-res-disco-0257046d8aa78b8bc',
      'create-ipam-resource-discovery.rst',
    ],
    [
      'ipam-resource-discovery-association',
      'ipam-res-disco-assoc-04382a6346357cf82',
      'arn:aws:ec2::123456789012:ipam-resource-discovery-association/ipam-res-disco-assoc-04382a6346357cf82',
      'associate-ipam-resource-discovery.rst',
    ],
    [
      'ipam-external-resource-verification-token',
      'ipam-ext-res-ver-token-0309ce7f67a768cf0',
      'arn:aws:ec2::123456789012:ipam-external-resource-verification-token/ipam-ext-res-ver-token-0309ce7f67a768cf0',
      'ec2-query.md §6',
    ],
  ] as const)('%s ARNs: %s is %s (%s)', (resource, id, arn, _source) => {
    expect(arnOf('123456789012', resource, id)).toBe(arn);
  });

  // describe-subnets.rst: "SubnetArn": "arn:aws:ec2:us-east-2:111122223333:subnet/subnet-0bb1c79de3EXAMPLE".
  it('EC2 resource ARNs name their Region', () => {
    expect(regionalEc2Arn('us-east-2', '111122223333', 'subnet', 'subnet-0bb1c79de3EXAMPLE')).toBe(
      'arn:aws:ec2:us-east-2:111122223333:subnet/subnet-0bb1c79de3EXAMPLE',
    );
  });

  // The kinds are DescribeTags' ResourceType values (EC2 model, TagDescription.ResourceType).
  it('tells the kind of each id this service tags by its shape', () => {
    expect(taggableKindOfId(newIpamId())).toBe('ipam');
    expect(taggableKindOfId(newScopeId())).toBe('ipam-scope');
    expect(taggableKindOfId(newPoolId())).toBe('ipam-pool');
    expect(taggableKindOfId(newResourceDiscoveryId())).toBe('ipam-resource-discovery');
    expect(taggableKindOfId(newResourceDiscoveryAssociationId())).toBe('ipam-resource-discovery-association');
    expect(taggableKindOfId(newVerificationTokenId())).toBe('ipam-external-resource-verification-token');
    expect(taggableKindOfId(newIpamPolicyId())).toBe('ipam-policy');
    expect(taggableKindOfId(newPrefixListResolverId())).toBe('ipam-prefix-list-resolver');
    expect(taggableKindOfId(newElasticIpAllocationId())).toBe('elastic-ip');
    expect(taggableKindOfId(newPublicIpv4PoolId())).toBe('ipv4pool-ec2');
    expect(taggableKindOfId(newVpcId())).toBe('vpc');
    expect(taggableKindOfId(newSubnetId())).toBe('subnet');
    expect(taggableKindOfId(newPrefixListId())).toBe('prefix-list');
    expect(taggableKindOfId(newPrefixListResolverTargetId())).toBe('ipam-prefix-list-resolver-target');
    expect(newPrefixListId()).toMatch(/^pl-0[0-9a-f]{16}$/);
    expect(newPublicIpv4PoolId()).toMatch(/^ipv4pool-ec2-0[0-9a-f]{16}$/);
    expect(newElasticIpAssociationId()).toMatch(/^eipassoc-0[0-9a-f]{16}$/);
    for (const other of [
      newElasticIpAssociationId(),
      newAllocationId(),
      newPoolCidrId(),
      newVpcCidrAssociationId(),
      newSubnetCidrAssociationId(),
      'igw-0123456789abcdef0',
    ]) {
      expect(taggableKindOfId(other)).toBeUndefined();
    }
  });
});

describe('event ids', () => {
  it('are version 7 UUIDs that sort in the order they were minted, within a millisecond and when the clock goes back', () => {
    const newEventId = eventIdMinter();
    const minted = [
      ...Array.from({ length: 5000 }, () => newEventId(1_796_700_000_000)),
      newEventId(1_796_699_999_000),
      newEventId(1_796_700_000_002),
    ];
    for (const id of minted) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...minted].sort()).toEqual(minted);
    expect(new Set(minted).size).toBe(minted.length);
    // The time is readable from the id (RFC 9562): the first 48 bits are the milliseconds.
    expect(Number.parseInt(minted[0].replace('-', '').slice(0, 12), 16)).toBe(1_796_700_000_000);
  });
});
