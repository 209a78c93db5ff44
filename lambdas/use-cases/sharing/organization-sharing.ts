// EnableSharingWithAwsOrganization: the management account lets shares name its organisation and
// OUs, and lets its member accounts join shares without invitations.
import { IpamError } from '../../domain/errors.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';

export async function enableSharingWithAwsOrganization(deps: Dependencies, context: RequestContext) {
  const org = await deps.organization.organizationOf(context.accountId);
  if (!org || org.MasterAccountId !== context.accountId) {
    throw new IpamError(
      'OperationNotPermittedException',
      'Only the management account of an organisation can enable sharing with AWS Organizations.',
    );
  }
  await deps.organization.change(org.Id, (current) => {
    if (current.MasterAccountId !== context.accountId) {
      throw new IpamError(
        'OperationNotPermittedException',
        'Only the management account of an organisation can enable sharing with AWS Organizations.',
      );
    }
    return { ...current, sharingWithOrganizationEnabled: true };
  });
  return { returnValue: true };
}
