/**
 * The bounds that keep the composed system finite. Every counter that could grow (connections,
 * messages, reconnections, adversary moves) has a budget, and channels have a capacity.
 */

export interface Bounds {
  /** Web clients (tabs A, B). */
  readonly tabs: number;
  /** 1: the two tabs are one browser sharing storage; 0: two browsers. */
  readonly sharedStorage: number;
  /** Phones: P1 (the user's), P2 (the adversary's second phone, another account). */
  readonly phones: number;
  /** qrMaxRefs: refs per web connection. */
  readonly refs: number;
  /** Connections each tab may open. */
  readonly conns: number;
  /** Relay messages the web clients may send in all. */
  readonly webMsgs: number;
  /** Relay messages the phone may send in all. */
  readonly phoneMsgs: number;
  /** Frames a channel (one direction of one connection) may hold. */
  readonly capacity: number;
  /** Times the phone may go offline. */
  readonly phoneCycles: number;
  /**
   * QR codes the phones may scan in all (the user's and the adversary's): each scan starts a
   * linking attempt, which consumes a ref, so this budget, not `refs`, bounds the attempts.
   */
  readonly scans: number;
  /** Times the phone's user may register the number again while offline [REG-8]. */
  readonly reregisters: number;
  /** keep: 1 only keep:true, 0 only keep:false, 2 both. */
  readonly keep: number;
  /** Relay frames a malicious server may replay. */
  readonly replays: number;
  /** Forged frames a stranger web connection may send. */
  readonly strays: number;
  /** sessionLimit. */
  readonly sessionLimit: number;
  /** 1: the user may log out and unlink. */
  readonly logout: number;
}

export const defaultBounds: Readonly<Bounds> = Object.freeze({
  tabs: 2,
  sharedStorage: 1,
  phones: 1,
  refs: 3,
  conns: 1,
  webMsgs: 0,
  phoneMsgs: 0,
  capacity: 4,
  phoneCycles: 0,
  reregisters: 0,
  scans: 2,
  keep: 1,
  replays: 0,
  strays: 0,
  sessionLimit: 1,
  logout: 0,
});

/** Parses `k=v,k=v` into a partial Bounds, with a typed error naming the bad key or value. */
export function parseBounds(text: string): Partial<Bounds> {
  const out: Record<string, number> = {};
  for (const part of text.split(',').filter((p) => p.trim() !== '')) {
    const [k, v] = part.split('=').map((x) => x.trim());
    if (!k || !(k in defaultBounds))
      throw new TypeError(`unknown bound '${k ?? ''}': expected one of ${Object.keys(defaultBounds).join(', ')}`);
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0)
      throw new TypeError(`bound ${k} must be a non-negative integer, got '${v ?? ''}'`);
    out[k] = n;
  }
  return out as Partial<Bounds>;
}
