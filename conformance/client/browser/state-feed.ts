/**
 * The states a browser page went through, as the driver protocol's events would carry them
 * [DRV-6]: the current one, the unread events, and waits that resolve on the first matching
 * state (no polling: states arrive when the page's DOM hooks change). Once the page breaks the
 * hooks, every wait and every later request fails with that error.
 */
import type { WebDriverState } from '../../../model/protocol/driver-frames.js';
import { type DriverBroken, DriverWaitTimeout } from '../client-target.js';

interface Waiter {
  readonly accept: (state: WebDriverState) => boolean;
  readonly resolve: (state: WebDriverState) => void;
  readonly reject: (err: Error) => void;
}

export class StateFeed {
  current: WebDriverState;
  broken: DriverBroken | undefined;
  private events: WebDriverState[] = [];
  private seen: WebDriverState[] = [];
  private readonly waiters = new Set<Waiter>();

  constructor(initial: WebDriverState) {
    this.current = initial;
  }

  private readonly watchers = new Set<(state: WebDriverState) => void>();

  /** Records `state` when it differs from the current one; returns whether it did. */
  push(state: WebDriverState): boolean {
    if (JSON.stringify(state) === JSON.stringify(this.current)) return false;
    this.current = state;
    for (const watch of this.watchers) watch(state);
    this.events.push(state);
    this.seen.push(state);
    for (const w of [...this.waiters]) {
      if (w.accept(state)) {
        this.waiters.delete(w);
        w.resolve(state);
      }
    }
    return true;
  }

  /** The page broke the hooks: every wait fails now and later. */
  fail(err: DriverBroken): void {
    this.broken ??= err;
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
  }

  take(): WebDriverState[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  waitFor(accept: (state: WebDriverState) => boolean, timeoutMs: number): Promise<WebDriverState> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (accept(this.current)) return Promise.resolve(this.current);
    this.seen = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const names = this.seen.map((s) => s.state);
        reject(
          new DriverWaitTimeout<'web'>(
            `the page did not reach the expected state within ${timeoutMs} ms (states meanwhile: ${names.length === 0 ? 'none' : names.join(' -> ')}; now ${this.current.state})`,
            [...this.seen],
          ),
        );
      }, timeoutMs);
      const waiter: Waiter = {
        accept,
        resolve: (state) => {
          clearTimeout(timer);
          resolve(state);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /**
   * Resolves with the first state from now on that satisfies `accept` (the driver's own waits:
   * no timeout, and nothing recorded as seen); `cancel` stops watching.
   */
  watch(accept: (state: WebDriverState) => boolean): { readonly state: Promise<WebDriverState>; cancel(): void } {
    let watcher: (state: WebDriverState) => void = () => {};
    const state = new Promise<WebDriverState>((resolve) => {
      watcher = (s) => {
        if (!accept(s)) return;
        this.watchers.delete(watcher);
        resolve(s);
      };
      this.watchers.add(watcher);
    });
    return { state, cancel: () => this.watchers.delete(watcher) };
  }

  /** Rejects the waits still open (the driver is closing). */
  close(err: Error): void {
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
  }
}
