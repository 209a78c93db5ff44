// CreateTags and DeleteTags on IPAM resources (IPAMs, scopes, pools, resource discoveries and their associations).
import { IpamError } from '../domain/errors.ts';
import { resourceTypeOfId } from '../domain/ids.ts';
import type { Tag } from '../domain/model/record.ts';
import { mergeTags, removeTags, validTag } from '../domain/tags.ts';
import type { Entity, Write } from '../ports/store.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { requireIpam, requirePoolInHomeRegion, requireScope } from './kernel/lookup.ts';
import { requireAssociation, requireResourceDiscovery } from './resource-discoveries.ts';

/** One request changes its resources in one transaction, which holds at most 100 items. */
const MAX_RESOURCES_PER_REQUEST = 100;

interface TagsInput {
  Resources: string[];
  Tags?: { Key?: string; Value?: string }[];
}

type TaggableEntity = Extract<Entity, { type: 'ipam' | 'scope' | 'pool' | 'resource-discovery' | 'resource-discovery-association' }>;

async function taggable(deps: Dependencies, context: RequestContext, id: string): Promise<TaggableEntity> {
  switch (resourceTypeOfId(id)) {
    case 'ipam':
      return { type: 'ipam', value: await requireIpam(deps, context, id) };
    case 'ipam-scope':
      return { type: 'scope', value: await requireScope(deps, context, id) };
    case 'ipam-pool':
      return { type: 'pool', value: await requirePoolInHomeRegion(deps, context, id) };
    case 'ipam-resource-discovery':
      return { type: 'resource-discovery', value: await requireResourceDiscovery(deps, context, id) };
    case 'ipam-resource-discovery-association':
      return { type: 'resource-discovery-association', value: await requireAssociation(deps, context, id) };
    default:
      throw new IpamError('InvalidID', `The ID '${id}' is not valid`);
  }
}

async function retag(deps: Dependencies, context: RequestContext, input: TagsInput, change: (tags: Tag[]) => Tag[]) {
  if (input.Resources.length > MAX_RESOURCES_PER_REQUEST) {
    throw new IpamError('InvalidParameterValue', `At most ${MAX_RESOURCES_PER_REQUEST} resources can be tagged in one request`);
  }
  return retryOnConflict(async () => {
    const writes: Write[] = [];
    for (const id of new Set(input.Resources)) {
      const entity = await taggable(deps, context, id);
      const value = { ...entity.value, Tags: change(entity.value.Tags) };
      // Invariant: tags are replaced on the version read, so concurrent tag changes are not lost.
      writes.push({ op: 'update', entity: { type: entity.type, value } as TaggableEntity });
    }
    await deps.store.commit(writes);
    return {};
  });
}

export async function createTags(deps: Dependencies, context: RequestContext, input: TagsInput) {
  const added = (input.Tags ?? []).map(validTag);
  if (added.length === 0) throw new IpamError('MissingParameter', 'The request must contain the parameter Tags');
  return retag(deps, context, input, (tags) => mergeTags(tags, added));
}

export async function deleteTags(deps: Dependencies, context: RequestContext, input: TagsInput) {
  const removed = input.Tags ?? [];
  // DeleteTags without Tags removes every tag of the resources, as in EC2.
  return retag(deps, context, input, (tags) => (removed.length === 0 ? [] : removeTags(tags, removed)));
}
