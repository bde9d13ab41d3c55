/**
 * One linked session as the phone keeps it: the link's kRoot, per-epoch keys and replay
 * high-waters [E2E-11, E2E-13, PHONE-3], the outbox of phone-to-web operations held until acked
 * [RELAY-14], and the queue_full stop-and-resume rule [RELAY-15].
 */

import { type PhoneToWebOp, WebToPhoneOp } from '../../model/protocol/app-ops.js';
import type { Device } from '../../model/protocol/encoding.js';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { type EpochKeys, epochKeys, openOp, sealOp } from '../crypto/index.js';
import { noRelayFaults, type RelayFaults } from './mutants.js';

/** A frame the phone sends on the relay (the session's `to_web`). */
export interface ToWebFrame {
  t: 'to_web';
  sessionId: string;
  e: string;
  n: number;
  c: string;
}

/** An operation waiting for the web client's ack, with the (e, n, c) it was last sealed as. */
interface Outgoing {
  op: PhoneToWebOp;
  sealed?: { e: string; n: number; c: string };
}

interface EpochState {
  keys: EpochKeys;
  /** Highest n accepted from the web client in this epoch [E2E-13]. */
  highWater: number;
  /** Last n this phone sealed under this epoch [E2E-12]. */
  sent: number;
}

/**
 * What a restarted phone needs to continue a session without ever re-using a (key, n) [E2E-12]:
 * kRoot, the epoch it last sealed under, per-epoch send counters and replay high-waters, and the
 * operations still waiting for an ack with the frames they were sealed as (phone-state.ts).
 */
export interface SessionSnapshot {
  sessionId: string;
  device: Device;
  keep: boolean;
  kRoot?: string;
  current?: string;
  epochs: { e: string; sent: number; highWater: number }[];
  outbox: { op: PhoneToWebOp; sealed?: { e: string; n: number; c: string } }[];
}

/** What `receive` did with a `from_web` frame. */
export type ReceiveResult =
  | { kind: 'op'; op: WebToPhoneOp; ackN: number }
  | { kind: 'duplicate'; ackN: number }
  /** It opened (so it is consumed and acknowledged) but holds no valid operation. */
  | { kind: 'bad_op'; ackN: number }
  | { kind: 'dropped'; why: 'does_not_open' | 'bad_epoch' };

export class SessionRelay {
  readonly sessionId: string;
  device: Device;
  keep: boolean;
  private readonly kRoot: Uint8Array | undefined;
  private readonly epochs = new Map<string, EpochState>();
  /** The epoch of the current attachment, or undefined before the first web.attached. */
  private current: string | undefined;
  attached = false;
  private outbox: Outgoing[] = [];
  /** n refused by queue_full in the current epoch; nothing more is sent until an `acked` [RELAY-15]. */
  private blockedAt: number | undefined;

  constructor(
    sessionId: string,
    device: Device,
    keep: boolean,
    kRoot: Uint8Array | undefined,
    private readonly onSecret?: (label: string, value: Uint8Array | string) => void,
    /** Deliberate faults (mutants.ts); all off for the reference phone. */
    private readonly faults: RelayFaults = noRelayFaults,
  ) {
    this.sessionId = sessionId;
    this.device = device;
    this.keep = keep;
    this.kRoot = kRoot;
  }

  /** Whether this phone holds the link's keys (it does for every link it made while running). */
  get hasKeys(): boolean {
    return this.kRoot !== undefined;
  }

  get epoch(): string | undefined {
    return this.current;
  }

  /** Frames waiting for an ack. */
  get unacked(): number {
    return this.outbox.length;
  }

  get blocked(): boolean {
    return this.blockedAt !== undefined;
  }

  private epochState(e: string): EpochState | undefined {
    let st = this.epochs.get(e);
    if (st) return st;
    const eBytes = fromB64u(e);
    if (!this.kRoot || !eBytes || eBytes.length !== 16) return undefined;
    st = { keys: epochKeys(this.kRoot, eBytes), highWater: 0, sent: 0 };
    this.onSecret?.('kW2P_e', st.keys.kW2P);
    this.onSecret?.('kP2W_e', st.keys.kP2W);
    this.epochs.set(e, st);
    return st;
  }

  /**
   * `web.attached {e}` (live or in the flush). A new epoch restarts n at 1 and re-seals every
   * unacked operation under it, in order [RELAY-14]. The epoch it last sealed under again (the
   * server's flush after this phone reconnects) is not a new attachment: it MUST NOT re-seal; the
   * unacked frames of that epoch go again identical (same n, same c) and the counter continues
   * [RELAY-14 as of 1.0.1, E2E-12]. Either way a queue_full stop ends here [RELAY-15].
   */
  attach(e: string): ToWebFrame[] {
    this.attached = true;
    this.blockedAt = undefined;
    if (e !== this.current) {
      this.current = e;
      for (const o of this.outbox) o.sealed = undefined;
      return this.pump();
    }
    if (this.faults.resealRepeated) {
      // MUTANT phone.reseals-on-repeated-epoch: the pre-1.0.1 rule, n restarts at 1 under a used key.
      const st = this.epochState(e);
      if (st) st.sent = 0;
      for (const o of this.outbox) o.sealed = undefined;
      return this.pump();
    }
    const resend = this.outbox
      .filter((o) => o.sealed?.e === e)
      .map((o) => this.frame(o.sealed as NonNullable<Outgoing['sealed']>));
    return [...resend, ...this.pump()];
  }

