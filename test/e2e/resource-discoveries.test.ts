// Resource discoveries through the real HTTP service (spec §10): the JS SDK creates an IPAM,
// finds its default discovery and association, creates discoveries, associates, disassociates
// and deletes them; the AWS CLI lists them.
import {
  AssociateIpamResourceDiscoveryCommand,
  CreateIpamCommand,
  CreateIpamResourceDiscoveryCommand,
  DeleteIpamResourceDiscoveryCommand,
  DescribeIpamResourceDiscoveriesCommand,
  DescribeIpamResourceDiscoveryAssociationsCommand,
  DescribeIpamsCommand,
  DisassociateIpamResourceDiscoveryCommand,
  type EC2Client,
  GetIpamDiscoveredAccountsCommand,
  GetIpamDiscoveredPublicAddressesCommand,
  GetIpamDiscoveredResourceCidrsCommand,
  ModifyIpamResourceDiscoveryCommand,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnless } from '../support/optional-client.ts';
import { ADMIN, startTestService, type TestService } from '../support/service.ts';
import { awsCli, probeAwsCli } from './support/aws-cli.ts';
import { poll } from './support/poll.ts';
import { rejection } from './support/rejection.ts';

let service: TestService;
let ec2: EC2Client;

beforeAll(async () => {
  service = await startTestService();
  ec2 = service.ec2();
});
afterAll(async () => service?.stop());

const regionNames = (regions: { RegionName?: string }[] | undefined) => (regions ?? []).map((region) => region.RegionName).sort();

/** Polls, as a user of the guide does, until `read` answers `state` ('gone' once the record is not found). */
const settles = (what: string, read: () => Promise<string | undefined>, state: string) =>
  poll(
    () => read().catch((error: Error) => (error.name.endsWith('.NotFound') ? 'gone' : error.name)),
    (current) => current === state,
    `${what} to be ${state}`,
    { intervalMs: 200 },
  );
const discoveryState = (id: string, state: string) =>
  settles(
    id,
    async () =>
      (await ec2.send(new DescribeIpamResourceDiscoveriesCommand({ IpamResourceDiscoveryIds: [id] }))).IpamResourceDiscoveries?.[0]?.State,
    state,
  );
const associationState = (id: string, state: string) =>
  settles(
    id,
    async () =>
      (await ec2.send(new DescribeIpamResourceDiscoveryAssociationsCommand({ IpamResourceDiscoveryAssociationIds: [id] })))
        .IpamResourceDiscoveryAssociations?.[0]?.State,
    state,
  );

