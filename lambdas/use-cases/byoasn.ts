// ProvisionIpamByoasn, DescribeIpamByoasn, DeprovisionIpamByoasn, AssociateIpamByoasn,
// DisassociateIpamByoasn (UG "Bring your ASN to IPAM", spec S5).
//
// Provisioning answers `pending-provision`, as on AWS; the provision-byoasn workflow then checks
// the signed authorization against the certificate in the ASN's RDAP record and settles the
// record as `provisioned` or `failed-provision` with a StatusMessage.
import { parsePublicAsn } from '../domain/asn.ts';
import { type AuthorizationMessage, parseAuthorizationMessage, verifySignedMessage } from '../domain/byoip-verification.ts';
import { IpamError, messages } from '../domain/errors.ts';
import { byoasnRetainedUntil, isForgottenByoasn } from '../domain/expiry.ts';
import type { Byoasn } from '../domain/model/public-space.ts';
import { advertisementOf, advertisementWrites, requireByoipCidr } from './byoip-cidrs.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { requireIpam } from './kernel/lookup.ts';
import { type Announcement, commitAnnouncing } from './kernel/outbox.ts';
import { commitAndStart } from './kernel/workflow.ts';
import { type ListRequest, pageOf, queryFingerprint } from './kernel/pagination.ts';

/** BYOASNs per IPAM (UG L9656; adjustable on AWS, fixed here). */
const BYOASNS_PER_IPAM = 5;

/** States in which an ASN holds one of its IPAM's places. */
const HOLDS_A_PLACE: ReadonlySet<Byoasn['State']> = new Set([
  'pending-provision',
  'provisioned',
  'pending-deprovision',
  'failed-deprovision',
]);

/** An ASN's state change, announced as its owner in its IPAM's home Region. */
const asnStateChange = (record: Byoasn, previousState: Byoasn['State'] | undefined): Announcement => ({
  event: {
    'detail-type': 'IPAM BYOASN State Change',
    detail: { ipamId: record.IpamId, asn: record.Asn, previousState, state: record.State, statusMessage: record.StatusMessage },
  },
  accountId: record.ownerId,
  region: record.ipamRegion,
});

/** An ASN associated with or disassociated from a BYOIP CIDR, announced like its state changes. */
const asnAssociationChange = (record: Byoasn, cidr: string, change: 'associated' | 'disassociated'): Announcement => ({
  event: { 'detail-type': 'IPAM BYOASN Association Change', detail: { ipamId: record.IpamId, asn: record.Asn, cidr, change } },
  accountId: record.ownerId,
  region: record.ipamRegion,
});

/** The account's ASN record unless it was purged (failed or deprovisioned a week ago). */
async function liveByoasn(deps: Dependencies, ownerId: string, asn: string): Promise<Byoasn | undefined> {
  const record = await deps.store.getByoasn(ownerId, asn);
  return record && !isForgottenByoasn(record, deps.now()) ? record : undefined;
}

const presentByoasn = (record: Byoasn) => ({
  Asn: record.Asn,
  IpamId: record.IpamId,
  State: record.State,
  StatusMessage: record.StatusMessage,
});

interface ProvisionIpamByoasnInput {
  IpamId: string;
  Asn: string;
  AsnAuthorizationContext: { Message: string; Signature: string };
}

export async function provisionIpamByoasn(deps: Dependencies, context: RequestContext, input: ProvisionIpamByoasnInput) {
  const asn = parsePublicAsn(input.Asn);
  const { Message, Signature } = input.AsnAuthorizationContext ?? {};
  if (typeof Message !== 'string' || typeof Signature !== 'string') {
    throw new IpamError(
      'MissingParameter',
      messages.missingParameter('AsnAuthorizationContext.Message and AsnAuthorizationContext.Signature'),
    );
  }
  const pending = await retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    const existing = await deps.store.getByoasn(context.accountId, asn);
    if (existing && HOLDS_A_PLACE.has(existing.State)) {
      throw new IpamError('IncorrectState', `The ASN ${asn} is already ${existing.State} in IPAM ${existing.IpamId}`);
    }
    const held = (await deps.store.listByoasns(context.accountId)).filter(
      (record) => record.IpamId === ipam.IpamId && HOLDS_A_PLACE.has(record.State),
    );
    if (held.length >= BYOASNS_PER_IPAM)
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('BYOASNs', held.length, BYOASNS_PER_IPAM));
    const record: Byoasn = {
      Asn: asn,
      IpamId: ipam.IpamId,
      State: 'pending-provision',
      ownerId: context.accountId,
      ipamRegion: ipam.IpamRegion,
      associationCount: 0,
      version: existing?.version ?? 1,
    };
    await commitAndStart(
      deps,
      [
        existing
          ? // Invariant: the failed or deprovisioned record is still as read, so only one re-provision wins.
            { op: 'update', entity: { type: 'byoasn', value: record } }
          : { op: 'create', entity: { type: 'byoasn', value: record } },
        // Invariant: no other ASN took one of the IPAM's places since they were counted.
        { op: 'update', entity: { type: 'ipam', value: ipam } },
      ],
      'provision-byoasn',
      { ownerId: context.accountId, asn, message: Message, signature: Signature },
      // A purged record is a new ASN to whoever listens.
      [asnStateChange(record, existing && !isForgottenByoasn(existing, deps.now()) ? existing.State : undefined)],
    );
    return record;
  });
  return { Byoasn: presentByoasn(pending) };
}

