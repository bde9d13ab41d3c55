/**
 * Per-connection message rate limit [TR-8]: a message received at time `t` is counted together with
 * the connection's messages received in the half-open interval `(t - windowMs, t]` (a sliding window
 * on the injected clock, no timers); more than `max` is the limit. `max = 0` turns the limit off.
 * The limits are passed on every message, so a `config` change applies to messages received after it.
 * Memory is one entry per distinct receipt time inside the window (at most `windowMs` entries).
 */
export class RateLimit {
  /** Receipt times (ascending) with the number of messages received at each. */
  readonly #times: number[] = [];
  readonly #counts: number[] = [];
  #head = 0;
  #total = 0;

  /** Counts one message received at `now`; false when it is one too many. */
  hit(now: number, max: number, windowMs: number): boolean {
    const last = this.#times.length - 1;
    const t = last >= this.#head ? Math.max(now, this.#times[last] as number) : now; // a clock never runs back here
    while (this.#head < this.#times.length && (this.#times[this.#head] as number) <= t - windowMs) {
      this.#total -= this.#counts[this.#head] as number;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times.splice(0, this.#head);
      this.#counts.splice(0, this.#head);
      this.#head = 0;
    }
    const end = this.#times.length - 1;
    if (end >= this.#head && this.#times[end] === t) this.#counts[end] = (this.#counts[end] as number) + 1;
    else {
      this.#times.push(t);
      this.#counts.push(1);
    }
    this.#total++;
    return max === 0 || this.#total <= max;
  }
}
