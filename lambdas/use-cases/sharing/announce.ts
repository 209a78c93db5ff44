// Share changes announced on the event bus (docs/events.md, `RAM Resource Share Change`), after
// their commit, as the account that made them, in the share's Region.
import type { ResourceShare } from '../../domain/model/sharing.ts';
import type { ResourceShareChange } from '../../ports/events.ts';
import type { Dependencies, RequestContext } from '../kernel/context.ts';

export async function announceShare(
  deps: Dependencies,
  context: RequestContext,
  share: ResourceShare,
  change: ResourceShareChange['detail']['change'],
  entities: { resources?: string[]; principals?: string[] } = {},
): Promise<void> {
  await deps.events.publish(
    [
      {
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
    ],
    { accountId: context.accountId, region: share.region, time: deps.now() },
  );
}
