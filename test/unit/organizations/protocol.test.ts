// The Organizations protocol object with its use cases, on a real organisation file in a
// temporary directory: requests are built as the AWS CLI sends them (JSON 1.1, X-Amz-Target),
// decoded, run for a caller and encoded; answers and errors are read back as a client would.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InMemoryStore } from '../../../lambdas/adapters/memory/store.ts';
import { OrganizationFile } from '../../../lambdas/adapters/local/organization-file.ts';
import { StoredOrganizationDirectory } from '../../../lambdas/adapters/organization-directory.ts';
import { organizationsProtocol } from '../../../lambdas/adapters/organizations/protocol.ts';
import { IpamError, toIpamError } from '../../../lambdas/domain/errors.ts';
import type { Dependencies } from '../../../lambdas/use-cases/kernel/context.ts';
import { createUseCaseHarness } from '../../support/use-cases.ts';

const MANAGEMENT = '123456789012';
const MEMBER = '111122223333';
const ADMIN = '444455556666';
const OUTSIDER = '999988887777';

let dir: string;
let directory: StoredOrganizationDirectory;
let deps: Dependencies;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ipam-org-protocol-'));
  directory = new StoredOrganizationDirectory(new OrganizationFile(path.join(dir, 'organization.json')), {
    managementAccount: MANAGEMENT,
    keyedAccounts: async () => [MEMBER, ADMIN],
  });
  // Wired as `npm start` wires it, with the organisation on this test's file.
  deps = { ...(await createUseCaseHarness({ store: new InMemoryStore() })).deps, organization: directory };
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Answer {
  status: number;
  body: any;
  headers: Record<string, string>;
}

/** One request through decode, run and encode (or encodeError), as the router will drive it. */
async function call(operation: string, input: unknown, accountId = MANAGEMENT, headers: Record<string, string> = {}): Promise<Answer> {
  const request = {
    method: 'POST',
    path: '/',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': `AWSOrganizationsV20161128.${operation}`,
      ...headers,
    },
    body: new TextEncoder().encode(typeof input === 'string' ? input : JSON.stringify(input)),
  };
  try {
    const { action, input: decoded } = organizationsProtocol.decode(request);
    const output = await organizationsProtocol.run(deps, { accountId, region: 'us-east-1', requestId: 'r-1' }, action, decoded);
    const response = organizationsProtocol.encode(action, output, 'r-1');
    return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers };
  } catch (thrown) {
    if (!(thrown instanceof IpamError)) throw thrown;
    const response = organizationsProtocol.encodeError(toIpamError(thrown), 'r-1');
    return { status: response.statusCode, body: JSON.parse(response.body), headers: response.headers };
  }
}

async function rootId(): Promise<string> {
  return (await call('ListRoots', {})).body.Roots[0].Id;
}

describe('the default organisation (no file)', () => {
  it('is managed by the administrator, with every account that has keys a member in the root', async () => {
    const { status, body, headers } = await call('DescribeOrganization', {}, MEMBER);
    expect(status).toBe(200);
    expect(headers['Content-Type']).toBe('application/x-amz-json-1.1');
    expect(body.Organization).toMatchObject({ MasterAccountId: MANAGEMENT, FeatureSet: 'ALL' });
    expect(body.Organization.Id).toMatch(/^o-[a-z0-9]{10}$/);

    const accounts = (await call('ListAccounts', {})).body.Accounts;
    expect(accounts.map((account: { Id: string }) => account.Id).sort()).toEqual([MANAGEMENT, MEMBER, ADMIN].sort());
    // JSON 1.1 timestamps are epoch seconds.
    expect(typeof accounts[0].JoinedTimestamp).toBe('number');
    const inRoot = (await call('ListAccountsForParent', { ParentId: await rootId() })).body.Accounts;
    expect(inRoot).toHaveLength(3);
  });

  it('answers AWSOrganizationsNotInUseException to an account in no organisation', async () => {
    const { status, body, headers } = await call('DescribeOrganization', {}, OUTSIDER);
    expect(status).toBe(400);
    expect(body.__type).toBe('AWSOrganizationsNotInUseException');
    expect(headers['x-amzn-ErrorType']).toBe('AWSOrganizationsNotInUseException');
  });
});

