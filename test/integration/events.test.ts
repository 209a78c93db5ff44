// Events the use cases publish after a committed change (docs/events.md): pool CIDR state
// changes through provisioning and deprovisioning, including their failures, and allocation
// changes from the API. Each carries the pool owner's account and the IPAM's home Region.
import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../../lambdas/adapters/local/event-log.ts';
import type { PoolCidrStateChange } from '../../lambdas/domain/model/events.ts';
import { createUseCaseHarness, poolWithCidr, taskTracker, type UseCaseHarness } from '../support/use-cases.ts';

const OWNER = '123456789012';

function eventsOf(harness: UseCaseHarness, detailType: LoggedEvent['detail-type']) {
  return harness.events.published().filter((event) => event['detail-type'] === detailType);
}
const cidrStates = (harness: UseCaseHarness) =>
  eventsOf(harness, 'IPAM Pool CIDR State Change').map((event) => event.detail as PoolCidrStateChange['detail']);

async function ipamWithPool(harness: UseCaseHarness, region = 'us-east-1') {
  const { Ipam } = await harness.call('CreateIpam', { OperatingRegions: [{ RegionName: region }] }, { region });
  const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' }, { region });
  return { ipamId: Ipam.IpamId as string, poolId: IpamPool.IpamPoolId as string, scopeId: Ipam.PrivateDefaultScopeId as string };
}

describe('pool CIDR state changes', () => {
  it('a provision announces pending-provision, then provisioned, as the owner in the home Region', async () => {
    const harness = await createUseCaseHarness();
    const { ipamId, poolId } = await ipamWithPool(harness, 'eu-west-1');
    const { IpamPoolCidr } = await harness.call(
      'ProvisionIpamPoolCidr',
      { IpamPoolId: poolId, Cidr: '10.0.0.0/16' },
      { region: 'eu-west-1' },
    );

    const changes = eventsOf(harness, 'IPAM Pool CIDR State Change');
    expect(changes.map((event) => event.detail)).toMatchObject([
      { ipamId, ipamPoolId: poolId, ipamPoolCidrId: IpamPoolCidr.IpamPoolCidrId, cidr: '10.0.0.0/16', state: 'pending-provision' },
      {
        ipamId,
        ipamPoolId: poolId,
        ipamPoolCidrId: IpamPoolCidr.IpamPoolCidrId,
        cidr: '10.0.0.0/16',
        previousState: 'pending-provision',
        state: 'provisioned',
      },
    ]);
    for (const event of changes) expect(event).toMatchObject({ source: 'self-hosted.ipam', account: OWNER, region: 'eu-west-1' });
  });

  it('a provision by netmask announces the CIDR it got once provisioned', async () => {
    const harness = await createUseCaseHarness();
    const { pool: parent, ipam } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPool: child } = await harness.call('CreateIpamPool', {
      IpamScopeId: ipam.PrivateDefaultScopeId,
      AddressFamily: 'ipv4',
      SourceIpamPoolId: parent.IpamPoolId,
    });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: child.IpamPoolId, NetmaskLength: 24 });

    const ofChild = cidrStates(harness).filter((detail) => detail.ipamPoolId === child.IpamPoolId);
    expect(ofChild.map((detail) => [detail.state, detail.cidr])).toEqual([
      ['pending-provision', undefined],
      ['provisioned', '10.0.0.0/24'],
    ]);
  });

  it('a failed provision announces failed-provision with its reason', async () => {
    const harness = await createUseCaseHarness();
    const { ipam } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPool: other } = await harness.call('CreateIpamPool', { IpamScopeId: ipam.PrivateDefaultScopeId, AddressFamily: 'ipv4' });
    await harness.call('ProvisionIpamPoolCidr', { IpamPoolId: other.IpamPoolId, Cidr: '10.0.128.0/17' });

    const ofOther = cidrStates(harness).filter((detail) => detail.ipamPoolId === other.IpamPoolId);
    expect(ofOther.map((detail) => detail.state)).toEqual(['pending-provision', 'failed-provision']);
    expect(ofOther[1]).toMatchObject({
      previousState: 'pending-provision',
      cidr: '10.0.128.0/17',
      failureReason: expect.stringContaining('10.0.128.0/17'),
    });
  });

  it('a deprovision announces pending-deprovision, then deprovisioned', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' });

    expect(cidrStates(harness).map((detail) => [detail.previousState, detail.state])).toEqual([
      [undefined, 'pending-provision'],
      ['pending-provision', 'provisioned'],
      ['provisioned', 'pending-deprovision'],
      ['pending-deprovision', 'deprovisioned'],
    ]);
  });

  it('a deprovision whose workflow fails announces failed-deprovision', async () => {
    const tracker = taskTracker({ deprovisionPoolCidr: () => new Error('the source pool is unreachable') });
    const harness = await createUseCaseHarness({ wrapTask: tracker.wrapTask });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' });

    expect(
      cidrStates(harness)
        .slice(2)
        .map((detail) => [detail.previousState, detail.state, detail.cidr]),
    ).toEqual([
      ['provisioned', 'pending-deprovision', '10.0.0.0/16'],
      ['pending-deprovision', 'failed-deprovision', '10.0.0.0/16'],
    ]);
  });

  it('a task that runs again after finishing announces nothing more', async () => {
    // As when Lambda retries an invocation whose result was lost: the work is done, nothing changes.
    const tracker = taskTracker();
    const harness = await createUseCaseHarness({
      wrapTask: (event, run) =>
        tracker.wrapTask(event, async (task) => {
          await run(task);
          return run(task);
        }),
    });
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' });

    expect(tracker.events.map((event) => event.task)).toContain('provisionPoolCidr');
    expect(cidrStates(harness).map((detail) => detail.state)).toEqual([
      'pending-provision',
      'provisioned',
      'pending-deprovision',
      'deprovisioned',
    ]);
  });
});

describe('allocation changes', () => {
  it('AllocateIpamPoolCidr and ReleaseIpamPoolAllocation announce created and released, cause api', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', {
      IpamPoolId: pool.IpamPoolId,
      NetmaskLength: 24,
      Description: 'app',
    });
    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: pool.IpamPoolId,
      IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
      Cidr: IpamPoolAllocation.Cidr,
    });

    const changes = eventsOf(harness, 'IPAM Pool Allocation Change');
    const expected = {
      ipamId: ipam.IpamId,
      ipamPoolId: pool.IpamPoolId,
      ipamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
      cidr: '10.0.0.0/24',
      cause: 'api',
      resourceType: 'custom',
    };
    expect(changes.map((event) => event.detail)).toMatchObject([
      expect.objectContaining({ ...expected, change: 'created' }),
      expect.objectContaining({ ...expected, change: 'released' }),
    ]);
    for (const event of changes) expect(event).toMatchObject({ account: OWNER, region: 'us-east-1' });
    // Pool CIDR events came first; the allocation events follow in the order of the changes.
    expect(harness.events.published().at(-1)?.detail).toMatchObject({ change: 'released' });
  });
});
