// Pool CIDRs (guide §6): provisioning to top-level and child pools, failures recorded on the
// CIDR (DN-29), the CIDRs-per-pool quota, deprovisioning (DN-31) and private IPv6 ranges (DN-30).
import { describe, expect, it } from 'vitest';
import { containsCidr, parseCidr } from '../../lambdas/domain/cidr.ts';
import { findPoolCidr, visiblePoolCidrs } from '../../lambdas/use-cases/kernel/lookup.ts';
import { createUseCaseHarness, poolWithCidr, type UseCaseHarness } from '../support/use-cases.ts';
import { expectRefusal } from './refusal.ts';

async function newPool(harness: UseCaseHarness, input: Record<string, unknown>) {
  return (await harness.call('CreateIpamPool', { AddressFamily: 'ipv4', ...input })).IpamPool as { IpamPoolId: string };
}

interface PoolCidr {
  IpamPoolCidrId: string;
  Cidr?: string;
  State: string;
  NetmaskLength: number;
  FailureReason?: { Code?: string; Message: string };
}

async function poolCidrs(harness: UseCaseHarness, IpamPoolId: string) {
  return (await harness.call('GetIpamPoolCidrs', { IpamPoolId })).IpamPoolCidrs as PoolCidr[];
}

/** The record as GetIpamPoolCidrs shows it once its workflow has settled it. */
async function settled(harness: UseCaseHarness, IpamPoolId: string, IpamPoolCidrId: string): Promise<PoolCidr> {
  const record = (await poolCidrs(harness, IpamPoolId)).find((candidate) => candidate.IpamPoolCidrId === IpamPoolCidrId);
  if (!record) throw new Error(`pool CIDR ${IpamPoolCidrId} of ${IpamPoolId} is not listed`);
  return record;
}

/**
 * Provisions like a user who waits for the answer: the request is accepted as pending-provision
 * (with the Cidr only when one was asked for), and the record the workflow settled is returned.
 */
async function provision(harness: UseCaseHarness, IpamPoolId: string, request: Record<string, unknown>): Promise<PoolCidr> {
  const accepted = (await harness.call('ProvisionIpamPoolCidr', { IpamPoolId, ...request })).IpamPoolCidr as PoolCidr;
  expect(accepted.State).toBe('pending-provision');
  expect(accepted.Cidr).toBe(request.Cidr);
  expect(accepted.FailureReason).toBeUndefined();
  const record = await settled(harness, IpamPoolId, accepted.IpamPoolCidrId);
  expect(record.NetmaskLength).toBe(accepted.NetmaskLength);
  return record;
}

/** Deprovisions: accepted as pending-deprovision, and returned as the workflow settled it. */
async function deprovision(harness: UseCaseHarness, IpamPoolId: string, Cidr?: string): Promise<{ accepted: PoolCidr; record: PoolCidr }> {
  const accepted = (await harness.call('DeprovisionIpamPoolCidr', { IpamPoolId, Cidr })).IpamPoolCidr as PoolCidr;
  expect(accepted.State).toBe('pending-deprovision');
  return { accepted, record: await settled(harness, IpamPoolId, accepted.IpamPoolCidrId) };
}

async function freeCidrs(harness: UseCaseHarness, spaceId: string, family: 'ipv4' | 'ipv6' = 'ipv4') {
  return (await harness.store.listFreeBlocks(spaceId, family)).map((block) => block.cidr).sort();
}

/** An IPAM with a top-level pool holding `cidr` and a child pool of it with no CIDR yet. */
async function parentAndChild(harness: UseCaseHarness, cidr: string, parentRules: Record<string, unknown> = {}) {
  const { Ipam } = await harness.call('CreateIpam', {});
  const parent = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId, ...parentRules });
  expect((await provision(harness, parent.IpamPoolId, { Cidr: cidr })).State).toBe('provisioned');
  const child = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId, SourceIpamPoolId: parent.IpamPoolId });
  return { ipam: Ipam, parent, child };
}