describe('who may call what', () => {
  it('lets only the management account change the organisation', async () => {
    const root = await rootId();
    const refused = await call('CreateOrganizationalUnit', { ParentId: root, Name: 'Prod' }, MEMBER);
    expect(refused.body.__type).toBe('AccessDeniedException');
    expect((await call('ListOrganizationalUnitsForParent', { ParentId: root })).body.OrganizationalUnits).toEqual([]);
  });

  it('lets a member describe its organisation but not list it, until it is a delegated administrator', async () => {
    expect((await call('ListAccounts', {}, ADMIN)).body.__type).toBe('AccessDeniedException');
    const org = (await directory.list())[0]!;
    await directory.change(org.Id, (current) => ({
      ...current,
      delegatedAdministrators: [
        { AccountId: ADMIN, ServicePrincipal: 'ipam.amazonaws.com', DelegationEnabledDate: '2026-01-02T03:04:05.000Z' },
      ],
    }));
    expect((await call('ListAccounts', {}, ADMIN)).body.Accounts).toHaveLength(3);
    const { DelegatedAdministrators } = (await call('ListDelegatedAdministrators', { ServicePrincipal: 'ipam.amazonaws.com' }, MANAGEMENT))
      .body;
    expect(DelegatedAdministrators).toEqual([
      expect.objectContaining({ Id: ADMIN, Status: 'ACTIVE', DelegationEnabledDate: Date.parse('2026-01-02T03:04:05Z') / 1000 }),
    ]);
    expect((await call('ListDelegatedAdministrators', { ServicePrincipal: 'ram.amazonaws.com' })).body.DelegatedAdministrators).toEqual([]);
    expect((await call('ListAWSServiceAccessForOrganization', {})).body.EnabledServicePrincipals).toEqual([
      { ServicePrincipal: 'ipam.amazonaws.com', DateEnabled: Date.parse('2026-01-02T03:04:05Z') / 1000 },
    ]);
  });
});

