import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addressBits,
  buddyOf,
  cidrFromStart,
  cidrSize,
  cidrsOverlap,
  compareCidrs,
  containsCidr,
  formatAddress,
  formatCidr,
  halvesOf,
  lastAddress,
  parentOf,
  parseAddress,
  parseCidr,
  sameCidr,
  startHex,
  type Cidr,
} from '../../../lambdas/domain/cidr.ts';
import { IpamError } from '../../../lambdas/domain/errors.ts';
import { anyCidr, anyFamily, cidrOfEitherFamily } from './arbitraries.ts';

function parseError(text: string): IpamError {
  try {
    parseCidr(text);
  } catch (error) {
    if (error instanceof IpamError) return error;
    throw error;
  }
  throw new Error(`'${text}' was accepted`);
}

describe('parseCidr accepts every valid text form and formatCidr gives the canonical one', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['192.168.100.0/22', '192.168.100.0/22'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8::/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0000/32', '2001:db8::/32'],
    ['0:0:0:0:0:0:0:0/0', '::/0'],
    ['::/0', '::/0'],
    ['::/128', '::/128'],
    ['::1/128', '::1/128'],
    ['fd80::/9', 'fd80::/9'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'],
    ['1:2:3:4:5:6:7:8/128', '1:2:3:4:5:6:7:8/128'],
    ['1:2:3:4:5:6:7::/128', '1:2:3:4:5:6:7:0/128'], // a single zero group is never '::'
    ['::2:3:4:5:6:7:8/128', '0:2:3:4:5:6:7:8/128'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'], // equal runs: the first is compressed
    ['2001:0:0:1:0:0:0:1/128', '2001:0:0:1::1/128'], // the longest run is compressed
    ['2001:db8:0:1:1:1:1:1/128', '2001:db8:0:1:1:1:1:1/128'],
    ['::ffff:10.0.0.0/104', '::ffff:a00:0/104'],
    ['::FFFF:10.0.0.0/104', '::ffff:a00:0/104'],
    ['1:2:3:4:5:6:1.2.3.4/128', '1:2:3:4:5:6:102:304/128'],
    ['::1.2.3.4/128', '::102:304/128'],
    ['64:ff9b::/96', '64:ff9b::/96'],
  ])('%s → %s', (text, canonical) => {
    expect(formatCidr(parseCidr(text))).toBe(canonical);
  });

  it('reads the family, first address and prefix length', () => {
    expect(parseCidr('10.1.0.0/16')).toEqual({ family: 'ipv4', start: 0x0a010000n, prefixLength: 16 });
    expect(parseCidr('2001:db8::/32')).toEqual({ family: 'ipv6', start: 0x20010db8n << 96n, prefixLength: 32 });
  });
});

describe('parseCidr rejects malformed CIDRs with InvalidParameterValue naming the value', () => {
  it.each([
    '',
    '10.0.0.0',
    '10.0.0.0/',
    '/8',
    '10.0.0/8',
    '10.0.0.0.0/8',
    '010.0.0.0/8',
    '10.0.0.00/32',
    '10.0.0.256/32',
    '0x0a.0.0.0/8',
    '1e1.0.0.0/8',
    '-1.0.0.0/8',
    ' 10.0.0.0/8',
    '10.0.0.0/8 ',
    '10.0.0.0/33',
    '10.0.0.0/-1',
    '10.0.0.0/+8',
    '10.0.0.0/08',
    '10.0.0.0/8.0',
    '10.0.0.0/1e1',
    '10.0.0.0/8/8',
    '10.0.0.0/٨',
    '2001:db8::/129',
    '2001:db8::/0128',
    '2001:db8:::/32',
    '2001::db8::/32',
    ':::/0',
    ':1::/16',
    '1::2:/128',
    '1:2:3:4:5:6:7:8:9/128',
    '1:2:3:4:5:6:7/128',
    '1:2:3:4:5:6:7::8/128',
    '12345::/16',
    'g::/16',
    '::ffff:10.0.0/104',
    '::ffff:010.0.0.0/104',
    '::ffff:10.0.0.0:1/128',
    '1.2.3.4::/128',
    '1:2:3:4:5:6:7:1.2.3.4/128',
    'fe80::1%eth0/128',
    'not-a-cidr',
  ])('%j', (text) => {
    const error = parseError(text);
    expect(error.code).toBe('InvalidParameterValue');
    expect(error.message).toContain(`'${text}'`);
  });

  it('names the allowed prefix range of the family', () => {
    expect(parseError('10.0.0.0/33').message).toBe(
      "The CIDR '10.0.0.0/33' is invalid: the prefix length must be a whole number from 0 to 32.",
    );
    expect(parseError('2001:db8::/129').message).toContain('from 0 to 128');
  });

  it('explains what an IPv4 address must look like', () => {
    expect(parseError('010.0.0.0/8').message).toBe(
      "The CIDR '010.0.0.0/8' is invalid: '010.0.0.0' is not an IPv4 address (four decimal numbers 0-255 without leading zeros).",
    );
  });

  it('rejects values that are not text', () => {
    expect(() => parseCidr(42 as unknown as string)).toThrow(IpamError);
  });
});

