/**
 * The test vectors published in docs/protocol.md: the block must be present and current, and every
 * value in it must re-derive from its own inputs using @noble/* directly (not this module's code).
 */
import { readFileSync } from 'node:fs';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { expand, extract } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { computeVectors } from './vectors.js';
import { extractVectorsBlock, parseVectorsBlock, renderVectorsBlock } from './vectors-markdown.js';

/** docs/protocol.md; QRLINK_PROTOCOL_MD points the test at another copy (used to try the generator). */
const DOC = process.env.QRLINK_PROTOCOL_MD ?? new URL('../../docs/protocol.md', import.meta.url);

// RFC 7748 section 6.1: the fixed private keys are Alice's and Bob's, so these are published values.
const RFC7748_ALICE_PUB = '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a';
const RFC7748_BOB_PUB = 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f';
const RFC7748_SHARED = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';

const b64u = (hex: string) => Buffer.from(hex, 'hex').toString('base64url');

/** Every output value, derived from the block's input lines with @noble primitives only. */
function deriveIndependently(v: Map<string, string>): Record<string, string> {
  const get = (name: string): string => {
    const value = v.get(name);
    if (value === undefined) throw new Error(`test vector block has no line "${name}:"`);
    return value;
  };
  const webPriv = hexToBytes(get('webPriv'));
  const phoneEphPriv = hexToBytes(get('phoneEphPriv'));
  const linkSecret = hexToBytes(get('linkSecret'));
  const ref = hexToBytes(get('ref'));
  const e = hexToBytes(get('e'));
  const n = Number(get('n'));
  const webPub = x25519.getPublicKey(webPriv);
  const phoneEphPub = x25519.getPublicKey(phoneEphPriv);
  const shared = x25519.getSharedSecret(phoneEphPriv, webPub);
  expect(bytesToHex(x25519.getSharedSecret(webPriv, phoneEphPub))).toBe(bytesToHex(shared));
  const T = concatBytes(utf8ToBytes('qrlink/1 link'), ref, webPub, phoneEphPub);
  const prk = extract(sha256, shared, linkSecret);
  const okm = expand(sha256, prk, T, 96);
  const [kP2W, kW2P, kRoot] = [okm.slice(0, 32), okm.slice(32, 64), okm.slice(64)];
  const box = chacha20poly1305(kP2W, new Uint8Array(12), T).encrypt(utf8ToBytes(get('boxPlaintext.json')));
  const tag = chacha20poly1305(kW2P, new Uint8Array(12), concatBytes(T, box)).encrypt(new Uint8Array(0));
  const relayInfo = concatBytes(utf8ToBytes('qrlink/1 relay'), e);
  const okmE = expand(sha256, kRoot, relayInfo, 64);
  const [kW2P_e, kP2W_e] = [okmE.slice(0, 32), okmE.slice(32)];
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, BigInt(n));
  const cToPhone = chacha20poly1305(kW2P_e, nonce).encrypt(utf8ToBytes(get('opToPhone.json')));
  const cToWeb = chacha20poly1305(kP2W_e, nonce).encrypt(utf8ToBytes(get('opToWeb.json')));
  const h = bytesToHex;
  return {
    'linkSecret.b64u': b64u(get('linkSecret')),
    'ref.b64u': b64u(get('ref')),
    'e.b64u': b64u(get('e')),
    webPub: h(webPub),
    'webPub.b64u': b64u(h(webPub)),
    'qr.text': `qrlink:1,${b64u(get('ref'))},${b64u(h(webPub))},${b64u(get('linkSecret'))}`,
    phoneEphPub: h(phoneEphPub),
    'phoneEphPub.b64u': b64u(h(phoneEphPub)),
    shared: h(shared),
    T: h(T),
    prk: h(prk),
    kP2W: h(kP2W),
    kW2P: h(kW2P),
    kRoot: h(kRoot),
    box: h(box),
    'box.b64u': b64u(h(box)),
    tag: h(tag),
    'tag.b64u': b64u(h(tag)),
    relayInfo: h(relayInfo),
    kW2P_e: h(kW2P_e),
    kP2W_e: h(kP2W_e),
    nonce: h(nonce),
    c_to_phone: h(cToPhone),
    'c_to_phone.b64u': b64u(h(cToPhone)),
    'to_phone.json': JSON.stringify({ t: 'to_phone', e: b64u(get('e')), n, c: b64u(h(cToPhone)) }),
    c_to_web: h(cToWeb),
    'c_to_web.b64u': b64u(h(cToWeb)),
  };
}

