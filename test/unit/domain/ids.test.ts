// The id shapes AWS mints, checked against its published examples.
import { expect, it } from 'vitest';
import { newAllocationId, newPoolCidrId } from '../../../lambdas/domain/ids.ts';

// AWS CLI examples (allocate-ipam-pool-cidr.rst, get-ipam-pool-allocations.rst,
// release-ipam-pool-allocation.rst): `ipam-pool-alloc-018ecc28043b54ba38e2cd99943cebfbd`,
// `ipam-pool-alloc-0e6186d73999e47389266a5d6991e6220` — a 0 and 32 hex digits, 33 in all.
it('IPAM pool allocation ids are ipam-pool-alloc- and 33 hex digits, the first 0', () => {
  for (let i = 0; i < 50; i++) expect(newAllocationId()).toMatch(/^ipam-pool-alloc-0[0-9a-f]{32}$/);
  expect(new Set(Array.from({ length: 50 }, newAllocationId)).size).toBe(50);
});

it('IPAM pool CIDR ids are ipam-pool-cidr- and 33 hex digits, the first 0', () => {
  expect(newPoolCidrId()).toMatch(/^ipam-pool-cidr-0[0-9a-f]{32}$/);
});