describe('a CIDR with host bits set is not canonical: the error suggests the network address', () => {
  it.each([
    ['10.0.0.1/8', '10.0.0.0/8'],
    ['10.0.0.1/24', '10.0.0.0/24'],
    ['10.0.0.16/27', '10.0.0.0/27'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['fd80::1/9', 'fd80::/9'],
    ['::ffff:10.1.2.3/104', '::ffff:a00:0/104'],
  ])('%s → did you mean %s?', (text, suggestion) => {
    expect(parseError(text).message).toBe(`The CIDR '${text}' is invalid: host bits are set; did you mean ${suggestion}?`);
  });

  it('holds for any CIDR with any host bit set', () => {
    fc.assert(
      fc.property(
        cidrOfEitherFamily.filter((c) => c.prefixLength < addressBits(c.family)),
        fc.bigInt({ min: 1n }),
        (c, noise) => {
          const hostBits = (noise % (cidrSize(c) - 1n)) + 1n;
          const text = `${formatAddress(c.family, c.start + hostBits)}/${c.prefixLength}`;
          expect(parseError(text).message).toContain(`did you mean ${formatCidr(c)}?`);
        },
      ),
    );
  });
});

// IPv6 addresses with long zero runs, which uniformly random bits almost never produce.
const ipv6GroupsArb = fc.array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
  minLength: 8,
  maxLength: 8,
});

