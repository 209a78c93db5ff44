// Planning on a pool's free space, kept as FREE BLOCKS in buddy-system canonical form: aligned
// CIDRs, and two free buddies inside the same provisioned CIDR never coexist (they are merged).
// Pure functions; the store turns their plans into conditional writes.
//
// Allocating /n: take the best-fit block (bestFitKey), place the /n in it (placeInBlock), carve
// it out (carve / partialCarve). Releasing: put the block back, then merge while nextMergeStep's
// buddy is free.
import {
  addressBits,
  buddyOf,
  cidrFromStart,
  cidrsOverlap,
  compareCidrs,
  containsCidr,
  formatCidr,
  halvesOf,
  lastAddress,
  parentOf,
  sameCidr,
  startHex,
  parseCidr,
  type AddressFamily,
  type Cidr,
} from './cidr.ts';
import type { FreeBlock } from './model/pool.ts';

function assertInside(block: Cidr, target: Cidr): void {
  if (!containsCidr(block, target)) {
    throw new RangeError(`${formatCidr(target)} does not lie inside ${formatCidr(block)}`);
  }
}

/** How many free blocks carving `target` out of `block` leaves: one buddy per level between them. */
export function carvedBlockCount(block: Cidr, target: Cidr): number {
  assertInside(block, target);
  return target.prefixLength - block.prefixLength;
}

/**
 * Carves only the first `maxBlocks` levels, for callers whose transactions hold a bounded number
 * of writes: `freed` are new free blocks, `remainder` is the smaller block that still contains
 * `target` (equal to `target` once every level is done). Carving the remainder next continues
 * where this stopped; the stages' `freed` together equal `carve(block, target)`.
 */
export function partialCarve(block: Cidr, target: Cidr, maxBlocks: number): { freed: Cidr[]; remainder: Cidr } {
  const levels = carvedBlockCount(block, target);
  if (levels > 0 && !(maxBlocks >= 1)) throw new RangeError(`maxBlocks must be at least 1, got ${maxBlocks}`);
  const freed: Cidr[] = [];
  let remainder = block;
  for (let level = 0; level < Math.min(levels, maxBlocks); level++) {
    const [lower, upper] = halvesOf(remainder);
    const targetInLower = containsCidr(lower, target);
    freed.push(targetInLower ? upper : lower);
    remainder = targetInLower ? lower : upper;
  }
  return { freed, remainder };
}

/**
 * The free blocks left when `target` is removed from `block`: the buddy of each of target's
 * ancestors below `block`, largest first (prefix lengths block+1 … target). With `target` they
 * tile `block` exactly, and they are already canonical (no two are buddies).
 */
export function carve(block: Cidr, target: Cidr): Cidr[] {
  return partialCarve(block, target, Infinity).freed;
}

/**
 * One merge step on release: `block` may join `buddy` (if that is free) into `parent`.
 * Undefined when `block` is the provisioned CIDR itself: merging never crosses its boundary, so
 * adjacent buddies like 10.0.0.0/9 and 10.128.0.0/9 provisioned separately stay apart.
 */
export function nextMergeStep(block: Cidr, within: Cidr): { buddy: Cidr; parent: Cidr } | undefined {
  assertInside(within, block);
  if (sameCidr(block, within)) return undefined;
  return { buddy: buddyOf(block), parent: parentOf(block) };
}

/**
 * The buddies a released block would merge with over its next `levels` merge steps, if each
 * merged: what a release reads ahead. Stops at /0; planMerge ignores any beyond the boundary.
 */
export function mergeBuddies(block: Cidr, levels: number): Cidr[] {
  const buddies: Cidr[] = [];
  for (let current = block; buddies.length < levels && current.prefixLength > 0; current = parentOf(current))
    buddies.push(buddyOf(current));
  return buddies;
}

interface MergePlan {
  /** Free buddies that join the block, lowest level first. */
  absorbed: Cidr[];
  /** The free block the release leaves: the block itself, or the parent the merges reach. */
  merged: Cidr;
  /** The first buddy seen not free: the plan holds only while it stays so. */
  blockedBy?: Cidr;
  /** Merging stopped at a buddy that was not read: it may go on above `merged`. */
  unread: boolean;
}

/**
 * How far a released block merges, given what was read of its buddies: `isFree` answers true,
 * false, or undefined for a buddy that was not read. Never crosses `within` (see nextMergeStep).
 */
export function planMerge(block: Cidr, within: Cidr, isFree: (buddy: Cidr) => boolean | undefined): MergePlan {
  const absorbed: Cidr[] = [];
  let merged = block;
  for (;;) {
    const step = nextMergeStep(merged, within);
    if (!step) return { absorbed, merged, unread: false };
    const free = isFree(step.buddy);
    if (free === undefined) return { absorbed, merged, unread: true };
    if (!free) return { absorbed, merged, blockedBy: step.buddy, unread: false };
    absorbed.push(step.buddy);
    merged = step.parent;
  }
}

/**
 * The spaces a commit grows: those in which it creates a free block that does not lie inside a
 * free block it deletes there. A split (an allocation's carve) deletes a block and creates only
 * pieces of it, each strictly smaller; only a growing commit (a release, a merge, a provision, a
 * new scope) can put free space where a largest-first scan has already been, so only these
 * advance the space's free-space epoch (use-cases/free-space.ts, `findExactly`).
 */
