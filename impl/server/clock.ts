/**
 * Time for the server: every protocol timer (QR rotation, consent, idle) runs on a `Clock`, so a test or
 * the conformance control endpoint can drive it [CTL-4].
 */

/** An opaque handle of a scheduled timer. */
export interface TimerHandle {
  readonly id: number;
}

/** The injectable clock. */
export interface Clock {
  /** Milliseconds since the Unix epoch (a manual clock starts at a fixed value). */
  now(): number;
  /** Runs `fn` once, `delayMs` from now. */
  setTimer(delayMs: number, fn: () => void): TimerHandle;
  /** Cancels a timer; unknown or already fired handles are ignored. */
  clearTimer(handle: TimerHandle | null | undefined): void;
  /** Timers scheduled and neither fired nor cleared. */
  pending(): number;
}

/** A clock whose time moves only by `advance`. */
export interface AdvanceableClock extends Clock {
  advance(ms: number): void;
}

export function isAdvanceable(clock: Clock): clock is AdvanceableClock {
  return typeof (clock as Partial<AdvanceableClock>).advance === 'function';
}

/** Longest delay setTimeout accepts; longer timers are chained. */
const MAX_DELAY = 2 ** 31 - 1;

/** Wall-clock time and Node timers. */
export class RealClock implements Clock {
  #seq = 0;
  readonly #live = new Map<TimerHandle, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = { id: ++this.#seq };
    const due = Date.now() + Math.max(0, delayMs);
    const arm = (): void => {
      const left = due - Date.now();
      const t =
        left > MAX_DELAY
          ? setTimeout(arm, MAX_DELAY)
          : setTimeout(
              () => {
                this.#live.delete(handle);
                fn();
              },
              Math.max(0, left),
            );
      this.#live.set(handle, t);
    };
    arm();
    return handle;
  }

  clearTimer(handle: TimerHandle | null | undefined): void {
    if (!handle) return;
    const t = this.#live.get(handle);
    if (t === undefined) return;
    clearTimeout(t);
    this.#live.delete(handle);
  }

  pending(): number {
    return this.#live.size;
  }
}

interface ManualTimer {
  readonly handle: TimerHandle;
  readonly at: number;
  readonly fn: () => void;
}

/** 2026-01-01T00:00:00Z: where a manual clock starts unless told otherwise. */
export const MANUAL_EPOCH = Date.UTC(2026, 0, 1);

/**
 * A clock that moves only when told [CTL-4]: `advance(ms)` fires every timer falling due within the
 * window in deadline order (ties in creation order), each firing's effects complete before the next;
 * timers created while advancing that fall due inside the window fire too. Time never goes back.
 */
export class ManualClock implements AdvanceableClock {
  #now: number;
  #seq = 0;
  readonly #timers = new Map<number, ManualTimer>();

  constructor(start: number = MANUAL_EPOCH) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    const handle: TimerHandle = { id: ++this.#seq };
    this.#timers.set(handle.id, { handle, at: this.#now + Math.max(0, delayMs), fn });
    return handle;
  }

  clearTimer(handle: TimerHandle | null | undefined): void {
    if (handle) this.#timers.delete(handle.id);
  }

  pending(): number {
    return this.#timers.size;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance: ms must be a finite number >= 0, got ${ms}`);
    const target = this.#now + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      // Map iteration order is creation order, so the first minimum wins ties.
      for (const t of this.#timers.values()) if (t.at <= target && (next === undefined || t.at < next.at)) next = t;
      if (next === undefined) break;
      this.#timers.delete(next.handle.id);
      if (next.at > this.#now) this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
}
