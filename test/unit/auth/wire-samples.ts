// Loads the captured client requests in test/fixtures/wire-samples/requests as inputs for the
// SigV4 verifier.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { SignedRequest } from '../../../lambdas/adapters/http/sigv4.ts';
import type { IpamError } from '../../../lambdas/domain/errors.ts';
import type { AccessKey, CredentialStore } from '../../../lambdas/ports/credentials.ts';

export const SAMPLES_DIR = fileURLToPath(new URL('../../fixtures/wire-samples/requests/', import.meta.url));

/** The key every sample was signed with (the AWS documentation example). */
export const EXAMPLE_KEY: AccessKey = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  accountId: '111122223333',
};

export interface WireSample {
  file: string;
  request: SignedRequest;
  /** The request's X-Amz-Date as a Date: the clock at which it is fresh. */
  signedAt: Date;
}

export function sampleFiles(): string[] {
  return readdirSync(SAMPLES_DIR)
    .filter((file) => file.endsWith('.txt'))
    .sort();
}

/** Parses one file: request line, `Name: value` lines (LF), an empty line, the body bytes. */
export function loadSample(file: string): WireSample {
  const raw = readFileSync(SAMPLES_DIR + file);
  const headEnd = raw.indexOf('\n\n');
  const [requestLine, ...headerLines] = raw.subarray(0, headEnd).toString('utf8').split('\n');
  const [method, path] = requestLine.split(' ');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon)] = line.slice(colon + 1).trim();
  }
  const request = { method, path, headers, body: new Uint8Array(raw.subarray(headEnd + 2)) };
  return { file, request, signedAt: parseAmzDate(header(request, 'x-amz-date')!) };
}

export function header(request: SignedRequest, name: string): string | undefined {
  const entry = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}

/** A copy of the request with one header replaced (or removed), whatever its letter case. */
export function withHeader(request: SignedRequest, name: string, value: string | undefined): SignedRequest {
  const headers = Object.fromEntries(Object.entries(request.headers).filter(([key]) => key.toLowerCase() !== name));
  if (value !== undefined) headers[name] = value;
  return { ...request, headers };
}

export function parseAmzDate(value: string): Date {
  return new Date(value.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
}

export function staticCredentialStore(...keys: AccessKey[]): CredentialStore {
  return {
    lookup: async (accessKeyId) => keys.find((key) => key.accessKeyId === accessKeyId),
    accountsWithKeys: async () => [...new Set(keys.map((key) => key.accountId))],
  };
}

/** Awaits a promise expected to fail and returns what it threw (asserted by the caller). */
export async function rejectionOf(promise: Promise<unknown>): Promise<IpamError> {
  try {
    await promise;
  } catch (error) {
    return error as IpamError;
  }
  throw new Error('Expected the promise to reject, but it resolved');
}
