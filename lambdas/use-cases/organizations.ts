// The AWS Organizations calls the IPAM answers (adapters/organizations/protocol.ts decodes them),
// over deps.organization. Who may call what follows AWS Organizations: changes only the
// management account; lists and descriptions the management account or a delegated
// administrator; DescribeOrganization any account in the organisation; an account in none gets
// AWSOrganizationsNotInUseException whatever it asks. Timestamps leave as ISO 8601 strings; the
// protocol writes them as JSON 1.1 epoch seconds.
import { IpamError } from '../domain/errors.ts';
import type { Organization, OrganizationAccount, OrganizationalUnit } from '../domain/model/organization.ts';
import { findAccount, rootArn } from '../domain/organization.ts';
import {
  accountNotFound,
  createOrganizationalUnit,
  deleteOrganizationalUnit,
  findOrganizationalUnit,
  moveAccount,
  OrganizationsError,
  ouNotFound,
  ouPath,
  parentType,
  renameOrganizationalUnit,
} from '../domain/organization-edits.ts';
import type { Dependencies, Output, RequestContext, UseCase } from './kernel/context.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

/** Organizations returns at most 20 per page; its documentation names no default, so a page is full unless MaxResults says less. */
const PAGE_SIZE = 20;

const accessDenied = (accountId: string, action: string) =>
  new OrganizationsError('AccessDeniedException', `You don't have permissions to call ${action}: account ${accountId} is not allowed to.`);

async function callerOrganization(deps: Dependencies, context: RequestContext): Promise<Organization> {
  const org = await deps.organization.organizationOf(context.accountId);
  if (!org) {
    throw new IpamError('AWSOrganizationsNotInUseException', `Your account ${context.accountId} is not a member of an organization.`);
  }
  return org;
}

/** The management account, or an account the organisation delegated a service to, may read the organisation's structure. */
async function readableOrganization(deps: Dependencies, context: RequestContext, action: string): Promise<Organization> {
  const org = await callerOrganization(deps, context);
  const delegated = org.delegatedAdministrators.some((admin) => admin.AccountId === context.accountId);
  if (org.MasterAccountId !== context.accountId && !delegated) throw accessDenied(context.accountId, action);
  return org;
}

/** Changes the caller's organisation, refusing (inside the edit, so a concurrent change cannot slip past) any caller but its management account. */
async function changeOrganization(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  edit: (org: Organization) => Organization,
): Promise<Organization> {
  const { Id } = await callerOrganization(deps, context);
  return deps.organization.change(Id, (org) => {
    if (org.MasterAccountId !== context.accountId) throw accessDenied(context.accountId, action);
    return edit(org);
  });
}

const accountView = (org: Organization, account: OrganizationAccount): Output => ({
  Id: account.Id,
  Arn: account.Arn,
  Email: account.Email,
  Name: account.Name,
  Status: 'ACTIVE',
  State: 'ACTIVE',
  JoinedMethod: account.Id === org.MasterAccountId ? 'INVITED' : 'CREATED',
  JoinedTimestamp: account.JoinedTimestamp,
});

const ouView = (org: Organization, ou: OrganizationalUnit): Output => ({ Id: ou.Id, Arn: ou.Arn, Name: ou.Name, Path: ouPath(org, ou.Id) });

function page<T>(
  deps: Dependencies,
  context: RequestContext,
  query: unknown[],
  items: T[],
  idOf: (item: T) => string,
  request: ListRequest,
): { items: T[]; NextToken?: string } {
  const { items: onPage, nextToken } = pageOf(
    deps.paginationSecret,
    queryFingerprint(['organizations', context.accountId, ...query]),
    items,
    idOf,
    request,
    PAGE_SIZE,
  );
  return nextToken === undefined ? { items: onPage } : { items: onPage, NextToken: nextToken };
}

function requireParent(org: Organization, parentId: string): void {
  if (!parentType(org, parentId)) {
    throw new OrganizationsError('ParentNotFoundException', `You specified a root or organizational unit that doesn't exist: ${parentId}.`);
  }
}

async function describeOrganization(deps: Dependencies, context: RequestContext): Promise<Output> {
  const org = await callerOrganization(deps, context);
  const management = findAccount(org, org.MasterAccountId);
  return {
    Organization: {
      Id: org.Id,
      Arn: org.Arn,
      FeatureSet: 'ALL',
      MasterAccountArn: management?.Arn,
      MasterAccountId: org.MasterAccountId,
      MasterAccountEmail: management?.Email,
      AvailablePolicyTypes: [],
    },
  };
}

