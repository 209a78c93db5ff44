// examples/terraform/ (the configuration users start from) with Terraform's hashicorp/aws provider
// against the service, through its whole life: applied, planned again with no changes, updated in
// place while its regional pool CIDR is replaced together with the allocations it holds, destroyed,
// applied again and destroyed, with a clean plan after each step and the service read with the JS
// SDK. Each apply and destroy takes 30-70 s (the provider's fixed 5 s waits, one after another
// along the dependencies, and four starts of the provider), so independent changes share an apply.
// The test loads the example as a module from where it is (no copy) and gives it the endpoint
// and the keys as its input variables.
//
// Every aws_vpc_ipam* resource and data source of hashicorp/aws 5.100.0 (`terraform providers
// schema -json`) is in the example:
//   resources:    aws_vpc_ipam, aws_vpc_ipam_scope, aws_vpc_ipam_pool, aws_vpc_ipam_pool_cidr,
//                 aws_vpc_ipam_pool_cidr_allocation, aws_vpc_ipam_preview_next_cidr,
//                 aws_vpc_ipam_resource_discovery, aws_vpc_ipam_resource_discovery_association,
//                 aws_vpc_ipam_organization_admin_account
//   data sources: aws_vpc_ipam, aws_vpc_ipams, aws_vpc_ipam_pool, aws_vpc_ipam_pools,
//                 aws_vpc_ipam_pool_cidrs, aws_vpc_ipam_preview_next_cidr
//
// No network: see support/terraform.ts.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AllocateIpamPoolCidrCommand,
  DescribeIpamPoolsCommand,
  DescribeIpamResourceDiscoveriesCommand,
  DescribeIpamResourceDiscoveryAssociationsCommand,
  DescribeIpamScopesCommand,
  DescribeIpamsCommand,
  GetIpamPoolAllocationsCommand,
  GetIpamPoolCidrsCommand,
  type Tag,
} from '@aws-sdk/client-ec2';
import { ListDelegatedAdministratorsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, OTHER, startTestService, type TestService } from '../support/service.ts';
import { type TerraformWorkspace, terraformSkipReason, terraformWorkspace } from './support/terraform.ts';

const EXAMPLE = fileURLToPath(new URL('../../examples/terraform', import.meta.url));
const TF = ['-input=false', '-no-color'];

/** The example's input variables besides the endpoint and the keys (its defaults when left out). */
type Inputs = Record<string, unknown>;

/**
 * The root module: the example, run with the management account's key (ADMIN, the default
 * organisation's management account) delegating IPAM administration to the member OTHER.
 */
function configuration(directory: string, endpoint: string, inputs: Inputs = {}): string {
  return JSON.stringify({
    module: {
      example: {
        source: `./${path.relative(directory, EXAMPLE)}`,
        endpoint,
        access_key: ADMIN.accessKeyId,
        secret_key: ADMIN.secretAccessKey,
        delegated_admin_account_id: OTHER.accountId,
        ...inputs,
      },
    },
    output: { example: { value: '${module.example}' } },
  });
}

const UPDATED: Inputs = {
  name: 'updated',
  tags: { 'managed-by': 'terraform', team: 'network' },
  other_operating_regions: ['us-west-2', 'eu-west-1'],
  allocation_netmask_lengths: { min: 16, max: 27, default: 24 },
};

let service: TestService;
let workspace: TerraformWorkspace;
let organizations: OrganizationsClient;

const tagMap = (tags: Tag[] | undefined) => Object.fromEntries((tags ?? []).map((tag) => [tag.Key, tag.Value]));
const regions = (list: { RegionName?: string }[] | undefined) => (list ?? []).map((region) => region.RegionName).sort();

async function apply(inputs: Inputs = {}, ...args: string[]) {
  await workspace.configure(configuration(workspace.directory, service.url, inputs));
  return workspace.terraform('apply', '-auto-approve', ...TF, ...args);
}

/** `plan -detailed-exitcode` exits 2 on any difference, which fails the test with the plan. */
async function expectCleanPlan() {
  const { stdout } = await workspace.terraform('plan', '-detailed-exitcode', ...TF);
  expect(stdout).toContain('No changes.');
}

async function outputs() {
  return JSON.parse((await workspace.terraform('output', '-json')).stdout).example.value;
}

