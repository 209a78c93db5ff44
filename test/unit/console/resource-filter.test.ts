// The Resources page's filter as GetIpamResourceCidrs input, its page trail, and IP usage as text.
import { describe, expect, it } from 'vitest';
import { formatUsage, PageTrail, resourceCidrsInput } from '../../../web/src/search/resources.ts';

describe('resourceCidrsInput', () => {
  it('leaves empty fields out and trims the rest', () => {
    expect(resourceCidrsInput({ scopeId: 'ipam-scope-1', region: ' ', account: '', type: '' })).toEqual({ IpamScopeId: 'ipam-scope-1' });
    expect(resourceCidrsInput({ scopeId: 'ipam-scope-1', region: ' eu-west-1 ', account: '111122223333 ', type: 'vpc' })).toEqual({
      IpamScopeId: 'ipam-scope-1',
      ResourceOwner: '111122223333',
      ResourceType: 'vpc',
      Filters: [{ Name: 'resource-region', Values: ['eu-west-1'] }],
    });
  });
});

describe('PageTrail', () => {
  it('remembers the token of each page so Previous can go back', () => {
    const trail = new PageTrail();
    expect([trail.current, trail.number, trail.hasPrevious]).toEqual([undefined, 1, false]);
    trail.forward('t2');
    trail.forward('t3');
    expect([trail.current, trail.number, trail.hasPrevious]).toEqual(['t3', 3, true]);
    trail.back();
    expect(trail.current).toBe('t2');
    trail.back();
    trail.back();
    expect([trail.current, trail.number]).toEqual([undefined, 1]);
  });
});

describe('formatUsage', () => {
  it('is a percentage with one decimal, or a dash when absent', () => {
    expect(formatUsage(0.25)).toBe('25.0%');
    expect(formatUsage(0)).toBe('0.0%');
    expect(formatUsage(undefined)).toBe('—');
  });
});
