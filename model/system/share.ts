/**
 * Structural sharing for the step: a part the step rebuilt without changing it is replaced by the
 * previous state's object, so that states share every unchanged part and the explorer's state-key
 * encoder (memoised by identity) encodes only what changed.
 */

const isPlain = (x: object): boolean => {
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
};

/**
 * `next` with every part that is deep-equal to the part of `old` at the same place replaced by that
 * part of `old` (`old` itself when the whole is equal). Only arrays and plain objects are compared
 * (the same keys in the same order, values equal by `===` or recursively); anything else is kept as
 * it is unless identical. The result is deep-equal to `next` (same JSON, same key order); `next`
 * is never mutated (a changed object with reused parts is a shallow copy).
 */
export function reuse<T>(old: T, next: T): T {
  if (old === next || typeof old !== 'object' || typeof next !== 'object' || old === null || next === null) return next;
  if (Array.isArray(old)) {
    if (!Array.isArray(next)) return next;
    return reuseArray(old, next) as T;
  }
  if (Array.isArray(next) || !isPlain(old) || !isPlain(next)) return next;
  return reuseObject(old as Record<string, unknown>, next as Record<string, unknown>) as T;
}

function reuseArray(old: readonly unknown[], next: readonly unknown[]): readonly unknown[] {
  let copy: unknown[] | null = null;
  let equal = old.length === next.length;
  for (let i = 0; i < next.length; i++) {
    const n = next[i];
    const r = i < old.length ? reuse(old[i], n) : n;
    if (r !== n) {
      if (copy === null) copy = next.slice();
      copy[i] = r;
    }
    if (r !== old[i]) equal = false;
  }
  if (equal) return old;
  return copy ?? next;
}

function reuseObject(old: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(next);
  const oldKeys = Object.keys(old);
  let equal = keys.length === oldKeys.length;
  let copy: Record<string, unknown> | null = null;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (equal && oldKeys[i] !== k) equal = false;
    const n = next[k];
    const r = Object.hasOwn(old, k) ? reuse(old[k], n) : n;
    if (r !== n) {
      if (copy === null) copy = { ...next };
      copy[k] = r;
    }
    if (r !== old[k]) equal = false;
  }
  if (equal) return old;
  return copy ?? next;
}

/** `next`, or `old` when both hold the same items (by identity). */
export function sameItems<T>(old: readonly T[], next: readonly T[]): readonly T[] {
  if (old === next) return old;
  if (old.length !== next.length) return next;
  for (let i = 0; i < next.length; i++) if (old[i] !== next[i]) return next;
  return old;
}
