/**
 * The QR code's text [E2E-1, E2E-2]: `qrlink:1,<ref>,<webPub>,<linkSecret>`, each field base64url
 * without padding. Parsing is strict: nothing is trimmed, case-folded or repaired; any deviation
 * is a QrPayloadError naming what was wrong.
 */
import { fromB64u, toB64u } from './encoding.js';

export const QR_PREFIX = 'qrlink:';
export const QR_VERSION = '1';

export interface QrPayload {
  /** The server's ref for this QR (16..32 bytes). */
  ref: Uint8Array;
  /** The web client's X25519 public key (32 bytes). */
  webPub: Uint8Array;
  /** The 32-byte secret that reaches the phone only through the camera. */
  linkSecret: Uint8Array;
}

/** The same fields as they appear in the text (base64url). */
export interface QrPayloadText {
  ref: string;
  webPub: string;
  linkSecret: string;
}

export type QrField = keyof QrPayload;
export type QrPayloadErrorCode = 'prefix' | 'version' | 'field_count' | 'base64url' | 'length';

/** Byte lengths each field may have [E2E-2]. */
export const QR_FIELD_BYTES: Readonly<Record<QrField, { min: number; max: number }>> = {
  ref: { min: 16, max: 32 },
  webPub: { min: 32, max: 32 },
  linkSecret: { min: 32, max: 32 },
};

const FIELDS: readonly QrField[] = ['ref', 'webPub', 'linkSecret'];

export class QrPayloadError extends Error {
  override readonly name = 'QrPayloadError';
  readonly code: QrPayloadErrorCode;
  readonly field: QrField | undefined;
  readonly clause = 'E2E-2';

  constructor(code: QrPayloadErrorCode, message: string, field?: QrField) {
    super(`[E2E-2] ${message}`);
    this.code = code;
    this.field = field;
  }
}

function sizeText(field: QrField): string {
  const { min, max } = QR_FIELD_BYTES[field];
  return min === max ? `${min} bytes` : `${min} to ${max} bytes`;
}

function checkLength(field: QrField, bytes: Uint8Array): void {
  const { min, max } = QR_FIELD_BYTES[field];
  if (bytes.length < min || bytes.length > max) {
    throw new QrPayloadError('length', `QR field ${field} must be ${sizeText(field)}, got ${bytes.length}`, field);
  }
}

function decodeField(field: QrField, value: string): Uint8Array {
  const decoded = fromB64u(value);
  if (decoded === undefined) {
    throw new QrPayloadError(
      'base64url',
      `QR field ${field} is not canonical base64url without padding (alphabet A-Z a-z 0-9 - _)`,
      field,
    );
  }
  checkLength(field, decoded);
  return decoded;
}

/** The QR text for a payload; a field of the wrong length throws QrPayloadError `length`. */
export function encodeQr(p: QrPayload): string {
  for (const field of FIELDS) checkLength(field, p[field]);
  return `${QR_PREFIX}${QR_VERSION},${toB64u(p.ref)},${toB64u(p.webPub)},${toB64u(p.linkSecret)}`;
}

/**
 * Parses QR text strictly [E2E-2]. Checks, in order: the case-sensitive prefix `qrlink:`; the
 * version field is exactly `1`; exactly four comma-separated fields; each of ref, webPub,
 * linkSecret is canonical base64url without padding; their lengths (ref 16..32, webPub 32,
 * linkSecret 32 bytes; an empty field is a length error).
 */
export function parseQr(text: string): QrPayload & { text: QrPayloadText } {
  if (typeof text !== 'string' || !text.startsWith(QR_PREFIX)) {
    throw new QrPayloadError('prefix', `QR text must start with "${QR_PREFIX}" (lower case, nothing before it)`);
  }
  const parts = text.slice(QR_PREFIX.length).split(',');
  const version = parts[0] ?? '';
  if (version !== QR_VERSION) {
    const shown = version.length > 16 ? `${version.slice(0, 16)}...` : version;
    throw new QrPayloadError('version', `QR version must be exactly "${QR_VERSION}", got ${JSON.stringify(shown)}`);
  }
  if (parts.length !== 4) {
    throw new QrPayloadError(
      'field_count',
      `QR text must have 4 comma-separated fields (version, ref, webPub, linkSecret), got ${parts.length}`,
    );
  }
  const fields: QrPayloadText = { ref: parts[1] ?? '', webPub: parts[2] ?? '', linkSecret: parts[3] ?? '' };
  const ref = decodeField('ref', fields.ref);
  const webPub = decodeField('webPub', fields.webPub);
  const linkSecret = decodeField('linkSecret', fields.linkSecret);
  return { ref, webPub, linkSecret, text: fields };
}
