// The outside registries BYOIP and BYOASN ownership is proved against: reverse DNS (dns-token) and
// the RIR's RDAP records (remarks-x509 certificates).

export interface RegistryLookup {
  /** The TXT strings published at a DNS name; none when the name or the record does not exist. Throws RegistryUnavailable when DNS cannot answer. */
  txtRecords(name: string): Promise<string[]>;
  /** PEM certificates found anywhere in the RDAP record of an IP range or an ASN; none when there is no record. Throws RegistryUnavailable when RDAP cannot answer. */
  rdapCertificates(kind: 'ip' | 'autnum', resource: string): Promise<string[]>;
}

/**
 * The registry could not be asked (resolver or RDAP server down, timing out, answering 5xx): no
 * verdict on the proof. The verification workflows retry a task that throws it (its name) with
 * backoff before they fail the provisioning, whose reason then starts with the registry's name.
 */
export class RegistryUnavailable extends Error {
  constructor(registry: 'DNS' | 'RDAP', detail: string) {
    super(`${registry} unavailable: ${detail}`);
    this.name = 'RegistryUnavailable';
  }
}
