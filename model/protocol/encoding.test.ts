/**
 * Strict base64url [ENC-1] and the zod field types built on it. Properties replay with QRLINK_SEED.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as encoding from './encoding.js';

const { b64uBytes, b64uLength, Counter, Device, E164, Millis, Opaque, Ref, toB64u } = encoding;

/** fast-check parameters: the seed from QRLINK_SEED when set (fast-check prints the seed of any failure). */
const seed = process.env.QRLINK_SEED === undefined ? undefined : Number(process.env.QRLINK_SEED);
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

const text = (s: string) => new TextEncoder().encode(s);

/** RFC 4648 section 10 test vectors, in the URL-safe alphabet without padding. */
const vectors: readonly [Uint8Array, string][] = [
  [text(''), ''],
  [text('f'), 'Zg'],
  [text('fo'), 'Zm8'],
  [text('foo'), 'Zm9v'],
  [text('foob'), 'Zm9vYg'],
  [text('fooba'), 'Zm9vYmE'],
  [text('foobar'), 'Zm9vYmFy'],
  [new Uint8Array([0xfb, 0xff]), '-_8'],
  [new Uint8Array([0xfb, 0xef, 0xbe]), '----'],
  [new Uint8Array([0xff, 0xff, 0xff]), '____'],
];

/** Strings that are not strict base64url of anything [ENC-1]. */
const rejected: readonly [string, string][] = [
  ['padding', 'Zg=='],
  ['a single pad', 'Zm8='],
  ['padding on a full quantum', 'Zm9v===='],
  ['"+" of the standard alphabet', 'Zm+v'],
  ['"/" of the standard alphabet', 'Zm/v'],
  ['a leading space', ' Zm9v'],
  ['a trailing newline', 'Zm9v\n'],
  ['an inner tab', 'Zm\t9v'],
  ['a non-ASCII letter', 'Zm9é'],
  ['length 1', 'Z'],
  ['length 5 (mod 4 = 1)', 'Zm9vY'],
  ['non-canonical trailing bits (2 chars)', 'Zh'],
  ['non-canonical trailing bits (3 chars)', 'Zm9'],
  ['non-canonical trailing bits (32 bytes)', `${'A'.repeat(42)}B`],
];

function describeCodec(name: string, load: () => Promise<typeof encoding>): void {
  describe(name, () => {
    it.each(vectors)('[ENC-1] encodes and decodes the RFC 4648 vector %#', async (bytes, b64) => {
      const m = await load();
      expect(m.toB64u(bytes)).toBe(b64);
      expect(m.fromB64u(b64)).toEqual(bytes);
    });

    it.each(rejected)('[ENC-1] rejects %s', async (_what, s) => {
      const m = await load();
      expect(m.fromB64u(s)).toBeUndefined();
    });

    it('[ENC-1] round-trips every byte string, and decodes only canonical encodings', async () => {
      const m = await load();
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
          const s = m.toB64u(bytes);
          expect(s).toMatch(/^[A-Za-z0-9_-]*$/);
          expect(s.length).toBe(b64uLength(bytes.length));
          expect(m.fromB64u(s)).toEqual(bytes);
        }),
        params(300),
      );
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom(...'AQgw_-+/=. Zz09'), maxLength: 24 }), (s) => {
          const bytes = m.fromB64u(s);
          if (bytes !== undefined) expect(m.toB64u(bytes)).toBe(s);
        }),
        params(500),
      );
    });

    it('encodes only the bytes of a view, not its whole buffer', async () => {
      const m = await load();
      const buffer = new Uint8Array([0, 0, 0x66, 0x6f, 0x6f, 0, 0]);
      expect(m.toB64u(buffer.subarray(2, 5))).toBe('Zm9v');
    });
  });
}

describeCodec('base64url with Node Buffer', async () => encoding);

describe('base64url without Node Buffer (the browser path)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.resetModules();
  });
  let browser: typeof encoding | undefined;
  describeCodec('btoa/atob', async () => {
    if (browser) return browser;
    vi.resetModules();
    vi.stubGlobal('Buffer', undefined);
    browser = (await import('./encoding.js')) as typeof encoding;
    vi.unstubAllGlobals();
    return browser;
  });

  it('agrees with the Node path on random bytes', async () => {
    vi.resetModules();
    vi.stubGlobal('Buffer', undefined);
    const web = (await import('./encoding.js')) as typeof encoding;
    vi.unstubAllGlobals();
    expect(web).not.toBe(encoding);
    const btoa = vi.spyOn(globalThis, 'btoa');
    const atob = vi.spyOn(globalThis, 'atob');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(web.toB64u(bytes)).toBe(toB64u(bytes));
        expect(web.fromB64u(toB64u(bytes))).toEqual(bytes);
      }),
      params(200),
    );
    expect(btoa).toHaveBeenCalled();
    expect(atob).toHaveBeenCalled();
    btoa.mockRestore();
    atob.mockRestore();
  });
});