describe('provisioning top-level pools', () => {
  it('records an overlap in the same scope as failed-provision, taking no space', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const other = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });

    const failed = await provision(harness, other.IpamPoolId, { Cidr: '10.0.128.0/17' });
    expect(failed).toMatchObject({ State: 'failed-provision', Cidr: '10.0.128.0/17', FailureReason: { Code: 'cidr-not-available' } });
    expect(failed.FailureReason!.Message).toContain('10.0.128.0/17');
    expect(await freeCidrs(harness, other.IpamPoolId)).toEqual([]);
    await expectRefusal(harness.call('AllocateIpamPoolCidr', { IpamPoolId: other.IpamPoolId, NetmaskLength: 24 }), 'InvalidParameterValue');
    // A bigger CIDR around the first one overlaps too.
    expect((await provision(harness, other.IpamPoolId, { Cidr: '10.0.0.0/8' })).State).toBe('failed-provision');

    const later = await provision(harness, other.IpamPoolId, { Cidr: '10.1.0.0/16' });
    expect(later).toMatchObject({ State: 'provisioned', Cidr: '10.1.0.0/16' });
    expect((await poolCidrs(harness, other.IpamPoolId)).map((c) => `${c.Cidr} ${c.State}`).sort()).toEqual([
      '10.0.0.0/8 failed-provision',
      '10.0.128.0/17 failed-provision',
      '10.1.0.0/16 provisioned',
    ]);
    // The failed records do not count as CIDRs: deleting the pool needs only the provisioned one gone.
    expect((await deprovision(harness, other.IpamPoolId, '10.1.0.0/16')).record.State).toBe('deprovisioned');
    const { IpamPool: deleting } = await harness.call('DeleteIpamPool', { IpamPoolId: other.IpamPoolId });
    expect(deleting.State).toBe('delete-in-progress');
    await expectRefusal(
      harness.call('DescribeIpamPools', { IpamPoolIds: [other.IpamPoolId] }),
      'InvalidIpamPoolId.NotFound',
      other.IpamPoolId,
    );
    expect((await poolCidrs(harness, pool.IpamPoolId)).map((c) => c.State)).toEqual(['provisioned']);
  });

  it('allows the same CIDR in two different scopes', async () => {
    const harness = await createUseCaseHarness();
    const { ipam } = await poolWithCidr(harness, '10.0.0.0/16');
    const { IpamScope } = await harness.call('CreateIpamScope', { IpamId: ipam.IpamId });
    const elsewhere = await newPool(harness, { IpamScopeId: IpamScope.IpamScopeId });
    expect(await provision(harness, elsewhere.IpamPoolId, { Cidr: '10.0.0.0/16' })).toMatchObject({
      State: 'provisioned',
      Cidr: '10.0.0.0/16',
    });
  });

  it('needs a Cidr for a top-level IPv4 pool, and exactly one of Cidr and NetmaskLength', async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    await expectRefusal(provision(harness, pool.IpamPoolId, { NetmaskLength: 16 }), 'InvalidParameterValue', 'NetmaskLength');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16', NetmaskLength: 16 }), 'InvalidParameterCombination');
    await expectRefusal(provision(harness, pool.IpamPoolId, {}), 'MissingParameter');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.1/16' }), 'InvalidParameterValue', '10.0.0.1/16');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: 'fd80::/48' }), 'InvalidParameterValue', 'fd80::/48');
    expect(await poolCidrs(harness, pool.IpamPoolId)).toEqual([]);
  });

  it('stops at 50 CIDRs per pool with a limit-exceeded record', { timeout: 60_000 }, async () => {
    const harness = await createUseCaseHarness();
    const { Ipam } = await harness.call('CreateIpam', {});
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    for (let i = 0; i < 50; i++) expect((await provision(harness, pool.IpamPoolId, { Cidr: `10.0.${i}.0/24` })).State).toBe('provisioned');
    const over = await provision(harness, pool.IpamPoolId, { Cidr: '10.0.50.0/24' });
    expect(over).toMatchObject({ State: 'failed-provision', FailureReason: { Code: 'limit-exceeded' } });
    expect(over.FailureReason!.Message).toContain('50');
    // The refused CIDR is still free in the scope.
    const other = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId });
    expect((await provision(harness, other.IpamPoolId, { Cidr: '10.0.50.0/24' })).State).toBe('provisioned');
  });
});