/** Workflow task: check the authorization (account, ASN, expiry, signature by the RDAP certificate) and settle the record. */
export async function verifyByoasnProvision(
  deps: Dependencies,
  ownerId: string,
  asn: string,
  message: string,
  signature: string,
): Promise<void> {
  const pending = await liveByoasn(deps, ownerId, asn);
  if (pending?.State !== 'pending-provision') return; // settled already: a retried task does nothing
  // An unreadable registry throws: the workflow's failure branch records it (failByoasnProvision).
  const problem = await authorizationProblem(deps, ownerId, asn, message, signature);
  await settleProvision(deps, pending, problem);
}

/** Workflow task on the failure branch: the check could not be made, so the ASN is not provisioned. */
export async function failByoasnProvision(deps: Dependencies, ownerId: string, asn: string, reason: string): Promise<void> {
  const pending = await liveByoasn(deps, ownerId, asn);
  if (pending?.State !== 'pending-provision') return;
  await settleProvision(deps, pending, `Provisioning failed: ${reason}`);
}

async function settleProvision(deps: Dependencies, pending: Byoasn, problem: string | undefined): Promise<void> {
  const settled: Byoasn = problem
    ? { ...pending, State: 'failed-provision', StatusMessage: problem, retainedUntil: byoasnRetainedUntil(deps.now()) }
    : { ...pending, State: 'provisioned', StatusMessage: undefined };
  // Invariant: the record is still pending, so it settles exactly once.
  await commitAnnouncing(deps, [{ op: 'update', entity: { type: 'byoasn', value: settled } }], [asnStateChange(settled, pending.State)]);
}

async function authorizationProblem(
  deps: Dependencies,
  ownerId: string,
  asn: string,
  message: string,
  signature: string,
): Promise<string | undefined> {
  let parsed: AuthorizationMessage;
  try {
    parsed = parseAuthorizationMessage(message);
  } catch (error) {
    return (error as Error).message;
  }
  if (parsed.accountId !== ownerId) return `The authorization message names account ${parsed.accountId}, not ${ownerId}`;
  if (parsed.resource !== asn) return `The authorization message names ASN ${parsed.resource}, not ${asn}`;
  if (parsed.expiresAt.getTime() <= deps.now().getTime()) return 'The authorization message has expired';
  const certificates = await deps.registry.rdapCertificates('autnum', asn);
  if (certificates.length === 0) return `The RDAP record of ASN ${asn} carries no X.509 certificate`;
  if (!certificates.some((certificate) => verifySignedMessage(message, signature, certificate))) {
    return `The signature does not verify with the certificate in the RDAP record of ASN ${asn}`;
  }
  return undefined;
}

export async function describeIpamByoasn(deps: Dependencies, context: RequestContext, input: ListRequest) {
  const now = deps.now();
  const records = (await deps.store.listByoasns(context.accountId)).filter(
    (record) => record.ipamRegion === context.region && !isForgottenByoasn(record, now),
  );
  const query = queryFingerprint(['DescribeIpamByoasn', context.accountId, context.region]);
  const page = pageOf(deps.paginationSecret, query, records, (record) => record.Asn.padStart(10, '0'), input, 100);
  return { Byoasns: page.items.map(presentByoasn), NextToken: page.nextToken };
}

