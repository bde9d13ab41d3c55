/**
 * One attachment of the web client to its session: a fresh random epoch e [E2E-10], its keys
 * [E2E-11], the send counter from 1 [E2E-12], the replay high-water of its own epoch [E2E-13],
 * the operations held until acked, and the queue_full stop-and-resume rule [RELAY-15].
 * Everything here lives in this object's memory only [E2E-14].
 */
import { PhoneToWebOp, type WebToPhoneOp } from '../../model/protocol/app-ops.js';
import { toB64u } from '../../model/protocol/encoding.js';
import { type EpochKeys, epochKeys, openOp, randomBytes, sealOp } from '../crypto/index.js';

/** A frame the web client sends on the relay. */
/** Sees every secret as it is made (secrecy audits in tests); never stores or sends anything. */
export type SecretObserver = (label: string, value: Uint8Array | string) => void;

export interface ToPhoneFrame {
  t: 'to_phone';
  e: string;
  n: number;
  c: string;
}

interface Outgoing {
  op: WebToPhoneOp;
  n?: number;
  c?: string;
}

export type WebReceiveResult =
  | { kind: 'op'; op: PhoneToWebOp; n: number }
  /** Opened, so consumed and acknowledged, but not a valid operation. */
  | { kind: 'bad_op'; n: number }
  /** n at or below the high-water: not processed, but acknowledged with the high-water [RELAY-18]. */
  | { kind: 'duplicate'; n: number }
  | { kind: 'dropped'; why: 'other_epoch' | 'does_not_open' };

export class Attachment {
  /** This attachment's epoch, base64url of 16 random bytes. */
  readonly e: string;
  private readonly keys: EpochKeys;
  private sent = 0;
  private high = 0;
  private outbox: Outgoing[] = [];
  private blockedAt: number | undefined;

  /** `carried`: operations an earlier attachment never saw acked; they are re-sealed here from n = 1. */
  constructor(
    kRoot: Uint8Array,
    carried: readonly WebToPhoneOp[] = [],
    onSecret?: SecretObserver,
    /** MUTANT web.accepts-replay: no replay window (mutants.ts). */
    private readonly acceptsReplay = false,
  ) {
    const eBytes = randomBytes(16);
    this.e = toB64u(eBytes);
    this.keys = epochKeys(kRoot, eBytes);
    this.outbox = carried.map((op) => ({ op }));
    this.onSecret = onSecret;
    onSecret?.('kW2P_e', this.keys.kW2P);
    onSecret?.('kP2W_e', this.keys.kP2W);
  }

  private readonly onSecret: SecretObserver | undefined;

  get highWater(): number {
    return this.high;
  }

  get blocked(): boolean {
    return this.blockedAt !== undefined;
  }

  /** Operations not yet acknowledged, in order. */
  unackedOps(): WebToPhoneOp[] {
    return this.outbox.map((o) => o.op);
  }

  /** Queues an operation and returns what may be sent now. */
  push(op: WebToPhoneOp): ToPhoneFrame[] {
    this.outbox.push({ op });
    return this.pump();
  }

  /** Seals every queued operation not yet sealed, unless stopped by queue_full. */
  pump(): ToPhoneFrame[] {
    if (this.blockedAt !== undefined) return [];
    const out: ToPhoneFrame[] = [];
    for (const o of this.outbox) {
      if (o.n !== undefined) continue;
      o.n = ++this.sent;
      this.onSecret?.('plaintext', JSON.stringify(o.op));
      o.c = sealOp(this.keys.kW2P, o.n, o.op);
      out.push({ t: 'to_phone', e: this.e, n: o.n, c: o.c });
    }
    return out;
  }

  /**
   * `acked {e, n}`: of this epoch, releases the acknowledged operations; of any epoch, it means
   * custody has room, so after queue_full the refused frame and every later one are re-sent,
   * identical and in order [RELAY-15, RELAY-17].
   */
  acked(e: string, n: number): ToPhoneFrame[] {
    if (e === this.e) this.outbox = this.outbox.filter((o) => o.n === undefined || o.n > n);
    if (this.blockedAt === undefined) return [];
    const from = this.blockedAt;
    this.blockedAt = undefined;
    const resend: ToPhoneFrame[] = this.outbox
      .filter((o) => o.n !== undefined && o.n >= from)
      .map((o) => ({ t: 'to_phone', e: this.e, n: o.n as number, c: o.c as string }));
    return [...resend, ...this.pump()];
  }

  /** `queue_full {e, n}`: stop sending until the next acked [RELAY-15]. */
  queueFull(e: string, n: number): void {
    if (e !== this.e) return;
    this.blockedAt = this.blockedAt === undefined ? n : Math.min(this.blockedAt, n);
  }

  /**
   * `from_phone {e, n, c}`: only this attachment's epoch, only n above the high-water, only what
   * opens under this epoch's phone-to-web key [E2E-13].
   */
  receive(e: string, n: number, c: string): WebReceiveResult {
    if (e !== this.e) return { kind: 'dropped', why: 'other_epoch' };
    // MUTANT web.accepts-replay: a counter at or below the high-water is processed again [E2E-13].
    if (n <= this.high && !this.acceptsReplay) return { kind: 'duplicate', n: this.high };
    const plain = openOp(this.keys.kP2W, n, c);
    if (plain === undefined) return { kind: 'dropped', why: 'does_not_open' };
    this.high = n;
    const op = PhoneToWebOp.safeParse(plain);
    return op.success ? { kind: 'op', op: op.data, n } : { kind: 'bad_op', n };
  }
}
