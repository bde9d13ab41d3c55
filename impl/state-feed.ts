/**
 * How a reference client (phone or web) publishes its state: listeners are told of every change,
 * once per distinct state, and a caller can wait for the first state that satisfies a predicate.
 * The driver endpoint pushes these states as `{event: "state"}` (docs/protocol.md section 16).
 * Browser-safe.
 */
export class StateFeed<S> {
  private readonly listeners = new Set<(state: S) => void>();
  private lastPublished = '';

  constructor(private readonly current: () => S) {}

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onChange(listener: (state: S) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the first state (now or later) that satisfies `pred`. */
  waitFor(pred: (state: S) => boolean): Promise<S> {
    const now = this.current();
    if (pred(now)) return Promise.resolve(now);
    return new Promise((resolve) => {
      const off = this.onChange((s) => {
        if (pred(s)) {
          off();
          resolve(s);
        }
      });
    });
  }

  /** Tells the listeners of the current state, unless it equals the last one published. */
  publish(): void {
    const s = this.current();
    const json = JSON.stringify(s);
    if (json === this.lastPublished) return;
    this.lastPublished = json;
    for (const l of [...this.listeners]) l(s);
  }
}
