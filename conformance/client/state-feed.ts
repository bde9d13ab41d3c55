/**
 * The states a client under test went through, as the driver protocol's events carry them
 * [DRV-6]: the current one, the unread events, and waits that resolve on the first matching state
 * (no polling: states arrive as the driver's events or, for a browser page, when its DOM hooks
 * change). Once the driver breaks the protocol, every wait and every later request fails with that
 * error. Used by the WebSocket driver (driver-connection.ts) and the browser driver.
 */
import { type ClientRole, type ClientState, type DriverBroken, DriverWaitTimeout } from './client-target.js';

interface Waiter<S> {
  readonly accept: (state: S) => boolean;
  readonly resolve: (state: S) => void;
  readonly reject: (err: Error) => void;
}

export class StateFeed<R extends ClientRole> {
  current: ClientState<R> | undefined;
  broken: DriverBroken | undefined;
  private events: ClientState<R>[] = [];
  /** Every state since the last `waitFor` started (what a timeout reports). */
  private seen: ClientState<R>[] = [];
  private readonly waiters = new Set<Waiter<ClientState<R>>>();
  private readonly watchers = new Set<(state: ClientState<R>) => void>();

  /** `who` names the client in a timeout's message ("the client", "the page"). */
  constructor(
    private readonly who: string,
    initial?: ClientState<R>,
  ) {
    this.current = initial;
  }

  /**
   * Records `state` and returns whether it did: an `event` is a state the driver announced, kept
   * for `take`; with `dedupe`, a state equal to the current one is not recorded.
   */
  push(state: ClientState<R>, { event, dedupe }: { event: boolean; dedupe: boolean }): boolean {
    if (dedupe && this.current !== undefined && JSON.stringify(state) === JSON.stringify(this.current)) return false;
    this.current = state;
    for (const watch of this.watchers) watch(state);
    if (event) this.events.push(state);
    this.seen.push(state);
    for (const w of [...this.waiters]) {
      if (w.accept(state)) {
        this.waiters.delete(w);
        w.resolve(state);
      }
    }
    return true;
  }

  /** The driver broke the protocol: every wait fails now and later. */
  fail(err: DriverBroken): void {
    this.broken ??= err;
    for (const w of this.waiters) w.reject(err);
    this.waiters.clear();
  }

  /** The events since the last call. */
  take(): ClientState<R>[] {
    const out = this.events;
    this.events = [];
    return out;
  }

  waitFor(accept: (state: ClientState<R>) => boolean, timeoutMs: number): Promise<ClientState<R>> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.current !== undefined && accept(this.current)) return Promise.resolve(this.current);
    this.seen = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const names = this.seen.map((s) => s.state);
        reject(
          new DriverWaitTimeout<R>(
            `${this.who} did not reach the expected state within ${timeoutMs} ms (states meanwhile: ${names.length === 0 ? 'none' : names.join(' -> ')}; now ${this.current?.state ?? 'unknown'})`,
            [...this.seen],
          ),
        );
      }, timeoutMs);
      const waiter: Waiter<ClientState<R>> = {
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
   * Resolves with the first state from now on that satisfies `accept` (a driver's own waits: no
   * timeout, and nothing recorded as seen); `cancel` stops watching.
   */
  watch(accept: (state: ClientState<R>) => boolean): {
    readonly state: Promise<ClientState<R>>;
    cancel(): void;
  } {
    let watcher: (state: ClientState<R>) => void = () => {};
    const state = new Promise<ClientState<R>>((resolve) => {
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
