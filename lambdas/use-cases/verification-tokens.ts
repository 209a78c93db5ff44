// CreateIpamExternalResourceVerificationToken, DescribeIpamExternalResourceVerificationTokens,
// DeleteIpamExternalResourceVerificationToken (UG "Verify domain control", S6.B): tokens an IPAM
// issues for the dns-token BYOIP method, usable for any number of CIDRs for 72 hours.
import { randomInt, randomUUID } from 'node:crypto';
import { IpamError, messages } from '../domain/errors.ts';
import { arnOf, newVerificationTokenId } from '../domain/ids.ts';
import type { IpamExternalResourceVerificationToken } from '../domain/model/public-space.ts';
import { type TagSpecification, tagsFromSpecifications } from '../domain/tags.ts';
import type { Dependencies, RequestContext } from './kernel/context.ts';
import { publicView } from './kernel/context.ts';
import { retryOnConflict } from './free-space.ts';
import { requireIpam, requireSettled } from './kernel/lookup.ts';

const TOKEN_LIFETIME_MS = 72 * 3600 * 1000;
/** Per IPAM (UG "Quotas": verification tokens); expired tokens count until deleted. */
const VERIFICATION_TOKENS_PER_IPAM = 100;

type TokenStatus = 'valid' | 'expired';

export const tokenStatus = (token: IpamExternalResourceVerificationToken, now: Date): TokenStatus =>
  now.getTime() < Date.parse(token.NotAfter) ? 'valid' : 'expired';

export const presentToken = (token: IpamExternalResourceVerificationToken, now: Date) => ({
  ...publicView(token),
  Status: tokenStatus(token, now),
});

const tokenNotFound = (id: string) =>
  new IpamError(
    'InvalidIpamExternalResourceVerificationTokenId.NotFound',
    messages.notFound('ipam-external-resource-verification-token', id),
  );

/** Like IPAMs, tokens are seen and used by their owner in the IPAM's home Region. */
export const tokenVisible = (context: RequestContext, token: IpamExternalResourceVerificationToken) =>
  token.ownerId === context.accountId && token.IpamRegion === context.region;

export async function requireVerificationToken(deps: Dependencies, context: RequestContext, id: string) {
  const token = await deps.store.getVerificationToken(id);
  if (!token || !tokenVisible(context, token)) throw tokenNotFound(id);
  return token;
}

interface CreateVerificationTokenInput {
  IpamId: string;
  TagSpecifications?: TagSpecification[];
}

export async function createIpamExternalResourceVerificationToken(
  deps: Dependencies,
  context: RequestContext,
  input: CreateVerificationTokenInput,
) {
  const tags = tagsFromSpecifications(input.TagSpecifications, 'ipam-external-resource-verification-token');
  const id = newVerificationTokenId();
  const token = await retryOnConflict(async () => {
    const ipam = await requireIpam(deps, context, input.IpamId);
    requireSettled('IPAM', ipam.IpamId, ipam.State);
    const count = ipam.verificationTokenCount ?? 0;
    if (count >= VERIFICATION_TOKENS_PER_IPAM) {
      throw new IpamError('ResourceLimitExceeded', messages.limitExceeded('verification tokens', count, VERIFICATION_TOKENS_PER_IPAM));
    }
    const created: IpamExternalResourceVerificationToken = {
      IpamExternalResourceVerificationTokenId: id,
      IpamExternalResourceVerificationTokenArn: arnOf(ipam.OwnerId, 'ipam-external-resource-verification-token', id),
      IpamId: ipam.IpamId,
      IpamArn: ipam.IpamArn,
      IpamRegion: ipam.IpamRegion,
      TokenValue: randomUUID(),
      // Eight digits, like the guide's "86950620": the first label of every TXT record name.
      TokenName: String(randomInt(10_000_000, 100_000_000)),
      NotAfter: new Date(deps.now().getTime() + TOKEN_LIFETIME_MS).toISOString(),
      State: 'create-complete',
      Tags: tags,
      ownerId: ipam.OwnerId,
      version: 0,
    };
    await deps.store.commit([
      // Invariant: at most 100 tokens per IPAM — the count this decision read is still current.
      { op: 'update', entity: { type: 'ipam', value: { ...ipam, verificationTokenCount: count + 1 } } },
      { op: 'create', entity: { type: 'verification-token', value: created } },
    ]);
    return created;
  });
  return { IpamExternalResourceVerificationToken: presentToken(token, deps.now()) };
}

interface DeleteVerificationTokenInput {
  IpamExternalResourceVerificationTokenId: string;
}

export async function deleteIpamExternalResourceVerificationToken(
  deps: Dependencies,
  context: RequestContext,
  input: DeleteVerificationTokenInput,
) {
  const deleted = await retryOnConflict(async () => {
    const token = await requireVerificationToken(deps, context, input.IpamExternalResourceVerificationTokenId);
    const ipam = await deps.store.getIpam(token.IpamId);
    await deps.store.commit([
      { op: 'delete', entity: { type: 'verification-token', value: token } },
      // Invariant: the IPAM's token count stays the number of its tokens (gone with a deleted IPAM).
      ...(ipam
        ? [
            {
              op: 'update' as const,
              entity: {
                type: 'ipam' as const,
                value: { ...ipam, verificationTokenCount: Math.max(0, (ipam.verificationTokenCount ?? 1) - 1) },
              },
            },
          ]
        : []),
    ]);
    return token;
  });
  return { IpamExternalResourceVerificationToken: presentToken({ ...deleted, State: 'delete-complete' }, deps.now()) };
}

/** After its IPAM is deleted: its tokens go too (best effort; the token counter went with the IPAM). */
export async function purgeVerificationTokens(deps: Dependencies, ownerId: string, ipamId: string): Promise<void> {
  for (const token of (await deps.store.listVerificationTokens(ownerId)).filter((record) => record.IpamId === ipamId)) {
    await retryOnConflict(async () => {
      const current = await deps.store.getVerificationToken(token.IpamExternalResourceVerificationTokenId);
      if (current) await deps.store.commit([{ op: 'delete', entity: { type: 'verification-token', value: current } }]);
    });
  }
}
