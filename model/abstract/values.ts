/**
 * The abstract value layer. The model never handles real bytes: every value a peer makes up (a ref,
 * a token, an epoch, a key, a ciphertext) is a short symbolic name built from what determines it.
 * The conformance engine binds each symbolic value to the concrete one the first time it sees it.
 *
 *   ref      `A1.2`        tab A, its 1st connection, 2nd QR (the n of `qr`)
 *   webPub   `wA1.2`       linkSecret `sA1.2`   phoneEphPub `p<phone>A1.2`
 *   session  `s1`          the 1st session the server admitted
 *   token    `s1.t0`       session 1's token number 0 (linked), `.t1` the first successor...
 *   epoch    `eA1`         drawn by tab A's 1st connection when it attached
 *   account  `acct1`       phone P1's account
 */

/** A sealed relay payload: which key sealed it, under which nonce counter, carrying which message. */
export interface AbsCipher {
  readonly k: string;
  readonly n: number;
  readonly m: string;
}

/** An approval box: the key that sealed it and the account data inside. */
export interface AbsBox {
  readonly k: string;
  readonly account: string;
  /** A value the server must never see, when a faulty phone leaks it into the frame. */
  readonly leak?: string;
}

/** The QR text a web client shows, as a phone camera reads it. */
export interface AbsQr {
  readonly ref: string;
  readonly webPub: string;
  readonly linkSecret: string;
}

export type Tab = 'A' | 'B';
export type PhoneId = 'P1' | 'P2';

/** A web connection id: tab and connection number (`A1`). */
export function webConnId(tab: Tab, conn: number): string {
  return `${tab}${conn}`;
}

/** A ref: web connection id and QR number (`A1.2`). */
export function refId(conn: string, n: number): string {
  return `${conn}.${n}`;
}

/** The web connection a ref was issued to (every ref names its connection: the server routes by it). */
export function connOfRef(ref: string): string {
  const dot = ref.indexOf('.');
  return dot < 0 ? ref : ref.slice(0, dot);
}

/** The QR number of a ref. */
export function nOfRef(ref: string): number {
  return Number(ref.slice(ref.indexOf('.') + 1));
}

/** The QR a web client draws for a ref: fresh webPub and linkSecret per ref [E2E-1]. */
export function qrFor(ref: string): AbsQr {
  return { ref, webPub: `w${ref}`, linkSecret: `s${ref}` };
}

/** The link key both ends derive [E2E-4]: equal iff every input is equal. */
export function linkKey(ref: string, webPub: string, phoneEph: string, linkSecret: string): string {
  return `K(${ref},${webPub},${phoneEph},${linkSecret})`;
}

/** The confirm tag over a box [E2E-7]: the key and the box it binds. */
export function tagFor(key: string, box: AbsBox): string {
  return `T(${key},${box.k},${box.account})`;
}

/** A relay key [E2E-11]: per link key, epoch and direction (the epoch dropped when `perEpoch` is off). */
export function relayKey(link: string, e: string, dir: 'w2p' | 'p2w', perEpoch: boolean): string {
  return perEpoch ? `${link}|${e}|${dir}` : `${link}|${dir}`;
}

/** A session id. */
export function sessionId(k: number): string {
  return `s${k}`;
}

/** A resume token: session and version. */
export function tokenId(session: string, version: number): string {
  return `${session}.t${version}`;
}

/** Splits a token into session and version; `undefined` for anything that is not one. */
export function parseToken(token: string): { session: string; version: number } | undefined {
  const i = token.indexOf('.t');
  if (i < 0) return undefined;
  const version = Number(token.slice(i + 2));
  return Number.isInteger(version) ? { session: token.slice(0, i), version } : undefined;
}