describe('provisioning child pools', () => {
  it('takes a CIDR by netmask from the source pool, best fit first, as an ipam-pool allocation there', async () => {
    const harness = await createUseCaseHarness();
    const { parent, child } = await parentAndChild(harness, '10.0.0.0/16');
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.0.0/24' });
    // Free in the parent: 10.0.1.0/24, 10.0.2.0/23, … — the /23 is the smallest block that holds a /23.
    const record = await provision(harness, child.IpamPoolId, { NetmaskLength: 23 });
    expect(record).toMatchObject({ State: 'provisioned', Cidr: '10.0.2.0/23', NetmaskLength: 23 });
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: parent.IpamPoolId });
    expect(IpamPoolAllocations).toContainEqual(
      expect.objectContaining({ Cidr: '10.0.2.0/23', ResourceType: 'ipam-pool', ResourceId: child.IpamPoolId }),
    );
    expect(await freeCidrs(harness, child.IpamPoolId)).toEqual(['10.0.2.0/23']);
  });

  it('records a Cidr outside the source pool, or already taken there, as failed-provision', async () => {
    const harness = await createUseCaseHarness();
    const { parent, child } = await parentAndChild(harness, '10.0.0.0/16');
    const outside = await provision(harness, child.IpamPoolId, { Cidr: '10.1.0.0/24' });
    expect(outside).toMatchObject({ State: 'failed-provision', FailureReason: { Code: 'cidr-not-available' } });
    expect(outside.FailureReason!.Message).toContain(parent.IpamPoolId);
    await harness.call('AllocateIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.8.0/24' });
    expect((await provision(harness, child.IpamPoolId, { Cidr: '10.0.8.0/21' })).State).toBe('failed-provision');
    expect((await provision(harness, child.IpamPoolId, { NetmaskLength: 15 })).State).toBe('failed-provision');
    expect(await freeCidrs(harness, child.IpamPoolId)).toEqual([]);
    expect((await provision(harness, child.IpamPoolId, { Cidr: '10.0.16.0/20' })).State).toBe('provisioned');
  });

  it("applies the source pool's netmask rules to the child's CIDR", async () => {
    const harness = await createUseCaseHarness();
    const { child } = await parentAndChild(harness, '10.0.0.0/16', { AllocationMinNetmaskLength: 20, AllocationMaxNetmaskLength: 24 });
    await expectRefusal(provision(harness, child.IpamPoolId, { NetmaskLength: 18 }), 'InvalidParameterValue', '/18', '20');
    await expectRefusal(provision(harness, child.IpamPoolId, { Cidr: '10.0.0.0/25' }), 'InvalidParameterValue', '/25', '24');
    expect((await provision(harness, child.IpamPoolId, { NetmaskLength: 20 })).State).toBe('provisioned');
    expect((await provision(harness, child.IpamPoolId, { Cidr: '10.0.255.0/24' })).State).toBe('provisioned');
  });
});

