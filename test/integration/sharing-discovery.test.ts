// A resource discovery shared from a second organisation feeds the receiving IPAM through the
// sweep (spec §1.4 steps 4–7), and stops feeding it once unshared (DN-40).
import { describe, expect, it } from 'vitest';
import { MemoryOrganizationDirectory } from '../../lambdas/adapters/memory/organization.ts';
import { defaultOrganization } from '../../lambdas/domain/organization.ts';
import { createSweepHarness, vpc } from '../support/discovery-sweep.ts';
import { ADMIN, ram, sharingOrganization } from '../support/sharing.ts';

const SECOND_MANAGEMENT = '555555555555';
const SECOND_ADMIN = '666666666666';

describe("another organisation's shared resource discovery", () => {
  it('feeds the IPAM it is associated with, and no longer once unshared', async () => {
    const organization = new MemoryOrganizationDirectory([
      sharingOrganization().org,
      defaultOrganization(SECOND_MANAGEMENT, [SECOND_ADMIN]),
    ]);
    const sh = await createSweepHarness({ organization });
    try {
      const { harness } = sh;
      const { Ipam } = await harness.call('CreateIpam', {}, { accountId: ADMIN });
      const { IpamResourceDiscovery } = await harness.call('CreateIpamResourceDiscovery', {}, { accountId: SECOND_ADMIN });
      const created = await ram(harness, SECOND_ADMIN, {
        path: '/createresourceshare',
        body: { name: 'discovery', resourceArns: [IpamResourceDiscovery.IpamResourceDiscoveryArn], principals: [ADMIN] },
      });
      const invitation = (await ram(harness, ADMIN, { path: '/getresourceshareinvitations', body: {} })).body.resourceShareInvitations[0];
      await ram(harness, ADMIN, {
        path: '/acceptresourceshareinvitation',
        body: { resourceShareInvitationArn: invitation.resourceShareInvitationArn },
      });
      await harness.call(
        'AssociateIpamResourceDiscovery',
        { IpamId: Ipam.IpamId, IpamResourceDiscoveryId: IpamResourceDiscovery.IpamResourceDiscoveryId },
        { accountId: ADMIN },
      );
      await sh.writeInventory({ [SECOND_ADMIN]: { 'us-east-1': { vpcs: [vpc('vpc-0second00000000001', ['10.50.0.0/16'])] } } });

      const tracked = async () =>
        (
          await harness.call('GetIpamResourceCidrs', { IpamScopeId: Ipam.PrivateDefaultScopeId, ResourceType: 'vpc' }, { accountId: ADMIN })
        ).IpamResourceCidrs.map((record: { ResourceId: string; ResourceOwnerId: string }) => [record.ResourceId, record.ResourceOwnerId]);
      await sh.sweep();
      expect(await tracked()).toEqual([['vpc-0second00000000001', SECOND_ADMIN]]);

      await ram(harness, SECOND_ADMIN, {
        method: 'DELETE',
        path: '/deleteresourceshare',
        query: `resourceShareArn=${encodeURIComponent(created.body.resourceShare.resourceShareArn)}`,
      });
      await sh.sweep();
      expect(await tracked()).toEqual([]);
    } finally {
      await sh.close();
    }
  });
});