/** Writes the groups in any RFC 4291 form: any case, optional leading zeros, any zero run as '::', an IPv4 tail. */
function anyIpv6TextOf(groups: number[]): fc.Arbitrary<string> {
  const zeroRuns: [number, number][] = [];
  for (let start = 0; start < 8; start++) {
    for (let end = start + 1; end <= 8 && groups[end - 1] === 0; end++) zeroRuns.push([start, end]);
  }
  return fc
    .record({
      widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 8, maxLength: 8 }),
      upper: fc.boolean(),
      run: zeroRuns.length > 0 ? fc.option(fc.constantFrom(...zeroRuns)) : fc.constant(null),
      ipv4Tail: fc.boolean(),
    })
    .map(({ widths, upper, run, ipv4Tail }) => {
      // parts[i] spells group i; with a dotted tail, parts[6] spells groups 6 and 7.
      const parts = groups.map((g, i) => g.toString(16).padStart(widths[i], '0'));
      if (ipv4Tail && (run === null || run[1] <= 6)) {
        parts.splice(6, 2, [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.'));
      }
      const text = run === null ? parts.join(':') : `${parts.slice(0, run[0]).join(':')}::${parts.slice(run[1]).join(':')}`;
      return upper ? text.toUpperCase() : text;
    });
}

/** The WHATWG URL serialiser prints IPv6 hosts the RFC 5952 way: an independent oracle. */
function urlCanonical(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

describe('canonical form', () => {
  it('format(parse(format(x))) == format(x) for CIDRs of both families', () => {
    fc.assert(
      fc.property(cidrOfEitherFamily, (c) => {
        const text = formatCidr(c);
        expect(parseCidr(text)).toEqual(c);
        expect(formatCidr(parseCidr(text))).toBe(text);
      }),
    );
  });

  it('every RFC 4291 spelling of an IPv6 address parses to the same address, printed per RFC 5952', () => {
    fc.assert(
      fc.property(
        ipv6GroupsArb.chain((groups) => fc.tuple(fc.constant(groups), anyIpv6TextOf(groups))),
        ([groups, text]) => {
          const value = groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
          expect(parseAddress(text)).toEqual({ family: 'ipv6', value });
          expect(formatAddress('ipv6', value)).toBe(urlCanonical(text));
        },
      ),
    );
  });

  it('parseAddress names the bad value', () => {
    expect(() => parseAddress('10.0.0.256')).toThrow("The IP address '10.0.0.256' is invalid");
    expect(parseAddress('10.0.0.1')).toEqual({ family: 'ipv4', value: 0x0a000001n });
  });
});

describe('CIDR arithmetic', () => {
  const range = (c: Cidr) => [c.start, lastAddress(c)] as const;

  it('sizes and last addresses', () => {
    expect(cidrSize(parseCidr('10.0.0.0/24'))).toBe(256n);
    expect(lastAddress(parseCidr('10.0.0.0/24'))).toBe(0x0a0000ffn);
    expect(cidrSize(parseCidr('::/0'))).toBe(1n << 128n);
    expect(lastAddress(parseCidr('::/0'))).toBe((1n << 128n) - 1n);
  });

  it('containment and overlap agree with the address ranges', () => {
    fc.assert(
      fc.property(
        anyFamily.chain((f) => fc.tuple(anyCidr(f), anyCidr(f))),
        ([a, b]) => {
          const [a0, a1] = range(a);
          const [b0, b1] = range(b);
          expect(containsCidr(a, b)).toBe(a0 <= b0 && b1 <= a1);
          expect(cidrsOverlap(a, b)).toBe(a0 <= b1 && b0 <= a1);
          expect(cidrsOverlap(a, b)).toBe(cidrsOverlap(b, a));
        },
      ),
    );
  });

  it('CIDRs of different families neither contain nor overlap each other', () => {
    expect(cidrsOverlap(parseCidr('0.0.0.0/0'), parseCidr('::/0'))).toBe(false);
    expect(containsCidr(parseCidr('::/0'), parseCidr('0.0.0.0/32'))).toBe(false);
  });

  it('buddies are the two halves of their parent', () => {
    fc.assert(
      fc.property(
        cidrOfEitherFamily.filter((c) => c.prefixLength > 0),
        (c) => {
          const buddy = buddyOf(c);
          expect(buddyOf(buddy)).toEqual(c);
          expect(parentOf(buddy)).toEqual(parentOf(c));
          const halves = halvesOf(parentOf(c)).sort(compareCidrs);
          expect(halves).toEqual([c, buddy].sort(compareCidrs));
          expect(cidrSize(halves[0]) * 2n).toBe(cidrSize(parentOf(c)));
        },
      ),
    );
    expect(buddyOf(parseCidr('10.0.0.0/9'))).toEqual(parseCidr('10.128.0.0/9'));
    expect(parentOf(parseCidr('10.128.0.0/9'))).toEqual(parseCidr('10.0.0.0/8'));
  });

  it('/0 has no buddy or parent, a single address no halves', () => {
    expect(() => buddyOf(parseCidr('::/0'))).toThrow(RangeError);
    expect(() => parentOf(parseCidr('0.0.0.0/0'))).toThrow(RangeError);
    expect(() => halvesOf(parseCidr('10.0.0.1/32'))).toThrow(RangeError);
  });

  it('cidrFromStart refuses misaligned or out-of-range values (a bug, not user input)', () => {
    expect(() => cidrFromStart('ipv4', 1n, 24)).toThrow(RangeError);
    expect(() => cidrFromStart('ipv4', 1n << 32n, 32)).toThrow(RangeError);
    expect(() => cidrFromStart('ipv6', 0n, 129)).toThrow(RangeError);
  });

  it('sameCidr and compareCidrs: family, then address, then prefix length', () => {
    const sorted = ['2001:db8::/32', '10.0.0.0/16', '10.0.0.0/8', '9.0.0.0/8', '::/0'].map(parseCidr).sort(compareCidrs);
    expect(sorted.map(formatCidr)).toEqual(['9.0.0.0/8', '10.0.0.0/8', '10.0.0.0/16', '::/0', '2001:db8::/32']);
    expect(sameCidr(parseCidr('10.0.0.0/8'), parseCidr('10.0.0.0/8'))).toBe(true);
    expect(sameCidr(parseCidr('10.0.0.0/8'), parseCidr('10.0.0.0/9'))).toBe(false);
  });
});

describe('start keys', () => {
  it('are 32 hex digits for both families, invertible, and sort like addresses', () => {
    fc.assert(
      fc.property(
        anyFamily.chain((f) => fc.tuple(anyCidr(f), anyCidr(f))),
        ([a, b]) => {
          expect(startHex(a)).toMatch(/^[0-9a-f]{32}$/);
          expect(BigInt(`0x${startHex(a)}`)).toBe(a.start);
          expect(startHex(a) < startHex(b)).toBe(a.start < b.start);
        },
      ),
    );
    expect(startHex(parseCidr('10.0.0.0/8'))).toBe('0000000000000000000000000a000000');
  });
});
