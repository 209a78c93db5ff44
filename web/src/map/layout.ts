// The CIDR map's geometry, pure: a window of address space (a CIDR) drawn as rows of equal
// address span, each block a rectangle to scale. Blocks narrower than a pixel are merged with
// their neighbours (a "dense" segment when kinds differ), so 10,000 allocations draw as a few
// hundred rectangles. Zooming moves the window to a CIDR 4 bits longer, down to a /28 (IPv4) or
// a /64 (IPv6). Unit-tested in test/unit/console/map-layout.test.ts.
import { bitsOf, type Cidr, type Family, sizeOf } from './cidr.ts';

export type BlockKind = 'allocated' | 'child-pool' | 'free';

export interface Block {
  start: bigint;
  size: bigint;
  kind: BlockKind;
  /** What hovering shows: the CIDR, resource, description. */
  label: string;
}

export interface Segment {
  row: number;
  /** Left edge and width in pixels. */
  x: number;
  width: number;
  kind: BlockKind | 'dense';
  /** The address range the segment covers. */
  start: bigint;
  size: bigint;
  /** The blocks merged into it (1 for a block drawn alone). */
  blocks: Block[];
}

export interface MapLayout {
  rows: number;
  /** Addresses per row. */
  rowSpan: bigint;
  segments: Segment[];
}

/** The smallest window the map zooms to. */
export const zoomFloor = (family: Family) => (family === 'ipv4' ? 28 : 64);
const ZOOM_STEP = 4;

/** The ranges of `window` no used block covers, in address order (blocks may overlap or stick out). */
export function freeRanges(window: Cidr, used: { start: bigint; size: bigint }[]): { start: bigint; size: bigint }[] {
  const end = window.start + sizeOf(window);
  const sorted = [...used].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const free: { start: bigint; size: bigint }[] = [];
  let cursor = window.start;
  for (const block of sorted) {
    const blockEnd = block.start + block.size;
    if (blockEnd <= cursor) continue;
    if (block.start >= end) break;
    if (block.start > cursor) free.push({ start: cursor, size: block.start - cursor });
    cursor = blockEnd;
  }
  if (cursor < end) free.push({ start: cursor, size: end - cursor });
  return free;
}

/** The largest aligned CIDR starting at `start` that fits in `size` addresses. */
function firstCidrOf(family: Family, start: bigint, size: bigint): Cidr {
  const bits = bitsOf(family);
  let hostBits = 0;
  while (hostBits < bits && (start & ((1n << BigInt(hostBits + 1)) - 1n)) === 0n && 1n << BigInt(hostBits + 1) <= size) hostBits++;
  return { family, start, prefix: bits - hostBits };
}

/** A range as the fewest aligned CIDRs (how a free range is offered for allocation). */
export function rangeToCidrs(family: Family, start: bigint, size: bigint): Cidr[] {
  const cidrs: Cidr[] = [];
  let cursor = start;
  const end = start + size;
  while (cursor < end) {
    const cidr = firstCidrOf(family, cursor, end - cursor);
    cidrs.push(cidr);
    cursor += sizeOf(cidr);
  }
  return cidrs;
}

/** The largest CIDR in a range (the first of them when several tie): what "allocate here" proposes. */
export function largestCidrIn(family: Family, start: bigint, size: bigint): Cidr {
  return rangeToCidrs(family, start, size).reduce((best, cidr) => (cidr.prefix < best.prefix ? cidr : best));
}

/** Rows for a window: 16 when it holds at least 256 addresses (each row a 16th), else one. */
export function rowsFor(window: Cidr): number {
  return bitsOf(window.family) - window.prefix >= 8 ? 16 : 1;
}

/** Pixels from the row's left edge to `offset` addresses into a row of `rowSpan`. */
const pixelsAt = (offset: bigint, rowSpan: bigint, width: number) => Number((offset * BigInt(Math.round(width * 1000))) / rowSpan) / 1000;

/**
 * Lays out `blocks` (allocations and child pools; free space is derived) over the window, `width`
 * pixels a row. Every address of the window lies in exactly one segment.
 */
export function layoutMap(window: Cidr, used: Block[], width: number): MapLayout {
  const rows = rowsFor(window);
  const rowSpan = sizeOf(window) / BigInt(rows);
  const windowEnd = window.start + sizeOf(window);
  const inside = used
    .filter((block) => block.start < windowEnd && block.start + block.size > window.start)
    .map((block) => {
      const blockEnd = block.start + block.size;
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.max does not take.
      const start = block.start < window.start ? window.start : block.start;
      // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min does not take.
      const end = blockEnd < windowEnd ? blockEnd : windowEnd;
      return { ...block, start, size: end - start };
    });
  const free: Block[] = freeRanges(window, inside).map((range) => ({ ...range, kind: 'free', label: 'free' }));
  const all = [...inside, ...free].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const segments: Segment[] = [];
  for (const block of all) {
    // A block crossing row ends is cut into one piece per row.
    let cursor = block.start;
    const end = block.start + block.size;
    while (cursor < end) {
      const row = Number((cursor - window.start) / rowSpan);
      const rowStart = window.start + BigInt(row) * rowSpan;
      const pieceEnd = end < rowStart + rowSpan ? end : rowStart + rowSpan;
      const x = pixelsAt(cursor - rowStart, rowSpan, width);
      const right = pixelsAt(pieceEnd - rowStart, rowSpan, width);
      const last = segments[segments.length - 1];
      const adjoins = last !== undefined && last.row === row && last.start + last.size === cursor;
      // A piece too thin to see alone joins its neighbour when that is of its kind or thin itself.
      if (adjoins && right - x < 1 && (last.kind === block.kind || last.width < 2)) {
        last.width = right - last.x;
        last.size += pieceEnd - cursor;
        if (last.kind !== block.kind) last.kind = 'dense';
        if (last.blocks[last.blocks.length - 1] !== block) last.blocks.push(block);
      } else {
        segments.push({ row, x, width: right - x, kind: block.kind, start: cursor, size: pieceEnd - cursor, blocks: [block] });
      }
      cursor = pieceEnd;
    }
  }
  return { rows, rowSpan, segments };
}

/** The window one zoom step in, around `address`; the same window at the floor. */
export function zoomIn(window: Cidr, address: bigint): Cidr {
  const prefix = Math.min(window.prefix + ZOOM_STEP, zoomFloor(window.family));
  if (prefix <= window.prefix) return window;
  const hostBits = BigInt(bitsOf(window.family) - prefix);
  return { family: window.family, start: (address >> hostBits) << hostBits, prefix };
}

/** The window one zoom step out, never wider than `outer` (the pool's CIDR). */
export function zoomOut(window: Cidr, outer: Cidr): Cidr {
  const prefix = Math.max(window.prefix - ZOOM_STEP, outer.prefix);
  const hostBits = BigInt(bitsOf(window.family) - prefix);
  return { family: window.family, start: (window.start >> hostBits) << hostBits, prefix };
}
