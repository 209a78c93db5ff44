// The RAM action table: every AWS RAM operation this service answers, and the use case behind
// it. Adding an operation = one row here, one use-case function and its row in the protocol's
// operation table (adapters/ram/operations.ts).
import { IpamError } from '../../domain/errors.ts';
import type { Dependencies, Input, Output, RequestContext, UseCase } from '../kernel/context.ts';
import { runOnce } from '../kernel/idempotency.ts';
import { acceptResourceShareInvitation, getResourceShareInvitations, rejectResourceShareInvitation } from './invitations.ts';
import { enableSharingWithAwsOrganization } from './organization-sharing.ts';
import { associateResourceSharePermission, getPermission, listPermissions, listResourceSharePermissions } from './permissions.ts';
import { getResourceShareAssociations, getResourceShares, listPrincipals, listResources } from './listing.ts';
import {
  associateResourceShare,
  createResourceShare,
  deleteResourceShare,
  disassociateResourceShare,
  updateResourceShare,
} from './shares.ts';
import { tagResource, untagResource } from './tags.ts';

interface RamActionSpec {
  run: UseCase;
  /** Honours clientToken: a retry with the same token and parameters gets the first answer. */
  idempotent?: boolean;
}

export const RAM_ACTIONS: Readonly<Record<string, RamActionSpec>> = {
  CreateResourceShare: { run: createResourceShare, idempotent: true },
  GetResourceShares: { run: getResourceShares },
  UpdateResourceShare: { run: updateResourceShare, idempotent: true },
  DeleteResourceShare: { run: deleteResourceShare, idempotent: true },
  AssociateResourceShare: { run: associateResourceShare, idempotent: true },
  DisassociateResourceShare: { run: disassociateResourceShare, idempotent: true },
  GetResourceShareAssociations: { run: getResourceShareAssociations },
  ListResources: { run: listResources },
  ListPrincipals: { run: listPrincipals },
  ListPermissions: { run: listPermissions },
  GetPermission: { run: getPermission },
  ListResourceSharePermissions: { run: listResourceSharePermissions },
  AssociateResourceSharePermission: { run: associateResourceSharePermission, idempotent: true },
  EnableSharingWithAwsOrganization: { run: enableSharingWithAwsOrganization },
  TagResource: { run: tagResource },
  UntagResource: { run: untagResource },
  GetResourceShareInvitations: { run: getResourceShareInvitations },
  AcceptResourceShareInvitation: { run: acceptResourceShareInvitation, idempotent: true },
  RejectResourceShareInvitation: { run: rejectResourceShareInvitation, idempotent: true },
};

/** Runs one decoded RAM request: clientToken idempotency, then the use case. */
export async function runRamAction(deps: Dependencies, context: RequestContext, action: string, input: Input): Promise<Output> {
  const spec = RAM_ACTIONS[action];
  if (!spec) throw new IpamError('InvalidAction', `The operation ${action} is not supported by this RAM endpoint.`);
  const { clientToken, ...params } = input;
  const run = () => spec.run(deps, context, params as never);
  if (!spec.idempotent || clientToken === undefined) return run();
  if (typeof clientToken !== 'string' || clientToken.length === 0 || clientToken.length > 64) {
    throw new IpamError('InvalidClientTokenException', 'The clientToken must be 1 to 64 characters.');
  }
  // Tokens are kept per account and action, like EC2's; the `ram:` prefix keeps the two services' tokens apart.
  const output = await runOnce(deps, context, { action: `ram:${action}`, clientToken, params, inCommit: false }, run);
  return { ...output, clientToken };
}
