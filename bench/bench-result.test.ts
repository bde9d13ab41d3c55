import { describe, expect, test } from 'vitest';
import { ratioOf, round3, row } from './bench-result.js';

describe('benchmark rows', () => {
  test('ratio reads "fraction of the baseline": ours/baseline when higher is better, baseline/ours when lower', () => {
    expect(ratioOf(70, 100, 'higher')).toBeCloseTo(0.7);
    expect(ratioOf(20, 10, 'lower')).toBeCloseTo(0.5); // twice the latency: half as good
    expect(ratioOf(0, 0, 'higher')).toBeNaN();
  });
  test('a row has exactly the fields of the JSON output, numbers to 3 significant digits', () => {
    const r = row({ id: 'x.y', metric: 'm', ours: 1234.5678, baseline: 0.012345, unit: 'u', better: 'higher' });
    expect(Object.keys(r)).toEqual(['id', 'metric', 'ours', 'baseline', 'ratio', 'unit', 'notes']);
    expect(r.ours).toBe(1235);
    expect(r.baseline).toBe(0.0123);
    expect(r.notes).toBe('ratio = ours/baseline');
  });
  test('notes say which way the ratio reads, then the benchmark notes', () => {
    const r = row({ id: 'a', metric: 'm', ours: 2, baseline: 1, unit: 'ms', better: 'lower', notes: 'n' });
    expect(r.ratio).toBe(0.5);
    expect(r.notes).toBe('lower is better, ratio = baseline/ours; n');
  });
  test('round3 keeps 3 significant digits and leaves 0 and NaN alone', () => {
    expect(round3(0.70349)).toBe(0.703);
    expect(round3(98765)).toBe(98765);
    expect(round3(0)).toBe(0);
    expect(round3(Number.NaN)).toBeNaN();
  });
});
