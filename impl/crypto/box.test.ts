import { describe, expect, it } from 'vitest';
import type { AccountData } from './account.js';
import { aeadSeal } from './aead.js';
import { checkTag, confirmTag, openBox, sealBox } from './box.js';
import { CryptoError } from './errors.js';
import { transcript } from './key-schedule.js';
import { randomBytes } from './random.js';

const account: AccountData = {
  accountId: 'AAECAwQFBgcICQoLDA0ODw',
  phone: '+15551234567',
  name: 'Alice Ünïcødé 🦊',
  identityKey: 'wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t8',
};
const kP2W = randomBytes(32);
const kW2P = randomBytes(32);
const T = transcript(randomBytes(16), randomBytes(32), randomBytes(32));

function flip(b: Uint8Array, i: number): Uint8Array {
  const c = b.slice();
  c[i]! ^= 0x01;
  return c;
}

function cryptoErrorOf(f: () => unknown): CryptoError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    return err as CryptoError;
  }
  throw new Error('expected a CryptoError, nothing was thrown');
}

describe('approval box [E2E-5, E2E-6]', () => {
  it('[E2E-5] opens to the sealed account data', () => {
    const box = sealBox(kP2W, T, account);
    expect(box.length).toBe(new TextEncoder().encode(JSON.stringify(account)).length + 16);
    expect(openBox(kP2W, T, box)).toEqual(account);
  });

  it('[E2E-6] a box with any one flipped bit does not open', () => {
    const box = sealBox(kP2W, T, account);
    for (let i = 0; i < box.length; i++) {
      expect(cryptoErrorOf(() => openBox(kP2W, T, flip(box, i))).code).toBe('box_does_not_open');
    }
  });

  it('[E2E-6] the box does not open under another key or transcript, or truncated', () => {
    const box = sealBox(kP2W, T, account);
    expect(cryptoErrorOf(() => openBox(kW2P, T, box)).code).toBe('box_does_not_open');
    expect(cryptoErrorOf(() => openBox(kP2W, flip(T, T.length - 1), box)).code).toBe('box_does_not_open');
    expect(cryptoErrorOf(() => openBox(kP2W, T, box.subarray(0, box.length - 1))).code).toBe('box_does_not_open');
    expect(cryptoErrorOf(() => openBox(kP2W, T, new Uint8Array(0))).code).toBe('box_does_not_open');
  });

  it('[E2E-6] a box that opens to something other than account data -> bad_account_data', () => {
    const seal = (text: string) => aeadSeal(kP2W, new Uint8Array(12), new TextEncoder().encode(text), T);
    for (const text of ['not json', '[]', '{"accountId":"x"}', JSON.stringify({ ...account, phone: 'nope' })]) {
      const err = cryptoErrorOf(() => openBox(kP2W, T, seal(text)));
      expect(err.code).toBe('bad_account_data');
    }
    const bad = aeadSeal(kP2W, new Uint8Array(12), new Uint8Array([0xff, 0xfe]), T); // not UTF-8
    expect(cryptoErrorOf(() => openBox(kP2W, T, bad)).code).toBe('bad_account_data');
    expect(
      cryptoErrorOf(() => openBox(kP2W, T, seal(JSON.stringify({ ...account, phone: 'nope' })))).message,
    ).toContain('phone');
  });

  it('sealBox refuses invalid account data and a key that is not 32 bytes', () => {
    expect(cryptoErrorOf(() => sealBox(kP2W, T, { ...account, identityKey: 'short' })).code).toBe('bad_account_data');
    expect(cryptoErrorOf(() => sealBox(kP2W.subarray(0, 31), T, account)).code).toBe('bad_key');
  });
});

describe('confirm tag [E2E-7, E2E-8]', () => {
  it('[E2E-7] is the 16-byte Poly1305 tag over empty plaintext with aad T || box', () => {
    const box = sealBox(kP2W, T, account);
    const tag = confirmTag(kW2P, T, box);
    expect(tag).toHaveLength(16);
    const aad = new Uint8Array([...T, ...box]);
    expect(tag).toEqual(aeadSeal(kW2P, new Uint8Array(12), new Uint8Array(0), aad));
    expect(checkTag(kW2P, T, box, tag)).toBe(true);
  });

  it('[E2E-8] checkTag refuses a flipped tag bit, another box, another T, another key, a wrong length', () => {
    const box = sealBox(kP2W, T, account);
    const tag = confirmTag(kW2P, T, box);
    for (let i = 0; i < 16; i++) expect(checkTag(kW2P, T, box, flip(tag, i))).toBe(false);
    expect(checkTag(kW2P, T, flip(box, 0), tag)).toBe(false);
    expect(checkTag(kW2P, T, sealBox(kP2W, T, { ...account, name: 'Mallory' }), tag)).toBe(false);
    expect(checkTag(kW2P, flip(T, 0), box, tag)).toBe(false);
    expect(checkTag(kP2W, T, box, tag)).toBe(false);
    expect(checkTag(kW2P, T, box, tag.subarray(0, 15))).toBe(false);
    expect(checkTag(kW2P, T, box, new Uint8Array([...tag, 0]))).toBe(false);
  });
});
