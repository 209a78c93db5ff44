// Tag rules EC2 applies to every taggable resource.
import { IpamError } from './errors.ts';
import type { Tag } from './model/record.ts';

export const MAX_TAGS_PER_RESOURCE = 50;

export interface TagSpecification {
  ResourceType?: string;
  Tags?: { Key?: string; Value?: string }[];
}

export function validTag(tag: { Key?: string; Value?: string }): Tag {
  const key = tag.Key;
  if (key === undefined || key.length < 1 || key.length > 128) {
    throw new IpamError('InvalidParameterValue', `Tag key '${key ?? ''}' must be 1 to 128 characters long`);
  }
  if (key.toLowerCase().startsWith('aws:')) {
    throw new IpamError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for AWS use: '${key}'`);
  }
  const value = tag.Value ?? '';
  if (value.length > 256) throw new IpamError('InvalidParameterValue', `Tag value for key '${key}' must be at most 256 characters long`);
  return { Key: key, Value: value };
}

/** The tags a create call asks for; specifications for other resource types are an error, as in EC2. */
export function tagsFromSpecifications(specifications: TagSpecification[] | undefined, resourceType: string): Tag[] {
  let tags: Tag[] = [];
  for (const specification of specifications ?? []) {
    if (specification.ResourceType !== resourceType) {
      throw new IpamError(
        'InvalidParameterValue',
        `'${specification.ResourceType ?? ''}' is not a valid taggable resource type for this operation; expected '${resourceType}'`,
      );
    }
    tags = mergeTags(tags, (specification.Tags ?? []).map(validTag));
  }
  return tags;
}

/** Adds or overwrites tags by key, keeping the per-resource limit. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((tag) => [tag.Key, tag.Value]));
  for (const tag of added) byKey.set(tag.Key, tag.Value);
  if (byKey.size > MAX_TAGS_PER_RESOURCE) {
    throw new IpamError('InvalidParameterValue', `A resource can have at most ${MAX_TAGS_PER_RESOURCE} tags`);
  }
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

/** DeleteTags semantics: a tag given with a value is removed only if the value matches. */
export function removeTags(existing: Tag[], removed: { Key?: string; Value?: string }[]): Tag[] {
  return existing.filter((tag) => !removed.some((r) => r.Key === tag.Key && (r.Value === undefined || r.Value === tag.Value)));
}
