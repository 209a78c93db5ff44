// The records IPAM keeps live in lambdas/domain/model/, one module per aggregate. Public fields use
// the EC2 API's member names so that presenting a record is a pick, not a translation; camelCase
// fields are internal and never leave the service. This module: what every record shares.

export interface Tag {
  Key: string;
  Value: string;
}

/** Optimistic concurrency: a write that depends on a record names the version it read. */
export interface Versioned {
  version: number;
}
