// lib/config.ts: defaults, context over environment, and clear errors for bad values.
import { describe, expect, test } from 'vitest';
import { loadDeploymentConfig } from '../../lib/config.ts';

// CDK context as a construct node serves it: tryGetContext(key).
const load = (context: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  loadDeploymentConfig({ tryGetContext: (key: string) => context[key] }, env);

test('defaults: stage prod, prefix ipam, retain, open to all, 5-minute sweeps, EC2’s Describe* bucket (20/s, burst 100)', () => {
  expect(load()).toEqual({
    stageName: 'prod',
    namePrefix: 'ipam',
    removalPolicy: 'retain',
    allowedSourceCidrs: [],
    discoveryRateMinutes: 5,
    throttlingRateLimit: 20,
    throttlingBurstLimit: 100,
  });
});

test('the environment sets what context does not; context wins', () => {
  const env = { IPAM_STAGE_NAME: 'dev', IPAM_NAME_PREFIX: 'team-a', IPAM_THROTTLING_RATE_LIMIT: '50', IPAM_ALLOWED_SOURCE_CIDRS: '10.0.0.0/8, 192.0.2.0/24' };
  expect(load({}, env)).toMatchObject({ stageName: 'dev', namePrefix: 'team-a', throttlingRateLimit: 50, allowedSourceCidrs: ['10.0.0.0/8', '192.0.2.0/24'] });
  expect(load({ stageName: 'v1', throttlingRateLimit: 7 }, env)).toMatchObject({ stageName: 'v1', namePrefix: 'team-a', throttlingRateLimit: 7 });
});

test('cdk.json may give lists and numbers as JSON; -c gives strings', () => {
  expect(load({ allowedSourceCidrs: ['198.51.100.0/24'], discoveryRateMinutes: 15 })).toMatchObject({ allowedSourceCidrs: ['198.51.100.0/24'], discoveryRateMinutes: 15 });
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
    [{ throttlingBurstLimit: 'lots' }, /throttlingBurstLimit .* must be an integer from 1 to 5000, got 'lots'/],
  ])('%o', (context, message) => {
    expect(() => load(context)).toThrow(message);
  });
});
