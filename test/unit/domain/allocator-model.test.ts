// The buddy allocator (free blocks + best fit + carve + merge on release) checked against a naive
// reference: a list of allocated CIDRs, with free space and every choice computed from scratch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrSize,
  cidrsOverlap,
  compareCidrs,
  containsCidr,
  formatCidr,
  halvesOf,
  parseCidr,
  sameCidr,
  type AddressFamily,
  type Cidr,
} from '../../../lambdas/domain/cidr.ts';
import { InMemoryBuddyAllocator } from './in-memory-allocator.ts';
import { cidrInside } from './arbitraries.ts';

class ReferenceModel {
  readonly provisioned: readonly Cidr[];
  readonly allocations: Cidr[] = [];

  constructor(provisioned: readonly Cidr[]) {
    this.provisioned = provisioned;
  }

  isFree(c: Cidr): boolean {
    return this.provisioned.some((p) => containsCidr(p, c)) && !this.allocations.some((a) => cidrsOverlap(a, c));
  }

  /** Free space as the largest aligned free CIDRs inside each provisioned CIDR. */
  maximalFreeBlocks(): Cidr[] {
    const blocks: Cidr[] = [];
    const visit = (c: Cidr): void => {
      if (!this.allocations.some((a) => cidrsOverlap(a, c))) blocks.push(c);
      else if (!this.allocations.some((a) => containsCidr(a, c))) halvesOf(c).forEach(visit);
    };
    this.provisioned.forEach(visit);
    return blocks.sort(compareCidrs);
  }

  /** Best fit: the smallest maximal free block (lowest among equals) with a suitable /n, its lowest one. */
  expectedChoice(n: number, allowed: readonly Cidr[], disallowed: readonly Cidr[]): Cidr | undefined {
    const smallestThenLowest = (a: Cidr, b: Cidr) => b.prefixLength - a.prefixLength || (a.start < b.start ? -1 : 1);
    const blocks = this.maximalFreeBlocks()
      .filter((b) => b.prefixLength <= n)
      .sort(smallestThenLowest);
    for (const block of blocks) {
      const slot = slotsOf(block, n).find((c) => satisfies(c, allowed, disallowed));
      if (slot !== undefined) return slot;
    }
    return undefined;
  }

  /** Brute force over every aligned /n of the provisioned space. */
  anyFreeSlot(n: number, allowed: readonly Cidr[], disallowed: readonly Cidr[]): boolean {
    return this.provisioned
      .filter((p) => p.prefixLength <= n)
      .some((p) => slotsOf(p, n).some((c) => this.isFree(c) && satisfies(c, allowed, disallowed)));
  }
}

function slotsOf(block: Cidr, n: number): Cidr[] {
  const bits = block.family === 'ipv4' ? 32 : 128;
  const count = 1 << (n - block.prefixLength);
  return Array.from({ length: count }, (_, i) => ({
    family: block.family,
    start: block.start + (BigInt(i) << BigInt(bits - n)),
    prefixLength: n,
  }));
}

function satisfies(c: Cidr, allowed: readonly Cidr[], disallowed: readonly Cidr[]): boolean {
  return (allowed.length === 0 || allowed.some((a) => containsCidr(a, c))) && !disallowed.some((d) => cidrsOverlap(d, c));
}

const totalSize = (list: readonly Cidr[]) => list.reduce((sum, c) => sum + cidrSize(c), 0n);

interface PoolShape {
  family: AddressFamily;
  provisioned: string[];
  /** Where requested, allowed and disallowed CIDRs are drawn from: the pool and around it. */
  universes: string[];
  prefixes: [number, number];
}

