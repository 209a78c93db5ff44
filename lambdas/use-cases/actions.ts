// The action table: every EC2 action this service answers, and the use case behind it.
// Adding an action = one line here and one use-case function.
import { allocateIpamPoolCidr, getIpamPoolAllocations, releaseIpamPoolAllocation } from './allocations.ts';
import type { UseCase } from './context.ts';
import { createIpam, deleteIpam, describeIpams, modifyIpam } from './ipams.ts';
import { deprovisionIpamPoolCidr, getIpamPoolCidrs, provisionIpamPoolCidr } from './pool-cidrs.ts';
import { createIpamPool, deleteIpamPool, describeIpamPools, modifyIpamPool } from './pools.ts';
import { createIpamScope, deleteIpamScope, describeIpamScopes, modifyIpamScope } from './scopes.ts';
import { createTags, deleteTags } from './tags.ts';

export interface ActionSpec {
  run: UseCase;
  /** Honours ClientToken: a retry returns the first result. */
  idempotent?: boolean;
}

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  CreateIpam: { run: createIpam, idempotent: true },
  DescribeIpams: { run: describeIpams },
  ModifyIpam: { run: modifyIpam },
  DeleteIpam: { run: deleteIpam },
  CreateIpamScope: { run: createIpamScope, idempotent: true },
  DescribeIpamScopes: { run: describeIpamScopes },
  ModifyIpamScope: { run: modifyIpamScope },
  DeleteIpamScope: { run: deleteIpamScope },
  CreateIpamPool: { run: createIpamPool, idempotent: true },
  DescribeIpamPools: { run: describeIpamPools },
  ModifyIpamPool: { run: modifyIpamPool },
  DeleteIpamPool: { run: deleteIpamPool },
  ProvisionIpamPoolCidr: { run: provisionIpamPoolCidr, idempotent: true },
  GetIpamPoolCidrs: { run: getIpamPoolCidrs },
  DeprovisionIpamPoolCidr: { run: deprovisionIpamPoolCidr },
  AllocateIpamPoolCidr: { run: allocateIpamPoolCidr, idempotent: true },
  GetIpamPoolAllocations: { run: getIpamPoolAllocations },
  ReleaseIpamPoolAllocation: { run: releaseIpamPoolAllocation },
  CreateTags: { run: createTags },
  DeleteTags: { run: deleteTags },
};

export const isImplementedAction = (action: string) => Object.hasOwn(ACTIONS, action);
