// Share changes announced on the event bus (docs/events.md, `RAM Resource Share Change`), committed
// with the change (kernel/outbox.ts), as the account that made them, in the share's Region.
import type { ResourceShareChange } from '../../domain/model/events.ts';
import type { ResourceShare } from '../../domain/model/sharing.ts';
import type { RequestContext } from '../kernel/context.ts';
import type { Announcement } from '../kernel/outbox.ts';

export function shareChange(
  context: RequestContext,
  share: ResourceShare,
  change: ResourceShareChange['detail']['change'],
  entities: { resources?: string[]; principals?: string[] } = {},
): Announcement {
  return {
    event: {
      'detail-type': 'RAM Resource Share Change',
      detail: {
        resourceShareArn: share.resourceShareArn,
        name: share.name,
        owningAccountId: share.owningAccountId,
        change,
        status: share.status,
        ...entities,
      },
    },
    accountId: context.accountId,
    region: share.region,
  };
}
