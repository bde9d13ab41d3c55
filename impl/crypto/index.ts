/**
 * QR Link v1 client crypto (browser-safe): X25519, the HKDF key schedule, the approval box and
 * confirm tag, and sealed relay frames. Thin layer over WebCrypto and @noble.
 */
export { type AccountData, AccountDataSchema } from './account.js';
export { checkTag, confirmTag, openBox, sealBox } from './box.js';
export { CryptoError, type CryptoErrorCode } from './errors.js';
export { type EpochKeys, epochKeys, type LinkKeys, linkKeys, transcript } from './key-schedule.js';
export { acceptOffer, approve, type LinkSecrets, makeQr, type Offer, verifyConfirm } from './link.js';
export { randomBytes } from './random.js';
export { openOp, openRelay, relayNonce, sealOp, sealRelay } from './relay-seal.js';
export { generateKeyPair, type KeyPair, publicKeyOf, sharedSecret } from './x25519.js';
