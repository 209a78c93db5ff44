// STS GetCallerIdentity: who the signing key acts as. Every key this service issues belongs to an
// account as a whole (there are no IAM users or roles), so the caller is the account's root.
import type { Dependencies, Output, RequestContext } from './kernel/context.ts';

export async function getCallerIdentity(_deps: Dependencies, context: RequestContext): Promise<Output> {
  return { UserId: context.accountId, Account: context.accountId, Arn: `arn:aws:iam::${context.accountId}:root` };
}
