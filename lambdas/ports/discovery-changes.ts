// Where an action tells discovery that what an account shows in a Region has changed (issue 16:
// an embedded VPC or subnet was created or deleted), and where a discovery read waits for those
// changes to be seen. Locally an in-process refresher (adapters/local/discovery-refresher.ts);
// absent in the cloud, where VPCs are not this service's records and the sweep finds them.
export interface DiscoveryChanges {
  /** Schedules a refresh of the account in the Region for every resource discovery covering it; returns at once. */
  changed(accountId: string, region: string): void;
  /** Resolves once every change reported before the call has been refreshed (or has failed to be: the next sweep repairs it). */
  settled(): Promise<void>;
}
