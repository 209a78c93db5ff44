// RAM and Organizations through the JS SDK, a third serializer and error parser besides the AWS
// CLI's and boto3's (sharing-clients.test.ts, organizations.test.ts): times as Dates, RAM's
// REST paths and DELETE query string, modelled exceptions by name, and pagination.
import {
  CreateIpamCommand,
  CreateIpamPoolCommand,
  DescribeIpamPoolsCommand,
  EnableIpamOrganizationAdminAccountCommand,
} from '@aws-sdk/client-ec2';
import {
  CreateOrganizationalUnitCommand,
  DescribeOrganizationCommand,
  ListAccountsCommand,
  ListRootsCommand,
  OrganizationsClient,
  paginateListAccounts,
} from '@aws-sdk/client-organizations';
import {
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  EnableSharingWithAwsOrganizationCommand,
  GetResourceShareAssociationsCommand,
  GetResourceSharesCommand,
  ListResourcesCommand,
  RAMClient,
} from '@aws-sdk/client-ram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, MEMBER, OTHER, startTestService, type TestService } from '../support/service.ts';
import { poll } from './support/poll.ts';
import { rejection } from './support/rejection.ts';

type Key = typeof ADMIN;
let service: TestService;
const ram = (key: Key) => new RAMClient({ region: 'us-east-1', endpoint: service.url, credentials: key, maxAttempts: 1 });
const organizations = (key: Key) =>
  new OrganizationsClient({ region: 'us-east-1', endpoint: service.url, credentials: key, maxAttempts: 1 });

beforeAll(async () => {
  service = await startTestService({ extraAccounts: [MEMBER] });
});
afterAll(async () => service?.stop());

describe('Organizations with the JS SDK', () => {
  it('describes the organisation, pages its accounts, and refuses a member what only the management account may do', async () => {
    const { Organization } = await organizations(MEMBER).send(new DescribeOrganizationCommand({}));
    expect(Organization).toMatchObject({ MasterAccountId: ADMIN.accountId, Id: expect.stringMatching(/^o-[a-z0-9]{10}$/) });
    const pages = [];
    for await (const page of paginateListAccounts({ client: organizations(ADMIN), pageSize: 1 }, {})) pages.push(page.Accounts ?? []);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(
      pages
        .flat()
        .map((account) => account.Id)
        .sort(),
    ).toEqual([ADMIN.accountId, OTHER.accountId, MEMBER.accountId].sort());
    expect(pages.flat()[0]!.JoinedTimestamp).toBeInstanceOf(Date);
    const { Roots } = await organizations(ADMIN).send(new ListRootsCommand({}));
    const refused = await rejection(
      organizations(MEMBER).send(new CreateOrganizationalUnitCommand({ ParentId: Roots![0]!.Id, Name: 'x' })),
    );
    expect(refused).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((await rejection(organizations(MEMBER).send(new ListAccountsCommand({})))).name).toBe('AccessDeniedException');
  });
});

describe('RAM with the JS SDK', () => {
  it('shares a pool with an account, reads the share and its associations, and deletes it', async () => {
    await service.ec2().send(new EnableIpamOrganizationAdminAccountCommand({ DelegatedAdminAccountId: OTHER.accountId }));
    await ram(ADMIN).send(new EnableSharingWithAwsOrganizationCommand({}));
    const ec2 = service.ec2({ account: OTHER });
    const { Ipam } = await ec2.send(new CreateIpamCommand({ OperatingRegions: [{ RegionName: 'us-east-1' }] }));
    const { IpamPool } = await ec2.send(
      new CreateIpamPoolCommand({ IpamScopeId: Ipam!.PrivateDefaultScopeId, AddressFamily: 'ipv4', Locale: 'us-east-1' }),
    );
    const { resourceShare } = await ram(OTHER).send(
      new CreateResourceShareCommand({ name: 'apps', resourceArns: [IpamPool!.IpamPoolArn!], principals: [MEMBER.accountId] }),
    );
    expect(resourceShare).toMatchObject({ name: 'apps', owningAccountId: OTHER.accountId, status: 'ACTIVE' });
    expect(resourceShare!.creationTime).toBeInstanceOf(Date);
    const arn = resourceShare!.resourceShareArn!;

    const { resourceShareAssociations } = await ram(OTHER).send(
      new GetResourceShareAssociationsCommand({ associationType: 'PRINCIPAL', resourceShareArns: [arn] }),
    );
    expect(resourceShareAssociations).toEqual([expect.objectContaining({ associatedEntity: MEMBER.accountId, status: 'ASSOCIATED' })]);
    const { resources } = await ram(MEMBER).send(new ListResourcesCommand({ resourceOwner: 'OTHER-ACCOUNTS' }));
    expect(resources).toEqual([expect.objectContaining({ arn: IpamPool!.IpamPoolArn, type: 'ec2:IpamPool' })]);
    expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toHaveLength(1);

    // DELETE /deleteresourceshare?resourceShareArn=…: the query string is signed and read.
    expect((await ram(OTHER).send(new DeleteResourceShareCommand({ resourceShareArn: arn }))).returnValue).toBe(true);
    await poll(
      async () => (await ram(OTHER).send(new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [arn] }))).resourceShares,
      (shares) => shares?.[0]?.status === 'DELETED',
      'the share DELETED',
    );
    expect((await service.ec2({ account: MEMBER }).send(new DescribeIpamPoolsCommand({}))).IpamPools).toEqual([]);

    const unknown = await rejection(
      ram(OTHER).send(new DeleteResourceShareCommand({ resourceShareArn: arn.replace(/[0-9a-f]{4}$/, '0000') })),
    );
    expect(unknown.name).toBe('UnknownResourceException');
  });
});
