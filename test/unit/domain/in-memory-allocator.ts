// A buddy allocator held in memory, built only from the domain's pure functions and doing with a
// Map what the store does with free-block items: best-fit query, carve (in bounded stages, as
// transactions would), release with merging inside the provisioned CIDR. The reference-model
// test drives it against a naive model of allocated ranges.
import {
  cidrsOverlap,
  compareCidrs,
  containsCidr,
  formatCidr,
  sameCidr,
  type AddressFamily,
  type Cidr,
} from '../../../lambdas/domain/cidr.ts';
import { nextMergeStep, partialCarve, placeInBlock } from '../../../lambdas/domain/free-space.ts';

/**
 * Best-fit order of free blocks for a request: smallest block first (longest prefix), lowest
 * address among equals; keeps large blocks whole for large requests. Family first for totality.
 * The store's bestFitKey must sort the same way (free-space.test.ts).
 */
export function bestFitOrder(a: Cidr, b: Cidr): number {
  if (a.family !== b.family || a.prefixLength === b.prefixLength) return compareCidrs(a, b);
  return b.prefixLength - a.prefixLength;
}

export interface FreeBlockEntry {
  readonly cidr: Cidr;
  /** The provisioned CIDR the block lies in. */
  readonly within: Cidr;
}

export interface NetmaskRequest {
  readonly allowed?: readonly Cidr[];
  readonly disallowed?: readonly Cidr[];
}

export class InMemoryBuddyAllocator {
  readonly family: AddressFamily;
  readonly #maxBlocksPerCommit: number;
  readonly #provisioned: Cidr[] = [];
  readonly #free = new Map<string, FreeBlockEntry>();

  /** `maxBlocksPerCommit` bounds the blocks one carve stage writes, like a transaction limit. */
  constructor(family: AddressFamily, maxBlocksPerCommit = 90) {
    this.family = family;
    this.#maxBlocksPerCommit = maxBlocksPerCommit;
  }

  provision(cidr: Cidr): void {
    if (cidr.family !== this.family || this.#provisioned.some((p) => cidrsOverlap(p, cidr))) {
      throw new Error(`cannot provision ${formatCidr(cidr)}`);
    }
    this.#provisioned.push(cidr);
    this.#put({ cidr, within: cidr });
  }

  /** Best fit: the first free block (smallest, then lowest) that can place the /n. */
  allocate(prefixLength: number, request: NetmaskRequest = {}): Cidr | undefined {
    const candidates = [...this.#free.values()]
      .filter((entry) => entry.cidr.prefixLength <= prefixLength)
      .sort((a, b) => bestFitOrder(a.cidr, b.cidr));
    for (const entry of candidates) {
      const target = placeInBlock(entry.cidr, prefixLength, request.allowed ?? [], request.disallowed ?? []);
      if (target !== undefined) {
        this.#carveOut(entry, target);
        return target;
      }
    }
    return undefined;
  }

  /** False when `cidr` is not entirely free (outside the pool, or overlapping an allocation). */
  allocateSpecific(cidr: Cidr): boolean {
    const entry = this.#freeBlockContaining(cidr);
    if (entry === undefined) return false;
    this.#carveOut(entry, cidr);
    return true;
  }

  release(cidr: Cidr): void {
    const within = this.#provisioned.find((p) => containsCidr(p, cidr));
    if (within === undefined || [...this.#free.values()].some((e) => cidrsOverlap(e.cidr, cidr))) {
      throw new Error(`${formatCidr(cidr)} is not allocated`);
    }
    let block = cidr;
    for (let step = nextMergeStep(block, within); step !== undefined; step = nextMergeStep(block, within)) {
      if (!this.#free.delete(formatCidr(step.buddy))) break;
      block = step.parent;
    }
    this.#put({ cidr: block, within });
  }

  freeBlocks(): FreeBlockEntry[] {
    return [...this.#free.values()].sort((a, b) => compareCidrs(a.cidr, b.cidr));
  }

  /** Like the store's index query: the free block with the greatest start <= cidr's start. */
  #freeBlockContaining(cidr: Cidr): FreeBlockEntry | undefined {
    const atOrBefore = [...this.#free.values()]
      .filter((e) => e.cidr.family === cidr.family && e.cidr.start <= cidr.start)
      .sort((a, b) => compareCidrs(b.cidr, a.cidr))[0];
    return atOrBefore !== undefined && containsCidr(atOrBefore.cidr, cidr) ? atOrBefore : undefined;
  }

  #carveOut(entry: FreeBlockEntry, target: Cidr): void {
    let block = entry.cidr;
    this.#free.delete(formatCidr(block));
    while (!sameCidr(block, target)) {
      const stage = partialCarve(block, target, this.#maxBlocksPerCommit);
      for (const freed of stage.freed) this.#put({ cidr: freed, within: entry.within });
      block = stage.remainder;
    }
  }

  #put(entry: FreeBlockEntry): void {
    const key = formatCidr(entry.cidr);
    if (this.#free.has(key)) throw new Error(`${key} is already free`);
    this.#free.set(key, entry);
  }
}
