import { describe, expect, test } from 'vitest';
import { percentile } from './percentile.js';

describe('percentile (nearest rank)', () => {
  test('p50 and p99 of 1..100 are 50 and 99; p100 is the maximum', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
  });
  test('small samples: the rank rounds up', () => {
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([3, 1, 2], 99)).toBe(3);
    expect(percentile([7], 1)).toBe(7);
  });
  test('no samples gives NaN; the input is not reordered', () => {
    expect(percentile([], 50)).toBeNaN();
    const xs = [3, 1, 2];
    percentile(xs, 50);
    expect(xs).toEqual([3, 1, 2]);
  });
  test('p outside (0, 100] is a RangeError naming it', () => {
    expect(() => percentile([1], 0)).toThrow(/got 0/);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});