const shapes: Record<string, PoolShape> = {
  'IPv4, adjacent /9 buddies provisioned separately, and a /12': {
    family: 'ipv4',
    provisioned: ['10.0.0.0/9', '10.128.0.0/9', '11.0.0.0/12'],
    universes: ['10.0.0.0/8', '11.0.0.0/11'],
    prefixes: [8, 18],
  },
  'IPv4, small CIDRs down to single addresses': {
    family: 'ipv4',
    provisioned: ['10.0.0.0/25', '10.0.0.128/25', '10.0.1.0/24', '10.0.3.0/26'],
    universes: ['10.0.0.0/22'],
    prefixes: [22, 32],
  },
  'IPv6, adjacent /49 buddies and a ULA /52': {
    family: 'ipv6',
    provisioned: ['2001:db8::/49', '2001:db8:0:8000::/49', 'fd80::/52'],
    universes: ['2001:db8::/48', 'fd80::/51'],
    prefixes: [48, 58],
  },
  'IPv6 at the top of the address space': {
    family: 'ipv6',
    provisioned: ['ffff:ff00::/25', 'ffff:ff80::/25'],
    universes: ['ffff:ff00::/24'],
    prefixes: [24, 34],
  },
  'the whole IPv4 space (a scope)': {
    family: 'ipv4',
    provisioned: ['0.0.0.0/0'],
    universes: ['0.0.0.0/0'],
    prefixes: [0, 8],
  },
  'the whole IPv6 space (a scope)': {
    family: 'ipv6',
    provisioned: ['::/0'],
    universes: ['::/0'],
    prefixes: [0, 8],
  },
};

type Operation =
  | { kind: 'allocate'; prefixLength: number; allowed: Cidr[]; disallowed: Cidr[] }
  | { kind: 'allocate-specific'; cidr: Cidr }
  | { kind: 'release'; pick: number };

interface Constraints {
  allowed: Cidr[];
  disallowed: Cidr[];
}

function operations(shape: PoolShape): fc.Arbitrary<Operation[]> {
  const [min, max] = shape.prefixes;
  const nearPool = fc.constantFrom(...shape.universes).chain((u) => cidrInside(u, min, max));
  const constraints: fc.Arbitrary<Constraints> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Constraints>({ allowed: [], disallowed: [] }) },
    {
      weight: 1,
      arbitrary: fc.record({ allowed: fc.array(nearPool, { maxLength: 3 }), disallowed: fc.array(nearPool, { maxLength: 4 }) }),
    },
  );
  const allocate = fc
    .tuple(fc.integer({ min, max }), constraints)
    .map(([prefixLength, c]): Operation => ({ kind: 'allocate', prefixLength, ...c }));
  const allocateSpecific = nearPool.map((cidr): Operation => ({ kind: 'allocate-specific', cidr }));
  const release = fc.nat().map((pick): Operation => ({ kind: 'release', pick }));
  return fc.array(
    fc.oneof({ weight: 4, arbitrary: allocate }, { weight: 2, arbitrary: allocateSpecific }, { weight: 2, arbitrary: release }),
    { maxLength: 40 },
  );
}

function expectSameState(allocator: InMemoryBuddyAllocator, model: ReferenceModel): void {
  const free = allocator.freeBlocks();
  // Canonical form: the free blocks are exactly the maximal free aligned blocks.
  expect(free.map((e) => formatCidr(e.cidr))).toEqual(model.maximalFreeBlocks().map(formatCidr));
  for (const entry of free) {
    expect(model.provisioned.some((p) => sameCidr(p, entry.within))).toBe(true);
    expect(containsCidr(entry.within, entry.cidr)).toBe(true);
    expect(model.allocations.some((a) => cidrsOverlap(a, entry.cidr))).toBe(false);
  }
  // Exact accounting: free + allocated == provisioned.
  expect(totalSize(free.map((e) => e.cidr)) + totalSize(model.allocations)).toBe(totalSize(model.provisioned));
}

function apply(operation: Operation, allocator: InMemoryBuddyAllocator, model: ReferenceModel): void {
  switch (operation.kind) {
    case 'allocate': {
      const { prefixLength, allowed, disallowed } = operation;
      const expected = model.expectedChoice(prefixLength, allowed, disallowed);
      const chosen = allocator.allocate(prefixLength, { allowed, disallowed });
      if (chosen === undefined) {
        expect(model.anyFreeSlot(prefixLength, allowed, disallowed)).toBe(false);
        return;
      }
      expect(model.allocations.some((a) => cidrsOverlap(a, chosen))).toBe(false);
      expect(model.provisioned.some((p) => containsCidr(p, chosen))).toBe(true);
      expect(satisfies(chosen, allowed, disallowed)).toBe(true);
      expect(formatCidr(chosen)).toBe(expected && formatCidr(expected));
      model.allocations.push(chosen);
      return;
    }
    case 'allocate-specific': {
      const free = model.isFree(operation.cidr);
      expect(allocator.allocateSpecific(operation.cidr)).toBe(free);
      if (free) model.allocations.push(operation.cidr);
      return;
    }
    case 'release': {
      if (model.allocations.length === 0) return;
      const [released] = model.allocations.splice(operation.pick % model.allocations.length, 1);
      allocator.release(released);
    }
  }
}

