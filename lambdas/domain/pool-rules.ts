// A pool's allocation rules: netmask bounds and default, and what a request may ask of them.
import { type AddressFamily, addressBits } from './cidr.ts';
import { awsWords, IpamError } from './errors.ts';
import type { Tag } from './model/record.ts';

export interface NetmaskRules {
  AllocationMinNetmaskLength?: number;
  AllocationMaxNetmaskLength?: number;
  AllocationDefaultNetmaskLength?: number;
}

function requireNetmask(family: AddressFamily, name: string, value: number | undefined): void {
  if (value === undefined) return;
  const bits = addressBits(family);
  if (!Number.isInteger(value) || value < 0 || value > bits) {
    throw new IpamError('InvalidParameterValue', `${name} (${value}) must be between 0 and ${bits} for an ${family} pool`);
  }
}

/** Bounds within the family, min ≤ max (equal means one size only), default inside them. */
export function validateNetmaskRules(family: AddressFamily, rules: NetmaskRules): void {
  const { AllocationMinNetmaskLength: min, AllocationMaxNetmaskLength: max, AllocationDefaultNetmaskLength: fallback } = rules;
  requireNetmask(family, 'AllocationMinNetmaskLength', min);
  requireNetmask(family, 'AllocationMaxNetmaskLength', max);
  requireNetmask(family, 'AllocationDefaultNetmaskLength', fallback);
  if (min !== undefined && max !== undefined && min > max) {
    throw new IpamError(
      'InvalidParameterValue',
      `AllocationMinNetmaskLength (${min}) must not be greater than AllocationMaxNetmaskLength (${max})`,
    );
  }
  if (fallback !== undefined && ((min !== undefined && fallback < min) || (max !== undefined && fallback > max))) {
    throw new IpamError(
      'InvalidParameterValue',
      `AllocationDefaultNetmaskLength (${fallback}) must lie between the pool's minimum (${min ?? 0}) and maximum (${max ?? addressBits(family)}) netmask lengths`,
    );
  }
}

/** The prefix length a netmask request is checked against the pool's bounds with. */
export function requireWithinNetmaskRules(poolId: string, rules: NetmaskRules, prefixLength: number): void {
  const { AllocationMinNetmaskLength: min, AllocationMaxNetmaskLength: max } = rules;
  if (min !== undefined && prefixLength < min) {
    throw new IpamError(
      'InvalidParameterValue',
      `The allocation size /${prefixLength} is too big for pool ${poolId}: its minimum netmask length is ${min}`,
    );
  }
  if (max !== undefined && prefixLength > max) {
    throw new IpamError(
      'InvalidParameterValue',
      `The allocation size /${prefixLength} is too small for pool ${poolId}: its maximum netmask length is ${max}`,
    );
  }
}

/** Whether a resource carries every tag a pool requires (AllocationResourceTags), key and value. */
export function carriesRequiredTags(required: readonly Tag[], resourceTags: readonly Tag[]): boolean {
  return required.every((wanted) => resourceTags.some((tag) => tag.Key === wanted.Key && tag.Value === wanted.Value));
}

export interface ResourcePoolRules {
  Locale: string;
  AllocationResourceTags: Tag[];
}

/**
 * What a pool asks of an AWS resource (VPC, subnet) drawing from it, beyond an allocation's rules:
 * the pool's locale is the request's Region, and the resource carries every required tag.
 */
export function requireResourceRules(pool: ResourcePoolRules, region: string, resourceTags: readonly Tag[]): void {
  if (pool.Locale !== region) throw new IpamError('InvalidParameterValue', awsWords.localeNotRegion());
  if (!carriesRequiredTags(pool.AllocationResourceTags, resourceTags)) {
    throw new IpamError('InvalidParameterValue', awsWords.missingRequiredTags());
  }
}
