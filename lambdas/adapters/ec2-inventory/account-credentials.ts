// Whose credentials read which account: the service's own account (asked of STS once) is read
// with the service's credentials, any other through AssumeRole of the discovery role there.
// Assumed credentials are kept per account until shortly before they expire, so a sweep over
// many Regions assumes each role once.
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { assumeRoleFailure } from './failures.ts';

/** The service's own credentials; undefined = the SDK's default chain. */
export type BaseCredentials = STSClientConfig['credentials'];

interface AccountCredentialsOptions {
  roleName: string;
  stsEndpoint?: string;
  credentials?: BaseCredentials;
  sessionName: string;
}

interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

// Renewing early leaves every read started with cached credentials time to finish.
const RENEW_BEFORE_EXPIRY_MS = 5 * 60_000;

function discoveryRoleArn(accountId: string, roleName: string): string {
  return `arn:aws:iam::${accountId}:role/${roleName}`;
}

export class AccountCredentials {
  readonly #options: AccountCredentialsOptions;
  #ownAccount: Promise<string> | undefined;
  readonly #assumed = new Map<string, Promise<TemporaryCredentials>>();

  constructor(options: AccountCredentialsOptions) {
    this.#options = options;
  }

  /** Credentials that read `accountId`; throws InventoryFailure when its role is not assumable. */
  async forAccount(accountId: string, region: string): Promise<BaseCredentials> {
    if (accountId === (await this.#ownAccountId(region))) return this.#options.credentials;
    const cached = this.#assumed.get(accountId);
    if (cached && !expiresSoon(await cached)) return cached;
    return this.#remember(accountId, this.#assumeRole(accountId, region));
  }

  #ownAccountId(region: string): Promise<string> {
    this.#ownAccount ??= this.#dropOnFailure(
      this.#withSts(region, async (sts) => {
        const { Account } = await sts.send(new GetCallerIdentityCommand({}));
        if (!Account) throw new Error('STS GetCallerIdentity returned no account');
        return Account;
      }),
      () => (this.#ownAccount = undefined),
    );
    return this.#ownAccount;
  }

  #remember(accountId: string, assuming: Promise<TemporaryCredentials>): Promise<TemporaryCredentials> {
    this.#assumed.set(accountId, assuming);
    return this.#dropOnFailure(assuming, () => {
      if (this.#assumed.get(accountId) === assuming) this.#assumed.delete(accountId);
    });
  }

  /** A failed look-up is not cached: the next read asks again. */
  #dropOnFailure<T>(pending: Promise<T>, drop: () => void): Promise<T> {
    pending.catch(drop);
    return pending;
  }

  async #assumeRole(accountId: string, region: string): Promise<TemporaryCredentials> {
    const roleArn = discoveryRoleArn(accountId, this.#options.roleName);
    const answer = await this.#withSts(region, (sts) =>
      sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: this.#options.sessionName })),
    ).catch((error: unknown) => {
      throw assumeRoleFailure(error, roleArn) ?? error;
    });
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = answer.Credentials ?? {};
    if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration)
      throw new Error(`STS AssumeRole of ${roleArn} returned no credentials`);
    return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration };
  }

  async #withSts<T>(region: string, use: (sts: STSClient) => Promise<T>): Promise<T> {
    const sts = new STSClient({ region, endpoint: this.#options.stsEndpoint, credentials: this.#options.credentials });
    try {
      return await use(sts);
    } finally {
      sts.destroy();
    }
  }
}

function expiresSoon(credentials: TemporaryCredentials): boolean {
  return credentials.expiration.getTime() - Date.now() < RENEW_BEFORE_EXPIRY_MS;
}
