import { describe, expect, it } from 'vitest';
import { diffLines } from './line-diff.js';

describe('diffLines', () => {
  it('marks nothing for equal texts', () => {
    expect(diffLines(['a', 'b'], ['a', 'b'])).toEqual({ onlyA: [false, false], onlyB: [false, false] });
  });

  it('marks a changed line on both sides', () => {
    expect(diffLines(['{', '"reason": "expired_ref"', '}'], ['{', '"reason": "used_ref"', '}'])).toEqual({
      onlyA: [false, true, false],
      onlyB: [false, true, false],
    });
  });

  it('marks an extra line only on the side that has it', () => {
    expect(diffLines(['x', 'y'], ['x', 'y', 'y'])).toEqual({ onlyA: [false, false], onlyB: [false, false, true] });
    expect(diffLines(['x', 'z', 'y'], ['x', 'y'])).toEqual({ onlyA: [false, true, false], onlyB: [false, false] });
  });

  it('gives up (marks nothing) past maxLines', () => {
    const big = Array.from({ length: 20 }, (_, i) => String(i));
    expect(diffLines(big, ['0'], 10).onlyA.some(Boolean)).toBe(false);
  });
});
