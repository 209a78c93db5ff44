// lib/config.ts: defaults, context over environment, and clear errors for bad values.
import { describe, expect, test } from 'vitest';
import { loadDeploymentConfig } from '../../lib/config.ts';

// CDK context as a construct node serves it: tryGetContext(key).
const load = (context: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  loadDeploymentConfig({ tryGetContext: (key: string) => context[key] }, env);

test('defaults: stage prod, prefix ipam, retain, open to all, 5-minute sweeps, EC2’s Describe* bucket (20/s, burst 100), metrics under the prefix', () => {
  expect(load()).toEqual({
    stageName: 'prod',
    namePrefix: 'ipam',
    removalPolicy: 'retain',
    allowedSourceCidrs: [],
    discoveryRateMinutes: 5,
    reconcileRateMinutes: 5,
    reconcileGraceSeconds: 60,
    openExecutionAlarmMinutes: 15,
    discoveryMemberAccounts: [],
    discoveryRoleName: 'IpamDiscoveryRole',
    metricsNamespace: 'ipam',
    utilizationThresholds: [80, 90],
    utilizationAlarmPercent: 90,
    throttlingRateLimit: 20,
    throttlingBurstLimit: 100,
    byoipDnsResolver: undefined,
    byoipRdapUrl: 'https://rdap.org',
    amazonIpv6Space: '2001:db8::/32',
    amazonIpv4Space: '198.51.100.0/24',
    releaseCooldownSeconds: 0,
    freeTierReleaseCooldownSeconds: 0,
    recentEventsRetentionDays: 7,
  });
  expect(load({ namePrefix: 'team-a' }).metricsNamespace).toBe('team-a');
});

test('public-space settings: where BYOIP proofs are checked and the simulated Amazon-provided space', () => {
  expect(
    load(
      { byoipDnsResolver: '10.0.0.2:53', amazonIpv4Space: '192.0.2.0/24' },
      { IPAM_BYOIP_RDAP_URL: 'https://rdap.arin.net/registry', IPAM_AMAZON_IPV6_SPACE: '2001:db8:100::/40' },
    ),
  ).toMatchObject({
    byoipDnsResolver: '10.0.0.2:53',
    byoipRdapUrl: 'https://rdap.arin.net/registry',
    amazonIpv6Space: '2001:db8:100::/40',
    amazonIpv4Space: '192.0.2.0/24',
  });
  expect(load({ byoipDnsResolver: '[fd00::53]:5353' }).byoipDnsResolver).toBe('[fd00::53]:5353');
  expect(() => load({ byoipDnsResolver: 'dns server' })).toThrow(
    /byoipDnsResolver \(context\) \/ IPAM_BYOIP_DNS_RESOLVER \(environment\) must be a DNS server/,
  );
  expect(() => load({ byoipRdapUrl: 'rdap.org' })).toThrow(/must be an http\(s\) URL/);
  expect(() => load({ amazonIpv6Space: '198.51.100.0/24' })).toThrow(/amazonIpv6Space .* must be an IPv6 CIDR/);
  expect(() => load({}, { IPAM_AMAZON_IPV4_SPACE: '2001:db8::/32' })).toThrow(/must be an IPv4 CIDR/);
});

test('discovery and monitoring settings: lists as JSON or comma-separated, thresholds sorted and unique', () => {
  expect(
    load(
      { discoveryMemberAccounts: ['111122223333'], utilizationThresholds: [95, 75, 95], metricsNamespace: 'Team/IPAM' },
      { IPAM_DISCOVERY_ROLE_NAME: 'OrgIpamReader', IPAM_UTILIZATION_ALARM_PERCENT: '85' },
    ),
  ).toMatchObject({
    discoveryMemberAccounts: ['111122223333'],
    discoveryRoleName: 'OrgIpamReader',
    metricsNamespace: 'Team/IPAM',
    utilizationThresholds: [75, 95],
    utilizationAlarmPercent: 85,
  });
  expect(load({}, { IPAM_DISCOVERY_MEMBER_ACCOUNTS: '111122223333, 444455556666', IPAM_UTILIZATION_THRESHOLDS: '50,99.5' })).toMatchObject({
    discoveryMemberAccounts: ['111122223333', '444455556666'],
    utilizationThresholds: [50, 99.5],
  });
});

test('the environment sets what context does not; context wins', () => {
  const env = {
    IPAM_STAGE_NAME: 'dev',
    IPAM_NAME_PREFIX: 'team-a',
    IPAM_THROTTLING_RATE_LIMIT: '50',
    IPAM_ALLOWED_SOURCE_CIDRS: '10.0.0.0/8, 192.0.2.0/24',
  };
  expect(load({}, env)).toMatchObject({
    stageName: 'dev',
    namePrefix: 'team-a',
    throttlingRateLimit: 50,
    allowedSourceCidrs: ['10.0.0.0/8', '192.0.2.0/24'],
  });
  expect(load({ stageName: 'v1', throttlingRateLimit: 7 }, env)).toMatchObject({
    stageName: 'v1',
    namePrefix: 'team-a',
    throttlingRateLimit: 7,
  });
});

test('cdk.json may give lists and numbers as JSON; -c gives strings', () => {
  expect(load({ allowedSourceCidrs: ['198.51.100.0/24'], discoveryRateMinutes: 15 })).toMatchObject({
    allowedSourceCidrs: ['198.51.100.0/24'],
    discoveryRateMinutes: 15,
  });
  expect(load({ allowedSourceCidrs: '2001:db8::/32', discoveryRateMinutes: '60', removalPolicy: 'destroy' })).toMatchObject({
    allowedSourceCidrs: ['2001:db8::/32'],
    discoveryRateMinutes: 60,
    removalPolicy: 'destroy',
  });
});

describe('bad values name the setting and the value', () => {
  test.each([
    [{ stageName: 'prod/v1' }, /stageName \(context\) \/ IPAM_STAGE_NAME \(environment\) must be letters, digits, - or _.*'prod\/v1'/],
    [{ namePrefix: 'IPAM' }, /namePrefix .* must be lower-case letters/],
    [{ removalPolicy: 'snapshot' }, /removalPolicy .* must be 'retain' or 'destroy', got 'snapshot'/],
    [{ allowedSourceCidrs: '10.0.0.0' }, /allowedSourceCidrs .* must list CIDRs like 203\.0\.113\.0\/24, got '10\.0\.0\.0'/],
    [{ discoveryRateMinutes: '0' }, /discoveryRateMinutes .* must be an integer from 1 to 1440, got '0'/],
    [{ reconcileRateMinutes: '61' }, /reconcileRateMinutes .* must be an integer from 1 to 60, got '61'/],
    [{ reconcileGraceSeconds: '10' }, /reconcileGraceSeconds .* must be an integer from 30 to 3600, got '10'/],
    [{ throttlingBurstLimit: 'lots' }, /throttlingBurstLimit .* must be an integer from 1 to 5000, got 'lots'/],
    [{ discoveryMemberAccounts: '1111-2222-3333' }, /discoveryMemberAccounts .* must list 12-digit account ids, got '1111-2222-3333'/],
    [{ discoveryRoleName: 'role/with/path' }, /discoveryRoleName .* must be an IAM role name/],
    [{ metricsNamespace: 'AWS/IPAM' }, /metricsNamespace .* must be a CloudWatch namespace not starting with AWS\/, got 'AWS\/IPAM'/],
    [{ utilizationThresholds: '80,120' }, /utilizationThresholds .* must list percentages in \(0, 100\], got '120'/],
    [{ utilizationAlarmPercent: '0' }, /utilizationAlarmPercent .* must be an integer from 1 to 100, got '0'/],
  ])('%o', (context, message) => {
    expect(() => load(context)).toThrow(message);
  });
});

test('release cool-downs and recent-event retention: integers in range, passed to the functions as the runtime reads them', () => {
  expect(load({ releaseCooldownSeconds: '300', freeTierReleaseCooldownSeconds: 172800, recentEventsRetentionDays: '30' })).toMatchObject({
    releaseCooldownSeconds: 300,
    freeTierReleaseCooldownSeconds: 172800,
    recentEventsRetentionDays: 30,
  });
  expect(() => load({ releaseCooldownSeconds: '-1' })).toThrow(/releaseCooldownSeconds .* must be an integer from 0 to 604800, got '-1'/);
  expect(() => load({ recentEventsRetentionDays: 0 })).toThrow(/recentEventsRetentionDays .* must be an integer from 1 to 365, got '0'/);
});
