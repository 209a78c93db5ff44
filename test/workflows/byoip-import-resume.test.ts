// Crash and resume of the BYOIP move into IPAM (import-byoip-cidr, the real ASL on the local
// engine): a process that died before the import task leaves the pool CIDR pending-import, the
// range pending-transfer and an open execution; the next process finishes the move once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdapIpRecord, type RegistryServers, startRegistryServers } from '../support/registry-servers.ts';
import { createSigningIdentity } from '../support/signing-identity.ts';
import { importByoipCidr } from '../../lambdas/use-cases/byoip-transfer.ts';
import { dispatch } from '../../lambdas/use-cases/kernel/dispatch.ts';
import { createUseCaseHarness, poolCidrState, reconcile, restart } from '../support/use-cases.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-west-2';
const CIDR = '130.137.230.0/24';

let servers: RegistryServers;
beforeAll(async () => {
  servers = await startRegistryServers();
});
afterAll(async () => servers?.close());

describe('crash and resume of a BYOIP move into IPAM', () => {
  it('resumes the import left pending: one provisioned pool CIDR, one allocation, the range complete-transfer', async () => {
    const identity = createSigningIdentity();
    servers.rdap.set(`ip/${CIDR}`, rdapIpRecord(CIDR, identity.certificatePem));
    const crashed = await createUseCaseHarness({ registry: servers.registry, pauseBeforeTask: 'importByoipCidr' });
    const inRegion = { region: REGION };
    const Message = `1|aws|${ACCOUNT}|${CIDR}|20991231|SHA256|RSAPSS`;
    await crashed.call(
      'ProvisionByoipCidr',
      { Cidr: CIDR, CidrAuthorizationContext: { Message, Signature: identity.sign(Message) } },
      inRegion,
    );
    const { Ipam } = await crashed.call('CreateIpam', { OperatingRegions: [{ RegionName: REGION }] });
    const { IpamPool } = await crashed.call('CreateIpamPool', {
      IpamScopeId: Ipam.PublicDefaultScopeId,
      Locale: REGION,
      AwsService: 'ec2',
      AddressFamily: 'ipv4',
    });
    const move = { Cidr: CIDR, IpamPoolId: IpamPool.IpamPoolId, IpamPoolOwner: ACCOUNT };
    // Sent without waiting for the workflow, which the crashed engine never finishes; in the range's Region.
    const accepted = await dispatch(crashed.deps, { ...crashed.context, region: REGION }, 'MoveByoipCidrToIpam', move);
    expect(accepted).toEqual({ ByoipCidr: { Cidr: CIDR, State: 'pending-transfer' } });
    await crashed.engine.stop();
    const [open] = await crashed.store.listOpenExecutions();
    expect(open).toMatchObject({ workflow: 'import-byoip-cidr', args: { ownerId: ACCOUNT, region: REGION, cidr: CIDR } });
    const poolCidrId = open!.args.poolCidrId as string;
    expect(await poolCidrState(crashed, IpamPool.IpamPoolId, poolCidrId)).toBe('pending-import');

    const { harness, resumed, tasks } = await restart(crashed);
    expect(resumed).toBe(1);
    expect(tasks).toEqual(['importByoipCidr', 'finishExecution']);
    expect(await poolCidrState(harness, IpamPool.IpamPoolId, poolCidrId)).toBe('provisioned');
    const allocations = (await harness.store.listAllocations(IpamPool.IpamPoolId, { limit: 10 })).items;
    expect(allocations.map((allocation) => `${allocation.Cidr} ${allocation.ResourceType} ${allocation.ResourceOwner}`)).toEqual([
      `${CIDR} ec2-public-ipv4-pool ${ACCOUNT}`,
    ]);
    expect((await harness.call('MoveByoipCidrToIpam', move, inRegion)).ByoipCidr.State).toBe('complete-transfer');
    // Nothing is left to resume, and a second run of the task changes nothing.
    expect(await reconcile(harness)).toBe(0);
    await importByoipCidr(harness.deps, { ownerId: ACCOUNT, region: REGION, cidr: CIDR, poolId: IpamPool.IpamPoolId, poolCidrId });
    expect((await harness.store.listAllocations(IpamPool.IpamPoolId, { limit: 10 })).items).toHaveLength(1);
  });
});
