// BYOIP provisioning (S6–S10): a CIDR brought to a top-level public-scope pool carries proof of
// control. What is wrong with the request itself is refused at once; the proof is checked against
// DNS or RDAP by the provision-byoip-cidr workflow (verifyByoipCidr), whose failure ends the CIDR
// in failed-provision with the reason and takes no space.
import { dnsTokenRecordNames, messageNamesCidr, parseAuthorizationMessage, verifySignedMessage } from '../domain/byoip-verification.ts';
import { type Cidr, formatCidr, parseCidr } from '../domain/cidr.ts';
import { awsWords, IpamError } from '../domain/errors.ts';
import type { IpamPool } from '../domain/model/pool.ts';
import type { ByoipProof } from '../domain/model/public-space.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { findPoolCidr } from './kernel/lookup.ts';
import { requireVerificationToken, tokenStatus } from './verification-tokens.ts';

/** Most specific BYOIP blocks (S6.A/S6.B): /24 IPv4; /48 IPv6 if advertisable, /60 if not. */
const MOST_SPECIFIC = { ipv4: 24, ipv6Advertisable: 48, ipv6NotAdvertisable: 60 } as const;

/** A top-level public pool whose space the customer brings (Amazon-provided pools say `amazon`; planning pools plan a VPC's). */
export const isByoipPool = (pool: IpamPool) =>
  !pool.SourceIpamPoolId && !pool.SourceResource && pool.IpamScopeType === 'public' && pool.PublicIpSource !== 'amazon';

interface ByoipRequest {
  CidrAuthorizationContext?: unknown;
  VerificationMethod?: string;
  IpamExternalResourceVerificationTokenId?: string;
}

/** Proof parameters belong to BYOIP provisioning only. */
export function requireNoProof(pool: IpamPool, input: ByoipRequest): void {
  if (
    input.CidrAuthorizationContext !== undefined ||
    input.VerificationMethod !== undefined ||
    input.IpamExternalResourceVerificationTokenId !== undefined
  ) {
    throw new IpamError(
      'InvalidParameterCombination',
      `CidrAuthorizationContext, VerificationMethod and IpamExternalResourceVerificationTokenId apply only to BYOIP CIDRs of a top-level public pool; ${pool.IpamPoolId} is not one`,
    );
  }
}

/** Checks a BYOIP request's shape and returns the proof the workflow will verify. */
export async function byoipProofOf(
  deps: Dependencies,
  context: RequestContext,
  pool: IpamPool,
  requested: Cidr | undefined,
  input: ByoipRequest,
): Promise<ByoipProof> {
  if (!requested)
    throw new IpamError('MissingParameter', `The request must contain the parameter Cidr: a BYOIP CIDR is given, not chosen by netmask`);
  requireByoipSize(pool, requested);
  const method = input.VerificationMethod ?? 'remarks-x509';
  if (method === 'dns-token') {
    if (input.CidrAuthorizationContext !== undefined) {
      throw new IpamError('InvalidParameterCombination', 'CidrAuthorizationContext is for VerificationMethod remarks-x509, not dns-token');
    }
    const tokenId = input.IpamExternalResourceVerificationTokenId;
    if (!tokenId)
      throw new IpamError(
        'MissingParameter',
        'The request must contain the parameter IpamExternalResourceVerificationTokenId for VerificationMethod dns-token',
      );
    const token = await requireVerificationToken(deps, context, tokenId);
    if (token.IpamId !== pool.ipamId) {
      throw new IpamError(
        'InvalidParameterValue',
        `The verification token ${tokenId} belongs to IPAM ${token.IpamId}, not to IPAM ${pool.ipamId} of pool ${pool.IpamPoolId}`,
      );
    }
    return { method, tokenId };
  }
  if (method !== 'remarks-x509')
    throw new IpamError('InvalidParameterValue', `VerificationMethod must be remarks-x509 or dns-token, not '${method}'`);
  if (input.IpamExternalResourceVerificationTokenId !== undefined) {
    throw new IpamError(
      'InvalidParameterCombination',
      'IpamExternalResourceVerificationTokenId is for VerificationMethod dns-token, not remarks-x509',
    );
  }
  const { Message, Signature } = (input.CidrAuthorizationContext ?? {}) as { Message?: unknown; Signature?: unknown };
  if (typeof Message !== 'string' || typeof Signature !== 'string') {
    throw new IpamError('InvalidParameterCombination', awsWords.missingCidrAuthorizationContext());
  }
  parseAuthorizationMessage(Message); // a malformed message is the caller's mistake, refused now
  return { method, message: Message, signature: Signature };
}

