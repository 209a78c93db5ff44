// The outside registries BYOIP and BYOASN ownership is proved against: reverse DNS (dns-token) and
// the RIR's RDAP records (remarks-x509 certificates).

export interface RegistryLookup {
  /** The TXT strings published at a DNS name; none when the name or the record does not exist. */
  txtRecords(name: string): Promise<string[]>;
  /** PEM certificates found anywhere in the RDAP record of an IP range or an ASN; none when there is no record. */
  rdapCertificates(kind: 'ip' | 'autnum', resource: string): Promise<string[]>;
}
