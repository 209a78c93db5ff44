// Access keys issued by this IPAM. Each key belongs to exactly one account: the account a
// verified request acts as.

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export interface CredentialStore {
  /** The key with this id, or undefined when no such key was issued. */
  lookup(accessKeyId: string): Promise<AccessKey | undefined>;
  /** Every account that has at least one key, each once: without an organisation file they are its members. */
  accountsWithKeys(): Promise<string[]>;
}