describe('b64uLength', () => {
  it('gives the unpadded length of n bytes', () => {
    expect([0, 1, 2, 3, 4, 16, 17, 32, 49152].map(b64uLength)).toEqual([0, 2, 3, 4, 6, 22, 23, 43, 65536]);
  });
});

describe('b64uBytes', () => {
  const bytes = (n: number) => toB64u(new Uint8Array(n).fill(0xa5));

  it('accepts exactly n bytes when given one bound', () => {
    const s = b64uBytes(16);
    expect(s.safeParse(bytes(16)).success).toBe(true);
    for (const n of [0, 15, 17, 32]) expect(s.safeParse(bytes(n)).success, `${n} bytes`).toBe(false);
  });

  it('accepts min..max bytes, with a message naming the range', () => {
    const s = b64uBytes(17, 20);
    for (const n of [17, 18, 19, 20]) expect(s.safeParse(bytes(n)).success, `${n} bytes`).toBe(true);
    for (const n of [16, 21]) {
      const r = s.safeParse(bytes(n));
      expect(r.success, `${n} bytes`).toBe(false);
    }
    expect(s.safeParse(`${bytes(17).slice(0, -1)}B`).error?.issues[0]?.message).toBe(
      'must be base64url of 17 to 20 bytes',
    );
    expect(b64uBytes(16).safeParse(bytes(16).replace(/.$/, 'R')).error?.issues[0]?.message).toBe(
      'must be base64url of 16 bytes',
    );
    expect(s.safeParse(`${bytes(17)}=`).error?.issues.map((i) => i.message)).toContain(
      'must be base64url without padding',
    );
  });

  it('accepts an encoding of n bytes iff min <= n <= max (property)', () => {
    fc.assert(
      fc.property(fc.nat(40), fc.nat(40), fc.uint8Array({ maxLength: 48 }), (a, b, data) => {
        const [min, max] = a <= b ? [a, b] : [b, a];
        const ok = b64uBytes(min, max).safeParse(toB64u(data)).success;
        expect(ok).toBe(data.length >= min && data.length <= max);
      }),
      params(300),
    );
  });

  it('rejects a non-string', () => {
    expect(b64uBytes(1).safeParse(7).success).toBe(false);
    expect(b64uBytes(1).safeParse(null).success).toBe(false);
  });

  it('[ENC-2] Ref takes 16 to 32 bytes', () => {
    for (const n of [16, 24, 32]) expect(Ref.safeParse(bytes(n)).success, `${n}`).toBe(true);
    for (const n of [15, 33]) expect(Ref.safeParse(bytes(n)).success, `${n}`).toBe(false);
  });
});

describe('other field types', () => {
  it('[ENC-3] Opaque: 1 to 128 characters of the base64url alphabet', () => {
    for (const s of ['a', 'A'.repeat(128), 'abc-_XYZ019']) expect(Opaque.safeParse(s).success, s).toBe(true);
    for (const s of ['', 'A'.repeat(129), 'ab=', 'a+b', 'a/b', 'a b', 'a.b'])
      expect(Opaque.safeParse(s).success, s).toBe(false);
  });

  it('[ENC-4] Counter: integers 1 to 2^53-1', () => {
    for (const n of [1, 2, Number.MAX_SAFE_INTEGER]) expect(Counter.safeParse(n).success, `${n}`).toBe(true);
    for (const n of [0, -1, 1.5, 2 ** 53, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(Counter.safeParse(n).success, `${n}`).toBe(false);
    }
    expect(Counter.safeParse('1').success).toBe(false);
  });

  it('Millis: integers 0 to 2^53-1', () => {
    for (const n of [0, 1, Number.MAX_SAFE_INTEGER]) expect(Millis.safeParse(n).success, `${n}`).toBe(true);
    for (const n of [-1, 0.5, 2 ** 53]) expect(Millis.safeParse(n).success, `${n}`).toBe(false);
  });

  it('E164: "+", a non-zero digit, 7 to 15 digits in all', () => {
    for (const s of ['+1555123', '+447700900123', '+155512345678901']) expect(E164.safeParse(s).success, s).toBe(true);
    for (const s of ['+155512', '+1555123456789012', '15551234567', '+05551234567', '+1-555-1234', '+1555123\n']) {
      expect(E164.safeParse(s).success, s).toBe(false);
    }
  });

  it('Device: name 1..64 and platform 1..32 characters', () => {
    expect(Device.safeParse({ name: 'n'.repeat(64), platform: 'p'.repeat(32) }).success).toBe(true);
    for (const d of [
      { name: '', platform: 'p' },
      { name: 'n', platform: '' },
      { name: 'n'.repeat(65), platform: 'p' },
      { name: 'n', platform: 'p'.repeat(33) },
      { name: 'n' },
    ]) {
      expect(Device.safeParse(d).success, JSON.stringify(d)).toBe(false);
    }
  });
});