async function listRoots(deps: Dependencies, context: RequestContext, input: ListRequest): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListRoots');
  const root = { Id: org.RootId, Arn: rootArn(org.MasterAccountId, org.Id, org.RootId), Name: 'Root', PolicyTypes: [] };
  const { items, NextToken } = page(deps, context, ['ListRoots'], [root], (item) => item.Id, input);
  return { Roots: items, NextToken };
}

async function listAccounts(deps: Dependencies, context: RequestContext, input: ListRequest): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListAccounts');
  const { items, NextToken } = page(deps, context, ['ListAccounts'], org.accounts, (account) => account.Id, input);
  return { Accounts: items.map((account) => accountView(org, account)), NextToken };
}

async function listAccountsForParent(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { ParentId: string },
): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListAccountsForParent');
  requireParent(org, input.ParentId);
  const children = org.accounts.filter((account) => account.ParentId === input.ParentId);
  const { items, NextToken } = page(deps, context, ['ListAccountsForParent', input.ParentId], children, (account) => account.Id, input);
  return { Accounts: items.map((account) => accountView(org, account)), NextToken };
}

async function listOrganizationalUnitsForParent(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { ParentId: string },
): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListOrganizationalUnitsForParent');
  requireParent(org, input.ParentId);
  const children = org.organizationalUnits.filter((ou) => ou.ParentId === input.ParentId);
  const { items, NextToken } = page(deps, context, ['ListOrganizationalUnitsForParent', input.ParentId], children, (ou) => ou.Id, input);
  return { OrganizationalUnits: items.map((ou) => ouView(org, ou)), NextToken };
}

async function listChildren(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { ParentId: string; ChildType: 'ACCOUNT' | 'ORGANIZATIONAL_UNIT' },
): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListChildren');
  requireParent(org, input.ParentId);
  const ids = (input.ChildType === 'ACCOUNT' ? org.accounts : org.organizationalUnits)
    .filter((child) => child.ParentId === input.ParentId)
    .map((child) => child.Id);
  const { items, NextToken } = page(deps, context, ['ListChildren', input.ParentId, input.ChildType], ids, (id) => id, input);
  return { Children: items.map((Id) => ({ Id, Type: input.ChildType })), NextToken };
}

async function listParents(deps: Dependencies, context: RequestContext, input: ListRequest & { ChildId: string }): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListParents');
  const parentId = (findAccount(org, input.ChildId) ?? findOrganizationalUnit(org, input.ChildId))?.ParentId;
  if (parentId === undefined) {
    throw new OrganizationsError(
      'ChildNotFoundException',
      `You specified an account or organizational unit that doesn't exist: ${input.ChildId}.`,
    );
  }
  const parents = [{ Id: parentId, Type: parentType(org, parentId) }];
  const { items, NextToken } = page(deps, context, ['ListParents', input.ChildId], parents, (parent) => parent.Id, input);
  return { Parents: items, NextToken };
}

async function describeAccount(deps: Dependencies, context: RequestContext, input: { AccountId: string }): Promise<Output> {
  const org = await readableOrganization(deps, context, 'DescribeAccount');
  const account = findAccount(org, input.AccountId);
  if (!account) throw accountNotFound(input.AccountId);
  return { Account: accountView(org, account) };
}

async function describeOrganizationalUnit(
  deps: Dependencies,
  context: RequestContext,
  input: { OrganizationalUnitId: string },
): Promise<Output> {
  const org = await readableOrganization(deps, context, 'DescribeOrganizationalUnit');
  const ou = findOrganizationalUnit(org, input.OrganizationalUnitId);
  if (!ou) throw ouNotFound(input.OrganizationalUnitId);
  return { OrganizationalUnit: ouView(org, ou) };
}

async function createOu(
  deps: Dependencies,
  context: RequestContext,
  input: { ParentId: string; Name: string; Tags?: unknown[] },
): Promise<Output> {
  if (input.Tags !== undefined && input.Tags.length > 0) {
    throw new OrganizationsError(
      'InvalidInputException',
      'This service does not keep tags on organizational units; send no Tags.',
      'TARGET_NOT_SUPPORTED',
    );
  }
  let created: OrganizationalUnit | undefined;
  const org = await changeOrganization(deps, context, 'CreateOrganizationalUnit', (current) => {
    const result = createOrganizationalUnit(current, input.ParentId, input.Name);
    created = result.ou;
    return result.org;
  });
  return { OrganizationalUnit: ouView(org, created!) };
}

