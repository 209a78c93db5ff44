// The organisation the IPAM serves (spec §1): one management account, a root, nested OUs and
// member accounts, and the delegated IPAM administrator. Member names follow AWS Organizations'
// API (ListAccounts, ListOrganizationalUnitsForParent, ListDelegatedAdministrators).

export interface OrganizationalUnit {
  /** `ou-<root suffix>-<8 lower-case letters or digits>`. */
  Id: string;
  /** `arn:aws:organizations::<management>:ou/<organization id>/<ou id>`. */
  Arn: string;
  Name: string;
  /** The root id or another OU's id. */
  ParentId: string;
}

export interface OrganizationAccount {
  /** 12 digits. */
  Id: string;
  /** `arn:aws:organizations::<management>:account/<organization id>/<account id>`. */
  Arn: string;
  Name: string;
  Email: string;
  /** The root id or an OU's id. */
  ParentId: string;
  /** ISO 8601. */
  JoinedTimestamp: string;
}

export interface DelegatedAdministrator {
  AccountId: string;
  /** The service the account administers for the organisation: `ipam.amazonaws.com`. */
  ServicePrincipal: string;
  /** ISO 8601. */
  DelegationEnabledDate: string;
}

export interface Organization {
  /** `o-` and 10 lower-case letters or digits. */
  Id: string;
  /** `arn:aws:organizations::<management>:organization/<organization id>`. */
  Arn: string;
  MasterAccountId: string;
  /** `r-` and 4 lower-case letters or digits. */
  RootId: string;
  organizationalUnits: OrganizationalUnit[];
  /** Every account, the management account included (its ParentId is the root). */
  accounts: OrganizationAccount[];
  delegatedAdministrators: DelegatedAdministrator[];
  /** Resource sharing with the organisation switched on (RAM EnableSharingWithAwsOrganization). */
  sharingWithOrganizationEnabled: boolean;
}