describe('deprovisioning', () => {
  it('fails with an allocation inside that CIDR, as AWS does, not with one in another CIDR of the pool', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/24');
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.0.1.0/24' })).State).toBe('provisioned');
    const { IpamPoolAllocation } = await harness.call('AllocateIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.64/26' });

    // AWS accepts it and the record ends failed-deprovision, with no Code (terraform-provider-aws
    // #30165: "unexpected state 'failed-deprovision' … last error: : The CIDR has one or more allocations.").
    const blocked = await deprovision(harness, pool.IpamPoolId, '10.0.0.0/24');
    expect(blocked.record).toMatchObject({
      State: 'failed-deprovision',
      FailureReason: { Message: 'The CIDR has one or more allocations.' },
    });
    expect(blocked.record.FailureReason).not.toHaveProperty('Code');
    // Nothing changed: the allocation stays, the rest of the CIDR is still free to allocate.
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual(['10.0.0.0/26', '10.0.0.128/25', '10.0.1.0/24']);
    const { accepted, record } = await deprovision(harness, pool.IpamPoolId, '10.0.1.0/24');
    expect(accepted.Cidr).toBe('10.0.1.0/24');
    expect(record).toMatchObject({ Cidr: '10.0.1.0/24', State: 'deprovisioned' });

    await harness.call('ReleaseIpamPoolAllocation', {
      IpamPoolId: pool.IpamPoolId,
      IpamPoolAllocationId: IpamPoolAllocation.IpamPoolAllocationId,
      Cidr: '10.0.0.64/26',
    });
    expect((await deprovision(harness, pool.IpamPoolId, '10.0.0.0/24')).record.State).toBe('deprovisioned');
    expect(await freeCidrs(harness, pool.IpamPoolId)).toEqual([]);
  });

  it("fails with a child pool's CIDR inside, and gives the space back to the source pool", async () => {
    const harness = await createUseCaseHarness();
    const { parent, child } = await parentAndChild(harness, '10.0.0.0/16');
    expect((await provision(harness, child.IpamPoolId, { Cidr: '10.0.64.0/18' })).State).toBe('provisioned');
    expect(await freeCidrs(harness, parent.IpamPoolId)).toEqual(['10.0.0.0/18', '10.0.128.0/17']);
    expect((await deprovision(harness, parent.IpamPoolId, '10.0.0.0/16')).record).toMatchObject({
      State: 'failed-deprovision',
      FailureReason: { Message: 'The CIDR has one or more allocations.' },
    });

    expect((await deprovision(harness, child.IpamPoolId, '10.0.64.0/18')).record.State).toBe('deprovisioned');
    expect(await freeCidrs(harness, parent.IpamPoolId)).toEqual(['10.0.0.0/16']);
    expect(await freeCidrs(harness, child.IpamPoolId)).toEqual([]);
    const { IpamPoolAllocations } = await harness.call('GetIpamPoolAllocations', { IpamPoolId: parent.IpamPoolId });
    expect(IpamPoolAllocations).toEqual([]);
    // The space is available again, to the child or anyone else.
    expect(
      (await harness.call('AllocateIpamPoolCidr', { IpamPoolId: parent.IpamPoolId, Cidr: '10.0.64.0/18' })).IpamPoolAllocation.Cidr,
    ).toBe('10.0.64.0/18');
  });

  it('without Cidr takes the only provisioned CIDR, and needs Cidr when there are two', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { accepted, record } = await deprovision(harness, pool.IpamPoolId);
    expect(accepted.Cidr).toBe('10.0.0.0/16');
    expect(record).toMatchObject({ Cidr: '10.0.0.0/16', State: 'deprovisioned' });

    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.1.0.0/16' })).State).toBe('provisioned');
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.2.0.0/16' })).State).toBe('provisioned');
    await expectRefusal(harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId }), 'MissingParameter', 'Cidr');
  });

  it('twice is refused with IncorrectState; an unknown CIDR is a bad value', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    expect((await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16')).record.State).toBe('deprovisioned');
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' }),
      'IncorrectState',
      '10.0.0.0/16',
    );
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.9.0.0/16' }),
      'InvalidParameterValue',
      '10.9.0.0/16',
    );
    expect((await poolCidrs(harness, pool.IpamPoolId)).map((c) => c.State)).toEqual(['deprovisioned']);
    // The space went back to the scope: another pool can take it.
    const other = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    expect((await provision(harness, other.IpamPoolId, { Cidr: '10.0.0.0/16' })).State).toBe('provisioned');
  });
});

