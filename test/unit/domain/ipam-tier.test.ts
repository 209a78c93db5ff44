// Cost distribution rules (spec §2.6, DN-12): who may charge resource owners, and the time restriction.
import { describe, expect, it } from 'vitest';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import { meteringAfter, resourceOwnerMeteringRefusal } from '../../../lambdas/domain/ipam-tier.ts';
import { IPAM_SERVICE_PRINCIPAL } from '../../../lambdas/domain/organization.ts';
import { exampleOrganization, IPAM_ADMIN, MANAGEMENT } from '../../support/organization.ts';

const HOUR = 3_600_000;
const enabledAt = new Date('2026-12-01T00:00:00.000Z');
const later = (ms: number) => new Date(enabledAt.getTime() + ms);
const on = { MeteredAccount: 'resource-owner', meteredAccountChangedAt: enabledAt.toISOString() } as const;

function delegated() {
  const org = exampleOrganization();
  org.delegatedAdministrators.push({
    AccountId: IPAM_ADMIN,
    ServicePrincipal: IPAM_SERVICE_PRINCIPAL,
    DelegationEnabledDate: enabledAt.toISOString(),
  });
  return org;
}

describe('who may meter by resource owner', () => {
  it("needs the organisation's delegated IPAM administrator and a home Region enabled by default", () => {
    expect(resourceOwnerMeteringRefusal({ OwnerId: IPAM_ADMIN, IpamRegion: 'us-east-1' }, delegated())).toBeUndefined();
    expect(resourceOwnerMeteringRefusal({ OwnerId: IPAM_ADMIN, IpamRegion: 'us-east-1' }, undefined)).toMatch(/no AWS Organization/);
    expect(resourceOwnerMeteringRefusal({ OwnerId: IPAM_ADMIN, IpamRegion: 'us-east-1' }, exampleOrganization())).toMatch(
      /not the delegated/,
    );
    expect(resourceOwnerMeteringRefusal({ OwnerId: MANAGEMENT, IpamRegion: 'us-east-1' }, delegated())).toMatch(/not the delegated/);
    expect(resourceOwnerMeteringRefusal({ OwnerId: IPAM_ADMIN, IpamRegion: 'af-south-1' }, delegated())).toMatch(/opt-in Region/);
  });
});

describe('the time restriction of cost distribution', () => {
  it('starts the clock when switched on, and not again when asked for what is already set', () => {
    expect(meteringAfter({ MeteredAccount: 'ipam-owner' }, 'resource-owner', enabledAt)).toEqual(on);
    expect(meteringAfter(on, 'resource-owner', later(3 * HOUR))).toBe(on);
    expect(meteringAfter(on, undefined, later(3 * HOUR))).toBe(on);
  });

  it('allows switching off within 24 hours and from 7 days on, and refuses in between', () => {
    expect(meteringAfter(on, 'ipam-owner', later(24 * HOUR - 1)).MeteredAccount).toBe('ipam-owner');
    for (const elapsed of [24 * HOUR, 3 * 24 * HOUR, 7 * 24 * HOUR - 1]) {
      expect(() => meteringAfter(on, 'ipam-owner', later(elapsed))).toThrow(IpamError);
      try {
        meteringAfter(on, 'ipam-owner', later(elapsed));
      } catch (error) {
        expect((error as IpamError).code).toBe('IncorrectState');
        expect((error as IpamError).message).toContain('2026-12-08T00:00:00.000Z');
      }
    }
    expect(meteringAfter(on, 'ipam-owner', later(7 * 24 * HOUR)).MeteredAccount).toBe('ipam-owner');
  });

  it('restarts the clock on each new switch-on', () => {
    const off = meteringAfter(on, 'ipam-owner', later(HOUR));
    const again = meteringAfter(off, 'resource-owner', later(2 * HOUR));
    expect(again.meteredAccountChangedAt).toBe(later(2 * HOUR).toISOString());
    expect(() => meteringAfter(again, 'ipam-owner', later(2 * HOUR + 25 * HOUR))).toThrow(/24 hours/);
  });
});
