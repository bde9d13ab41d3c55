import { describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatPercent } from './number-format.js';

describe('number formats', () => {
  it('groups thousands with commas whatever the locale', () => {
    expect(formatCount(5300)).toBe('5,300');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12)).toBe('12');
  });

  it('prints durations in seconds, short ones in ms', () => {
    expect(formatDuration(4213)).toBe('4.2 s');
    expect(formatDuration(37)).toBe('37 ms');
    expect(formatDuration(60_000)).toBe('60.0 s');
  });

  it('floors percents so an incomplete coverage never reads 100.0%', () => {
    expect(formatPercent(9999, 10_000)).toBe('99.9%');
    expect(formatPercent(3, 3)).toBe('100.0%');
    expect(formatPercent(0, 0)).toBe('n/a');
  });
});
