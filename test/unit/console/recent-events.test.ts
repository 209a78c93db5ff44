// A recent event as the dashboard's line: the resource and range it is about, and the state or
// change it reports, for each kind of detail docs/events.md describes.
import { describe, expect, it } from 'vitest';
import { eventLine } from '../../../web/src/recent-events.ts';

const event = (DetailType: string, Detail: Record<string, unknown>) => ({ Time: '2030-01-01T00:00:00.000Z', DetailType, Detail });

describe('eventLine', () => {
  it('names the most specific resource with its CIDR, and the state change or the change', () => {
    expect(
      eventLine(
        event('IPAM Pool CIDR State Change', {
          ipamId: 'ipam-1',
          ipamPoolId: 'ipam-pool-1',
          cidr: '10.0.0.0/16',
          previousState: 'pending-provision',
          state: 'provisioned',
        }),
      ),
    ).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      type: 'IPAM Pool CIDR State Change',
      resource: 'ipam-pool-1 10.0.0.0/16',
      state: 'pending-provision → provisioned',
    });
    const allocation = eventLine(
      event('IPAM Pool Allocation Change', {
        ipamPoolId: 'ipam-pool-1',
        ipamPoolAllocationId: 'ipam-pool-alloc-1',
        cidr: '10.0.0.0/24',
        change: 'released',
      }),
    );
    expect([allocation.resource, allocation.state]).toEqual(['ipam-pool-alloc-1 10.0.0.0/24', 'released']);
  });

  it('reads thresholds, overlaps, compliance and share changes', () => {
    const crossed = eventLine(
      event('IPAM Pool Utilization Threshold Crossed', { ipamPoolId: 'p', percentUsed: 91.5, threshold: 90, direction: 'above' }),
    );
    expect(crossed.state).toBe('above 90% (91.5% used)');
    const overlap = eventLine(
      event('IPAM Resource CIDR Overlap Detected', {
        resourceId: 'vpc-1',
        resourceCidr: '10.0.0.0/16',
        overlapsWith: ['vpc-2 10.0.0.0/8'],
      }),
    );
    expect([overlap.resource, overlap.state]).toEqual(['vpc-1 10.0.0.0/16', 'overlaps vpc-2 10.0.0.0/8']);
    const compliance = eventLine(
      event('IPAM Resource CIDR Compliance Change', {
        ipamPoolId: 'p',
        resourceId: 'vpc-1',
        resourceCidr: '10.0.0.0/16',
        status: 'noncompliant',
      }),
    );
    expect([compliance.resource, compliance.state]).toEqual(['vpc-1 10.0.0.0/16', 'noncompliant']);
    const share = eventLine(
      event('RAM Resource Share Change', {
        resourceShareArn: 'arn:aws:ram:us-east-1:1:resource-share/x',
        change: 'created',
        status: 'ACTIVE',
      }),
    );
    expect([share.resource, share.state]).toEqual(['arn:aws:ram:us-east-1:1:resource-share/x', 'created, ACTIVE']);
    expect(eventLine({})).toEqual({ time: '', type: '', resource: '', state: '' });
  });
});