describe('private IPv6 pools', () => {
  async function ipv6Pool(harness: UseCaseHarness, ipamInput: Record<string, unknown> = {}) {
    const { Ipam } = await harness.call('CreateIpam', ipamInput);
    const pool = await newPool(harness, { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv6' });
    return { ipam: Ipam, pool };
  }

  it('accepts ULA inside fd00::/8 but outside fd00::/16, from /9 to /60', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await ipv6Pool(harness);
    expect((await provision(harness, pool.IpamPoolId, { Cidr: 'fd12:3456:789a::/48' })).State).toBe('provisioned');
    expect((await provision(harness, pool.IpamPoolId, { Cidr: 'fd01::/60' })).State).toBe('provisioned');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: 'fd00::/16' }), 'InvalidParameterValue', 'fd00::/16');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: 'fd00:1234::/32' }), 'InvalidParameterValue', 'fd00:1234::/32');
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: 'fd00::/8' }), 'InvalidParameterValue', 'fd00::/8');
    await expectRefusal(
      provision(harness, pool.IpamPoolId, { Cidr: 'fd12:3456:789a::/61' }),
      'InvalidParameterValue',
      'fd12:3456:789a::/61',
    );
    await expectRefusal(provision(harness, pool.IpamPoolId, { Cidr: 'fc00::/48' }), 'InvalidParameterValue', 'fc00::/48');
    await expectRefusal(provision(harness, pool.IpamPoolId, { NetmaskLength: 8 }), 'InvalidParameterValue', '/8');
    await expectRefusal(provision(harness, pool.IpamPoolId, { NetmaskLength: 61 }), 'InvalidParameterValue', '/61');
    expect((await provision(harness, pool.IpamPoolId, { Cidr: 'fd80::/9' })).State).toBe('provisioned');
  });

  it('picks a ULA range by netmask inside fd80::/9', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await ipv6Pool(harness);
    const cidrs = [];
    for (const netmask of [48, 56, 60]) {
      const record = await provision(harness, pool.IpamPoolId, { NetmaskLength: netmask });
      expect(record.State).toBe('provisioned');
      expect(record.NetmaskLength).toBe(netmask);
      expect(containsCidr(parseCidr('fd80::/9'), parseCidr(record.Cidr!))).toBe(true);
      cidrs.push(record.Cidr);
    }
    expect(new Set(cidrs).size).toBe(3);
  });

  it('provisions GUA only with EnablePrivateGua, which cannot be turned off while a GUA CIDR is provisioned', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool } = await ipv6Pool(harness);
    await expectRefusal(
      provision(harness, pool.IpamPoolId, { Cidr: '2600:1f00::/40' }),
      'InvalidParameterValue',
      '2600:1f00::/40',
      'EnablePrivateGua',
    );

    await harness.call('ModifyIpam', { IpamId: ipam.IpamId, EnablePrivateGua: true });
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '2600:1f00::/40' })).State).toBe('provisioned');
    await expectRefusal(harness.call('ModifyIpam', { IpamId: ipam.IpamId, EnablePrivateGua: false }), 'IncorrectState', '2600:1f00::/40');

    expect((await deprovision(harness, pool.IpamPoolId, '2600:1f00::/40')).record.State).toBe('deprovisioned');
    const { Ipam } = await harness.call('ModifyIpam', { IpamId: ipam.IpamId, EnablePrivateGua: false });
    expect(Ipam.EnablePrivateGua).toBe(false);
  });

  it('never ends with a GUA CIDR provisioned while EnablePrivateGua is off, however the two requests race', async () => {
    const harness = await createUseCaseHarness();
    const jitter = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 6));
    for (let round = 0; round < 12; round++) {
      const caller = { accountId: String(100_000_000_000 + round) };
      const { Ipam } = await harness.call('CreateIpam', { EnablePrivateGua: true }, caller);
      const { IpamPool } = await harness.call('CreateIpamPool', { IpamScopeId: Ipam.PrivateDefaultScopeId, AddressFamily: 'ipv6' }, caller);
      await Promise.allSettled([
        jitter().then(() => harness.call('ModifyIpam', { IpamId: Ipam.IpamId, EnablePrivateGua: false }, caller)),
        jitter().then(() => harness.call('ProvisionIpamPoolCidr', { IpamPoolId: IpamPool.IpamPoolId, Cidr: '2600:1f00::/40' }, caller)),
      ]);
      const enabled = (await harness.call('DescribeIpams', {}, caller)).Ipams[0].EnablePrivateGua;
      const provisioned = (await harness.call('GetIpamPoolCidrs', { IpamPoolId: IpamPool.IpamPoolId }, caller)).IpamPoolCidrs.filter(
        (record: { State: string }) => record.State === 'provisioned',
      );
      // Exactly one of the two won.
      expect(enabled ? provisioned.length === 1 : provisioned.length === 0).toBe(true);
    }
  });
});

