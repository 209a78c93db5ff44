// The action table: every EC2 action this service answers, and the use case behind it.
// Adding an action = one line here and one use-case function.
import { getIpamAddressHistory } from '../address-history.ts';
import { associateIpamByoasn, deprovisionIpamByoasn, describeIpamByoasn, disassociateIpamByoasn, provisionIpamByoasn } from '../byoasn.ts';
import { advertiseByoipCidr, describeByoipCidrs, withdrawByoipCidr } from '../byoip-cidrs.ts';
import { allocateIpamPoolCidr, getIpamPoolAllocations, releaseIpamPoolAllocation } from '../allocations.ts';
import type { Dependencies, RequestContext, UseCase } from './context.ts';
import { requirePool } from './lookup.ts';
import { getIpamDiscoveredAccounts, getIpamDiscoveredPublicAddresses, getIpamDiscoveredResourceCidrs } from '../discovered.ts';
import { allocateAddress, describeAddresses, releaseAddress } from '../elastic-ips.ts';
import { describeAction } from '../describe.ts';
import { createIpam, deleteIpam, modifyIpam } from '../ipams.ts';
import {
  createIpamPolicy,
  deleteIpamPolicy,
  disableIpamPolicy,
  enableIpamPolicy,
  getEnabledIpamPolicy,
  getIpamPolicyAllocationRules,
  getIpamPolicyOrganizationTargets,
  modifyIpamPolicyAllocationRules,
} from '../ipam-policies.ts';
import {
  createIpamPrefixListResolver,
  deleteIpamPrefixListResolver,
  getIpamPrefixListResolverRules,
  getIpamPrefixListResolverVersionEntries,
  getIpamPrefixListResolverVersions,
  modifyIpamPrefixListResolver,
} from '../prefix-list-resolvers.ts';
import {
  authorizeOrganizationAdminChange,
  disableIpamOrganizationAdminAccount,
  enableIpamOrganizationAdminAccount,
} from '../organization-admin.ts';
import { deprovisionIpamPoolCidr, getIpamPoolCidrs, provisionIpamPoolCidr } from '../pool-cidrs.ts';
import { createIpamPool, deleteIpamPool, modifyIpamPool } from '../pools.ts';
import { getIpamResourceCidrs, modifyIpamResourceCidr } from '../resource-cidrs.ts';
import {
  associateIpamResourceDiscovery,
  createIpamResourceDiscovery,
  deleteIpamResourceDiscovery,
  disassociateIpamResourceDiscovery,
  modifyIpamResourceDiscovery,
  requireResourceDiscovery,
} from '../resource-discoveries.ts';
import { createIpamScope, deleteIpamScope, modifyIpamScope } from '../scopes.ts';
import { createTags, createTagsWithUpstream, deleteTags, deleteTagsWithUpstream, describeTags, describeTagsWithUpstream } from '../tags.ts';
import { createSubnet, deleteSubnet, describeSubnets } from '../subnets.ts';
import { createVpc, deleteVpc, describeVpcs } from '../vpcs.ts';
import {
  forwardAssociateVpcCidrBlock,
  forwardCreateSubnet,
  forwardCreateVpc,
  forwardDeleteSubnet,
  forwardDeleteVpc,
  forwardDisassociateVpcCidrBlock,
} from '../forwarded-companions.ts';
import { associateVpcCidrBlock, disassociateVpcCidrBlock } from '../vpc-cidr-blocks.ts';
import {
  createManagedPrefixList,
  deleteManagedPrefixList,
  describeManagedPrefixLists,
  getManagedPrefixListEntries,
  modifyManagedPrefixList,
  restoreManagedPrefixListVersion,
} from '../managed-prefix-lists.ts';
import {
  createIpamPrefixListResolverTarget,
  deleteIpamPrefixListResolverTarget,
  describeIpamPrefixListResolverTargets,
  modifyIpamPrefixListResolverTarget,
} from '../prefix-list-targets.ts';
import { associateSubnetCidrBlock, disassociateSubnetCidrBlock } from '../subnet-cidr-blocks.ts';
import { createIpamExternalResourceVerificationToken, deleteIpamExternalResourceVerificationToken } from '../verification-tokens.ts';
import { deprovisionByoipCidr, describeIpv6Pools, getAssociatedIpv6PoolCidrs, provisionByoipCidr } from '../byoip-ranges.ts';
import { moveByoipCidrToIpam } from '../byoip-transfer.ts';
import {
  createPublicIpv4Pool,
  deletePublicIpv4Pool,
  deprovisionPublicIpv4PoolCidr,
  describePublicIpv4Pools,
  provisionPublicIpv4PoolCidr,
} from '../public-ipv4-pools.ts';
import { associateAddress, disassociateAddress, forwardAssociateAddress, forwardDisassociateAddress } from '../elastic-ip-associations.ts';
import { listRecentEvents } from '../recent-events.ts';

