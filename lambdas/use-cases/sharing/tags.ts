// TagResource and UntagResource: tags of the caller's own resource shares.
import { IpamError } from '../../domain/errors.ts';
import type { RamTag } from '../../domain/model/sharing.ts';
import { retryOnConflict } from '../free-space.ts';
import type { Dependencies, Output, RequestContext } from '../kernel/context.ts';
import { requireOwnShare, requireTags } from './share-rules.ts';

interface TagInput {
  resourceShareArn?: string;
  resourceArn?: string;
  tags?: RamTag[];
  tagKeys?: string[];
}

function taggedShareArn(input: TagInput): string {
  const arn = input.resourceShareArn ?? input.resourceArn;
  if (arn === undefined) throw new IpamError('MissingRequiredParameterException', 'Name the resource share to tag: resourceShareArn.');
  if (!arn.startsWith('arn:')) throw new IpamError('MalformedArnException', `The specified ARN ${arn} is malformed.`);
  if (!/:resource-share\//.test(arn))
    throw new IpamError('ResourceArnNotFoundException', `Only resource shares can be tagged here, not ${arn}.`);
  return arn;
}

export async function tagResource(deps: Dependencies, context: RequestContext, input: TagInput) {
  const arn = taggedShareArn(input);
  const added = requireTags(input.tags);
  return retryOnConflict(async () => {
    const { share } = await requireOwnShare(deps, context, arn);
    const tags = [...share.tags.filter((tag) => !added.some((other) => other.key === tag.key)), ...added];
    requireTags(tags);
    // Invariant: the share is still as read, so concurrent tag changes are not lost.
    await deps.store.commit([
      { op: 'update', entity: { type: 'resource-share', value: { ...share, tags, lastUpdatedTime: deps.now().toISOString() } } },
    ]);
    return {} as Output;
  });
}

export async function untagResource(deps: Dependencies, context: RequestContext, input: TagInput) {
  const arn = taggedShareArn(input);
  return retryOnConflict(async () => {
    const { share } = await requireOwnShare(deps, context, arn);
    const tags = share.tags.filter((tag) => !(input.tagKeys ?? []).includes(tag.key));
    // Invariant: the share is still as read, so concurrent tag changes are not lost.
    await deps.store.commit([
      { op: 'update', entity: { type: 'resource-share', value: { ...share, tags, lastUpdatedTime: deps.now().toISOString() } } },
    ]);
    return {} as Output;
  });
}
