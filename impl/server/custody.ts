/**
 * Custody of relayed frames, one queue per session and direction [RELAY-5] [RELAY-6] [RELAY-7]:
 * every accepted frame is held until the receiver acknowledges it; at custodyLimit held frames a
 * further frame is refused with queue_full, and from then on only the first refused n of that epoch
 * may enter (the gap rule: nothing is accepted out of order, nothing dropped silently). Each epoch has
 * its own gap: frames of other epochs are held back only by the bound.
 */

export interface HeldFrame {
  readonly e: string;
  readonly n: number;
  readonly c: string;
}

export class CustodyQueue {
  frames: HeldFrame[] = [];
  /** Per epoch, the first refused n while that epoch's gap is open [RELAY-7]. */
  readonly #gaps = new Map<string, number>();

  get size(): number {
    return this.frames.length;
  }

  /** The open gap of epoch `e` (the first refused n), if any. */
  gap(e: string): number | undefined {
    return this.#gaps.get(e);
  }

  /** Accepts a frame into custody, or refuses it (queue_full). */
  offer(e: string, n: number, c: string, limit: number): HeldFrame | null {
    const gap = this.#gaps.get(e);
    if (gap !== undefined && gap !== n) return null; // [RELAY-7] gap rule
    if (this.frames.length >= limit) {
      if (gap === undefined) this.#gaps.set(e, n);
      return null;
    }
    if (gap !== undefined) this.#gaps.delete(e); // the refused n came back and fits: the gap closes
    const held: HeldFrame = { e, n, c };
    this.frames.push(held);
    return held;
  }

  /**
   * Cumulative ack of epoch `e` up to `n` [RELAY-6]: removes every frame of epoch `e` with a counter
   * at most `n`, and nothing else; returns the highest n removed (0 when nothing was: an ack is
   * idempotent, never an error).
   */
  ack(e: string, n: number): number {
    let high = 0;
    const keep: HeldFrame[] = [];
    for (const f of this.frames) {
      if (f.e === e && f.n <= n) {
        if (f.n > high) high = f.n;
      } else keep.push(f);
    }
    if (high > 0) this.frames = keep;
    return high;
  }

  /**
   * MUTANT server.ack-not-cumulative [RELAY-6]: removes only the frame (e, n) itself; returns n, or 0
   * when custody did not hold it. Used by no reference path.
   */
  ackOne(e: string, n: number): number {
    const before = this.frames.length;
    this.frames = this.frames.filter((f) => f.e !== e || f.n !== n);
    return this.frames.length < before ? n : 0;
  }

  /** Keeps only frames and the gap of epoch `e` (a new attachment discards earlier to_web epochs) [RELAY-2]. */
  keepOnly(e: string): void {
    this.frames = this.frames.filter((f) => f.e === e);
    for (const k of [...this.#gaps.keys()]) if (k !== e) this.#gaps.delete(k);
  }

  clear(): void {
    this.frames = [];
    this.#gaps.clear();
  }
}
