// The outside registries BYOIP verification talks to, run locally: an authoritative DNS server
// answering TXT queries from a map (a small hand-written responder on node:dgram) and an RDAP
// HTTP server answering `/ip/<cidr>` and `/autnum/<asn>` from a map. No internet involved.
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../lambdas/adapters/local/free-port.ts';
import { createRegistryLookup } from '../../lambdas/adapters/registry/registry-lookup.ts';
import type { RegistryLookup } from '../../lambdas/ports/registry.ts';

export interface RegistryServers {
  /** TXT strings by record name (lower case, no trailing dot). */
  txt: Map<string, string[]>;
  /** RDAP JSON by `ip/<cidr>` or `autnum/<asn>`. */
  rdap: Map<string, unknown>;
  /** While true, the DNS server answers SERVFAIL and the RDAP server 503: an outage of each registry. */
  down: { dns: boolean; rdap: boolean };
  /** The production adapter, pointed at these servers. */
  registry: RegistryLookup;
  /** The settings that point a service at them: IPAM_BYOIP_DNS_RESOLVER and IPAM_BYOIP_RDAP_URL. */
  dnsResolver: string;
  rdapBaseUrl: string;
  close(): Promise<void>;
}

export async function startRegistryServers(): Promise<RegistryServers> {
  const txt = new Map<string, string[]>();
  const rdap = new Map<string, unknown>();
  const down = { dns: false, rdap: false };
  const dns = await startDnsServer(txt, down);
  const http = await startRdapServer(rdap, down);
  const dnsPort = (dns.address() as AddressInfo).port;
  const httpPort = (http.address() as AddressInfo).port;
  const dnsResolver = `127.0.0.1:${dnsPort}`;
  const rdapBaseUrl = `http://127.0.0.1:${httpPort}`;
  return {
    txt,
    rdap,
    down,
    registry: createRegistryLookup({ dnsResolver, rdapBaseUrl }),
    dnsResolver,
    rdapBaseUrl,
    close: async () => {
      await new Promise<void>((resolve) => dns.close(() => resolve()));
      await new Promise<void>((resolve, reject) => http.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

// ---- DNS (RFC 1035 §4) --------------------------------------------------------------------------

const TYPE_TXT = 16;
const CLASS_IN = 1;
const RCODE_SERVFAIL = 2;
const RCODE_NXDOMAIN = 3;

async function startDnsServer(records: Map<string, string[]>, down: { dns: boolean }): Promise<Socket> {
  const socket = createSocket('udp4');
  socket.on('message', (query, peer) => {
    const answer = dnsAnswer(query, records, down.dns);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return socket;
}

/** Answers the query's single question: its TXT strings, NXDOMAIN for an unknown name, no data for other types; SERVFAIL when down. */
function dnsAnswer(query: Buffer, records: Map<string, string[]>, down: boolean): Buffer | undefined {
  if (query.length < 12 || query.readUInt16BE(4) !== 1) return undefined;
  const { name, end } = readName(query, 12);
  const type = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const values = records.get(name.toLowerCase());
  // One TXT record per value, as a zone with several TXT records at one name answers.
  const answers = values && type === TYPE_TXT && !down ? values.map(txtRecord) : [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.readUInt16BE(0), 0); // id
  const recursionDesired = query.readUInt16BE(2) & 0x0100;
  const rcode = down ? RCODE_SERVFAIL : values ? 0 : RCODE_NXDOMAIN;
  header.writeUInt16BE(0x8400 | recursionDesired | rcode, 2); // response, authoritative
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, question, ...answers]);
}

function readName(message: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let position = offset;
  while (message[position] !== 0) {
    const length = message[position]!;
    labels.push(message.subarray(position + 1, position + 1 + length).toString('ascii'));
    position += 1 + length;
  }
  return { name: labels.join('.'), end: position + 1 };
}

/** One TXT record (name = pointer to the question) holding one character-string (≤ 255 bytes). */
function txtRecord(value: string): Buffer {
  const rdata = Buffer.concat([Buffer.from([Buffer.byteLength(value)]), Buffer.from(value)]);
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0);
  fixed.writeUInt16BE(TYPE_TXT, 2);
  fixed.writeUInt16BE(CLASS_IN, 4);
  fixed.writeUInt32BE(60, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

// ---- RDAP ----------------------------------------------------------------------------------------

async function startRdapServer(records: Map<string, unknown>, down: { rdap: boolean }): Promise<Server> {
  const server = createServer((request, response) => {
    if (down.rdap) return void response.writeHead(503).end();
    const key = decodeURIComponent((request.url ?? '/').slice(1));
    const record = records.get(key);
    response.writeHead(record === undefined ? 404 : 200, { 'content-type': 'application/rdap+json' });
    response.end(JSON.stringify(record ?? { errorCode: 404, title: 'Not Found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

/** A RegistryLookup whose resolver and RDAP server are ports nothing listens on: every lookup is refused. */
export async function unreachableRegistry(): Promise<RegistryLookup> {
  const port = await freePort('127.0.0.1');
  return createRegistryLookup({ dnsResolver: `127.0.0.1:${port}`, rdapBaseUrl: `http://127.0.0.1:${port}` });
}

/** An RDAP `ip` record the way ARIN publishes one: the certificate as lines of a Public Comments remark. */
export function rdapIpRecord(cidr: string, certificatePem: string): unknown {
  return {
    objectClassName: 'ip network',
    handle: `NET-${cidr}`,
    remarks: [{ title: 'Public Comments', description: certificatePem.trim().split('\n') }],
  };
}