export interface ActionSpec {
  run: UseCase;
  /**
   * Honours ClientToken: a retry returns the first result. 'in-commit': the use case records the
   * token in its own commit (context.clientToken), which saves the claim's extra round trips.
   */
  idempotent?: boolean | 'in-commit';
  /**
   * Who may call the action, checked before a DryRun's answer and before a ClientToken's
   * remembered answer is returned (kernel/idempotency.ts): a revoked principal, a member account
   * delegating, … are refused there as the action itself would refuse them.
   */
  authorize?: (deps: Dependencies, context: RequestContext, input: never) => Promise<unknown>;
  /** An EC2 companion (VPCs, subnets): served only where deps.ec2Companions is not `off`. */
  ec2Companion?: true;
  /**
   * The action's run in forwarding mode: an EC2 companion's IPAM part here, the resource upstream
   * (use-cases/forwarded-companions.ts); the tag actions' own resources here, the rest upstream
   * (use-cases/tags.ts). A companion without one is passed through to the upstream as sent.
   */
  forward?: UseCase;
  /**
   * How the action meets discovery (deps.discoveryChanges): `changes` — once it succeeds, the
   * caller's account in the request's Region is refreshed for every resource discovery covering it
   * (an embedded VPC or subnet came or went); `reads` — it waits until the changes reported so far
   * are refreshed, so it sees them.
   */
  discovery?: 'changes' | 'reads';
}

/**
 * EC2 answers a change to an IPAM, scope, pool, resource discovery or association without the
 * resource's Tags, which its Describe and Create answers carry (AWS CLI examples modify-ipam.rst,
 * delete-ipam.rst, modify-ipam-scope.rst, delete-ipam-scope.rst, modify-ipam-pool.rst,
 * delete-ipam-pool.rst, modify-ipam-resource-discovery.rst, delete-ipam-resource-discovery.rst,
 * disassociate-ipam-resource-discovery.rst).
 */
