// Every error a caller can see, with its EC2 code and HTTP status: the one table for both.
// Domain and use-case code throw `IpamError`; the protocol adapters turn it into EC2 XML or JSON.

export const ERROR_STATUS = {
  // request shape and values
  InvalidParameterValue: 400,
  InvalidParameterCombination: 400,
  InvalidParameter: 400,
  MissingParameter: 400,
  UnknownParameter: 400,
  MissingAction: 400,
  InvalidAction: 400,
  InvalidPaginationToken: 400,
  InvalidID: 400,
  // HTTP limits (docs/limits.md); EC2 documents no codes for them, these name the HTTP status.
  RequestEntityTooLarge: 413,
  RequestTimeout: 408,
  // resources
  'InvalidIpamId.NotFound': 400,
  'InvalidIpamScopeId.NotFound': 400,
  'InvalidIpamPoolId.NotFound': 400,
  'InvalidIpamPoolAllocationId.NotFound': 400,
  'InvalidIpamResourceDiscoveryId.NotFound': 400,
  'InvalidIpamResourceDiscoveryAssociationId.NotFound': 400,
  'InvalidIpamExternalResourceVerificationTokenId.NotFound': 400,
  'InvalidIpamPolicyId.NotFound': 400,
  'InvalidIpamPrefixListResolverId.NotFound': 400,
  // Managed prefix lists (issue 22): the codes EC2 answers, as AWS tooling handles them
  // (Terraform's provider: InvalidPrefixListID.NotFound, PrefixListVersionMismatch).
  'InvalidPrefixListID.NotFound': 400,
  PrefixListVersionMismatch: 400,
  PrefixListMaxEntriesExceeded: 400,
  InvalidPrefixListModification: 400,
  'InvalidIpamPrefixListResolverTargetId.NotFound': 400,
  // Elastic IPs from IPAM pools
  'InvalidAllocationID.NotFound': 400,
  'InvalidAddress.NotFound': 400,
  'InvalidIPAddress.InUse': 400,
  InsufficientAddressCapacity: 400,
  // Public IPv4 pools and Elastic IP associations (issue 21 part A)
  'InvalidPublicIpv4PoolID.NotFound': 400,
  'InvalidAssociationID.NotFound': 400,
  'InvalidInstanceID.NotFound': 400,
  'InvalidNetworkInterfaceID.NotFound': 400,
  'Resource.AlreadyAssociated': 400,
  // VPCs (EC2 companions, embedded mode)
  'InvalidVpcID.NotFound': 400,
  'InvalidVpc.Range': 400,
  'InvalidSubnetID.NotFound': 400,
  'InvalidSubnet.Range': 400,
  'InvalidSubnet.Conflict': 400,
  'InvalidVpcCidrBlockAssociationID.NotFound': 400,
  'InvalidSubnetCidrBlockAssociationID.NotFound': 400,
  'InvalidCidrBlock.InUse': 400,
  CidrLimitExceeded: 400,
  OperationNotPermitted: 400,
  IncorrectState: 400,
  DependencyViolation: 400,
  ResourceLimitExceeded: 400,
  IdempotentParameterMismatch: 400,
  // DryRun and authorisation
  DryRunOperation: 412,
  UnauthorizedOperation: 403,
  // authentication
  AuthFailure: 401,
  SignatureDoesNotMatch: 403,
  IncompleteSignature: 400,
  MissingAuthenticationToken: 403,
  RequestExpired: 400,
  // service health
  RequestLimitExceeded: 503,
  Unavailable: 503,
  InternalError: 500,
  // Delegating the IPAM administrator (EnableIpamOrganizationAdminAccount / DisableIpamOrganizationAdminAccount):
  // the codes EC2 answers, as AWS tooling handles them (Terraform's provider, CloudFormation custom resources).
  IpamOrganizationAccountNotFound: 400,
  IpamOrganizationDelegatedAdminLimitExceeded: 400,
  IpamOrganizationAccountNotRegistered: 400,
  // AWS Organizations (adapters/organizations/, use-cases/organizations.ts): its own codes, and
  // the JSON protocols' codes for a request that cannot be read. Organizations answers 400 to all.
  AccessDeniedException: 400,
  AWSOrganizationsNotInUseException: 400,
  AccountNotFoundException: 400,
  ChildNotFoundException: 400,
  ConstraintViolationException: 400,
  DestinationParentNotFoundException: 400,
  DuplicateAccountException: 400,
  DuplicateOrganizationalUnitException: 400,
  InvalidInputException: 400,
  OrganizationalUnitNotEmptyException: 400,
  OrganizationalUnitNotFoundException: 400,
  ParentNotFoundException: 400,
  SourceParentNotFoundException: 400,
  ConcurrentModificationException: 400,
  UnknownOperationException: 400,
  SerializationException: 400,
  // AWS RAM (adapters/ram/protocol.ts): RAM's own codes, with the HTTP status of RAM's model.
  UnknownResourceException: 400,
  MalformedArnException: 400,
  InvalidParameterException: 400,
  MissingRequiredParameterException: 400,
  OperationNotPermittedException: 400,
  ResourceArnNotFoundException: 400,
  InvalidClientTokenException: 400,
  IdempotentParameterMismatchException: 400,
  InvalidNextTokenException: 400,
  InvalidStateTransitionException: 400,
  InvalidResourceTypeException: 400,
  ResourceShareLimitExceededException: 400,
  TagLimitExceededException: 400,
  ResourceShareInvitationArnNotFoundException: 400,
  ResourceShareInvitationAlreadyAcceptedException: 400,
  ResourceShareInvitationAlreadyRejectedException: 400,
  ResourceShareInvitationExpiredException: 400,
  ServerInternalException: 500,
  ServiceUnavailableException: 503,
  ThrottlingException: 429,
  UnrecognizedClientException: 403,
  InvalidSignatureException: 403,
  IncompleteSignatureException: 400,
  MissingAuthenticationTokenException: 403,
  // UnknownOperationException (a path no RAM operation answers): 400, in the Organizations block above.
  // EC2's address pools of BYOIP ranges outside IPAM (ipv6pool-ec2-…): DescribeIpv6Pools, GetAssociatedIpv6PoolCidrs.
  'InvalidPoolID.NotFound': 400,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class IpamError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'IpamError';
    this.code = code;
  }

  get httpStatus(): number {
    return ERROR_STATUS[this.code];
  }
}

