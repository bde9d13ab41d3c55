/**
 * The published test vectors of QR Link v1: fixed inputs for one complete link and one relay frame
 * in each direction, and every value derived from them (docs/protocol.md, "Test vectors").
 * `scripts/gen-vectors.ts` writes them into the spec; `vectors.test.ts` re-derives them independently.
 *
 * webPriv and phoneEphPriv are the private keys of Alice and Bob from RFC 7748 section 6.1, so
 * webPub, phoneEphPub and shared can be checked against that RFC as well.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { toB64u } from '../../model/protocol/encoding.js';
import { encodeQr } from '../../model/protocol/qr-payload.js';
import { type AccountData, accountPlaintext } from './account.js';
import { confirmTag, sealBox } from './box.js';
import { epochKeys, linkKeys, RELAY_LABEL, transcript } from './key-schedule.js';
import { relayNonce, sealRelay } from './relay-seal.js';
import { publicKeyOf, sharedSecret } from './x25519.js';

/** The fixed inputs. */
export interface VectorInputs {
  webPriv: Uint8Array;
  phoneEphPriv: Uint8Array;
  linkSecret: Uint8Array;
  ref: Uint8Array;
  account: AccountData;
  e: Uint8Array;
  n: number;
  opToPhone: object;
  opToWeb: object;
}

export interface VectorOutputs {
  webPub: Uint8Array;
  phoneEphPub: Uint8Array;
  shared: Uint8Array;
  T: Uint8Array;
  prk: Uint8Array;
  kP2W: Uint8Array;
  kW2P: Uint8Array;
  kRoot: Uint8Array;
  /** The box plaintext, UTF-8 JSON. */
  boxPlaintext: string;
  box: Uint8Array;
  tag: Uint8Array;
  /** UTF8("qrlink/1 relay") || e: the HKDF-Expand info of the epoch keys. */
  relayInfo: Uint8Array;
  kW2P_e: Uint8Array;
  kP2W_e: Uint8Array;
  nonce: Uint8Array;
  /** `c` of a to_phone frame: opToPhone sealed as frame n under kW2P_e. */
  cToPhone: Uint8Array;
  /** `c` of a to_web frame: opToWeb sealed as frame n under kP2W_e. */
  cToWeb: Uint8Array;
  /** The QR text. */
  qr: string;
  /** The to_phone frame as the web client sends it. */
  frameToPhone: string;
  /** Tampered inputs every implementation must reject [E2E-19]: the first byte XOR 0x01. */
  boxTampered: Uint8Array;
  tagTampered: Uint8Array;
  cToPhoneTampered: Uint8Array;
}

/** A copy of `bytes` with the first byte XOR 0x01. */
function flipFirst(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  out[0] = (out[0] ?? 0) ^ 0x01;
  return out;
}

export interface TestVectors {
  inputs: VectorInputs;
  outputs: VectorOutputs;
}

/** Consecutive bytes start, start+1, ... (n of them). */
function run(start: number, n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);
}

export function vectorInputs(): VectorInputs {
  return {
    // RFC 7748 section 6.1: Alice's private key.
    webPriv: hexToBytes('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    // RFC 7748 section 6.1: Bob's private key.
    phoneEphPriv: hexToBytes('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
    linkSecret: run(0x00, 32),
    ref: run(0xa0, 16),
    account: {
      accountId: toB64u(run(0x00, 16)),
      phone: '+15551234567',
      name: 'Alice',
      identityKey: toB64u(run(0xc0, 32)),
    },
    e: run(0xb0, 16),
    n: 1,
    opToPhone: { op: 'history', limit: 20 },
    opToWeb: { op: 'history', messages: [], more: false },
  };
}

/** Computes every vector from the fixed inputs with this module's own functions. */
export async function computeVectors(): Promise<TestVectors> {
  const inputs = vectorInputs();
  const webPub = await publicKeyOf(inputs.webPriv);
  const phoneEphPub = await publicKeyOf(inputs.phoneEphPriv);
  const shared = await sharedSecret(inputs.phoneEphPriv, webPub);
  const T = transcript(inputs.ref, webPub, phoneEphPub);
  const { prk, kP2W, kW2P, kRoot } = linkKeys(shared, inputs.linkSecret, T);
  const box = sealBox(kP2W, T, inputs.account);
  const epoch = epochKeys(kRoot, inputs.e);
  const encoder = new TextEncoder();
  const cToPhone = sealRelay(epoch.kW2P, inputs.n, encoder.encode(JSON.stringify(inputs.opToPhone)));
  const tag = confirmTag(kW2P, T, box);
  return {
    inputs,
    outputs: {
      webPub,
      phoneEphPub,
      shared,
      T,
      prk,
      kP2W,
      kW2P,
      kRoot,
      boxPlaintext: new TextDecoder().decode(accountPlaintext(inputs.account)),
      box,
      tag,
      relayInfo: new Uint8Array([...encoder.encode(RELAY_LABEL), ...inputs.e]),
      kW2P_e: epoch.kW2P,
      kP2W_e: epoch.kP2W,
      nonce: relayNonce(inputs.n),
      cToPhone,
      cToWeb: sealRelay(epoch.kP2W, inputs.n, encoder.encode(JSON.stringify(inputs.opToWeb))),
      qr: encodeQr({ ref: inputs.ref, webPub, linkSecret: inputs.linkSecret }),
      frameToPhone: JSON.stringify({ t: 'to_phone', e: toB64u(inputs.e), n: inputs.n, c: toB64u(cToPhone) }),
      boxTampered: flipFirst(box),
      tagTampered: flipFirst(tag),
      cToPhoneTampered: flipFirst(cToPhone),
    },
  };
}