describe('organizational units', () => {
  it('are created, nested, listed, described, renamed, and deleted only when empty', async () => {
    const root = await rootId();
    const prod = (await call('CreateOrganizationalUnit', { ParentId: root, Name: 'Prod' })).body.OrganizationalUnit;
    expect(prod.Id).toMatch(new RegExp(`^ou-${root.slice(2)}-[a-z0-9]{8}$`));
    const org = (await call('DescribeOrganization', {})).body.Organization;
    expect(prod.Path).toBe(`${org.Id}/${root}/${prod.Id}/`);
    expect(prod.Arn).toBe(`arn:aws:organizations::${MANAGEMENT}:ou/${org.Id}/${prod.Id}`);
    const web = (await call('CreateOrganizationalUnit', { ParentId: prod.Id, Name: 'Web' })).body.OrganizationalUnit;
    expect(web.Path).toBe(`${org.Id}/${root}/${prod.Id}/${web.Id}/`);

    expect((await call('CreateOrganizationalUnit', { ParentId: root, Name: 'Prod' })).body.__type).toBe(
      'DuplicateOrganizationalUnitException',
    );
    expect((await call('CreateOrganizationalUnit', { ParentId: 'ou-zzzz-zzzzzzzz', Name: 'X' })).body.__type).toBe(
      'ParentNotFoundException',
    );
    expect((await call('ListChildren', { ParentId: prod.Id, ChildType: 'ORGANIZATIONAL_UNIT' })).body.Children).toEqual([
      { Id: web.Id, Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect((await call('ListParents', { ChildId: web.Id })).body.Parents).toEqual([{ Id: prod.Id, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await call('ListParents', { ChildId: prod.Id })).body.Parents).toEqual([{ Id: root, Type: 'ROOT' }]);

    const renamed = (await call('UpdateOrganizationalUnit', { OrganizationalUnitId: web.Id, Name: 'Frontend' })).body.OrganizationalUnit;
    expect(renamed.Name).toBe('Frontend');
    expect((await call('DescribeOrganizationalUnit', { OrganizationalUnitId: web.Id })).body.OrganizationalUnit.Name).toBe('Frontend');

    expect((await call('DeleteOrganizationalUnit', { OrganizationalUnitId: prod.Id })).body.__type).toBe(
      'OrganizationalUnitNotEmptyException',
    );
    expect((await call('DeleteOrganizationalUnit', { OrganizationalUnitId: web.Id })).status).toBe(200);
    expect((await call('DeleteOrganizationalUnit', { OrganizationalUnitId: prod.Id })).status).toBe(200);
    expect((await call('DescribeOrganizationalUnit', { OrganizationalUnitId: prod.Id })).body.__type).toBe(
      'OrganizationalUnitNotFoundException',
    );
  });

  it('nest at most five levels deep', async () => {
    let parent = await rootId();
    for (let level = 1; level <= 5; level++) {
      parent = (await call('CreateOrganizationalUnit', { ParentId: parent, Name: `L${level}` })).body.OrganizationalUnit.Id;
    }
    const refused = await call('CreateOrganizationalUnit', { ParentId: parent, Name: 'L6' });
    expect(refused.body).toMatchObject({ __type: 'ConstraintViolationException', Reason: 'OU_DEPTH_LIMIT_EXCEEDED' });
  });
});

describe('MoveAccount', () => {
  it('moves an account between parents, with the Organizations errors for every wrong parent', async () => {
    const root = await rootId();
    const prod = (await call('CreateOrganizationalUnit', { ParentId: root, Name: 'Prod' })).body.OrganizationalUnit.Id;
    const move = (input: object) => call('MoveAccount', { AccountId: MEMBER, SourceParentId: root, DestinationParentId: prod, ...input });

    expect((await move({ SourceParentId: 'ou-zzzz-zzzzzzzz' })).body.__type).toBe('SourceParentNotFoundException');
    expect((await move({ DestinationParentId: 'ou-zzzz-zzzzzzzz' })).body.__type).toBe('DestinationParentNotFoundException');
    expect((await move({ AccountId: OUTSIDER })).body.__type).toBe('AccountNotFoundException');
    expect((await move({ DestinationParentId: root })).body.__type).toBe('DuplicateAccountException');
    expect((await move({})).status).toBe(200);
    expect((await call('ListParents', { ChildId: MEMBER })).body.Parents).toEqual([{ Id: prod, Type: 'ORGANIZATIONAL_UNIT' }]);
    expect((await call('ListAccountsForParent', { ParentId: prod })).body.Accounts.map((a: { Id: string }) => a.Id)).toEqual([MEMBER]);
    // Now it is not in the root any more.
    expect((await move({})).body.__type).toBe('AccountNotFoundException');
    expect((await call('DescribeAccount', { AccountId: MEMBER })).body.Account).toMatchObject({ Id: MEMBER, State: 'ACTIVE' });
  });
});

describe('pagination', () => {
  it('pages with MaxResults and a NextToken that only fits its own query', async () => {
    const root = await rootId();
    for (const name of ['a', 'b', 'c']) await call('CreateOrganizationalUnit', { ParentId: root, Name: name });
    const first = (await call('ListOrganizationalUnitsForParent', { ParentId: root, MaxResults: 2 })).body;
    expect(first.OrganizationalUnits).toHaveLength(2);
    const second = (await call('ListOrganizationalUnitsForParent', { ParentId: root, MaxResults: 2, NextToken: first.NextToken })).body;
    expect(second.OrganizationalUnits).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const misused = await call('ListAccounts', { NextToken: first.NextToken });
    expect(misused.body).toMatchObject({ __type: 'InvalidInputException', Reason: 'INVALID_NEXT_TOKEN' });
  });
});

describe('bad input', () => {
  it('names the member and the rule it broke', async () => {
    expect((await call('ListAccounts', { MaxResults: 21 })).body).toMatchObject({
      __type: 'InvalidInputException',
      Reason: 'MAX_VALUE_EXCEEDED',
    });
    expect((await call('DescribeAccount', { AccountId: '12' })).body).toMatchObject({
      __type: 'InvalidInputException',
      Reason: 'INVALID_PATTERN',
    });
    expect((await call('DescribeAccount', {})).body).toMatchObject({ __type: 'InvalidInputException', Reason: 'INPUT_REQUIRED' });
    expect((await call('ListChildren', { ParentId: await rootId(), ChildType: 'POLICY' })).body.Reason).toBe('INVALID_ENUM');
    expect((await call('DescribeAccount', { AccountId: 123456789012 })).body.__type).toBe('SerializationException');
    expect((await call('DescribeAccount', '{not json')).body.__type).toBe('SerializationException');
    expect(
      (await call('CreateOrganizationalUnit', { ParentId: await rootId(), Name: 'T', Tags: [{ Key: 'k', Value: 'v' }] })).body.__type,
    ).toBe('InvalidInputException');
  });

  it('answers UnknownOperationException to an operation it does not serve or a missing target', async () => {
    expect((await call('CreateAccount', {})).body.__type).toBe('UnknownOperationException');
    expect((await call('ListAccounts', {}, MANAGEMENT, { 'X-Amz-Target': 'AmazonSSM.ListDocuments' })).body.__type).toBe(
      'UnknownOperationException',
    );
  });
});

describe('authentication errors', () => {
  it('leave with the JSON services’ names', () => {
    const names = (code: ConstructorParameters<typeof IpamError>[0]) => {
      const response = organizationsProtocol.encodeError(new IpamError(code, 'm'), 'r');
      return [response.statusCode, JSON.parse(response.body).__type];
    };
    expect(names('AuthFailure')).toEqual([400, 'UnrecognizedClientException']);
    expect(names('SignatureDoesNotMatch')).toEqual([400, 'InvalidSignatureException']);
    expect(names('IncompleteSignature')).toEqual([400, 'IncompleteSignatureException']);
    expect(names('MissingAuthenticationToken')).toEqual([403, 'MissingAuthenticationTokenException']);
    expect(names('InternalError')).toEqual([500, 'ServiceException']);
  });
});