export function spacesGrown(deleted: readonly FreeBlock[], created: readonly FreeBlock[]): { spaceId: string; family: AddressFamily }[] {
  const grown = new Map<string, { spaceId: string; family: AddressFamily }>();
  const taken = deleted.map((block) => ({ spaceId: block.spaceId, cidr: parseCidr(block.cidr) }));
  for (const block of created) {
    const cidr = parseCidr(block.cidr);
    const split = taken.some((from) => from.spaceId === block.spaceId && containsCidr(from.cidr, cidr) && !sameCidr(from.cidr, cidr));
    if (!split) grown.set(`${block.spaceId}#${cidr.family}`, { spaceId: block.spaceId, family: cidr.family });
  }
  return [...grown.values()];
}

/**
 * Free blocks whose buddy is free too, inside the same provisioned CIDR: the pairs that a crash
 * between a release's commit and its later merges leaves apart. One block of each pair, lowest
 * address first; merging it (mergeFreeBlock) carries on upwards.
 */
export function unmergedBuddies(blocks: readonly FreeBlock[]): FreeBlock[] {
  const free = new Set(blocks.map((block) => `${block.within} ${formatCidr(parseCidr(block.cidr))}`));
  const seeds: FreeBlock[] = [];
  for (const block of blocks) {
    const cidr = parseCidr(block.cidr);
    const step = nextMergeStep(cidr, parseCidr(block.within));
    if (step && step.buddy.start > cidr.start && free.has(`${block.within} ${formatCidr(step.buddy)}`)) seeds.push(block);
  }
  return seeds.sort((a, b) => compareCidrs(parseCidr(a.cidr), parseCidr(b.cidr)));
}

/**
 * A sort key for best fit within one family: host-bit count (smallest block first), then address.
 * Blocks that can hold a /n are exactly the keys >= bestFitKeyFloor(family, n), smallest first.
 */
export function bestFitKey(c: Cidr): string {
  return `${hostBitsKey(c.family, c.prefixLength)}#${startHex(c)}`;
}

export function bestFitKeyFloor(family: AddressFamily, prefixLength: number): string {
  return hostBitsKey(family, prefixLength);
}

function hostBitsKey(family: AddressFamily, prefixLength: number): string {
  return String(addressBits(family) - prefixLength).padStart(3, '0');
}

/**
 * The lowest-addressed aligned /prefixLength inside `block` that lies inside some `allowed` CIDR
 * (when any are given) and overlaps no `disallowed` CIDR. Cost grows with the lists, not with the
 * number of candidates: it jumps past disallowed ranges instead of trying each /n (an IPv6 /32
 * holds 2^32 /64s).
 */
export function placeInBlock(block: Cidr, prefixLength: number, allowed: readonly Cidr[], disallowed: readonly Cidr[]): Cidr | undefined {
  const bits = addressBits(block.family);
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > bits) {
    throw new RangeError(`prefix length ${prefixLength} is outside 0–${bits}`);
  }
  if (prefixLength < block.prefixLength) return undefined;
  const size = 1n << BigInt(bits - prefixLength);
  const blocked = mergedRanges(disallowed.filter((d) => cidrsOverlap(d, block)));
  for (const region of allowedRegions(block, prefixLength, allowed)) {
    const start = lowestClearStart(region, size, blocked);
    if (start !== undefined) return cidrFromStart(block.family, start, prefixLength);
  }
  return undefined;
}

/**
 * The parts of `block` an allocation may use: the block itself, or each allowed CIDR's
 * intersection with it (aligned CIDRs nest, so that is the smaller of the two) that can hold a
 * /prefixLength. Ascending, an enclosing region before those inside it, so the first region with
 * room gives the lowest address.
 */
function allowedRegions(block: Cidr, prefixLength: number, allowed: readonly Cidr[]): Cidr[] {
  if (allowed.length === 0) return [block];
  return allowed
    .filter((a) => cidrsOverlap(a, block))
    .map((a) => (containsCidr(a, block) ? block : a))
    .filter((region) => region.prefixLength <= prefixLength)
    .sort(compareCidrs);
}

interface AddressRange {
  first: bigint;
  last: bigint;
}

/** Disjoint, ascending, non-touching ranges covering the same addresses as `cidrs`. */
function mergedRanges(cidrs: readonly Cidr[]): AddressRange[] {
  const ranges: AddressRange[] = [];
  for (const c of [...cidrs].sort(compareCidrs)) {
    const previous = ranges.at(-1);
    const last = lastAddress(c);
    if (previous !== undefined && c.start <= previous.last + 1n) {
      if (last > previous.last) previous.last = last;
    } else {
      ranges.push({ first: c.start, last });
    }
  }
  return ranges;
}

/** Lowest start, aligned to `size`, of a `size` range inside `region` that misses every blocked range. */
function lowestClearStart(region: Cidr, size: bigint, blocked: readonly AddressRange[]): bigint | undefined {
  const regionLast = lastAddress(region);
  let candidate = region.start;
  for (let i = firstRangeEndingAtOrAfter(blocked, candidate); i < blocked.length; i++) {
    const range = blocked[i];
    if (range.first > candidate + size - 1n) break;
    candidate = ((range.last + size) / size) * size; // next aligned start after the range
    if (candidate + size - 1n > regionLast) return undefined;
  }
  return candidate;
}

/** Binary search: ranges ending before `address` cannot affect candidates from `address` on. */
function firstRangeEndingAtOrAfter(ranges: readonly AddressRange[], address: bigint): number {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (ranges[middle].last < address) low = middle + 1;
    else high = middle;
  }
  return low;
}
