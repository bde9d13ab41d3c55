import { expand, hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { CryptoError } from './errors.js';
import { epochKeys, linkKeys, transcript } from './key-schedule.js';

const fill = (n: number, v: number) => new Uint8Array(n).fill(v);

describe('key schedule [E2E-4, E2E-11]', () => {
  it('[E2E-4] T = UTF8("qrlink/1 link") || ref || webPub || phoneEphPub', () => {
    const ref = fill(16, 1);
    const T = transcript(ref, fill(32, 2), fill(32, 3));
    expect(new TextDecoder().decode(T.subarray(0, 13))).toBe('qrlink/1 link');
    expect(T).toHaveLength(13 + 16 + 64);
    expect(T.subarray(13, 29)).toEqual(ref);
    expect(T.subarray(29, 61)).toEqual(fill(32, 2));
    expect(T.subarray(61)).toEqual(fill(32, 3));
    expect(transcript(fill(32, 1), fill(32, 2), fill(32, 3))).toHaveLength(13 + 32 + 64);
  });

  it('[E2E-4] transcript refuses a ref outside 16..32 bytes and keys not 32 bytes', () => {
    expect(() => transcript(fill(15, 1), fill(32, 2), fill(32, 3))).toThrow(CryptoError);
    expect(() => transcript(fill(33, 1), fill(32, 2), fill(32, 3))).toThrow(/ref must be 16 to 32 bytes, got 33/);
    expect(() => transcript(fill(16, 1), fill(31, 2), fill(32, 3))).toThrow(
      expect.objectContaining({ code: 'bad_key' }),
    );
    expect(() => transcript(fill(16, 1), fill(32, 2), fill(33, 3))).toThrow(/phoneEphPub/);
  });

  it('[E2E-4] linkKeys = HKDF(salt linkSecret, IKM shared, info T, 96) split kP2W | kW2P | kRoot', () => {
    const shared = fill(32, 9);
    const linkSecret = fill(32, 8);
    const T = transcript(fill(16, 1), fill(32, 2), fill(32, 3));
    const okm = hkdf(sha256, shared, linkSecret, T, 96);
    const keys = linkKeys(shared, linkSecret, T);
    expect(keys.kP2W).toEqual(okm.slice(0, 32));
    expect(keys.kW2P).toEqual(okm.slice(32, 64));
    expect(keys.kRoot).toEqual(okm.slice(64, 96));
    // every input matters
    expect(linkKeys(fill(32, 7), linkSecret, T).kP2W).not.toEqual(keys.kP2W);
    expect(linkKeys(shared, fill(32, 7), T).kP2W).not.toEqual(keys.kP2W);
    expect(linkKeys(shared, linkSecret, transcript(fill(17, 1), fill(32, 2), fill(32, 3))).kP2W).not.toEqual(keys.kP2W);
  });

  it('[E2E-3] linkKeys refuses an all-zero shared secret', () => {
    const T = transcript(fill(16, 1), fill(32, 2), fill(32, 3));
    expect(() => linkKeys(new Uint8Array(32), fill(32, 8), T)).toThrow(
      expect.objectContaining({ code: 'zero_shared_secret', clause: 'E2E-3' }),
    );
    expect(() => linkKeys(fill(32, 9), fill(31, 8), T)).toThrow(expect.objectContaining({ code: 'bad_key' }));
  });

  it('[E2E-11] epochKeys = HKDF-Expand(kRoot, "qrlink/1 relay" || e, 64) split kW2P_e | kP2W_e', () => {
    const kRoot = fill(32, 5);
    const e = fill(16, 6);
    const okm = expand(sha256, kRoot, concatBytes(utf8ToBytes('qrlink/1 relay'), e), 64);
    const keys = epochKeys(kRoot, e);
    expect(keys.kW2P).toEqual(okm.slice(0, 32));
    expect(keys.kP2W).toEqual(okm.slice(32, 64));
    expect(epochKeys(kRoot, fill(16, 7)).kW2P).not.toEqual(keys.kW2P);
    expect(() => epochKeys(kRoot, fill(15, 6))).toThrow(
      expect.objectContaining({ code: 'bad_input', clause: 'E2E-11' }),
    );
    expect(() => epochKeys(fill(31, 5), e)).toThrow(expect.objectContaining({ code: 'bad_key' }));
  });
});