/**
 * An error the upstream EC2 endpoint answered (forwarding mode, ports/ec2-upstream.ts): its own
 * code, message and HTTP status, passed through to the caller unchanged.
 */
export class UpstreamError extends IpamError {
  readonly #status: number;

  constructor(code: string, message: string, status: number) {
    super(code as ErrorCode, message);
    this.name = 'UpstreamError';
    this.#status = status;
  }

  override get httpStatus(): number {
    return this.#status;
  }
}

function isIpamError(error: unknown): error is IpamError {
  return error instanceof IpamError;
}

/** Anything that is not an IpamError is a bug: it reaches the caller as InternalError. */
export function toIpamError(error: unknown): IpamError {
  return isIpamError(error) ? error : new IpamError('InternalError', 'An internal error has occurred');
}

// Messages EC2 words the same way everywhere; one place so they stay identical.
export const messages = {
  notFound: (kind: string, id: string) => `The ${kind} ID '${id}' does not exist`,
  dryRun: () => 'Request would have succeeded, but DryRun flag is set.',
  unauthorized: () => 'You are not authorized to perform this operation.',
  invalidAction: (action: string) => `The action ${action} is not valid for this web service.`,
  unknownParameter: (key: string) => `The parameter ${key} is not recognized`,
  missingParameter: (name: string) => `The request must contain the parameter ${name}`,
  invalidFilter: (name: string) => `The filter '${name}' is invalid`,
  limitExceeded: (kind: string, count: number, limit: number) =>
    `You've reached the limit for ${kind}. You have created ${count} ${kind} and you are limited to ${limit}.`,
} as const;

/**
 * AWS's own words for IPAM's refusals, as real AWS answered them (spec 20-scenarios.md, Summary 3,
 * where each is quoted with its source); test/integration/aws-error-words.test.ts checks each one.
 */
