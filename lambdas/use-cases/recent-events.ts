// ListRecentEvents, this service's own action (not EC2's: the JSON API serves it, the EC2 Query API
// answers InvalidAction): the events delivered lately, newest first, as the caller sees them — the
// events published as the caller's account in the Region it calls, as a describe shows what the
// caller owns there. The records are written when delivered events leave the outbox
// (kernel/outbox-forgetter.ts) and kept for IPAM_RECENT_EVENTS_RETENTION_DAYS.
import { IpamError } from '../domain/errors.ts';
import { isForgottenRecentEvent } from '../domain/expiry.ts';
import type { RecentEvent } from '../domain/model/events.ts';
import { EVENT_SOURCE } from '../ports/events.ts';
import type { Dependencies, Output, RequestContext } from './kernel/context.ts';
import { decodeNextToken, encodeNextToken, type ListRequest, queryFingerprint } from './kernel/pagination.ts';

export const RECENT_EVENTS_PAGE_DEFAULT = 20;
export const RECENT_EVENTS_PAGE_MAX = 100;

export async function listRecentEvents(deps: Dependencies, context: RequestContext, input: ListRequest): Promise<Output> {
  const limit = input.MaxResults ?? RECENT_EVENTS_PAGE_DEFAULT;
  if (limit < 1 || limit > RECENT_EVENTS_PAGE_MAX) {
    throw new IpamError(
      'InvalidParameterValue',
      `Value (${limit}) for parameter MaxResults is invalid. Expecting a value between 1 and ${RECENT_EVENTS_PAGE_MAX}.`,
    );
  }
  const query = queryFingerprint(['ListRecentEvents', context.accountId, context.region]);
  let position = input.NextToken === undefined ? undefined : decodeNextToken(deps.paginationSecret, query, input.NextToken);
  const now = deps.now();
  const found: RecentEvent[] = [];
  // Ask for no more than still fits, so the store's position is exactly where the next page starts.
  do {
    const page = await deps.store.listRecentEvents(context.accountId, context.region, { limit: limit - found.length, after: position });
    found.push(...page.items.filter((record) => !isForgottenRecentEvent(record, now)));
    position = page.next;
  } while (position && found.length < limit);
  return {
    Events: found.map(presentRecentEvent),
    NextToken: position ? encodeNextToken(deps.paginationSecret, query, position) : undefined,
  };
}

/** An event as the envelope delivered it (docs/events.md), in the API's member names. */
const presentRecentEvent = (record: RecentEvent) => ({
  EventId: record.eventId,
  Time: record.time,
  Source: EVENT_SOURCE,
  DetailType: record.event['detail-type'],
  Account: record.accountId,
  Region: record.region,
  Detail: record.event.detail,
});
