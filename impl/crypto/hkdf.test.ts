import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { hkdfExpand, hkdfExtract } from './hkdf.js';

// RFC 5869 appendix A.1, "Test Case 1" (basic test case with SHA-256).
const TC1 = {
  ikm: '0b'.repeat(22),
  salt: '000102030405060708090a0b0c',
  info: 'f0f1f2f3f4f5f6f7f8f9',
  L: 42,
  prk: '077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5',
  okm: '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
};

describe('HKDF-SHA256 [E2E-4]', () => {
  it('RFC 5869 test case 1: PRK and OKM', () => {
    const prk = hkdfExtract(hexToBytes(TC1.salt), hexToBytes(TC1.ikm));
    expect(bytesToHex(prk)).toBe(TC1.prk);
    expect(bytesToHex(hkdfExpand(prk, hexToBytes(TC1.info), TC1.L))).toBe(TC1.okm);
  });

  it('RFC 5869 test case 1, tampered: one changed IKM byte, or salt and IKM swapped, give another PRK', () => {
    const ikm = hexToBytes(TC1.ikm);
    ikm[0] = 0x0c;
    expect(bytesToHex(hkdfExtract(hexToBytes(TC1.salt), ikm))).not.toBe(TC1.prk);
    expect(bytesToHex(hkdfExtract(hexToBytes(TC1.ikm), hexToBytes(TC1.salt)))).not.toBe(TC1.prk);
  });

  it('RFC 5869 test case 1, tampered: one changed info byte gives another OKM', () => {
    const info = hexToBytes(TC1.info);
    info[9] = 0;
    expect(bytesToHex(hkdfExpand(hexToBytes(TC1.prk), info, TC1.L))).not.toBe(TC1.okm);
  });
});