/** Everything of the example's kinds that the service holds. */
async function inService() {
  const ec2 = service.ec2();
  const pools = (await ec2.send(new DescribeIpamPoolsCommand({}))).IpamPools ?? [];
  const cidrsOf = async (IpamPoolId: string) => (await ec2.send(new GetIpamPoolCidrsCommand({ IpamPoolId }))).IpamPoolCidrs ?? [];
  const allocationsOf = async (IpamPoolId: string) =>
    ((await ec2.send(new GetIpamPoolAllocationsCommand({ IpamPoolId }))).IpamPoolAllocations ?? []).sort((a, b) =>
      a.Cidr!.localeCompare(b.Cidr!),
    );
  return {
    ipams: (await ec2.send(new DescribeIpamsCommand({}))).Ipams ?? [],
    scopes: (await ec2.send(new DescribeIpamScopesCommand({}))).IpamScopes ?? [],
    pools,
    cidrs: Object.fromEntries(await Promise.all(pools.map(async (pool) => [pool.IpamPoolId!, await cidrsOf(pool.IpamPoolId!)] as const))),
    allocations: Object.fromEntries(
      await Promise.all(pools.map(async (pool) => [pool.IpamPoolId!, await allocationsOf(pool.IpamPoolId!)] as const)),
    ),
    discoveries: (await ec2.send(new DescribeIpamResourceDiscoveriesCommand({}))).IpamResourceDiscoveries ?? [],
    associations: (await ec2.send(new DescribeIpamResourceDiscoveryAssociationsCommand({}))).IpamResourceDiscoveryAssociations ?? [],
    delegated:
      (await organizations.send(new ListDelegatedAdministratorsCommand({ ServicePrincipal: 'ipam.amazonaws.com' })))
        .DelegatedAdministrators ?? [],
  };
}

async function previewNextCidr(IpamPoolId: string, DisallowedCidrs?: string[]) {
  const { IpamPoolAllocation } = await service
    .ec2()
    .send(new AllocateIpamPoolCidrCommand({ IpamPoolId, NetmaskLength: 24, PreviewNextCidr: true, DisallowedCidrs }));
  return IpamPoolAllocation?.Cidr;
}

/**
 * The example as applied with `name` and the other inputs, read from the service; answers the ids
 * of what it found, so later steps can tell an update in place from a replacement.
 */
