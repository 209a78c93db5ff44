// RegistryLookup over the network: node:dns for TXT records (through the configured resolver, a
// local test server in tests) and fetch for RDAP JSON (a fixture server in tests).
import { Resolver } from 'node:dns/promises';
import type { PublicSpaceConfig } from '../../config.ts';
import { type RegistryLookup, RegistryUnavailable } from '../../ports/registry.ts';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** DNS answers meaning "nothing published here" rather than a broken lookup. */
const NO_RECORD_CODES = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** One RDAP request's limit; the workflow retries a slow registry, it does not wait on it. */
const RDAP_TIMEOUT_MS = 10_000;

export function createRegistryLookup(config: Pick<PublicSpaceConfig, 'dnsResolver' | 'rdapBaseUrl'>): RegistryLookup {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (config.dnsResolver) resolver.setServers([config.dnsResolver]);
  const rdapBase = config.rdapBaseUrl.replace(/\/+$/, '');

  return {
    async txtRecords(name) {
      try {
        // A TXT record may be split into several strings; they form one value.
        return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (NO_RECORD_CODES.has(code)) return [];
        // Refused, timed out, SERVFAIL…: the resolver gave no verdict.
        throw new RegistryUnavailable('DNS', `the TXT lookup of ${name} failed (${code || (error as Error).message})`);
      }
    },

    async rdapCertificates(kind, resource) {
      const url = `${rdapBase}/${kind}/${resource}`;
      let response: Response;
      try {
        response = await fetch(url, { headers: { accept: 'application/rdap+json' }, signal: AbortSignal.timeout(RDAP_TIMEOUT_MS) });
      } catch (error) {
        const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
        throw new RegistryUnavailable('RDAP', `GET ${url} failed (${cause?.code ?? (error as Error).message})`);
      }
      if (response.status === 404) return [];
      // Overloaded or failing: the next attempt may get an answer.
      if (response.status === 429 || response.status >= 500)
        throw new RegistryUnavailable('RDAP', `GET ${url} answered ${response.status}`);
      if (!response.ok) throw new Error(`RDAP ${kind}/${resource} answered ${response.status}`);
      return certificatesIn(await response.json());
    },
  };
}

/**
 * Registries put the certificate in remarks, descr or comments, as one string or as an array of
 * lines (RDAP remarks' `description`); any string or run of lines in the record counts.
 */
/**
 * The guide tells ARIN users to paste the certificate on one long line, where spaces replace the
 * line breaks; X509Certificate wants PEM with real ones, so the body is re-wrapped at 64.
 */
function normalisedPem(pem: string): string {
  const body = pem.replace('-----BEGIN CERTIFICATE-----', '').replace('-----END CERTIFICATE-----', '').replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return ['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----', ''].join('\n');
}

export function certificatesIn(json: unknown): string[] {
  const found = new Set<string>();
  const collect = (text: string) => {
    for (const pem of text.match(PEM_CERTIFICATE) ?? []) found.add(normalisedPem(pem));
  };
  const visit = (value: unknown): void => {
    if (typeof value === 'string') collect(value);
    else if (Array.isArray(value)) {
      if (value.every((item) => typeof item === 'string')) collect(value.join('\n'));
      else value.forEach(visit);
    } else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(json);
  return [...found];
}