/** The tampered lines: each is the genuine value with one bit flipped, and none of them is accepted. */
function checkTampered(v: Map<string, string>): void {
  const bytes = (name: string): Uint8Array => {
    const value = v.get(name);
    if (value === undefined) throw new Error(`test vector block has no line "${name}:"`);
    return name.endsWith('.b64u') ? new Uint8Array(Buffer.from(value, 'base64url')) : hexToBytes(value);
  };
  const differsByOneBit = (a: Uint8Array, b: Uint8Array) =>
    a.length === b.length && a.reduce((bits, x, i) => bits + popcount(x ^ (b[i] ?? 0)), 0) === 1;
  const T = bytes('T');
  const boxTampered = bytes('box_tampered.b64u');
  expect(differsByOneBit(boxTampered, bytes('box'))).toBe(true);
  expect(() => chacha20poly1305(bytes('kP2W'), new Uint8Array(12), T).decrypt(boxTampered)).toThrow();
  const tagTampered = bytes('tag_tampered.b64u');
  expect(differsByOneBit(tagTampered, bytes('tag'))).toBe(true);
  const cTampered = bytes('c_to_phone_tampered.b64u');
  expect(differsByOneBit(cTampered, bytes('c_to_phone'))).toBe(true);
  expect(() => chacha20poly1305(bytes('kW2P_e'), bytes('nonce')).decrypt(cTampered)).toThrow();
  // a low-order webPub: noble refuses it (all-zero shared secret)
  expect(() => x25519.getSharedSecret(bytes('phoneEphPriv'), bytes('webPub_lowOrder'))).toThrow();
}

function popcount(x: number): number {
  let n = 0;
  for (let b = x; b; b >>= 1) n += b & 1;
  return n;
}

function checkBlock(block: string): void {
  const v = parseVectorsBlock(block);
  const expected = deriveIndependently(v);
  for (const [name, value] of Object.entries(expected)) {
    expect({ name, value: v.get(name) }).toEqual({ name, value });
  }
  // the published X25519 values are those of RFC 7748 section 6.1
  expect([v.get('webPub'), v.get('phoneEphPub'), v.get('shared')]).toEqual([
    RFC7748_ALICE_PUB,
    RFC7748_BOB_PUB,
    RFC7748_SHARED,
  ]);
  // the JSON lines are what the schemas say they are
  expect(JSON.parse(v.get('boxPlaintext.json') ?? '')).toHaveProperty('accountId');
  expect(JSON.parse(v.get('opToPhone.json') ?? '')).toHaveProperty('op', 'history');
  checkTampered(v);
}

function readDoc(): string {
  try {
    return readFileSync(DOC, 'utf8');
  } catch (err) {
    throw new Error(`cannot read docs/protocol.md (${(err as Error).message}): the spec must publish the test vectors`);
  }
}

describe('test vectors [E2E-4, E2E-5, E2E-7, E2E-11, E2E-12]', () => {
  it('computeVectors() agrees with an independent derivation from @noble primitives', async () => {
    checkBlock(renderVectorsBlock(await computeVectors()));
  });

  it('docs/protocol.md carries the current vector block (else run `npm run vectors`)', async () => {
    // A missing marker pair fails here with the message of VectorsMarkerError: that is intended.
    const published = extractVectorsBlock(readDoc(), 'docs/protocol.md');
    const current = renderVectorsBlock(await computeVectors());
    expect(published, 'docs/protocol.md test vectors are stale: run `npm run vectors`').toBe(current);
  });

  it('every value published in docs/protocol.md re-derives independently', () => {
    checkBlock(extractVectorsBlock(readDoc(), 'docs/protocol.md'));
  });
});
