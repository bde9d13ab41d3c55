/**
 * The approval box and the confirm tag (docs/protocol.md section "Crypto"):
 * box = ChaCha20-Poly1305(kP2W, nonce 0^12, UTF8(JSON account data), aad T) [E2E-5];
 * tag = Poly1305 tag of ChaCha20-Poly1305(kW2P, nonce 0^12, empty, aad T || box) [E2E-7].
 */
import { concatBytes } from '@noble/ciphers/utils.js';
import { type AccountData, AccountDataSchema, accountPlaintext } from './account.js';
import { aeadOpen, aeadSeal } from './aead.js';
import { CryptoError } from './errors.js';

/** Box limits from the frame schema: 17..16384 bytes (ciphertext plus the 16-byte tag). */
export const BOX_MAX_BYTES = 16384;
export const TAG_BYTES = 16;
const ZERO_NONCE = new Uint8Array(12);

function needKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 32) {
    throw new CryptoError(
      'bad_key',
      `${what} must be 32 bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`,
    );
  }
}

function validAccount(value: unknown, where: string): AccountData {
  const parsed = AccountDataSchema.safeParse(value);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new CryptoError('bad_account_data', `${where} is not valid account data: ${issues}`);
  }
  return parsed.data;
}

/** Seals the account data for the web client (phone side) [E2E-5]. Invalid data -> `bad_account_data`. */
export function sealBox(kP2W: Uint8Array, T: Uint8Array, account: AccountData): Uint8Array {
  needKey(kP2W, 'kP2W');
  const box = aeadSeal(kP2W, ZERO_NONCE, accountPlaintext(validAccount(account, 'account')), T);
  if (box.length > BOX_MAX_BYTES) {
    throw new CryptoError('bad_account_data', `box is ${box.length} bytes, more than ${BOX_MAX_BYTES}`, 'E2E-5');
  }
  return box;
}

/**
 * Opens the box (web side). Throws CryptoError `box_does_not_open` when the AEAD fails (wrong key,
 * transcript or bytes) and `bad_account_data` when it opens to something that is not account data [E2E-6].
 */
export function openBox(kP2W: Uint8Array, T: Uint8Array, box: Uint8Array): AccountData {
  needKey(kP2W, 'kP2W');
  const plain = aeadOpen(kP2W, ZERO_NONCE, box, T);
  if (plain === undefined) {
    throw new CryptoError('box_does_not_open', 'the box does not open under kP2W and this transcript');
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(plain));
  } catch {
    throw new CryptoError('bad_account_data', 'the box opened but its plaintext is not UTF-8 JSON');
  }
  return validAccount(json, 'the box plaintext');
}

/** The 16-byte confirm tag binding the web's answer to T and this exact box [E2E-7]. */
export function confirmTag(kW2P: Uint8Array, T: Uint8Array, box: Uint8Array): Uint8Array {
  needKey(kW2P, 'kW2P');
  return aeadSeal(kW2P, ZERO_NONCE, new Uint8Array(0), concatBytes(T, box));
}

/** Recomputes the tag and compares in constant time (phone side) [E2E-8]. A tag not 16 bytes is false. */
export function checkTag(kW2P: Uint8Array, T: Uint8Array, box: Uint8Array, tag: Uint8Array): boolean {
  const expected = confirmTag(kW2P, T, box);
  if (!(tag instanceof Uint8Array) || tag.length !== TAG_BYTES) return false;
  let diff = 0;
  for (let i = 0; i < TAG_BYTES; i++) diff |= (expected[i] ?? 0) ^ (tag[i] ?? 0);
  return diff === 0;
}
