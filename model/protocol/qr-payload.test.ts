import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toB64u } from './encoding.js';
import {
  encodeQr,
  parseQr,
  QR_FIELD_BYTES,
  type QrField,
  type QrPayload,
  QrPayloadError,
  type QrPayloadErrorCode,
} from './qr-payload.js';

const seed = Number(process.env.QRLINK_SEED ?? Date.now() % 2 ** 31);

const bytes = (n: number, fill = 7) => new Uint8Array(n).fill(fill);
const REF = toB64u(bytes(16, 1));
const PUB = toB64u(bytes(32, 2));
const SECRET = toB64u(bytes(32, 3));
const good = `qrlink:1,${REF},${PUB},${SECRET}`;

function expectQrError(text: string, code: QrPayloadErrorCode, field?: QrField): QrPayloadError {
  let caught: unknown;
  try {
    parseQr(text);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(QrPayloadError);
  const err = caught as QrPayloadError;
  expect({ code: err.code, field: err.field, clause: err.clause }).toEqual({ code, field, clause: 'E2E-2' });
  if (field) expect(err.message).toContain(field);
  return err;
}

describe('QR payload [E2E-1, E2E-2]', () => {
  it('parses a well-formed QR text into bytes and its base64url fields', () => {
    const p = parseQr(good);
    expect(p.ref).toEqual(bytes(16, 1));
    expect(p.webPub).toEqual(bytes(32, 2));
    expect(p.linkSecret).toEqual(bytes(32, 3));
    expect(p.text).toEqual({ ref: REF, webPub: PUB, linkSecret: SECRET });
  });

  it('round-trips every valid payload (property)', () => {
    console.log(`qr-payload round trip: fast-check seed ${seed} (replay with QRLINK_SEED=${seed})`);
    const payload = fc.record({
      ref: fc.uint8Array({ minLength: 16, maxLength: 32 }),
      webPub: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      linkSecret: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    });
    fc.assert(
      fc.property(payload, (p: QrPayload) => {
        const text = encodeQr(p);
        expect(text.startsWith('qrlink:1,')).toBe(true);
        const back = parseQr(text);
        expect({ ref: back.ref, webPub: back.webPub, linkSecret: back.linkSecret }).toEqual(p);
        expect(encodeQr(back)).toBe(text);
      }),
      { seed, numRuns: 300 },
    );
  });

  describe('rejects malformed text with a typed error [E2E-2]', () => {
    it('wrong prefix', () => {
      expectQrError(`qrlinks:1,${REF},${PUB},${SECRET}`, 'prefix');
      expectQrError(`https://x/1,${REF},${PUB},${SECRET}`, 'prefix');
      expectQrError('', 'prefix');
    });
    it('upper-case prefix QRLINK:', () => {
      expectQrError(`QRLINK:1,${REF},${PUB},${SECRET}`, 'prefix');
    });
    it('surrounding whitespace (nothing is trimmed)', () => {
      expectQrError(` ${good}`, 'prefix');
      expectQrError(`${good}\n`, 'base64url', 'linkSecret');
    });
    it.each(['0', '2', '01', '1 ', '', 'v1'])('version %j', (v) => {
      const err = expectQrError(`qrlink:${v},${REF},${PUB},${SECRET}`, 'version');
      expect(err.message).toContain('version');
    });
    it('3 fields', () => {
      expectQrError(`qrlink:1,${REF},${PUB}`, 'field_count');
    });
    it('5 fields', () => {
      expectQrError(`${good},${SECRET}`, 'field_count');
      expectQrError(`${good},`, 'field_count');
    });
    it.each(['ref', 'webPub', 'linkSecret'] as const)('empty %s field', (field) => {
      const f = { ref: REF, webPub: PUB, linkSecret: SECRET, [field]: '' };
      expectQrError(`qrlink:1,${f.ref},${f.webPub},${f.linkSecret}`, 'length', field);
    });
    it('padding "="', () => {
      const padded = toB64u(bytes(17, 1)) + '=';
      expectQrError(`qrlink:1,${padded},${PUB},${SECRET}`, 'base64url', 'ref');
      expectQrError(`qrlink:1,${REF},${PUB}=,${SECRET}`, 'base64url', 'webPub');
    });
    it('standard-alphabet "+" and "/"', () => {
      const plus = `${SECRET.slice(0, 10)}+${SECRET.slice(11)}`;
      const slash = `${PUB.slice(0, 10)}/${PUB.slice(11)}`;
      expectQrError(`qrlink:1,${REF},${PUB},${plus}`, 'base64url', 'linkSecret');
      expectQrError(`qrlink:1,${REF},${slash},${SECRET}`, 'base64url', 'webPub');
    });
    it('non-canonical trailing bits', () => {
      // 32 bytes -> 43 chars; the last char carries 2 unused bits. 'A' ends canonically, 'B' sets an unused bit.
      const canonical = toB64u(new Uint8Array(32));
      expect(canonical.endsWith('A')).toBe(true);
      const nonCanonical = `${canonical.slice(0, -1)}B`;
      expectQrError(`qrlink:1,${REF},${nonCanonical},${SECRET}`, 'base64url', 'webPub');
      const ref16 = toB64u(new Uint8Array(16)); // 22 chars, 4 unused bits: the last char must be one of A Q g w
      expectQrError(`qrlink:1,${ref16.slice(0, -1)}I,${PUB},${SECRET}`, 'base64url', 'ref');
    });
    it('a length no byte string has (4k+1 chars)', () => {
      expectQrError(`qrlink:1,${'A'.repeat(21)},${PUB},${SECRET}`, 'base64url', 'ref');
    });
    it.each([
      ['ref', 15],
      ['ref', 33],
      ['webPub', 31],
      ['webPub', 33],
      ['linkSecret', 31],
      ['linkSecret', 33],
    ] as const)('%s of %i bytes', (field, n) => {
      const f = { ref: REF, webPub: PUB, linkSecret: SECRET, [field]: toB64u(bytes(n)) };
      const err = expectQrError(`qrlink:1,${f.ref},${f.webPub},${f.linkSecret}`, 'length', field);
      expect(err.message).toContain(`got ${n}`);
    });
    it('accepts ref lengths 16 and 32 (the bounds)', () => {
      expect(parseQr(`qrlink:1,${toB64u(bytes(32))},${PUB},${SECRET}`).ref).toHaveLength(32);
      expect(parseQr(`qrlink:1,${toB64u(bytes(16))},${PUB},${SECRET}`).ref).toHaveLength(16);
    });
  });

  it('encodeQr refuses a field of the wrong length', () => {
    const p = { ref: bytes(16), webPub: bytes(32), linkSecret: bytes(32) };
    for (const field of Object.keys(QR_FIELD_BYTES) as QrField[]) {
      const bad = { ...p, [field]: bytes(QR_FIELD_BYTES[field].max + 1) };
      expect(() => encodeQr(bad)).toThrow(expect.objectContaining({ code: 'length', field }));
    }
  });
});
