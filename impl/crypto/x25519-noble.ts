/** X25519 in pure JavaScript (@noble/curves): the fallback and the tests' independent cross-check. */
import { x25519 } from '@noble/curves/ed25519.js';
import { assertKey32, isAllZero, type KeyPair, type X25519Backend, zeroSharedSecret } from './x25519-backend.js';

export const nobleX25519: X25519Backend = {
  name: 'noble',
  async generateKeyPair(): Promise<KeyPair> {
    const { secretKey, publicKey } = x25519.keygen();
    return { privateKey: secretKey, publicKey };
  },
  async publicKeyOf(privateKey) {
    assertKey32(privateKey, 'X25519 private key');
    return x25519.getPublicKey(privateKey);
  },
  async sharedSecret(privateKey, publicKey) {
    assertKey32(privateKey, 'X25519 private key');
    assertKey32(publicKey, 'X25519 public key');
    let shared: Uint8Array;
    try {
      // noble refuses low-order points before the ladder (RFC 7748 section 6.1 permits that); with
      // both lengths checked above that is the only way this call throws.
      shared = x25519.getSharedSecret(privateKey, publicKey);
    } catch {
      throw zeroSharedSecret();
    }
    if (isAllZero(shared)) throw zeroSharedSecret();
    return shared;
  },
};
