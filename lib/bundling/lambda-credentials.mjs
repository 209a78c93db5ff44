// What the Lambda bundles get for @aws-sdk/credential-provider-node, the SDK clients' default
// credential chain: only its first link, the environment, which is where Lambda puts the
// function's role credentials. The rest of the chain (SSO, ini files, processes, web identity,
// container and instance metadata) and the nested STS/SSO clients it loads were a third of the
// api bundle, compiled at every cold start for nothing (docs/performance.md).
// lib/lambda-bundling.ts aliases the package to this file.
import { fromEnv } from '@aws-sdk/credential-provider-env';

const REFRESH_BEFORE_MS = 300_000;

export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < REFRESH_BEFORE_MS;

export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;

export const defaultProvider = (init = {}) => fromEnv(init);
