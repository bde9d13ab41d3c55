/**
 * Refs (the "web IDs" a QR carries) [QR-1]..[QR-8]: each is bound to one web connection, lives
 * qrFirstTtlMs (the first) or qrTtlMs (later ones) while pending, and once dead is remembered as a
 * tombstone for refMemoryMs so late claims get the precise reason. Tombstones need no timer: they
 * are forgotten lazily when looked up or swept.
 */
import type { RefStatus } from '../../model/protocol/codes.js';
import type { Device } from '../../model/protocol/encoding.js';
import type { ServerToWeb } from '../../model/protocol/web-frames.js';
import type { Attempt } from './attempt.js';
import type { TimerHandle } from './clock.js';
import type { Connection } from './connection.js';
import type { Core } from './core.js';
import { newRef } from './identifiers.js';

/** Why a ref died. Every death is final [QR-5]. */
export type RefDeath = 'expired' | 'declined' | 'lapsed' | 'aborted' | 'phone_gone' | 'web_gone' | 'used';
export type RefState = 'pending' | 'claimed' | RefDeath;

/** The web connection a ref is bound to. */
export interface RefOwner {
  readonly conn: Connection<ServerToWeb>;
  readonly device: Device;
  readonly address: string;
  readonly requestedAt: number;
}

export class RefEntry {
  state: RefState = 'pending';
  ttlTimer: TimerHandle | null = null;
  attempt: Attempt | null = null;
  /** When a dead ref is forgotten (unknown afterwards) [QR-7]. */
  forgetAt = Number.POSITIVE_INFINITY;

  /** The web connection; dropped when the ref dies, so a tombstone keeps no closed connection alive. */
  owner: RefOwner | null;

  constructor(
    readonly ref: string,
    owner: RefOwner,
    readonly n: number,
  ) {
    this.owner = owner;
  }

  get live(): boolean {
    return this.state === 'pending' || this.state === 'claimed';
  }
}

/** Every ref the server knows: live ones and tombstones. */
export class RefTable {
  readonly #entries = new Map<string, RefEntry>();
  readonly #live = new Set<RefEntry>();
  #graves: RefEntry[] = [];

  add(entry: RefEntry): void {
    this.#entries.set(entry.ref, entry);
    this.#live.add(entry);
  }

  /** Whether `ref` is a live ref or a remembered tombstone (forgotten ones are not kept). */
  has(ref: string): boolean {
    return this.#entries.has(ref);
  }

  /** The entry of `ref`, or undefined if never issued or forgotten [QR-7]. */
  lookup(ref: string, now: number): RefEntry | undefined {
    this.sweep(now);
    const entry = this.#entries.get(ref);
    if (entry && entry.forgetAt <= now) {
      this.#entries.delete(ref);
      return undefined;
    }
    return entry;
  }

  /** Kills a live ref: final [QR-5]; its TTL timer is cleared by the caller's core. */
  bury(entry: RefEntry, death: RefDeath, now: number, memoryMs: number): void {
    if (!entry.live) return;
    entry.state = death;
    entry.owner = null;
    entry.forgetAt = now + memoryMs;
    this.#live.delete(entry);
    this.#graves.push(entry);
  }