describe('resource discoveries with the JS SDK', () => {
  it('finds the default pair, associates a discovery of the home Region, then takes it apart', async () => {
    const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-west-2' }] }));
    const ipamId = Ipam!.IpamId!;
    expect(Ipam?.ResourceDiscoveryAssociationCount).toBe(1);
    await poll(
      async () => (await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }))).Ipams?.[0]?.State,
      (state) => state === 'create-complete',
      'the IPAM to be created',
      { intervalMs: 200 },
    );

    const { IpamResourceDiscoveries } = await ec2.send(new DescribeIpamResourceDiscoveriesCommand({}));
    expect(IpamResourceDiscoveries).toHaveLength(1);
    const defaultDiscovery = IpamResourceDiscoveries![0]!;
    expect(defaultDiscovery).toMatchObject({
      IpamResourceDiscoveryId: Ipam!.DefaultResourceDiscoveryId,
      IsDefault: true,
      IpamResourceDiscoveryRegion: 'us-east-1',
      OwnerId: ADMIN.accountId,
      State: 'create-complete',
    });
    expect(regionNames(defaultDiscovery.OperatingRegions)).toEqual(['us-east-1', 'us-west-2']);
    const { IpamResourceDiscoveryAssociations } = await ec2.send(new DescribeIpamResourceDiscoveryAssociationsCommand({}));
    expect(IpamResourceDiscoveryAssociations).toEqual([
      expect.objectContaining({
        IpamResourceDiscoveryAssociationId: Ipam!.DefaultResourceDiscoveryAssociationId,
        IpamResourceDiscoveryId: defaultDiscovery.IpamResourceDiscoveryId,
        IpamId: ipamId,
        IsDefault: true,
        ResourceDiscoveryStatus: 'active',
        State: 'associate-complete',
      }),
    ]);
    const refusedDelete = await rejection(
      ec2.send(new DeleteIpamResourceDiscoveryCommand({ IpamResourceDiscoveryId: defaultDiscovery.IpamResourceDiscoveryId })),
    );
    expect({ name: refusedDelete.name, status: refusedDelete.$metadata.httpStatusCode }).toEqual({
      name: 'InvalidParameterValue',
      status: 400,
    });

    // A discovery of another Region cannot join the IPAM (DN-40).
    const west = (await service.ec2({ region: 'us-west-2' }).send(new CreateIpamResourceDiscoveryCommand({ Description: 'west' })))
      .IpamResourceDiscovery!;
    expect(west.IpamResourceDiscoveryRegion).toBe('us-west-2');
    const refusedWest = await rejection(
      ec2.send(new AssociateIpamResourceDiscoveryCommand({ IpamId: ipamId, IpamResourceDiscoveryId: west.IpamResourceDiscoveryId })),
    );
    expect(refusedWest.name).toBe('InvalidParameterValue');
    expect(refusedWest.message).toContain('us-west-2');

    const created = (
      await ec2.send(
        new CreateIpamResourceDiscoveryCommand({
          Description: 'secondary org',
          OperatingRegions: [{ RegionName: 'us-west-2' }],
          TagSpecifications: [{ ResourceType: 'ipam-resource-discovery', Tags: [{ Key: 'Name', Value: 'secondary' }] }],
        }),
      )
    ).IpamResourceDiscovery!;
    // create-ipam-resource-discovery.rst answers create-in-progress; the EC2 model: "create-complete - Resource discovery creation is complete".
    expect(created).toMatchObject({ IsDefault: false, State: 'create-in-progress', Tags: [{ Key: 'Name', Value: 'secondary' }] });
    await discoveryState(created.IpamResourceDiscoveryId!, 'create-complete');
    expect(regionNames(created.OperatingRegions)).toEqual(['us-east-1', 'us-west-2']);
    const modified = await ec2.send(
      new ModifyIpamResourceDiscoveryCommand({
        IpamResourceDiscoveryId: created.IpamResourceDiscoveryId,
        AddOrganizationalUnitExclusions: [{ OrganizationsEntityPath: 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/*' }],
      }),
    );
    expect(modified.IpamResourceDiscovery?.OrganizationalUnitExclusions).toEqual([
      { OrganizationsEntityPath: 'o-a1b2c3d4e5/r-f6g7h8i9j0example/ou-ghi0-awsccecc/*' },
    ]);
    expect(modified.IpamResourceDiscovery?.State).toBe('modify-in-progress'); // modify-ipam-resource-discovery.rst
    await discoveryState(created.IpamResourceDiscoveryId!, 'modify-complete');

    const { IpamResourceDiscoveryAssociation: association } = await ec2.send(
      new AssociateIpamResourceDiscoveryCommand({ IpamId: ipamId, IpamResourceDiscoveryId: created.IpamResourceDiscoveryId }),
    );
    // associate-ipam-resource-discovery.rst answers associate-in-progress.
    expect(association).toMatchObject({
      IpamId: ipamId,
      IsDefault: false,
      State: 'associate-in-progress',
      ResourceDiscoveryStatus: 'active',
    });
    await associationState(association!.IpamResourceDiscoveryAssociationId!, 'associate-complete');
    expect((await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }))).Ipams?.[0]?.ResourceDiscoveryAssociationCount).toBe(2);

    const { IpamDiscoveredResourceCidrs, NextToken } = await ec2.send(
      new GetIpamDiscoveredResourceCidrsCommand({
        IpamResourceDiscoveryId: created.IpamResourceDiscoveryId,
        ResourceRegion: 'us-east-1',
        MaxResults: 5,
      }),
    );
    expect({ IpamDiscoveredResourceCidrs, NextToken }).toEqual({ IpamDiscoveredResourceCidrs: [], NextToken: undefined });
    const accounts = await ec2.send(
      new GetIpamDiscoveredAccountsCommand({ IpamResourceDiscoveryId: created.IpamResourceDiscoveryId, DiscoveryRegion: 'us-east-1' }),
    );
    expect(accounts.IpamDiscoveredAccounts).toEqual([]);
    const addresses = await ec2.send(
      new GetIpamDiscoveredPublicAddressesCommand({ IpamResourceDiscoveryId: created.IpamResourceDiscoveryId, AddressRegion: 'us-east-1' }),
    );
    expect(addresses.IpamDiscoveredPublicAddresses).toEqual([]);

    const { IpamResourceDiscoveryAssociation: gone } = await ec2.send(
      new DisassociateIpamResourceDiscoveryCommand({ IpamResourceDiscoveryAssociationId: association!.IpamResourceDiscoveryAssociationId }),
    );
    expect(gone?.State).toBe('disassociate-in-progress'); // disassociate-ipam-resource-discovery.rst
    await associationState(association!.IpamResourceDiscoveryAssociationId!, 'gone');
    expect((await ec2.send(new DescribeIpamsCommand({ IpamIds: [ipamId] }))).Ipams?.[0]?.ResourceDiscoveryAssociationCount).toBe(1);
    const deleted = await ec2.send(new DeleteIpamResourceDiscoveryCommand({ IpamResourceDiscoveryId: created.IpamResourceDiscoveryId }));
    expect(deleted.IpamResourceDiscovery?.State).toBe('delete-in-progress'); // delete-ipam-resource-discovery.rst
    await discoveryState(created.IpamResourceDiscoveryId!, 'gone');
    const missing = await rejection(
      ec2.send(new DescribeIpamResourceDiscoveriesCommand({ IpamResourceDiscoveryIds: [created.IpamResourceDiscoveryId!] })),
    );
    expect(missing.name).toBe('InvalidIpamResourceDiscoveryId.NotFound');
    await service
      .ec2({ region: 'us-west-2' })
      .send(new DeleteIpamResourceDiscoveryCommand({ IpamResourceDiscoveryId: west.IpamResourceDiscoveryId }));

    const probe = await probeAwsCli();
    if (skipUnless(probe.available, 'the AWS CLI step of this test', probe.reason)) return;
    const cli = await awsCli(service.url, ADMIN);
    const listed = await cli.ok('aws ec2 describe-ipam-resource-discoveries --filters Name=is-default,Values=true');
    expect(listed.json.IpamResourceDiscoveries).toEqual([
      expect.objectContaining({
        IpamResourceDiscoveryId: defaultDiscovery.IpamResourceDiscoveryId,
        IsDefault: true,
        IpamResourceDiscoveryRegion: 'us-east-1',
      }),
    ]);
  });
});

const cliProbe = await probeAwsCli();

describe.skipIf(skipUnless(cliProbe.available, 'the AWS CLI tests of association tags', cliProbe.reason))(
  'tags on resource discovery associations with the AWS CLI',
  () => {
    // A dozen AWS CLI runs of a second or more each on a busy machine.
    it('tags an association when it is made, filters on its tags, and changes them with create-tags and delete-tags', {
      timeout: 180_000,
    }, async () => {
      const cli = await awsCli(service.url, ADMIN, 'eu-central-1');
      const ipamId = (await cli.ok('aws ec2 create-ipam --query Ipam.IpamId --output text')).stdout.trim();
      const discoveryId = (
        await cli.ok('aws ec2 create-ipam-resource-discovery --query IpamResourceDiscovery.IpamResourceDiscoveryId --output text')
      ).stdout.trim();

      // EC2's model: AssociateIpamResourceDiscovery takes TagSpecifications ("Tag specifications.")
      // and IpamResourceDiscoveryAssociation answers its Tags; ResourceType names the association.
      const associated = await cli.ok(
        `aws ec2 associate-ipam-resource-discovery --ipam-id ${ipamId} --ipam-resource-discovery-id ${discoveryId} ` +
          `--tag-specifications 'ResourceType=ipam-resource-discovery-association,Tags=[{Key=cost-center,Value=cc123}]'`,
      );
      const association = associated.json.IpamResourceDiscoveryAssociation;
      expect(association.Tags).toEqual([{ Key: 'cost-center', Value: 'cc123' }]);
      const associationId: string = association.IpamResourceDiscoveryAssociationId;

      const describedBy = async (filter: string) =>
        (
          await cli.ok(`aws ec2 describe-ipam-resource-discovery-associations --filters ${filter}`)
        ).json.IpamResourceDiscoveryAssociations.map((each: { IpamResourceDiscoveryAssociationId: string; Tags: unknown }) => [
          each.IpamResourceDiscoveryAssociationId,
          each.Tags,
        ]);
      expect(await describedBy('Name=tag:cost-center,Values=cc123')).toEqual([[associationId, [{ Key: 'cost-center', Value: 'cc123' }]]]);
      expect(await describedBy('Name=tag:cost-center,Values=other')).toEqual([]);

      await cli.ok(`aws ec2 create-tags --resources ${associationId} --tags Key=team,Value=net`);
      expect(await describedBy('Name=tag-key,Values=team')).toEqual([
        [
          associationId,
          [
            { Key: 'cost-center', Value: 'cc123' },
            { Key: 'team', Value: 'net' },
          ],
        ],
      ]);
      await cli.ok(`aws ec2 delete-tags --resources ${associationId} --tags Key=cost-center`);
      expect(await describedBy(`Name=ipam-resource-discovery-association-id,Values=${associationId}`)).toEqual([
        [associationId, [{ Key: 'team', Value: 'net' }]],
      ]);
      await cli.ok(`aws ec2 disassociate-ipam-resource-discovery --ipam-resource-discovery-association-id ${associationId}`);
      // Disassociating answers disassociate-in-progress; the discovery is associated again once it is gone.
      const central = service.ec2({ region: 'eu-central-1' });
      await settles(
        associationId,
        async () =>
          (
            await central.send(
              new DescribeIpamResourceDiscoveryAssociationsCommand({ IpamResourceDiscoveryAssociationIds: [associationId] }),
            )
          ).IpamResourceDiscoveryAssociations?.[0]?.State,
        'gone',
      );

      // AWS's published example (examples/ec2/associate-ipam-resource-discovery.rst) tags with
      // ResourceType=ipam-resource-discovery and is answered the association with "Tags": [].
      const asInExample = await cli.ok(
        `aws ec2 associate-ipam-resource-discovery --ipam-id ${ipamId} --ipam-resource-discovery-id ${discoveryId} ` +
          `--tag-specifications 'ResourceType=ipam-resource-discovery,Tags=[{Key=cost-center,Value=cc123}]'`,
      );
      expect(asInExample.json.IpamResourceDiscoveryAssociation).toMatchObject({ IpamResourceDiscoveryId: discoveryId, Tags: [] });
      // Any other resource type is not a tag of this call (EC2: InvalidParameterValue).
      const refused = await cli.run(
        `aws ec2 create-ipam-resource-discovery --tag-specifications 'ResourceType=ipam-resource-discovery-association,Tags=[{Key=a,Value=b}]'`,
      );
      expect(refused.errorCode).toBe('InvalidParameterValue');
    });
  },
);