describe('one record per pool CIDR (what Terraform looks a pool CIDR up by)', () => {
  const rowsFor = async (harness: UseCaseHarness, IpamPoolId: string, cidr: string) =>
    (await harness.call('GetIpamPoolCidrs', { IpamPoolId, Filters: [{ Name: 'cidr', Values: [cidr] }] })).IpamPoolCidrs as PoolCidr[];

  it('provision → deprovision → provision of the same CIDR leaves one row, provisioned', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { record: gone } = await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16');
    expect((await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16')).map((row) => row.State)).toEqual(['deprovisioned']);

    const again = await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' });
    expect(again.State).toBe('provisioned');
    const rows = await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16');
    expect(rows).toEqual([expect.objectContaining({ IpamPoolCidrId: again.IpamPoolCidrId, Cidr: '10.0.0.0/16', State: 'provisioned' })]);
    expect(rows[0]!.IpamPoolCidrId).not.toBe(gone.IpamPoolCidrId);
    // And once more round the loop, for Terraform's `apply -replace`.
    expect((await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16')).record.State).toBe('deprovisioned');
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' })).State).toBe('provisioned');
    expect((await poolCidrs(harness, pool.IpamPoolId)).map((row) => `${row.Cidr} ${row.State}`)).toEqual(['10.0.0.0/16 provisioned']);
  });

  it('a failed-provision record is replaced by the next provisioning of its CIDR, failed or not', async () => {
    const harness = await createUseCaseHarness();
    const { ipam, pool: holder } = await poolWithCidr(harness, '10.0.0.0/16');
    const pool = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' })).State).toBe('failed-provision');
    const failedAgain = await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' });
    expect(failedAgain.State).toBe('failed-provision');
    expect((await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16')).map((row) => row.IpamPoolCidrId)).toEqual([failedAgain.IpamPoolCidrId]);

    expect((await deprovision(harness, holder.IpamPoolId, '10.0.0.0/16')).record.State).toBe('deprovisioned');
    const provisioned = await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' });
    expect(provisioned.State).toBe('provisioned');
    expect(await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16')).toEqual([
      expect.objectContaining({ IpamPoolCidrId: provisioned.IpamPoolCidrId, State: 'provisioned' }),
    ]);
  });

  it('refuses a CIDR the pool already holds, so the one record stays the live one', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    // AWS's words (terraform-provider-aws #27424, provisioning again what a crashed apply provisioned).
    await expectRefusal(
      harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' }),
      'IncorrectState',
      `The specified action is not valid for ${pool.IpamPoolId}. The CIDR 10.0.0.0/16 is in an invalid state.`,
    );
    expect((await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16')).map((row) => row.State)).toEqual(['provisioned']);
  });

  it('a CIDR chosen by netmask replaces the finished record of the same CIDR', async () => {
    const harness = await createUseCaseHarness();
    const { child } = await parentAndChild(harness, '10.0.0.0/16');
    const first = await provision(harness, child.IpamPoolId, { NetmaskLength: 24 });
    expect(first.State).toBe('provisioned');
    expect((await deprovision(harness, child.IpamPoolId, first.Cidr)).record.State).toBe('deprovisioned');
    // Best fit picks the same block again.
    const second = await provision(harness, child.IpamPoolId, { NetmaskLength: 24 });
    expect(second).toMatchObject({ State: 'provisioned', Cidr: first.Cidr });
    expect((await rowsFor(harness, child.IpamPoolId, first.Cidr!)).map((row) => row.IpamPoolCidrId)).toEqual([second.IpamPoolCidrId]);
  });

  it('concurrent provisionings of one CIDR leave one record', async () => {
    const harness = await createUseCaseHarness();
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16');
    const results = await Promise.allSettled(
      Array.from({ length: 4 }, () => harness.call('ProvisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' })),
    );
    expect(results.filter((result) => result.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    expect((await rowsFor(harness, pool.IpamPoolId, '10.0.0.0/16')).map((row) => row.State)).toEqual(['provisioned']);
  });

  it('forgets finished records a day after they finish, though the table deletes them later', async () => {
    const harness = await createUseCaseHarness();
    let now = Date.parse('2030-01-01T00:00:00Z');
    harness.deps.now = () => new Date(now);
    const { ipam, pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const other = await newPool(harness, { IpamScopeId: ipam.PrivateDefaultScopeId });
    expect((await provision(harness, other.IpamPoolId, { Cidr: '10.0.0.0/24' })).State).toBe('failed-provision');
    now += 3600_000;
    expect((await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16')).record.State).toBe('deprovisioned');

    now += 23 * 3600_000 - 1000; // the failed record is a second short of a day old
    expect((await poolCidrs(harness, other.IpamPoolId)).map((row) => row.State)).toEqual(['failed-provision']);
    now += 1000;
    expect(await poolCidrs(harness, other.IpamPoolId)).toEqual([]);
    expect((await poolCidrs(harness, pool.IpamPoolId)).map((row) => row.State)).toEqual(['deprovisioned']);
    now += 3600_000;
    expect(await poolCidrs(harness, pool.IpamPoolId)).toEqual([]);
    await expectRefusal(
      harness.call('DeprovisionIpamPoolCidr', { IpamPoolId: pool.IpamPoolId, Cidr: '10.0.0.0/16' }),
      'InvalidParameterValue',
      '10.0.0.0/16',
    );

    // Still in the table until DynamoDB's TTL gets to them, marked for it.
    const stored = await harness.store.listPoolCidrs(pool.IpamPoolId);
    expect(stored.map((record) => record.retainedUntil)).toEqual(['2030-01-02T01:00:00.000Z']);
    // Provisioning the CIDR again replaces the forgotten record too.
    expect((await provision(harness, pool.IpamPoolId, { Cidr: '10.0.0.0/16' })).State).toBe('provisioned');
    expect((await harness.store.listPoolCidrs(pool.IpamPoolId)).map((record) => record.State)).toEqual(['provisioned']);
  });

  it('forgets a finished record for a look-up by id at the same instant as for the listing', async () => {
    const harness = await createUseCaseHarness();
    let now = Date.parse('2030-01-01T00:00:00Z');
    harness.deps.now = () => new Date(now);
    const { pool } = await poolWithCidr(harness, '10.0.0.0/16');
    const { record } = await deprovision(harness, pool.IpamPoolId, '10.0.0.0/16');
    const byId = () => findPoolCidr(harness.deps, pool.IpamPoolId, record.IpamPoolCidrId);
    const listed = async () => (await visiblePoolCidrs(harness.deps, pool.IpamPoolId)).map((row) => row.IpamPoolCidrId);

    now += 24 * 3600_000 - 1;
    expect((await byId())?.State).toBe('deprovisioned');
    expect(await listed()).toEqual([record.IpamPoolCidrId]);
    now += 1;
    expect(await byId()).toBeUndefined();
    expect(await listed()).toEqual([]);
    expect(await poolCidrs(harness, pool.IpamPoolId)).toEqual([]);
    // The table still holds it until TTL deletes it: only the readers' rule hides it.
    expect((await harness.store.getPoolCidr(pool.IpamPoolId, record.IpamPoolCidrId))?.State).toBe('deprovisioned');
  });
});
