// Which AWS errors are failures a user can fix (surfacing as the discovered account's
// FailureReason) and which are outages or bugs that must propagate. SDK v3 names an error after
// its AWS error code and marks answers the service refused as client faults.
import { InventoryFailure } from '../../ports/inventory.ts';

interface AwsError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
}

const THROTTLING = /^(RequestLimitExceeded|Throttling.*)$/;
const UNAUTHORIZED = /^(UnauthorizedOperation|AuthFailure|AccessDenied.*)$/;

function isAwsError(error: unknown): error is AwsError {
  return error instanceof Error && '$fault' in error;
}

function describe(error: AwsError): string {
  return `${error.name}: ${error.message}`;
}

/** A failed EC2 read of one account in one Region. */
export function readFailure(error: unknown, accountId: string, region: string): InventoryFailure | undefined {
  if (!isAwsError(error)) return undefined;
  if (THROTTLING.test(error.name)) {
    return new InventoryFailure('throttling-failure', `EC2 throttled the reads of account ${accountId} in ${region} (${describe(error)})`);
  }
  if (UNAUTHORIZED.test(error.name)) {
    return new InventoryFailure('unauthorized-failure', `Not authorized to read account ${accountId} in ${region} (${describe(error)})`);
  }
  return undefined;
}

/**
 * A failed AssumeRole: STS refusing for any reason (no such role, trust policy, caller not
 * allowed, Region disabled) means the role is not assumable; unreachable or failing STS is an outage.
 */
export function assumeRoleFailure(error: unknown, roleArn: string): InventoryFailure | undefined {
  if (!isAwsError(error) || error.$fault !== 'client') return undefined;
  if (THROTTLING.test(error.name)) {
    return new InventoryFailure('throttling-failure', `STS throttled assuming ${roleArn} (${describe(error)})`);
  }
  return new InventoryFailure('assume-role-failure', `Cannot assume ${roleArn} (${describe(error)})`);
}