/** The caller's ASN record, as NotFound-safe as ids: another account's ASN looks like none. */
async function requireByoasn(deps: Dependencies, context: RequestContext, asnText: string): Promise<Byoasn> {
  const asn = parsePublicAsn(asnText);
  const record = await liveByoasn(deps, context.accountId, asn);
  if (!record || record.State === 'deprovisioned')
    throw new IpamError('InvalidParameterValue', `The ASN ${asn} is not provisioned to an IPAM of this account`);
  return record;
}

export async function deprovisionIpamByoasn(deps: Dependencies, context: RequestContext, input: { IpamId: string; Asn: string }) {
  return retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    const record = await requireByoasn(deps, context, input.Asn);
    if (record.IpamId !== ipam.IpamId)
      throw new IpamError('InvalidParameterValue', `The ASN ${record.Asn} is not provisioned to IPAM ${ipam.IpamId}`);
    if (record.associationCount > 0) {
      throw new IpamError(
        'DependencyViolation',
        `The ASN ${record.Asn} is associated with ${record.associationCount} BYOIP CIDR(s); disassociate it first`,
      );
    }
    const deprovisioned: Byoasn = {
      ...record,
      State: 'deprovisioned',
      StatusMessage: undefined,
      retainedUntil: byoasnRetainedUntil(deps.now()),
    };
    // Invariant: the ASN still has no associations (associating updates this record).
    await commitAnnouncing(
      deps,
      [{ op: 'update', entity: { type: 'byoasn', value: deprovisioned } }],
      [asnStateChange(deprovisioned, record.State)],
    );
    return { Byoasn: presentByoasn(deprovisioned) };
  });
}

export async function associateIpamByoasn(deps: Dependencies, context: RequestContext, input: { Asn: string; Cidr: string }) {
  return retryOnConflict(async () => {
    const record = await requireByoasn(deps, context, input.Asn);
    if (record.State !== 'provisioned') throw new IpamError('IncorrectState', `The ASN ${record.Asn} is ${record.State}, not provisioned`);
    const byoip = await requireByoipCidr(deps, context, input.Cidr);
    if (byoip.pool.ipamId !== record.IpamId) {
      throw new IpamError(
        'InvalidParameterValue',
        `The CIDR ${byoip.cidr} is not in IPAM ${record.IpamId}, where ASN ${record.Asn} is provisioned`,
      );
    }
    const association = { Asn: record.Asn, Cidr: byoip.cidr, State: 'associated' };
    const current = await advertisementOf(deps, byoip);
    if (current.associatedAsns.includes(record.Asn)) return { AsnAssociation: association };
    await commitAnnouncing(
      deps,
      [
        ...advertisementWrites(byoip, { ...current, associatedAsns: [...current.associatedAsns, record.Asn] }),
        // Invariant: the ASN is still provisioned, and its count keeps it from being deprovisioned while associated.
        { op: 'update', entity: { type: 'byoasn', value: { ...record, associationCount: record.associationCount + 1 } } },
      ],
      [asnAssociationChange(record, byoip.cidr, 'associated')],
    );
    return { AsnAssociation: association };
  });
}

export async function disassociateIpamByoasn(deps: Dependencies, context: RequestContext, input: { Asn: string; Cidr: string }) {
  return retryOnConflict(async () => {
    const record = await requireByoasn(deps, context, input.Asn);
    const byoip = await requireByoipCidr(deps, context, input.Cidr);
    const current = await advertisementOf(deps, byoip);
    if (!current.associatedAsns.includes(record.Asn)) {
      throw new IpamError('InvalidParameterValue', `The ASN ${record.Asn} is not associated with the CIDR ${byoip.cidr}`);
    }
    if (current.advertised && current.originAsn === record.Asn) {
      throw new IpamError(
        'IncorrectState',
        `The CIDR ${byoip.cidr} is advertised with ASN ${record.Asn} as origin; withdraw it or advertise it with another ASN first`,
      );
    }
    await commitAnnouncing(
      deps,
      [
        ...advertisementWrites(byoip, { ...current, associatedAsns: current.associatedAsns.filter((asn) => asn !== record.Asn) }),
        // Invariant: the association count stays exact.
        { op: 'update', entity: { type: 'byoasn', value: { ...record, associationCount: record.associationCount - 1 } } },
      ],
      [asnAssociationChange(record, byoip.cidr, 'disassociated')],
    );
    return { AsnAssociation: { Asn: record.Asn, Cidr: byoip.cidr, State: 'disassociated' } };
  });
}