async function updateOu(
  deps: Dependencies,
  context: RequestContext,
  input: { OrganizationalUnitId: string; Name?: string },
): Promise<Output> {
  const org = await changeOrganization(deps, context, 'UpdateOrganizationalUnit', (current) => {
    if (input.Name !== undefined) return renameOrganizationalUnit(current, input.OrganizationalUnitId, input.Name).org;
    if (!findOrganizationalUnit(current, input.OrganizationalUnitId)) throw ouNotFound(input.OrganizationalUnitId);
    return current;
  });
  return { OrganizationalUnit: ouView(org, findOrganizationalUnit(org, input.OrganizationalUnitId)!) };
}

async function deleteOu(deps: Dependencies, context: RequestContext, input: { OrganizationalUnitId: string }): Promise<Output> {
  await changeOrganization(deps, context, 'DeleteOrganizationalUnit', (org) => deleteOrganizationalUnit(org, input.OrganizationalUnitId));
  return {};
}

async function move(
  deps: Dependencies,
  context: RequestContext,
  input: { AccountId: string; SourceParentId: string; DestinationParentId: string },
): Promise<Output> {
  await changeOrganization(deps, context, 'MoveAccount', (org) =>
    moveAccount(org, input.AccountId, input.SourceParentId, input.DestinationParentId),
  );
  return {};
}

async function listDelegatedAdministrators(
  deps: Dependencies,
  context: RequestContext,
  input: ListRequest & { ServicePrincipal?: string },
): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListDelegatedAdministrators');
  const delegations = org.delegatedAdministrators.filter(
    (admin) => input.ServicePrincipal === undefined || admin.ServicePrincipal === input.ServicePrincipal,
  );
  // An account delegated several services is listed once, with its earliest delegation.
  const byAccount = new Map<string, string>();
  for (const admin of delegations) {
    const known = byAccount.get(admin.AccountId);
    if (known === undefined || admin.DelegationEnabledDate < known) byAccount.set(admin.AccountId, admin.DelegationEnabledDate);
  }
  const admins = [...byAccount].flatMap(([accountId, since]) => {
    const account = findAccount(org, accountId);
    return account ? [{ ...accountView(org, account), Id: account.Id, DelegationEnabledDate: since }] : [];
  });
  const { items, NextToken } = page(
    deps,
    context,
    ['ListDelegatedAdministrators', input.ServicePrincipal ?? ''],
    admins,
    (admin) => admin.Id,
    input,
  );
  return { DelegatedAdministrators: items, NextToken };
}

async function listServiceAccess(deps: Dependencies, context: RequestContext, input: ListRequest): Promise<Output> {
  const org = await readableOrganization(deps, context, 'ListAWSServiceAccessForOrganization');
  const services: { ServicePrincipal: string; DateEnabled?: string }[] = org.delegatedAdministrators.map((admin) => ({
    ServicePrincipal: admin.ServicePrincipal,
    DateEnabled: admin.DelegationEnabledDate,
  }));
  // RAM's switch (EnableSharingWithAwsOrganization) keeps no date.
  if (org.sharingWithOrganizationEnabled) services.push({ ServicePrincipal: 'ram.amazonaws.com' });
  const unique = [...new Map(services.map((service) => [service.ServicePrincipal, service])).values()];
  const { items, NextToken } = page(
    deps,
    context,
    ['ListAWSServiceAccessForOrganization'],
    unique,
    (service) => service.ServicePrincipal,
    input,
  );
  return { EnabledServicePrincipals: items, NextToken };
}

/** The Organizations action table: one row per operation. */
export const ORGANIZATIONS_ACTIONS: Record<string, UseCase> = {
  DescribeOrganization: describeOrganization,
  ListRoots: listRoots,
  ListAccounts: listAccounts,
  ListAccountsForParent: listAccountsForParent,
  ListOrganizationalUnitsForParent: listOrganizationalUnitsForParent,
  ListChildren: listChildren,
  ListParents: listParents,
  DescribeAccount: describeAccount,
  DescribeOrganizationalUnit: describeOrganizationalUnit,
  CreateOrganizationalUnit: createOu,
  UpdateOrganizationalUnit: updateOu,
  DeleteOrganizationalUnit: deleteOu,
  MoveAccount: move,
  ListDelegatedAdministrators: listDelegatedAdministrators,
  ListAWSServiceAccessForOrganization: listServiceAccess,
};
