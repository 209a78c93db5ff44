// Delegating the IPAM administrator (spec §1.2) as edits of the organisation: the rules hold on
// whatever organisation the edit is given, so a re-applied edit re-checks them.
import { describe, expect, it } from 'vitest';
import { delegateIpamAdministrator, removeIpamAdministrator } from '../../../lambdas/domain/delegation.ts';
import { type ErrorCode, IpamError } from '../../../lambdas/domain/errors.ts';
import { IPAM_SERVICE_PRINCIPAL, ipamAdministrator } from '../../../lambdas/domain/organization.ts';
import { exampleOrganization, IPAM_ADMIN, MANAGEMENT, OUTSIDER, PROD, WORKLOADS } from '../../support/organization.ts';

const NOW = new Date('2026-12-07T01:00:00.000Z');

function refused(run: () => unknown, code: ErrorCode): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(IpamError);
    expect((error as IpamError).code, (error as IpamError).message).toBe(code);
    return (error as IpamError).message;
  }
  throw new Error(`expected ${code}`);
}

describe('delegating the IPAM administrator', () => {
  it('records a member account under ipam.amazonaws.com, with the date; again is no change', () => {
    const org = delegateIpamAdministrator(exampleOrganization(), MANAGEMENT, IPAM_ADMIN, NOW);
    expect(org.delegatedAdministrators).toEqual([
      { AccountId: IPAM_ADMIN, ServicePrincipal: IPAM_SERVICE_PRINCIPAL, DelegationEnabledDate: NOW.toISOString() },
    ]);
    expect(delegateIpamAdministrator(org, MANAGEMENT, IPAM_ADMIN, new Date())).toBe(org);
  });

  it('only the management account may, and only a member account may be delegated', () => {
    const org = exampleOrganization();
    expect(refused(() => delegateIpamAdministrator(org, WORKLOADS, IPAM_ADMIN, NOW), 'UnauthorizedOperation')).toContain(WORKLOADS);
    expect(refused(() => delegateIpamAdministrator(org, MANAGEMENT, MANAGEMENT, NOW), 'InvalidParameterValue')).toContain(
      'not the management account',
    );
    expect(refused(() => delegateIpamAdministrator(org, MANAGEMENT, OUTSIDER, NOW), 'IpamOrganizationAccountNotFound')).toContain(OUTSIDER);
    expect(refused(() => delegateIpamAdministrator(org, MANAGEMENT, '12345', NOW), 'InvalidParameterValue')).toContain("'12345'");
  });

  it('one administrator per organisation: another account is refused, naming the current one', () => {
    const org = delegateIpamAdministrator(exampleOrganization(), MANAGEMENT, IPAM_ADMIN, NOW);
    const message = refused(() => delegateIpamAdministrator(org, MANAGEMENT, PROD, NOW), 'IpamOrganizationDelegatedAdminLimitExceeded');
    expect(message).toContain(IPAM_ADMIN);
  });

  it('disabling takes back the current administrator only, and only by the management account', () => {
    const org = delegateIpamAdministrator(exampleOrganization(), MANAGEMENT, IPAM_ADMIN, NOW);
    expect(refused(() => removeIpamAdministrator(org, MANAGEMENT, PROD), 'IpamOrganizationAccountNotRegistered')).toContain(PROD);
    refused(() => removeIpamAdministrator(org, IPAM_ADMIN, IPAM_ADMIN), 'UnauthorizedOperation');
    const disabled = removeIpamAdministrator(org, MANAGEMENT, IPAM_ADMIN);
    expect(ipamAdministrator(disabled)).toBeUndefined();
    refused(() => removeIpamAdministrator(disabled, MANAGEMENT, IPAM_ADMIN), 'IpamOrganizationAccountNotRegistered');
  });
});
