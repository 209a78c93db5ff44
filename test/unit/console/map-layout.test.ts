// The CIDR map's geometry: every address of the window in exactly one segment, free space the
// complement of the blocks, thin blocks merged, zoom bounded by the pool's CIDR and /28 (/64).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCidr, parseCidr, sizeOf } from '../../../web/src/map/cidr.ts';
import { type Block, freeRanges, largestCidrIn, layoutMap, rangeToCidrs, zoomIn, zoomOut } from '../../../web/src/map/layout.ts';

const cidr = (text: string) => parseCidr(text)!;
const block = (text: string, kind: Block['kind'] = 'allocated'): Block => ({
  start: cidr(text).start,
  size: sizeOf(cidr(text)),
  kind,
  label: text,
});

describe('free space', () => {
  it('is the window less its blocks, in address order', () => {
    const window = cidr('10.0.0.0/24');
    const free = freeRanges(window, [block('10.0.0.64/26'), block('10.0.0.0/28')]);
    expect(free.flatMap((range) => rangeToCidrs('ipv4', range.start, range.size).map(formatCidr))).toEqual([
      '10.0.0.16/28',
      '10.0.0.32/27',
      '10.0.0.128/25',
    ]);
  });

  it('offers the largest CIDR of a free range for "allocate here"', () => {
    expect(formatCidr(largestCidrIn('ipv4', cidr('10.0.0.16/28').start, 16n + 32n + 128n))).toBe('10.0.0.64/26');
    expect(formatCidr(largestCidrIn('ipv4', cidr('10.0.0.16/28').start, 240n))).toBe('10.0.0.128/25');
    expect(formatCidr(largestCidrIn('ipv6', cidr('2001:db8::/64').start, 1n << 63n))).toBe('2001:db8::/65');
  });
});

describe('layout', () => {
  it('draws a /24 with a /26 allocation as 16 rows, the /26 filling four of them', () => {
    const layout = layoutMap(cidr('10.0.0.0/24'), [block('10.0.0.64/26')], 160);
    expect(layout.rows).toBe(16);
    const allocated = layout.segments.filter((segment) => segment.kind === 'allocated');
    expect(allocated.map((segment) => [segment.row, segment.x, segment.width])).toEqual([
      [4, 0, 160],
      [5, 0, 160],
      [6, 0, 160],
      [7, 0, 160],
    ]);
  });

  it('covers every address of the window exactly once, whatever the blocks', () => {
    const window = cidr('10.0.0.0/16');
    const blocks = fc.uniqueArray(fc.tuple(fc.integer({ min: 0, max: 4095 }), fc.constantFrom<Block['kind']>('allocated', 'child-pool')), {
      selector: ([index]) => index,
      maxLength: 300,
    });
    fc.assert(
      fc.property(blocks, fc.integer({ min: 50, max: 1200 }), (picked, width) => {
        const used = picked.map(([index, kind]) => ({ start: window.start + BigInt(index) * 16n, size: 16n, kind, label: '' }));
        const layout = layoutMap(window, used, width);
        let cursor = window.start;
        for (const segment of layout.segments) {
          expect(segment.start).toBe(cursor);
          cursor += segment.size;
        }
        expect(cursor).toBe(window.start + sizeOf(window));
        // Rows are filled edge to edge.
        for (let row = 0; row < layout.rows; row++) {
          const widths = layout.segments.filter((segment) => segment.row === row).reduce((sum, segment) => sum + segment.width, 0);
          expect(widths).toBeCloseTo(width, 3);
        }
        // Nothing allocated is lost in a merge.
        const drawn = layout.segments.flatMap((segment) => segment.blocks).filter((drawnBlock) => drawnBlock.kind !== 'free');
        expect(drawn.length).toBe(used.length);
      }),
      { numRuns: 50 },
    );
  });

  it('merges 4,096 /28s spread over a /12 (every other /28) into dense segments, not 8,000 rectangles', () => {
    const window = cidr('10.0.0.0/12');
    const used = Array.from({ length: 4096 }, (_, index) => ({
      start: window.start + BigInt(index) * 32n,
      size: 16n,
      kind: 'allocated' as const,
      label: '',
    }));
    const layout = layoutMap(window, used, 800);
    expect(layout.segments.length).toBeLessThan(1000);
    expect(layout.segments.some((segment) => segment.kind === 'dense')).toBe(true);
  });
});

describe('zoom', () => {
  it('steps in by 4 bits around an address, down to /28 (IPv4) and /64 (IPv6)', () => {
    expect(formatCidr(zoomIn(cidr('10.0.0.0/16'), cidr('10.0.77.5/32').start))).toBe('10.0.64.0/20');
    expect(formatCidr(zoomIn(cidr('10.0.0.0/26'), cidr('10.0.0.40/32').start))).toBe('10.0.0.32/28');
    expect(formatCidr(zoomIn(cidr('10.0.0.32/28'), cidr('10.0.0.40/32').start))).toBe('10.0.0.32/28');
    expect(formatCidr(zoomIn(cidr('2001:db8::/62'), cidr('2001:db8::/128').start))).toBe('2001:db8::/64');
  });

  it('steps out by 4 bits, never past the pool CIDR', () => {
    expect(formatCidr(zoomOut(cidr('10.0.64.0/20'), cidr('10.0.0.0/16')))).toBe('10.0.0.0/16');
    expect(formatCidr(zoomOut(cidr('10.0.64.0/20'), cidr('10.0.64.0/18')))).toBe('10.0.64.0/18');
  });
});

describe('CIDR text', () => {
  it('reads and writes IPv4 and IPv6, normalising host bits', () => {
    expect(formatCidr(cidr('10.1.2.3/8'))).toBe('10.0.0.0/8');
    expect(formatCidr(cidr('2001:0db8:0:0:1:0:0:0/48'))).toBe('2001:db8::/48');
    expect(formatCidr(cidr('2001:db8:0:1::/64'))).toBe('2001:db8:0:1::/64');
    expect(parseCidr('10.0.0.256/8')).toBeUndefined();
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
  });
});
