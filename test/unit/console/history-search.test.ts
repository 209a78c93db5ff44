// The address history search's pure parts: what was searched (a CIDR or an address), which CIDRs
// hold an address, the time range as StartTime/EndTime, and times as the page shows them.
import { describe, expect, it } from 'vitest';
import { cidrsHolding, formatTime, parseSearchTerm, timeRange } from '../../../web/src/search/history.ts';

describe('parseSearchTerm', () => {
  it('reads a CIDR in its canonical form and an address as its own /32 or /128', () => {
    expect(parseSearchTerm(' 10.0.0.0/24 ')).toEqual({ kind: 'cidr', cidr: '10.0.0.0/24' });
    expect(parseSearchTerm('10.0.0.7/24')).toEqual({ kind: 'cidr', cidr: '10.0.0.0/24' });
    expect(parseSearchTerm('10.0.0.5')).toEqual({ kind: 'address', address: '10.0.0.5', cidr: '10.0.0.5/32' });
    expect(parseSearchTerm('2001:db8::1')).toEqual({ kind: 'address', address: '2001:db8::1', cidr: '2001:db8::1/128' });
  });

  it('names what is wrong', () => {
    expect(parseSearchTerm('')).toEqual({ error: expect.stringMatching(/^Enter a CIDR/) });
    expect(parseSearchTerm('10.0.0.0/33')).toEqual({ error: '10.0.0.0/33 is not a CIDR.' });
    expect(parseSearchTerm('10.0.0.256')).toEqual({ error: '10.0.0.256 is neither a CIDR nor an IP address.' });
  });
});

describe('cidrsHolding', () => {
  it('keeps the CIDRs of the same family that hold the address, most specific first, once each', () => {
    const cidrs = ['10.0.0.0/16', '10.0.0.0/26', '10.0.1.0/24', '10.0.0.0/26', '2001:db8::/32', '0.0.0.0/0', 'nonsense'];
    expect(cidrsHolding('10.0.0.5', cidrs)).toEqual(['10.0.0.0/26', '10.0.0.0/16', '0.0.0.0/0']);
    expect(cidrsHolding('10.0.0.64', cidrs)).toEqual(['10.0.0.0/16', '0.0.0.0/0']);
    expect(cidrsHolding('2001:db8::5', cidrs)).toEqual(['2001:db8::/32']);
    expect(cidrsHolding('not an address', cidrs)).toEqual([]);
  });
});

describe('timeRange', () => {
  const now = new Date('2026-12-07T12:00:00.000Z');

  it('"now" leaves both times out; the spans end now', () => {
    expect(timeRange('now', now)).toEqual({});
    expect(timeRange('24h', now)).toEqual({ StartTime: '2026-12-06T12:00:00.000Z', EndTime: '2026-12-07T12:00:00.000Z' });
    expect(timeRange('7d', now)).toEqual({ StartTime: '2026-11-30T12:00:00.000Z', EndTime: '2026-12-07T12:00:00.000Z' });
    expect(timeRange('all', now)).toEqual({ StartTime: '1970-01-01T00:00:00.000Z', EndTime: '2026-12-07T12:00:00.000Z' });
  });

  it('a custom range takes either bound, and refuses a start after the end or a bad date', () => {
    // With an explicit offset, so the test does not depend on the machine's time zone.
    expect(timeRange('custom', now, { start: '2026-12-01T00:00:00Z', end: '2026-12-02T00:00:00Z' })).toEqual({
      StartTime: '2026-12-01T00:00:00.000Z',
      EndTime: '2026-12-02T00:00:00.000Z',
    });
    expect(timeRange('custom', now, { start: '2026-12-01T00:00:00Z' })).toEqual({
      StartTime: '2026-12-01T00:00:00.000Z',
      EndTime: '2026-12-07T12:00:00.000Z',
    });
    expect(timeRange('custom', now, { end: '2026-12-02T00:00:00Z' })).toEqual({
      StartTime: '1970-01-01T00:00:00.000Z',
      EndTime: '2026-12-02T00:00:00.000Z',
    });
    expect(timeRange('custom', now, {})).toEqual({ error: 'A custom range needs a start, an end, or both.' });
    expect(timeRange('custom', now, { start: '2026-12-03T00:00:00Z', end: '2026-12-02T00:00:00Z' })).toEqual({
      error: 'The start is after the end.',
    });
    expect(timeRange('custom', now, { start: 'yesterday' })).toEqual({ error: 'Start (yesterday) is not a date and time.' });
  });
});

describe('formatTime', () => {
  it('shows UTC to the second, and a dash for an open record', () => {
    expect(formatTime('2026-12-07T17:23:46.123Z')).toBe('2026-12-07 17:23:46 UTC');
    expect(formatTime(undefined)).toBe('—');
    expect(formatTime('garbage')).toBe('garbage');
  });
});
