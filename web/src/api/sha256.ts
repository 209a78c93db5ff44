// SHA-256 and HMAC-SHA-256 for @smithy/signature-v4 in the browser: the shape of its `sha256`
// option (a Checksum constructor, keyed for HMAC). WebCrypto's crypto.subtle only exists in a
// secure context (https, or http on localhost / 127.0.0.1); on plain http from another machine the
// console signs with the SDK's own pure-JS SHA-256 instead.
import { Sha256 } from '@aws-crypto/sha256-js';

/** What @smithy/signature-v4 hands a Checksum (its SourceData). */
type SourceData = string | ArrayBuffer | ArrayBufferView;

const encoder = new TextEncoder();

function bytesOf(data: SourceData): Uint8Array<ArrayBuffer> {
  if (typeof data === 'string') return encoder.encode(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer);
  return new Uint8Array(data.slice(0) as ArrayBuffer);
}

export class WebCryptoSha256 {
  private chunks: Uint8Array[] = [];
  private readonly secret: Uint8Array<ArrayBuffer> | undefined;

  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
  }

  update(data: Uint8Array | string): void {
    this.chunks.push(bytesOf(data));
  }

  async digest(): Promise<Uint8Array> {
    const data = new Uint8Array(this.chunks.reduce((total, chunk) => total + chunk.length, 0));
    let offset = 0;
    for (const chunk of this.chunks) {
      data.set(chunk, offset);
      offset += chunk.length;
    }
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
    const key = await crypto.subtle.importKey('raw', this.secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', key, data));
  }

  reset(): void {
    this.chunks = [];
  }
}

/** WebCrypto where the browser offers it (a secure context), the pure-JS hash everywhere else. */
export const signingSha256 = (): typeof WebCryptoSha256 | typeof Sha256 => (globalThis.crypto?.subtle ? WebCryptoSha256 : Sha256);
