// EnableIpamOrganizationAdminAccount, DisableIpamOrganizationAdminAccount (spec §1.2): the
// organisation's management account delegates IPAM administration to one member account, whose
// IPAM then discovers the whole organisation (domain/organization-discovery.ts), and takes it back.
import { IpamError } from '../domain/errors.ts';
import { delegateIpamAdministrator, removeIpamAdministrator, requireManagementAccount } from '../domain/delegation.ts';
import type { Organization } from '../domain/model/organization.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { commitAnnouncing } from './kernel/outbox.ts';

interface OrganizationAdminAccountInput {
  DelegatedAdminAccountId: string;
}

async function callerOrganization(deps: Dependencies, context: RequestContext, action: string): Promise<Organization> {
  const org = await deps.organization.organizationOf(context.accountId);
  if (!org) {
    throw new IpamError(
      'UnauthorizedOperation',
      `Account ${context.accountId} is not in an AWS Organizations organization; only an organization's management account can call ${action}`,
    );
  }
  return org;
}

/** Only an organisation's management account may delegate or take back (a DryRun asks this too). */
export async function authorizeOrganizationAdminChange(deps: Dependencies, context: RequestContext, action: string): Promise<void> {
  requireManagementAccount(await callerOrganization(deps, context, action), context.accountId, action);
}

/** Applies `edit` to the caller's organisation; true when it changed something (the edit returns its input when not). */
async function changeOrganization(
  deps: Dependencies,
  context: RequestContext,
  action: string,
  edit: (org: Organization) => Organization,
): Promise<{ org: Organization; changed: boolean }> {
  const { Id } = await callerOrganization(deps, context, action);
  let changed = false;
  // The edit checks its rules again on each organisation it is given: it may run more than once.
  const org = await deps.organization.change(Id, (current) => {
    const next = edit(current);
    changed = next !== current;
    return next;
  });
  return { org, changed };
}

/**
 * The organisation document is not in the store's transactions (a file under `npm start`), so
 * this event is committed to the outbox right after the change rather than with it: the one
 * event a crash in between can lose (docs/events.md).
 */
async function announce(deps: Dependencies, context: RequestContext, org: Organization, account: string, change: 'enabled' | 'disabled') {
  await commitAnnouncing(
    deps,
    [],
    [
      {
        event: {
          'detail-type': 'IPAM Organization Admin Account Change',
          detail: { organizationId: org.Id, delegatedAdminAccountId: account, change },
        },
        accountId: org.MasterAccountId,
        region: context.region,
      },
    ],
  );
}

export async function enableIpamOrganizationAdminAccount(
  deps: Dependencies,
  context: RequestContext,
  input: OrganizationAdminAccountInput,
) {
  const delegate = input.DelegatedAdminAccountId;
  const { org, changed } = await changeOrganization(deps, context, 'EnableIpamOrganizationAdminAccount', (current) =>
    delegateIpamAdministrator(current, context.accountId, delegate, deps.now()),
  );
  if (changed) await announce(deps, context, org, delegate, 'enabled');
  return { Success: true };
}

export async function disableIpamOrganizationAdminAccount(
  deps: Dependencies,
  context: RequestContext,
  input: OrganizationAdminAccountInput,
) {
  const delegate = input.DelegatedAdminAccountId;
  const { org } = await changeOrganization(deps, context, 'DisableIpamOrganizationAdminAccount', (current) =>
    removeIpamAdministrator(current, context.accountId, delegate),
  );
  await announce(deps, context, org, delegate, 'disabled');
  return { Success: true };
}