export const awsWords = {
  /** DeleteIpamPool of a pool with CIDRs: DependencyViolation (hashicorp/terraform-provider-aws PR #22328). */
  poolHasCidrs: (poolId: string) =>
    `The specified action is not valid for ${poolId}. There are one or more pool cidrs provisioned in the pool.`,
  /** No room for the size asked, e.g. from a pool without CIDRs: InvalidParameterValue (terraform-provider-aws #39046, terraform-aws-vpc PR #718). */
  allocationTooBig: () => 'The allocation size is too big for the pool.',
  /** Neither Cidr nor NetmaskLength, and no default netmask: InvalidParameterCombination (terraform-aws-vpc #1135). */
  emptyCidrAndNetmask: () =>
    'The request cannot contain empty CIDR and Netmask Length for a pool with no default allocation netmask length set. Exactly one of them should be provided.',
  /** A pool CIDR deprovisioned with allocations inside: its failed-deprovision FailureReason (terraform-provider-aws #30165). */
  cidrHasAllocations: () => 'The CIDR has one or more allocations.',
  /**
   * ModifyIpam or ModifyIpamPool naming nothing to change: InvalidParameterCombination
   * (cloudformation-coverage-roadmap #1550: "The request must contain a modification to the ipam.";
   * aws-ia/terraform-aws-ipam #65, for a pool, quotes no final stop: it is the IPAM's by analogy).
   */
  noModification: (kind: 'ipam' | 'ipam pool') => `The request must contain a modification to the ${kind}.`,
  /** A VPC from a pool whose locale is another Region (the guide's console text, S2). */
  localeNotRegion: () => 'The locale of the IPAM pool must be equal to the current region.',
  /** An allocation from one's own pool asked in a Region that is neither its home nor its locale: InvalidParameterValue (aws-ia/terraform-aws-vpc #65). */
  poolNotInRegion: (poolId: string, region: string) => `The pool ${poolId} is not in the current region ${region}.`,
  /**
   * ProvisionIpamPoolCidr of a CIDR the pool already holds: IncorrectState (terraform-provider-aws
   * #27424, provisioning again after a crashed apply had provisioned it).
   */
  cidrInInvalidState: (poolId: string, cidr: string) =>
    `The specified action is not valid for ${poolId}. The CIDR ${cidr} is in an invalid state.`,
  /** GetIpamPoolAllocations of an unknown allocation id: InvalidIpamPoolAllocationId.NotFound (terraform-provider-aws #28913). */
  allocationNotFound: (allocationId: string) => `The IPAM pool allocation (${allocationId}) does not exist.`,
  /** CreateSubnet from a pool that plans no VPC: InvalidParameterValue here, AWS's code unseen (landing-zone-accelerator-on-aws #320). */
  missingSourceResource: (poolId: string) => `IpamPool '${poolId}' is missing a source resource`,
  /**
   * CreateIpamPool with PubliclyAdvertisable on any pool but a BYOIPv6 one: InvalidParameterCombination
   * (hashicorp/terraform-provider-aws #39967, an Amazon-provided IPv6 pool).
   */
  publiclyAdvertisableOnlyByoipv6: () =>
    'The request can only contain PubliclyAdvertisable if the AddressFamily is IPv6 and PublicIpSource is byoip.',
  /**
   * A BYOIP CIDR provisioned without its proof: InvalidParameterCombination, whose message
   * aws-ia/terraform-aws-ipam #75 quotes as far as "The request must contain a CIDR Auth"; the
   * rest names the member as the EC2 model does.
   */
  missingCidrAuthorizationContext: () =>
    'The request must contain a CIDR Authorization Context (CidrAuthorizationContext, with Message and Signature) for VerificationMethod remarks-x509.',
  /** A VPC without the pool's required tags: InvalidParameterValue (the guide, S2 step 7; landing-zone-accelerator-on-aws #917). */
  missingRequiredTags: () => 'The resource is missing one or more of the resource tags required by the IPAM pool.',
} as const;
