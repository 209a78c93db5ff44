// Length and count caps for input values the EC2 model leaves open. constraints.generated.json
// (from the botocore model) bounds no string of any IPAM input and few lists, yet everything we
// accept must fit the store: a DynamoDB item holds 400 KB and a sort key 1024 bytes, and a value
// beyond either made the write — or even the read — fail as a 500. A model bound, where there is
// one, wins over these. docs/limits.md lists them all.
import { MAX_TAGS_PER_RESOURCE } from '../../domain/tags.ts';

/** A cap on one string value; `bytes` counts its UTF-8 encoding, `characters` its code points. */
interface TextLimit {
  max: number;
  unit: 'characters' | 'bytes';
  /** Printable ASCII only (0x20–0x7E). */
  ascii?: boolean;
}

/** Identifiers, CIDRs, Region names, ARNs and every other short string: keys are built from them. */
const DEFAULT_TEXT: TextLimit = { max: 255, unit: 'bytes' };

/** By member name, the last segment of the value's path (`TagSpecifications[].Tags[].Key` → `Key`). */
const TEXT_BY_MEMBER: Record<string, TextLimit | null> = {
  // EC2 documents ClientToken as "Maximum 64 ASCII characters"; it is part of a table key.
  ClientToken: { max: 64, unit: 'characters', ascii: true },
  // EC2 tag limits (domain/tags.ts applies them to stored tags): key 128, value 256 characters.
  // The same members name the allocation resource tags and the ResourceTag filter.
  Key: { max: 128, unit: 'characters' },
  Value: { max: 256, unit: 'characters' },
  // Filter names and values: EC2 refuses values over 255 characters (protocol notes §8).
  Name: { max: 255, unit: 'characters' },
  Values: { max: 255, unit: 'characters' },
  // Free text, our choice: 64 KiB of UTF-8 stays far below the 400 KB item with room for tags.
  Description: { max: 64 * 1024, unit: 'bytes' },
  // BYOIP/BYOASN authorisation: a signed message and its base64 signature (RSA 4096 is 684 characters).
  Message: { max: 4096, unit: 'bytes' },
  Signature: { max: 4096, unit: 'bytes' },
  // An ARN (2048 at most in AWS) and an Organizations path of up to several OU levels.
  ExternalResourceIdentifier: { max: 2048, unit: 'bytes' },
  OrganizationsEntityPath: { max: 2048, unit: 'bytes' },
  // Not capped here: any token we did not issue, whatever its length, is InvalidPaginationToken
  // (use-cases/kernel/pagination.ts); it is never stored, and the body limit bounds it.
  NextToken: null,
};

/** Lists the model leaves unbounded: tags per resource as EC2 allows, else 1000 elements. */
const DEFAULT_LIST_ITEMS = 1000;
const ITEMS_BY_MEMBER: Record<string, number> = {
  Tags: MAX_TAGS_PER_RESOURCE,
  AllocationResourceTags: MAX_TAGS_PER_RESOURCE,
  AddAllocationResourceTags: MAX_TAGS_PER_RESOURCE,
  RemoveAllocationResourceTags: MAX_TAGS_PER_RESOURCE,
};

/** `TagSpecifications[].Tags[].Key` → `Key`, `Filters[].Values[]` → `Values`. */
function memberOf(rule: string): string {
  return rule.slice(rule.lastIndexOf('.') + 1).replace(/(\[\])+$/, '');
}

export function textLimit(rule: string): TextLimit | undefined {
  const limit = TEXT_BY_MEMBER[memberOf(rule)];
  return limit === null ? undefined : (limit ?? DEFAULT_TEXT);
}

export function listItemLimit(rule: string): number {
  return ITEMS_BY_MEMBER[memberOf(rule)] ?? DEFAULT_LIST_ITEMS;
}

/** How long `text` is in the limit's unit. */
export function measure(text: string, unit: TextLimit['unit']): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : [...text].length;
}