async function expectExampleInService(name: string, expected: { regions: string[]; tags: Record<string, string>; maxNetmask: number }) {
  const out = await outputs();
  const found = await inService();
  const withName = (suffix: string) => ({ ...expected.tags, Name: suffix ? `${name}-${suffix}` : name });

  expect(found.ipams).toHaveLength(1);
  const ipam = found.ipams[0]!;
  expect(ipam).toMatchObject({
    IpamId: out.ipam_id,
    Description: `${name} IPAM`,
    ScopeCount: 3,
    State: expect.stringMatching(/-complete$/),
  });
  expect(regions(ipam.OperatingRegions)).toEqual(expected.regions);
  expect(tagMap(ipam.Tags)).toEqual(withName(''));

  // The guide: "When you create an IPAM, IPAM creates two default scopes for you"; the lab scope is the third.
  expect(found.scopes).toHaveLength(3);
  const lab = found.scopes.find((scope) => scope.IpamScopeId === out.lab_scope_id);
  expect(lab).toMatchObject({ IpamScopeType: 'private', IsDefault: false, Description: `${name} lab scope` });
  expect(tagMap(lab!.Tags)).toEqual(withName('lab'));

  const top = found.pools.find((pool) => pool.IpamPoolId === out.pool_ids.top)!;
  const regional = found.pools.find((pool) => pool.IpamPoolId === out.pool_ids.regional)!;
  expect(found.pools).toHaveLength(3);
  // An Amazon-provided IPv6 pool answers no PubliclyAdvertisable (the EC2 model lets only BYOIPv6
  // pools send one): the provider's publicly_advertisable is ForceNew, not Computed, so a `true`
  // here made every plan after the first replace the pool (issue 17, item 10).
  const publicIpv6 = found.pools.find((pool) => pool.IpamPoolId === out.pool_ids.public_ipv6)!;
  const publicScope = found.scopes.find((scope) => scope.IpamScopeId === ipam.PublicDefaultScopeId)!;
  expect(publicIpv6).toMatchObject({
    IpamScopeArn: publicScope.IpamScopeArn,
    AddressFamily: 'ipv6',
    PublicIpSource: 'amazon',
    AwsService: 'ec2',
    Locale: 'us-east-1',
    Description: `${name} Amazon-provided IPv6 in us-east-1`,
    AllocationMinNetmaskLength: 0,
    AllocationMaxNetmaskLength: 128,
  });
  expect(publicIpv6).not.toHaveProperty('PubliclyAdvertisable');
  expect(tagMap(publicIpv6.Tags)).toEqual(withName('ipv6'));
  const privateScope = found.scopes.find((scope) => scope.IpamScopeId === ipam.PrivateDefaultScopeId)!;
  expect(top).toMatchObject({ IpamScopeArn: privateScope.IpamScopeArn, PoolDepth: 1, Description: `${name} top-level pool` });
  expect(tagMap(top.Tags)).toEqual(withName('top'));
  expect(regional).toMatchObject({
    SourceIpamPoolId: top.IpamPoolId,
    PoolDepth: 2,
    Locale: 'us-east-1',
    Description: `${name} pool in us-east-1`,
    AllocationMinNetmaskLength: 16,
    AllocationMaxNetmaskLength: expected.maxNetmask,
    AllocationDefaultNetmaskLength: 24,
    AllocationResourceTags: [{ Key: 'environment', Value: name }],
  });
  expect(tagMap(regional.Tags)).toEqual(withName('us-east-1'));

  expect(found.cidrs[top.IpamPoolId!].map(({ Cidr, State }) => ({ Cidr, State }))).toEqual([{ Cidr: '10.0.0.0/8', State: 'provisioned' }]);
  expect(found.cidrs[regional.IpamPoolId!].map(({ Cidr, State }) => ({ Cidr, State }))).toEqual([
    { Cidr: '10.0.0.0/16', State: 'provisioned' },
  ]);
  expect(out.regional_cidr).toBe('10.0.0.0/16');
  // The regional pool's /16, taken by netmask from the top-level pool, is an ipam-pool allocation there.
  expect(found.allocations[top.IpamPoolId!]).toEqual([
    expect.objectContaining({ Cidr: '10.0.0.0/16', ResourceType: 'ipam-pool', ResourceId: regional.IpamPoolId }),
  ]);
  const held = found.allocations[regional.IpamPoolId!];
  expect(held.map(({ Cidr, ResourceType, Description }) => ({ Cidr, ResourceType, Description }))).toEqual(
    [
      { Cidr: out.allocations.by_netmask, ResourceType: 'custom', Description: 'a /24, not the first' },
      { Cidr: '10.0.255.0/24', ResourceType: 'custom', Description: 'the last /24, reserved' },
    ].sort((a, b) => a.Cidr.localeCompare(b.Cidr)),
  );
  expect(out.allocations.by_cidr).toBe('10.0.255.0/24');
  expect(out.allocations.by_netmask).toMatch(/^10\.0\.\d+\.0\/24$/);
  expect(out.allocations.by_netmask).not.toBe('10.0.0.0/24'); // its disallowed_cidrs

  // The data source's preview is read at every plan and answers what the SDK's does; neither it nor
  // the preview resource reserves anything (only the two allocations above are held).
  expect(out.preview_next_cidr.now).toBe(await previewNextCidr(regional.IpamPoolId!, ['10.0.0.0/24']));

  expect(found.discoveries).toHaveLength(2);
  const extra = found.discoveries.find((discovery) => discovery.IpamResourceDiscoveryId === out.resource_discovery_id)!;
  expect(extra).toMatchObject({ IsDefault: false, Description: `${name} resource discovery` });
  expect(regions(extra.OperatingRegions)).toEqual(expected.regions);
  expect(tagMap(extra.Tags)).toEqual(withName('discovery'));
  expect(found.associations).toHaveLength(2);
  const association = found.associations.find((each) => each.IpamResourceDiscoveryId === extra.IpamResourceDiscoveryId)!;
  expect(association).toMatchObject({ IpamId: ipam.IpamId, IsDefault: false, State: 'associate-complete' });
  expect(tagMap(association.Tags)).toEqual(withName('discovery'));

  expect(found.delegated.map((account) => account.Id)).toEqual([OTHER.accountId]);
  expect(out.delegated_admin_account_id).toBe(OTHER.accountId);

  expect(out.read_back).toEqual({
    ipams: [ipam.IpamId],
    ipam_scope_count: 3,
    ipam_discovery_count: 2,
    regional_pool_id: regional.IpamPoolId,
    private_scope_pool_count: 2,
    regional_pool_cidrs: ['10.0.0.0/16 provisioned'],
  });

  return {
    ids: {
      ipam: ipam.IpamId,
      scope: lab!.IpamScopeId,
      top: top.IpamPoolId,
      regional: regional.IpamPoolId,
      publicIpv6: publicIpv6.IpamPoolId,
      discovery: extra.IpamResourceDiscoveryId,
      association: association.IpamResourceDiscoveryAssociationId,
    },
    regionalCidrId: found.cidrs[regional.IpamPoolId!][0]!.IpamPoolCidrId,
    allocationIds: held.map((allocation) => allocation.IpamPoolAllocationId).sort(),
    /** The preview resource's CIDR, kept from when it was created. */
    previewAtCreate: out.preview_next_cidr.at_create as string,
  };
}