function requireByoipSize(pool: IpamPool, cidr: Cidr): void {
  requireMostSpecificByoip(cidr, pool.PubliclyAdvertisable !== false, `pool ${pool.IpamPoolId}`);
}

/** The guide's most specific BYOIP sizes, for a CIDR brought to `where`. */
export function requireMostSpecificByoip(cidr: Cidr, advertisable: boolean, where: string): void {
  const limit =
    cidr.family === 'ipv4' ? MOST_SPECIFIC.ipv4 : advertisable ? MOST_SPECIFIC.ipv6Advertisable : MOST_SPECIFIC.ipv6NotAdvertisable;
  if (cidr.prefixLength > limit) {
    throw new IpamError(
      'InvalidParameterValue',
      `The BYOIP CIDR ${formatCidr(cidr)} is too specific for ${where}: the most specific is /${limit}`,
    );
  }
}

/** The proof did not hold: the workflow's Catch turns the message into the FailureReason. */
export class ByoipVerificationFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ByoipVerificationFailed';
  }
}

/** Workflow task: checks the proof of a pending BYOIP CIDR against DNS or RDAP; throws when it fails. */
export async function verifyByoipCidr(deps: Dependencies, poolId: string, poolCidrId: string): Promise<void> {
  const record = await findPoolCidr(deps, poolId, poolCidrId);
  const pool = await deps.store.getPool(poolId);
  // Settled already, or the pool went: the provisioning task decides what that means.
  if (record?.State !== 'pending-provision' || !record.byoipProof || !record.Cidr || !pool) return;
  const cidr = parseCidr(record.Cidr);
  if (record.byoipProof.method === 'dns-token') await verifyDnsToken(deps, pool, cidr, record.byoipProof.tokenId);
  else await verifySignedCidrMessage(deps, pool.OwnerId, cidr, record.byoipProof.message, record.byoipProof.signature);
}

async function verifyDnsToken(deps: Dependencies, pool: IpamPool, cidr: Cidr, tokenId: string): Promise<void> {
  const token = await deps.store.getVerificationToken(tokenId);
  if (!token || token.IpamId !== pool.ipamId)
    throw new ByoipVerificationFailed(`The verification token ${tokenId} no longer exists for IPAM ${pool.ipamId}`);
  if (tokenStatus(token, deps.now()) === 'expired') {
    throw new ByoipVerificationFailed(`The verification token ${tokenId} expired at ${token.NotAfter}; create a new one`);
  }
  for (const name of dnsTokenRecordNames(cidr, token.TokenName)) {
    const values = await deps.registry.txtRecords(name);
    if (!values.includes(token.TokenValue)) {
      throw new ByoipVerificationFailed(
        values.length === 0
          ? `No TXT record found at ${name} for ${formatCidr(cidr)}`
          : `The TXT record at ${name} does not carry the value of verification token ${tokenId}`,
      );
    }
  }
}

/** The remarks-x509 proof: the message names the owner, the CIDR and a date not past, signed by the key of a certificate in the range's RDAP record. */
export async function verifySignedCidrMessage(
  deps: Dependencies,
  ownerId: string,
  cidr: Cidr,
  message: string,
  signature: string,
): Promise<void> {
  const text = formatCidr(cidr);
  const parsed = parseAuthorizationMessage(message);
  if (parsed.accountId !== ownerId) {
    throw new ByoipVerificationFailed(`The authorization message names account ${parsed.accountId}, not the owner ${ownerId}`);
  }
  if (!messageNamesCidr(parsed, cidr)) throw new ByoipVerificationFailed(`The authorization message names ${parsed.resource}, not ${text}`);
  if (deps.now() >= parsed.expiresAt)
    throw new ByoipVerificationFailed(`The authorization message expired: its date ${message.split('|')[4]} has passed`);
  const certificates = await deps.registry.rdapCertificates('ip', text);
  if (certificates.length === 0) throw new ByoipVerificationFailed(`No X.509 certificate found in the RDAP record of ${text}`);
  if (!certificates.some((certificate) => verifySignedMessage(message, signature, certificate))) {
    throw new ByoipVerificationFailed(`The signature does not verify against the certificate in the RDAP record of ${text}`);
  }
}