  /** Forgets tombstones whose memory ran out (oldest first). */
  sweep(now: number): void {
    let i = 0;
    while (i < this.#graves.length && (this.#graves[i]?.forgetAt ?? 0) <= now) {
      const g = this.#graves[i++] as RefEntry;
      if (this.#entries.get(g.ref) === g) this.#entries.delete(g.ref);
    }
    if (i > 0) this.#graves = this.#graves.slice(i);
  }

  get liveCount(): number {
    return this.#live.size;
  }

  get claimedCount(): number {
    let n = 0;
    for (const e of this.#live) if (e.state === 'claimed') n++;
    return n;
  }
}

/** What `status` answers for a ref of this connection [QR-6]. */
export function statusOf(entry: RefEntry | undefined, now: number): RefStatus {
  if (!entry || entry.forgetAt <= now) return 'unknown';
  switch (entry.state) {
    case 'pending':
      return 'pending';
    case 'claimed':
      return 'scanned';
    case 'used':
      return 'used';
    default:
      return 'expired';
  }
}

/**
 * The refs of one web connection: issuing, rotation on TTL, exhaustion [QR-1]..[QR-4], [QR-8].
 */
export class QrRotation {
  #issued = 0;
  /** The connection's one live ref, if any [QR-2]. */
  current: RefEntry | null = null;
  /** Every ref issued on this connection, live or dead (at most `of`). */
  readonly own = new Map<string, RefEntry>();
  /** `qr.of`: qrMaxRefs when the connection said hello. */
  readonly of: number;
  /** Mutant flag (mutants.ts). */
  readonly #rotatedRefClaimable: boolean;
  readonly #leaksTimer: boolean;
  readonly #neverExhausts: boolean;

  constructor(
    private readonly core: Core,
    private readonly owner: RefOwner,
  ) {
    this.of = core.config.qrMaxRefs;
    this.#rotatedRefClaimable = core.mutants.has('server.rotated-ref-claimable');
    this.#leaksTimer = core.mutants.has('server.leaks-timer');
    this.#neverExhausts = core.mutants.has('server.qr-never-exhausts');
  }

  /** Issues the next ref, or ends the connection with qr.exhausted + 4008 [QR-3] [QR-4]. */
  next(): void {
    if (this.owner.conn.closed) return;
    // MUTANT server.qr-never-exhausts [QR-4]: the count toward `of` is never checked
    if (this.#issued >= this.of && !this.#neverExhausts) {
      this.owner.conn.send({ t: 'qr.exhausted' }); // [ERR-7] 4008 follows qr.exhausted
      this.owner.conn.close(4008, 'qr exhausted');
      return;
    }
    const n = ++this.#issued;
    const cfg = this.core.config;
    const ttlMs = n === 1 ? cfg.qrFirstTtlMs : cfg.qrTtlMs; // [QR-1] first ref 60 s, later 20 s
    // [QR-9] [ENC-2] 128 CSPRNG bits; a value the server still knows is drawn again (a forgotten one
    // recurs with probability 2^-128 per draw)
    let ref = newRef();
    while (this.core.refs.has(ref)) ref = newRef();
    const entry = new RefEntry(ref, this.owner, n);
    this.core.refs.add(entry);
    this.own.set(entry.ref, entry);
    this.current = entry;
    entry.ttlTimer = this.core.timer(ttlMs, () => this.#expire(entry));
    this.owner.conn.send({ t: 'qr', ref: entry.ref, ttlMs, n, of: this.of });
  }

  /** [QR-3] a pending ref whose TTL passed dies and the next is issued. */
  #expire(entry: RefEntry): void {
    entry.ttlTimer = null;
    if (entry.state !== 'pending') return; // [QR-8] a claimed ref is not rotated
    // MUTANT server.rotated-ref-claimable [QR-3]: the next ref is issued, the old one is never killed
    if (!this.#rotatedRefClaimable) this.kill(entry, 'expired');
    this.next();
  }

  /** Kills a live ref of this connection and cancels its TTL timer. */
  kill(entry: RefEntry, death: RefDeath): void {
    // MUTANT server.leaks-timer [LINK-13] [CTL-7]: a ref dying with its web connection keeps its TTL
    // timer, which stats counts until it fires
    if (!(this.#leaksTimer && death === 'web_gone')) this.core.cancel(entry.ttlTimer);
    entry.ttlTimer = null;
    this.core.refs.bury(entry, death, this.core.clock.now(), this.core.config.refMemoryMs);
    if (this.current === entry) this.current = null;
  }

  /** status {ref}: only this connection's refs are known to it [QR-6]. */
  status(ref: string): RefStatus {
    return statusOf(this.own.get(ref), this.core.clock.now());
  }
}
