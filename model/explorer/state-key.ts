/**
 * The explorer's compact canonical state key. A state's parts (the server, each web client, each
 * phone, each browser's storage, each channel's frames, the ghost record) are shared between
 * states (the step copies on write and keeps every part it did not change, or rebuilt equal, as
 * the same object: model/system/share.ts), so each part's JSON is computed once per object (memoised by
 * identity) and interned to a small number; a state's key is the list of its parts' numbers. Two
 * states get the same key exactly when their JSON (`stateKey`) is equal: each number stands for one
 * JSON text and the layout below mirrors the state's fixed shape.
 */
import type { SystemState } from '../system/state.js';

/** One interning table per exploration (numbers are meaningful only within one encoder). */
export class StateKeyEncoder {
  private readonly ids = new Map<string, number>();
  /**
   * Part -> number, by identity. A strong map cleared when large rather than a WeakMap: it is
   * only a cache (a part met again after a clear gets the same number from its text), and a
   * WeakMap with millions of short-lived keys cost more in inserts and GC than it saved.
   */
  private readonly memo = new Map<object, number>();

  /** The number of `part`'s JSON text (parts are never mutated once in a state). */
  private id(part: object): number {
    let n = this.memo.get(part);
    if (n !== undefined) return n;
    const text = JSON.stringify(part);
    n = this.ids.get(text);
    if (n === undefined) {
      n = this.ids.size;
      this.ids.set(text, n);
    }
    if (this.memo.size >= 500_000) this.memo.clear();
    this.memo.set(part, n);
    return n;
  }

  private list(parts: readonly object[]): string {
    let out = '';
    for (const p of parts) out += `${this.id(p)},`;
    return out;
  }

  key(s: SystemState): string {
    let chans = '';
    for (const c of s.chans) chans += `${c.id}:${this.id(c.frames)},`;
    const u = s.used;
    return `${this.id(s.server)}|${this.list(s.webs)}|${this.list(s.phones)}|${this.list(s.storage)}|${chans}|${u.webMsgs},${u.phoneMsgs},${u.replays},${u.strays},${u.cycles},${u.reregs},${u.scans}|${this.id(s.ghost)}`;
  }
}
