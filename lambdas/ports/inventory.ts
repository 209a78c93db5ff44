// Where discovery learns what exists: one account in one Region at a time. Two adapters: the EC2
// read APIs (@aws-sdk/client-ec2, member accounts through STS AssumeRole; the endpoint is
// configurable, so moto serves in tests) and a static inventory file for teams without AWS.
// The snapshot's shapes are domain's (domain/inventory.ts): discovery's rules are written over them.
import type { InventorySnapshot } from '../domain/inventory.ts';

/** Why an account could not be read; surfaces as the discovered account's FailureReason. */
export class InventoryFailure extends Error {
  readonly code: 'assume-role-failure' | 'throttling-failure' | 'unauthorized-failure';

  constructor(code: InventoryFailure['code'], message: string) {
    super(message);
    this.name = 'InventoryFailure';
    this.code = code;
  }
}

export interface InventorySource {
  /**
   * Reads one account in one Region: the service's own account with its own credentials, any
   * other through the configured role. Throws InventoryFailure for the failures a user can fix
   * (role not assumable, not authorised, throttled); anything else is a bug or an outage.
   */
  read(accountId: string, region: string): Promise<InventorySnapshot>;
}