const withoutTags =
  (member: string, run: UseCase): UseCase =>
  async (deps, context, input) => {
    const output = await run(deps, context, input);
    const { Tags: _tags, ...resource } = output[member] as Record<string, unknown>;
    return { ...output, [member]: resource };
  };

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  CreateIpam: { run: createIpam, idempotent: true },
  DescribeIpams: { run: describeAction('DescribeIpams') },
  ModifyIpam: { run: withoutTags('Ipam', modifyIpam) },
  DeleteIpam: { run: withoutTags('Ipam', deleteIpam) },
  CreateIpamScope: { run: createIpamScope, idempotent: true },
  DescribeIpamScopes: { run: describeAction('DescribeIpamScopes') },
  ModifyIpamScope: { run: withoutTags('IpamScope', modifyIpamScope) },
  DeleteIpamScope: { run: withoutTags('IpamScope', deleteIpamScope) },
  CreateIpamPool: { run: createIpamPool, idempotent: true },
  DescribeIpamPools: { run: describeAction('DescribeIpamPools') },
  ModifyIpamPool: { run: withoutTags('IpamPool', modifyIpamPool) },
  DeleteIpamPool: { run: withoutTags('IpamPool', deleteIpamPool) },
  ProvisionIpamPoolCidr: { run: provisionIpamPoolCidr, idempotent: true },
  GetIpamPoolCidrs: { run: getIpamPoolCidrs },
  DeprovisionIpamPoolCidr: { run: deprovisionIpamPoolCidr },
  AllocateIpamPoolCidr: {
    run: allocateIpamPoolCidr,
    idempotent: 'in-commit',
    authorize: (deps, context, input: { IpamPoolId: string }) => requirePool(deps, context, input.IpamPoolId, 'AllocateIpamPoolCidr'),
  },
  GetIpamPoolAllocations: { run: getIpamPoolAllocations, discovery: 'reads' },
  ReleaseIpamPoolAllocation: { run: releaseIpamPoolAllocation },
  CreateIpamResourceDiscovery: { run: createIpamResourceDiscovery, idempotent: true },
  DescribeIpamResourceDiscoveries: { run: describeAction('DescribeIpamResourceDiscoveries') },
  ModifyIpamResourceDiscovery: { run: withoutTags('IpamResourceDiscovery', modifyIpamResourceDiscovery) },
  DeleteIpamResourceDiscovery: { run: withoutTags('IpamResourceDiscovery', deleteIpamResourceDiscovery) },
  AssociateIpamResourceDiscovery: {
    run: associateIpamResourceDiscovery,
    idempotent: true,
    authorize: (deps, context, input: { IpamId: string; IpamResourceDiscoveryId: string }) =>
      requireResourceDiscovery(deps, context, input.IpamResourceDiscoveryId, 'AssociateIpamResourceDiscovery'),
  },
  DisassociateIpamResourceDiscovery: { run: withoutTags('IpamResourceDiscoveryAssociation', disassociateIpamResourceDiscovery) },
  DescribeIpamResourceDiscoveryAssociations: { run: describeAction('DescribeIpamResourceDiscoveryAssociations') },
  GetIpamDiscoveredResourceCidrs: { run: getIpamDiscoveredResourceCidrs, discovery: 'reads' },
  GetIpamDiscoveredAccounts: { run: getIpamDiscoveredAccounts, discovery: 'reads' },
  GetIpamDiscoveredPublicAddresses: { run: getIpamDiscoveredPublicAddresses },
  GetIpamResourceCidrs: { run: getIpamResourceCidrs, discovery: 'reads' },
  ModifyIpamResourceCidr: { run: modifyIpamResourceCidr },
  GetIpamAddressHistory: { run: getIpamAddressHistory, discovery: 'reads' },
  CreateTags: { run: createTags, forward: createTagsWithUpstream },
  DeleteTags: { run: deleteTags, forward: deleteTagsWithUpstream },
  DescribeTags: { run: describeTags, forward: describeTagsWithUpstream },
  // BYOASN and BYOIP advertising
  ProvisionIpamByoasn: { run: provisionIpamByoasn },
  DescribeIpamByoasn: { run: describeIpamByoasn },
  DeprovisionIpamByoasn: { run: deprovisionIpamByoasn },
  AssociateIpamByoasn: { run: associateIpamByoasn },
  DisassociateIpamByoasn: { run: disassociateIpamByoasn },
  AdvertiseByoipCidr: { run: advertiseByoipCidr },
  WithdrawByoipCidr: { run: withdrawByoipCidr },
  DescribeByoipCidrs: { run: describeByoipCidrs },
  // BYOIP verification tokens
  CreateIpamExternalResourceVerificationToken: { run: createIpamExternalResourceVerificationToken, idempotent: true },
  DescribeIpamExternalResourceVerificationTokens: { run: describeAction('DescribeIpamExternalResourceVerificationTokens') },
  DeleteIpamExternalResourceVerificationToken: { run: deleteIpamExternalResourceVerificationToken },
  // IPAM policies (issue 22): advanced tier
  CreateIpamPolicy: { run: createIpamPolicy, idempotent: true },
  DescribeIpamPolicies: { run: describeAction('DescribeIpamPolicies') },
  DeleteIpamPolicy: { run: deleteIpamPolicy },
  ModifyIpamPolicyAllocationRules: { run: modifyIpamPolicyAllocationRules },
  GetIpamPolicyAllocationRules: { run: getIpamPolicyAllocationRules },
  EnableIpamPolicy: { run: enableIpamPolicy },
  DisableIpamPolicy: { run: disableIpamPolicy },
  GetEnabledIpamPolicy: { run: getEnabledIpamPolicy },
  GetIpamPolicyOrganizationTargets: { run: getIpamPolicyOrganizationTargets },
  // Prefix list resolvers (issue 22): advanced tier
  CreateIpamPrefixListResolver: { run: createIpamPrefixListResolver, idempotent: true },
  // Version reads wait for discovery: an embedded VPC just created is in the version it makes.
  DescribeIpamPrefixListResolvers: { run: describeAction('DescribeIpamPrefixListResolvers'), discovery: 'reads' },
  ModifyIpamPrefixListResolver: { run: withoutTags('IpamPrefixListResolver', modifyIpamPrefixListResolver) },
  DeleteIpamPrefixListResolver: { run: withoutTags('IpamPrefixListResolver', deleteIpamPrefixListResolver) },
  GetIpamPrefixListResolverRules: { run: getIpamPrefixListResolverRules },
  GetIpamPrefixListResolverVersions: { run: getIpamPrefixListResolverVersions, discovery: 'reads' },
  GetIpamPrefixListResolverVersionEntries: { run: getIpamPrefixListResolverVersionEntries, discovery: 'reads' },
  CreateIpamPrefixListResolverTarget: { run: createIpamPrefixListResolverTarget, idempotent: true },
  DescribeIpamPrefixListResolverTargets: { run: describeIpamPrefixListResolverTargets, discovery: 'reads' },
  ModifyIpamPrefixListResolverTarget: { run: modifyIpamPrefixListResolverTarget, idempotent: true },
  DeleteIpamPrefixListResolverTarget: { run: deleteIpamPrefixListResolverTarget },
  // Managed prefix lists (issue 22): kept here in every mode, as the lists resolver targets sync
  CreateManagedPrefixList: { run: createManagedPrefixList, idempotent: true },
  DescribeManagedPrefixLists: { run: describeManagedPrefixLists },
  // Waits for discovery too: a target's list holds an embedded VPC just created.
  GetManagedPrefixListEntries: { run: getManagedPrefixListEntries, discovery: 'reads' },
  ModifyManagedPrefixList: { run: modifyManagedPrefixList },
  RestoreManagedPrefixListVersion: { run: restoreManagedPrefixListVersion },
  DeleteManagedPrefixList: { run: deleteManagedPrefixList },
  // Elastic IPs from IPAM pools
  AllocateAddress: { run: allocateAddress },
  ReleaseAddress: { run: releaseAddress },
  DescribeAddresses: { run: describeAddresses },
  // Public IPv4 pools fed by IPAM pools, and Elastic IP associations (issue 21 part A)
  CreatePublicIpv4Pool: { run: createPublicIpv4Pool },
  DeletePublicIpv4Pool: { run: deletePublicIpv4Pool },
  ProvisionPublicIpv4PoolCidr: {
    run: provisionPublicIpv4PoolCidr,
    authorize: (deps, context, input: { IpamPoolId: string }) => requirePool(deps, context, input.IpamPoolId, 'AllocateIpamPoolCidr'),
  },
  DeprovisionPublicIpv4PoolCidr: { run: deprovisionPublicIpv4PoolCidr },
  DescribePublicIpv4Pools: { run: describePublicIpv4Pools },
  AssociateAddress: { run: associateAddress, forward: forwardAssociateAddress },
  DisassociateAddress: { run: disassociateAddress, forward: forwardDisassociateAddress },
  // EC2 companions, embedded (issue 16): VPCs drawn from IPAM pools, and their subnets
  CreateVpc: {
    run: createVpc,
    forward: forwardCreateVpc,
    ec2Companion: true,
    discovery: 'changes',
    authorize: async (deps, context, input: { Ipv4IpamPoolId?: string; Ipv6IpamPoolId?: string }) => {
      for (const poolId of [input.Ipv4IpamPoolId, input.Ipv6IpamPoolId]) {
        if (poolId !== undefined) await requirePool(deps, context, poolId, 'AllocateIpamPoolCidr');
      }
    },
  },
  DescribeVpcs: { run: describeVpcs, ec2Companion: true },
  DeleteVpc: { run: deleteVpc, forward: forwardDeleteVpc, ec2Companion: true, discovery: 'changes' },
  CreateSubnet: {
    run: createSubnet,
    forward: forwardCreateSubnet,
    ec2Companion: true,
    discovery: 'changes',
    authorize: (deps, context, input: { Ipv4IpamPoolId?: string }) =>
      input.Ipv4IpamPoolId === undefined ? Promise.resolve() : requirePool(deps, context, input.Ipv4IpamPoolId, 'AllocateIpamPoolCidr'),
  },
  DescribeSubnets: { run: describeSubnets, ec2Companion: true },
  DeleteSubnet: { run: deleteSubnet, forward: forwardDeleteSubnet, ec2Companion: true, discovery: 'changes' },
  AssociateVpcCidrBlock: { run: associateVpcCidrBlock, forward: forwardAssociateVpcCidrBlock, ec2Companion: true, discovery: 'changes' },
  DisassociateVpcCidrBlock: {
    run: disassociateVpcCidrBlock,
    forward: forwardDisassociateVpcCidrBlock,
    ec2Companion: true,
    discovery: 'changes',
  },
  AssociateSubnetCidrBlock: { run: associateSubnetCidrBlock, ec2Companion: true, discovery: 'changes' },
  DisassociateSubnetCidrBlock: { run: disassociateSubnetCidrBlock, ec2Companion: true, discovery: 'changes' },
  // EC2's own BYOIP outside IPAM, its IPv6 pools, and the move into IPAM (issue 21, S12)
  ProvisionByoipCidr: { run: provisionByoipCidr },
  DeprovisionByoipCidr: { run: deprovisionByoipCidr },
  MoveByoipCidrToIpam: { run: moveByoipCidrToIpam },
  DescribeIpv6Pools: { run: describeIpv6Pools },
  GetAssociatedIpv6PoolCidrs: { run: getAssociatedIpv6PoolCidrs },
  // Organisations: the delegated IPAM administrator
  EnableIpamOrganizationAdminAccount: {
    run: enableIpamOrganizationAdminAccount,
    authorize: (deps, context) => authorizeOrganizationAdminChange(deps, context, 'EnableIpamOrganizationAdminAccount'),
  },
  DisableIpamOrganizationAdminAccount: {
    run: disableIpamOrganizationAdminAccount,
    authorize: (deps, context) => authorizeOrganizationAdminChange(deps, context, 'DisableIpamOrganizationAdminAccount'),
  },
};

