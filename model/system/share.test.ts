import { describe, expect, test } from 'vitest';
import { reuse, sameItems } from './share.js';

describe('structural sharing (reuse)', () => {
  test('a rebuilt but equal part is the old object; an equal part inside a changed one is reused', () => {
    const old = { a: [1, 2], b: { c: 'x' }, d: [{ e: 1 }] };
    const same = { a: [1, 2], b: { c: 'x' }, d: [{ e: 1 }] };
    expect(reuse(old, same)).toBe(old);
    const changed = { a: [1, 2], b: { c: 'y' }, d: [{ e: 1 }] };
    const r = reuse(old, changed);
    expect(r).not.toBe(old);
    expect(JSON.stringify(r)).toBe(JSON.stringify(changed));
    expect(r.a).toBe(old.a);
    expect(r.d).toBe(old.d);
    expect(r.b).toBe(changed.b);
    // the input is never mutated
    expect(changed.a).not.toBe(old.a);
  });
  test('key order, extra keys and non-plain objects are never merged', () => {
    const old = { a: 1, b: 2 };
    expect(reuse(old, { b: 2, a: 1 })).not.toBe(old);
    expect(reuse<Record<string, number | undefined>>(old, { a: 1, b: 2, c: undefined })).not.toBe(old);
    const set = new Set([1]);
    expect(reuse({ s: set }, { s: new Set([2]) }).s).not.toBe(set);
    expect(reuse([1, 2], [1, 2, 3])).toEqual([1, 2, 3]);
  });
  test('sameItems keeps the old list when every item is the same object', () => {
    const x = { a: 1 };
    const old = [x];
    expect(sameItems(old, [x])).toBe(old);
    expect(sameItems(old, [{ a: 1 }])).not.toBe(old);
  });
});
