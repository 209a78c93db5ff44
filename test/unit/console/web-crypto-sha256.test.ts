// The console signs in the browser with WebCrypto (or, outside a secure context, a pure-JS hash)
// behind @smithy/signature-v4's Checksum shape: the same digests and HMACs as Node's crypto, for
// strings, bytes and keys of each kind.
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { signingSha256, WebCryptoSha256 } from '../../../web/src/api/sha256.ts';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('WebCryptoSha256', () => {
  it('hashes what it is fed, in pieces, as one SHA-256', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.string(), fc.uint8Array())), async (pieces) => {
        const hash = new WebCryptoSha256();
        for (const piece of pieces) hash.update(piece);
        const expected = createHash('sha256');
        for (const piece of pieces) expected.update(piece);
        expect(hex(await hash.digest())).toBe(expected.digest('hex'));
      }),
    );
  });

  it('with a secret (string or bytes, a view into a larger buffer too), is HMAC-SHA-256', async () => {
    const larger = new Uint8Array([9, 1, 2, 3, 9]);
    for (const secret of ['AWS4secret', new Uint8Array([1, 2, 3]), larger.subarray(1, 4)]) {
      const hmac = new WebCryptoSha256(secret);
      hmac.update('20261207');
      expect(hex(await hmac.digest())).toBe(createHmac('sha256', secret).update('20261207').digest('hex'));
    }
  });

  it('reset starts again', async () => {
    const hash = new WebCryptoSha256();
    hash.update('something');
    hash.reset();
    expect(hex(await hash.digest())).toBe(createHash('sha256').digest('hex'));
  });
});

describe('signingSha256', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is WebCrypto in a secure context', () => {
    expect(signingSha256()).toBe(WebCryptoSha256);
  });

  it('without crypto.subtle (plain http from another machine), is a pure-JS HMAC-SHA-256 giving the same answers', async () => {
    vi.stubGlobal('crypto', { getRandomValues: crypto.getRandomValues.bind(crypto) });
    const Hash = signingSha256();
    expect(Hash).not.toBe(WebCryptoSha256);
    const hmac = new Hash('AWS4secret');
    hmac.update('20261207');
    expect(hex(await hmac.digest())).toBe(createHmac('sha256', 'AWS4secret').update('20261207').digest('hex'));
  });
});
