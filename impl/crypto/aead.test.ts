import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { aeadOpen, aeadSeal } from './aead.js';

// RFC 8439 section 2.8.2, "Example and Test Vector for AEAD_CHACHA20_POLY1305".
const V = {
  plaintext: utf8ToBytes(
    "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
  ),
  aad: hexToBytes('50515253c0c1c2c3c4c5c6c7'),
  key: hexToBytes('808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f'),
  nonce: hexToBytes('070000004041424344454647'),
  ciphertext:
    'd31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b' +
    '1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc' +
    '3ff4def08e4b7a9de576d26586cec64b6116',
  tag: '1ae10b594f09e26a7e902ecbd0600691',
};

describe('ChaCha20-Poly1305 [E2E-5, E2E-12]', () => {
  it('RFC 8439 section 2.8.2: ciphertext and tag', () => {
    const sealed = aeadSeal(V.key, V.nonce, V.plaintext, V.aad);
    expect(bytesToHex(sealed)).toBe(V.ciphertext + V.tag);
    expect(aeadOpen(V.key, V.nonce, sealed, V.aad)).toEqual(V.plaintext);
  });

  it('RFC 8439 section 2.8.2, tampered: a flipped ciphertext, tag, aad or nonce bit does not open', () => {
    const sealed = hexToBytes(V.ciphertext + V.tag);
    const flipped = (b: Uint8Array, i: number) => {
      const c = b.slice();
      c[i]! ^= 1;
      return c;
    };
    expect(aeadOpen(V.key, V.nonce, flipped(sealed, 0), V.aad)).toBeUndefined();
    expect(aeadOpen(V.key, V.nonce, flipped(sealed, sealed.length - 1), V.aad)).toBeUndefined();
    expect(aeadOpen(V.key, V.nonce, sealed, flipped(V.aad, 3))).toBeUndefined();
    expect(aeadOpen(V.key, flipped(V.nonce, 11), sealed, V.aad)).toBeUndefined();
    expect(aeadOpen(flipped(V.key, 0), V.nonce, sealed, V.aad)).toBeUndefined();
  });

  it('input shorter than a tag does not open (no throw)', () => {
    expect(aeadOpen(V.key, V.nonce, new Uint8Array(15), V.aad)).toBeUndefined();
    expect(aeadOpen(V.key, V.nonce, new Uint8Array(0), V.aad)).toBeUndefined();
  });
});
