// Invitations: an account outside the owner's organisation (or any account before sharing with
// the organisation is enabled) joins a share by accepting one. Only its receiver sees it.
import { IpamError } from '../../domain/errors.ts';
import type { ResourceShareInvitation } from '../../domain/model/sharing.ts';
import { isInvitationArn } from '../../domain/sharing.ts';
import { retryOnConflict } from '../free-space.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';
import { pageOf, queryFingerprint } from '../kernel/pagination.ts';
import { presentInvitation } from './present.ts';
import { commitAnnouncing } from '../kernel/outbox.ts';
import { shareChange } from './announce.ts';

const notFound = (arn: string) =>
  new IpamError('ResourceShareInvitationArnNotFoundException', `The resource share invitation ${arn} could not be found.`);

function requireInvitationArn(arn: string): void {
  if (!isInvitationArn(arn)) throw new IpamError('MalformedArnException', `The specified invitation ARN ${arn} is malformed.`);
}

export async function getResourceShareInvitations(
  deps: Dependencies,
  context: RequestContext,
  input: { resourceShareInvitationArns?: string[]; resourceShareArns?: string[]; nextToken?: string; maxResults?: number },
) {
  if (input.resourceShareInvitationArns?.length && input.resourceShareArns?.length) {
    throw new IpamError('InvalidParameterException', 'Name invitations by resourceShareInvitationArns or resourceShareArns, not both.');
  }
  for (const arn of input.resourceShareInvitationArns ?? []) requireInvitationArn(arn);
  // Named invitations are read from the table (a new one is seen at once); the receiver's listing is an index that may lag.
  const named = input.resourceShareInvitationArns ?? [];
  const received = named.length
    ? (await Promise.all([...new Set(named)].map((arn) => deps.store.getResourceShareInvitation(arn)))).filter(
        (invitation): invitation is ResourceShareInvitation => invitation?.receiverAccountId === context.accountId,
      )
    : await deps.store.listResourceShareInvitations(context.accountId);
  for (const arn of input.resourceShareInvitationArns ?? []) {
    if (!received.some((invitation) => invitation.resourceShareInvitationArn === arn)) throw notFound(arn);
  }
  const selected = received
    .filter((i) => !input.resourceShareInvitationArns?.length || input.resourceShareInvitationArns.includes(i.resourceShareInvitationArn))
    .filter((i) => !input.resourceShareArns?.length || input.resourceShareArns.includes(i.resourceShareArn));
  const result = pageOf(
    deps.paginationSecret,
    queryFingerprint(['GetResourceShareInvitations', context.accountId, input.resourceShareInvitationArns, input.resourceShareArns]),
    selected,
    (i) => i.resourceShareInvitationArn,
    { NextToken: input.nextToken, MaxResults: input.maxResults },
    500,
  );
  return { resourceShareInvitations: result.items.map(presentInvitation), nextToken: result.nextToken };
}

async function answerInvitation(deps: Dependencies, context: RequestContext, arn: string, answer: 'ACCEPTED' | 'REJECTED') {
  requireInvitationArn(arn);
  const result = await retryOnConflict(async () => {
    const invitation = await deps.store.getResourceShareInvitation(arn);
    if (!invitation || invitation.receiverAccountId !== context.accountId) throw notFound(arn);
    if (invitation.status === 'ACCEPTED') {
      throw new IpamError('ResourceShareInvitationAlreadyAcceptedException', `The invitation ${arn} was already accepted.`);
    }
    if (invitation.status === 'REJECTED') {
      throw new IpamError('ResourceShareInvitationAlreadyRejectedException', `The invitation ${arn} was already rejected.`);
    }
    const view = await deps.store.getShareView(invitation.resourceShareArn);
    const association = view?.associations.find(
      (a) => a.associationType === 'PRINCIPAL' && a.associatedEntity === context.accountId && a.status === 'ASSOCIATING',
    );
    const now = deps.now().toISOString();
    if (view?.share.status !== 'ACTIVE' || !association || invitation.status === 'EXPIRED') {
      throw new IpamError(
        'ResourceShareInvitationExpiredException',
        `The invitation ${arn} has expired: the resource share was deleted or the account was removed from it.`,
      );
    }
    const answered: ResourceShareInvitation = { ...invitation, status: answer };
    await commitAnnouncing(
      deps,
      [
        // Invariant: the invitation is still PENDING as read, so it is answered once.
        { op: 'update', entity: { type: 'resource-share-invitation', value: answered } },
        // Invariant: the account is still ASSOCIATING in the share as read (not removed meanwhile).
        {
          op: 'update',
          entity: {
            type: 'resource-share-association',
            value: { ...association, status: answer === 'ACCEPTED' ? 'ASSOCIATED' : 'DISASSOCIATED', lastUpdatedTime: now },
          },
        },
      ],
      [
        shareChange(context, view.share, answer === 'ACCEPTED' ? 'invitation-accepted' : 'invitation-rejected', {
          principals: [context.accountId],
        }),
      ],
    );
    return { invitation: { ...answered, version: answered.version + 1 }, share: view.share };
  });
  return { resourceShareInvitation: presentInvitation(result.invitation) };
}

export const acceptResourceShareInvitation = (deps: Dependencies, context: RequestContext, input: { resourceShareInvitationArn: string }) =>
  answerInvitation(deps, context, input.resourceShareInvitationArn, 'ACCEPTED');

export const rejectResourceShareInvitation = (deps: Dependencies, context: RequestContext, input: { resourceShareInvitationArn: string }) =>
  answerInvitation(deps, context, input.resourceShareInvitationArn, 'REJECTED');
