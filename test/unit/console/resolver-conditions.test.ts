// The resolver rule editor's conditions as text: one a line, `property operation value`, read back
// into the API's condition members (a ResourceTag as key=value or the key alone).
import { describe, expect, it } from 'vitest';
import { conditionText, parseCondition } from '../../../web/src/resolver-conditions.ts';

describe('resolver rule conditions as text', () => {
  it('round-trip every property the API offers', () => {
    const conditions = [
      { Operation: 'equals', IpamPoolId: 'ipam-pool-0123456789abcdef0' },
      { Operation: 'subnet-of', Cidr: '10.0.0.0/8' },
      { Operation: 'not-equals', ResourceId: 'vpc-1' },
      { Operation: 'equals', ResourceOwner: '123456789012' },
      { Operation: 'equals', ResourceRegion: 'eu-west-1' },
      { Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } },
      { Operation: 'equals', ResourceTag: { Key: 'team' } },
    ];
    for (const condition of conditions) expect(parseCondition(conditionText(condition))).toEqual(condition);
    expect(conditionText({ Operation: 'equals', ResourceTag: { Key: 'env', Value: 'prod' } })).toBe('ResourceTag equals env=prod');
  });

  it('keep spaces inside a value and split a tag at its first =', () => {
    expect(parseCondition('  ResourceTag   equals  Name=a=b c ')).toEqual({
      Operation: 'equals',
      ResourceTag: { Key: 'Name', Value: 'a=b c' },
    });
    // A line that is not a condition goes as read, for the API to refuse in its words.
    expect(parseCondition('IpamPoolId')).toEqual({ Operation: undefined, IpamPoolId: '' });
  });
});