  detach(): void {
    this.attached = false;
  }

  /** Queues an operation for the web client; returns what may be sent now. */
  push(op: PhoneToWebOp): ToWebFrame[] {
    this.outbox.push({ op });
    return this.pump();
  }

  /** Seals and returns every queued operation not yet sealed under the current epoch. */
  pump(): ToWebFrame[] {
    const e = this.current;
    if (!this.attached || e === undefined || this.blockedAt !== undefined) return [];
    const st = this.epochState(e);
    if (!st) return [];
    const out: ToWebFrame[] = [];
    for (const o of this.outbox) {
      if (o.sealed?.e === e) continue;
      // MUTANT phone.reuses-counter: the previous frame's n again (a second plaintext under one nonce).
      const n = this.faults.reuseCounter && st.sent > 0 ? st.sent : ++st.sent;
      this.onSecret?.('plaintext', JSON.stringify(o.op));
      o.sealed = { e, n, c: sealOp(st.keys.kP2W, n, o.op) };
      out.push(this.frame(o.sealed));
    }
    return out;
  }

  private frame(s: { e: string; n: number; c: string }): ToWebFrame {
    return { t: 'to_web', sessionId: this.sessionId, e: s.e, n: s.n, c: s.c };
  }

  /**
   * `acked {e, n}`: drops every operation sealed under e with n' <= n; an acked of any epoch of the
   * session means custody has room, so after queue_full it resumes [RELAY-15].
   */
  acked(e: string, n: number): ToWebFrame[] {
    this.outbox = this.outbox.filter((o) => !(o.sealed?.e === e && o.sealed.n <= n));
    if (this.blockedAt === undefined) return [];
    const from = this.blockedAt;
    this.blockedAt = undefined;
    // Re-send from the refused n, in order, byte for byte (same key, same n, same plaintext).
    const current = this.current;
    const resend = this.outbox
      .filter((o) => o.sealed !== undefined && o.sealed.e === current && o.sealed.n >= from)
      .map((o) => this.frame(o.sealed as NonNullable<Outgoing['sealed']>));
    return [...resend, ...this.pump()];
  }

  /** `queue_full {e, n}`: stop sending in this direction until the next `acked` [RELAY-15]. */
  queueFull(e: string, n: number): void {
    if (e !== this.current) return;
    if (this.faults.ignoreQueueFull) return; // MUTANT phone.ignores-queue-full
    this.blockedAt = this.blockedAt === undefined ? n : Math.min(this.blockedAt, n);
  }

  /**
   * `from_web {e, n, c}`: opens it under the epoch's web-to-phone key; n at or below the
   * high-water of (session, e) is a replay and is dropped [E2E-13, PHONE-3]; a frame that does not
   * open is dropped and not acknowledged.
   */
  receive(e: string, n: number, c: string): ReceiveResult {
    const st = this.epochState(e);
    if (!st) return { kind: 'dropped', why: 'bad_epoch' };
    // MUTANT phone.accepts-replay: a frame at or below the high-water is opened and processed again.
    if (n <= st.highWater && !this.faults.acceptReplay) return { kind: 'duplicate', ackN: st.highWater };
    const plain = openOp(st.keys.kW2P, n, c);
    if (plain === undefined) return { kind: 'dropped', why: 'does_not_open' };
    st.highWater = Math.max(st.highWater, n);
    const op = WebToPhoneOp.safeParse(plain);
    if (!op.success) return { kind: 'bad_op', ackN: n };
    return { kind: 'op', op: op.data, ackN: n };
  }

  /** Everything needed to continue after a restart (phone-state.ts). */
  snapshot(): SessionSnapshot {
    return {
      sessionId: this.sessionId,
      device: { ...this.device },
      keep: this.keep,
      ...(this.kRoot ? { kRoot: toB64u(this.kRoot) } : {}),
      ...(this.current !== undefined ? { current: this.current } : {}),
      epochs: [...this.epochs].map(([e, st]) => ({ e, sent: st.sent, highWater: st.highWater })),
      outbox: this.outbox.map((o) => ({ op: o.op, ...(o.sealed ? { sealed: { ...o.sealed } } : {}) })),
    };
  }

  /** A session as a restarted phone continues it: not attached until the next web.attached. */
  static restore(
    snap: SessionSnapshot,
    onSecret?: (label: string, value: Uint8Array | string) => void,
    faults: RelayFaults = noRelayFaults,
  ): SessionRelay {
    const kRoot = snap.kRoot === undefined ? undefined : fromB64u(snap.kRoot);
    const s = new SessionRelay(snap.sessionId, snap.device, snap.keep, kRoot, onSecret, faults);
    s.current = snap.current;
    for (const ep of snap.epochs) {
      const st = s.epochState(ep.e);
      if (st) {
        st.sent = ep.sent;
        st.highWater = ep.highWater;
      }
    }
    s.outbox = snap.outbox.map((o) => ({ op: o.op, ...(o.sealed ? { sealed: { ...o.sealed } } : {}) }));
    return s;
  }

  /** The high-water of an epoch (tests and the driver's view). */
  highWater(e: string): number {
    return this.epochs.get(e)?.highWater ?? 0;
  }
}