async function expectNothingLeft() {
  const found = await inService();
  expect(found).toMatchObject({ ipams: [], scopes: [], pools: [], discoveries: [], associations: [], delegated: [] });
}

const DEFAULTS = { regions: ['us-east-1', 'us-west-2'], tags: { 'managed-by': 'terraform' }, maxNetmask: 28 };

beforeAll(async () => {
  if (terraformSkipReason) return;
  service = await startTestService();
  organizations = new OrganizationsClient({
    region: 'us-east-1',
    endpoint: service.url,
    credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: ADMIN.secretAccessKey },
    maxAttempts: 1,
  });
  workspace = await terraformWorkspace((directory) => configuration(directory, service.url), 'main.tf.json', { shareProvider: true });
}, 120_000);

afterAll(async () => {
  organizations?.destroy();
  await service?.stop();
  await workspace?.remove();
});

describe.skipIf(skipUnless(!terraformSkipReason, 'the Terraform example test (examples/terraform)', terraformSkipReason))(
  'examples/terraform with hashicorp/aws',
  () => {
    let first: Awaited<ReturnType<typeof expectExampleInService>>;

    it('applies every aws_vpc_ipam* resource and data source; a second plan changes nothing', { timeout: 300_000 }, async () => {
      await apply();
      first = await expectExampleInService('example', DEFAULTS);
      expect(first.previewAtCreate).toBe(await previewNextCidr(first.ids.regional!));
      await expectCleanPlan();
    });

    // One apply does two independent things, each checked on its own: the inputs change in place
    // (every id but the three replaced ones stays), and the regional pool CIDR is replaced together
    // with both of its allocations, as AWS refuses to deprovision a CIDR that still holds
    // allocations (the guide: "You can't deprovision the CIDR if there are allocations in the pool").
    it('updates descriptions, tags, Regions and a pool rule in place, and replaces the regional pool CIDR with its allocations (-replace on all three); the plan is clean', {
      timeout: 300_000,
    }, async () => {
      const example = 'module.example';
      const { stdout } = await apply(
        UPDATED,
        `-replace=${example}.aws_vpc_ipam_pool_cidr.regional`,
        `-replace=${example}.aws_vpc_ipam_pool_cidr_allocation.by_netmask`,
        `-replace=${example}.aws_vpc_ipam_pool_cidr_allocation.by_cidr`,
      );
      // Only the three named are replaced: the update replaces nothing.
      expect(stdout).toMatch(/Apply complete! Resources: 3 added, [1-9]\d* changed, 3 destroyed\./);
      const updated = await expectExampleInService('updated', {
        regions: ['eu-west-1', 'us-east-1', 'us-west-2'],
        tags: { 'managed-by': 'terraform', team: 'network' },
        maxNetmask: 27,
      });
      expect(updated.ids).toEqual(first.ids);
      expect(updated.previewAtCreate).toBe(first.previewAtCreate); // the preview resource stays
      expect(updated.regionalCidrId).not.toBe(first.regionalCidrId);
      // The provider finds a pool CIDR by filtering on its CIDR and needs exactly one row: the
      // CIDR provisioned again is one record, not a deprovisioned one beside a provisioned one.
      const { IpamPoolCidrs } = await service
        .ec2()
        .send(new GetIpamPoolCidrsCommand({ IpamPoolId: updated.ids.regional, Filters: [{ Name: 'cidr', Values: ['10.0.0.0/16'] }] }));
      expect(IpamPoolCidrs?.map(({ IpamPoolCidrId, State }) => ({ IpamPoolCidrId, State }))).toEqual([
        { IpamPoolCidrId: updated.regionalCidrId, State: 'provisioned' },
      ]);
      expect(updated.allocationIds.filter((id) => first.allocationIds.includes(id))).toEqual([]);
      await expectCleanPlan();
    });

    it('destroys everything: nothing is left in the service', { timeout: 300_000 }, async () => {
      await workspace.terraform('destroy', '-auto-approve', ...TF);
      await expectNothingLeft();
    });

    it('applies again from nothing, with new resources; the plan is clean', { timeout: 300_000 }, async () => {
      await apply();
      const again = await expectExampleInService('example', DEFAULTS);
      expect(again.previewAtCreate).toBe(await previewNextCidr(again.ids.regional!));
      expect(Object.values(again.ids).filter((id) => Object.values(first.ids).includes(id))).toEqual([]);
      await expectCleanPlan();
    });

    it('destroys everything again: nothing is left in the service', { timeout: 300_000 }, async () => {
      await workspace.terraform('destroy', '-auto-approve', ...TF);
      await expectNothingLeft();
    });
  },
);