export const isImplementedAction = (action: string) => Object.hasOwn(ACTIONS, action);

/** An action of this service alone: its input is flat, each member a string or an integer. */
export interface ServiceActionSpec {
  run: UseCase;
  input: Readonly<Record<string, 'string' | 'integer'>>;
}

/**
 * The actions this service adds to EC2's, with names EC2 does not use: only the JSON API serves
 * them (the EC2 Query API answers InvalidAction, as EC2 would), signed and scoped to the caller's
 * account and Region like every other action, without DryRun or ClientToken.
 */
export const SERVICE_ACTIONS: Readonly<Record<string, ServiceActionSpec>> = {
  ListRecentEvents: { run: listRecentEvents, input: { MaxResults: 'integer', NextToken: 'string' } },
};

export const serviceActionOf = (action: string): ServiceActionSpec | undefined =>
  Object.hasOwn(SERVICE_ACTIONS, action) ? SERVICE_ACTIONS[action] : undefined;

/**
 * In forwarding mode, the EC2 Query requests that go to the upstream unchanged: every action this
 * service does not implement, and the companions it does not intercept (DescribeVpcs, …).
 */
export const passesThroughUpstream = (action: string) =>
  action !== '' && (!isImplementedAction(action) || (ACTIONS[action].ec2Companion === true && ACTIONS[action].forward === undefined));