describe('the buddy allocator behaves like the reference model', () => {
  it.each(Object.entries(shapes))('%s', (_, shape) => {
    const provisioned = shape.provisioned.map(parseCidr);
    fc.assert(
      fc.property(
        operations(shape),
        fc.array(fc.nat(), { maxLength: 50 }),
        fc.constantFrom(1, 3, 90),
        (ops, finalReleaseOrder, maxBlocksPerCommit) => {
          const allocator = new InMemoryBuddyAllocator(shape.family, maxBlocksPerCommit);
          for (const p of provisioned) allocator.provision(p);
          const model = new ReferenceModel(provisioned);
          for (const operation of ops) {
            apply(operation, allocator, model);
            expectSameState(allocator, model);
          }
          // Releasing everything coalesces fully: back to exactly the provisioned CIDRs.
          for (let i = 0; model.allocations.length > 0; i++) {
            apply({ kind: 'release', pick: finalReleaseOrder[i] ?? 0 }, allocator, model);
          }
          expectSameState(allocator, model);
          expect(allocator.freeBlocks()).toEqual([...provisioned].sort(compareCidrs).map((p) => ({ cidr: p, within: p })));
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('allocation scenarios', () => {
  const poolOf = (family: AddressFamily, ...cidrs: string[]) => {
    const allocator = new InMemoryBuddyAllocator(family);
    for (const c of cidrs) allocator.provision(parseCidr(c));
    return allocator;
  };
  const allocated = (allocator: InMemoryBuddyAllocator, n: number) => {
    const c = allocator.allocate(n);
    return c && formatCidr(c);
  };
  const freeTexts = (allocator: InMemoryBuddyAllocator) => allocator.freeBlocks().map((e) => formatCidr(e.cidr));

  it('adjacent provisioned CIDRs never merge: a /8 does not fit in 10.0.0.0/9 + 10.128.0.0/9', () => {
    const pool = poolOf('ipv4', '10.0.0.0/9', '10.128.0.0/9');
    expect(allocated(pool, 8)).toBeUndefined();
    expect(allocated(pool, 9)).toBe('10.0.0.0/9');
    pool.release(parseCidr('10.0.0.0/9'));
    expect(freeTexts(pool)).toEqual(['10.0.0.0/9', '10.128.0.0/9']);
  });

  it('Elastic IPs from a /29 come out sequentially, then the pool is full', () => {
    const pool = poolOf('ipv4', '198.51.100.40/29');
    const addresses = Array.from({ length: 8 }, () => allocated(pool, 32));
    expect(addresses).toEqual([40, 41, 42, 43, 44, 45, 46, 47].map((last) => `198.51.100.${last}/32`));
    expect(allocated(pool, 32)).toBeUndefined();
  });

  it('best fit takes the smallest free block, keeping large ones whole', () => {
    const pool = poolOf('ipv4', '10.0.0.0/16');
    expect(allocated(pool, 24)).toBe('10.0.0.0/24');
    expect(allocated(pool, 17)).toBe('10.0.128.0/17');
    pool.release(parseCidr('10.0.0.0/24'));
    expect(allocated(pool, 25)).toBe('10.0.0.0/25');
    expect(allocated(pool, 24)).toBe('10.0.1.0/24');
    expect(allocated(pool, 25)).toBe('10.0.0.128/25');
  });

  it('a specific CIDR is refused when it overlaps an allocation or leaves the pool', () => {
    const pool = poolOf('ipv6', '2001:db8::/48');
    expect(pool.allocateSpecific(parseCidr('2001:db8:0:100::/56'))).toBe(true);
    expect(pool.allocateSpecific(parseCidr('2001:db8:0:180::/57'))).toBe(false);
    expect(pool.allocateSpecific(parseCidr('2001:db8::/47'))).toBe(false);
    expect(allocated(pool, 56)).toBe('2001:db8::/56');
    expect(allocated(pool, 56)).toBe('2001:db8:0:200::/56');
  });
});
