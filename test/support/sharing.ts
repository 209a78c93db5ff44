// An organisation to share in, and RAM requests sent through the RAM protocol object (decode,
// run, encode) as the router would, for tests below the HTTP layer.
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import { ramProtocol } from '../../lambdas/adapters/ram/protocol.ts';
import { toIpamError } from '../../lambdas/domain/errors.ts';
import type { Organization } from '../../lambdas/domain/model/organization.ts';
import { defaultOrganization, IPAM_SERVICE_PRINCIPAL, ouArn } from '../../lambdas/domain/organization.ts';
import type { UseCaseHarness } from './use-cases.ts';

export const MANAGEMENT = '123456789012';
export const ADMIN = '210987654321';
export const MEMBER_A = '111111111111';
export const MEMBER_B = '222222222222';
export const MEMBER_C = '333333333333';
export const MEMBER_D = '444444444444';
export const OUTSIDER = '999999999999';

/** The management account, a delegated IPAM administrator and four members; A and B in the OU `apps`, C and D in the root. */
export function sharingOrganization(): { org: Organization; appsOu: string; appsOuId: string } {
  const org = defaultOrganization(MANAGEMENT, [ADMIN, MEMBER_A, MEMBER_B, MEMBER_C, MEMBER_D]);
  const appsOuId = `ou-${org.RootId.slice(2)}-apps0001`;
  const appsOu = ouArn(MANAGEMENT, org.Id, appsOuId);
  org.organizationalUnits.push({ Id: appsOuId, Arn: appsOu, Name: 'apps', ParentId: org.RootId });
  for (const account of org.accounts) if (account.Id === MEMBER_A || account.Id === MEMBER_B) account.ParentId = appsOuId;
  org.delegatedAdministrators.push({
    AccountId: ADMIN,
    ServicePrincipal: IPAM_SERVICE_PRINCIPAL,
    DelegationEnabledDate: new Date(0).toISOString(),
  });
  return { org, appsOu, appsOuId };
}

/** Gives the harness the organisation (and any others, e.g. a second organisation sharing a resource discovery). */
export function useOrganizations(harness: UseCaseHarness, organizations: Organization[]): MemoryOrganizationDirectory {
  const directory = new MemoryOrganizationDirectory(organizations);
  harness.deps.organization = directory;
  return directory;
}

/** Moves an account to another parent (an OU or the root), as Organizations' MoveAccount would. */
export async function moveAccount(directory: MemoryOrganizationDirectory, org: Organization, accountId: string, parentId: string) {
  await directory.change(org.Id, (current) => ({
    ...current,
    accounts: current.accounts.map((account) => (account.Id === accountId ? { ...account, ParentId: parentId } : account)),
  }));
}

export interface RamAnswer {
  status: number;
  errorType?: string;
  body: any;
}

/** One RAM request as `accountId` in `region`: path and method as the RAM model names them, a JSON body or a query string. */
export async function ram(
  harness: UseCaseHarness,
  accountId: string,
  request: { method?: string; path: string; body?: unknown; query?: string; region?: string },
): Promise<RamAnswer> {
  const context = { ...harness.context, accountId, region: request.region ?? harness.context.region };
  const http = {
    method: request.method ?? 'POST',
    path: request.path,
    query: request.query,
    headers: { 'content-type': 'application/json' },
    body: new TextEncoder().encode(request.body === undefined ? '' : JSON.stringify(request.body)),
  };
  let response: { statusCode: number; headers: Record<string, string>; body: string };
  try {
    const { action, input } = ramProtocol.decode(http);
    response = ramProtocol.encode(action, await ramProtocol.run(harness.deps, context, action, input), 'test');
  } catch (error) {
    response = ramProtocol.encodeError(toIpamError(error), 'test');
  } finally {
    await harness.engine.drain();
  }
  return { status: response.statusCode, errorType: response.headers['x-amzn-ErrorType'], body: JSON.parse(response.body) };
}

/** An IPAM of `owner` in us-east-1 with a private IPv4 pool holding `cidr`, tagged Name=`name`. */
export async function ownerPool(harness: UseCaseHarness, owner: string, cidr: string, name = 'shared-pool') {
  const as = { accountId: owner };
  const { Ipam } = await harness.call('CreateIpam', {}, as);
  const { IpamPool } = await harness.call(
    'CreateIpamPool',
    {
      IpamScopeId: Ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      Locale: 'us-east-1',
      TagSpecifications: [
        {
          ResourceType: 'ipam-pool',
          Tags: [
            { Key: 'Name', Value: name },
            { Key: 'team', Value: 'network' },
          ],
        },
      ],
    },
    as,
  );
  await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: cidr }, as);
  return { ipam: Ipam, pool: IpamPool as { IpamPoolId: string; IpamPoolArn: string } };
}
