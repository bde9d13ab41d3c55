import { describe, expect, it } from 'vitest';
import { randomBytes } from './random.js';

describe('randomBytes', () => {
  it('returns n bytes, also beyond one getRandomValues call (65536)', () => {
    expect(randomBytes(0)).toHaveLength(0);
    expect(randomBytes(32)).toHaveLength(32);
    const big = randomBytes(65536 * 2 + 5);
    expect(big).toHaveLength(131077);
    // the tail past the first chunk is filled too (all-zero 1000 bytes has probability 2^-8000)
    expect(big.subarray(131077 - 1000).some((b) => b !== 0)).toBe(true);
  });

  it('two draws differ', () => {
    expect(randomBytes(32)).not.toEqual(randomBytes(32));
  });

  it.each([-1, 1.5, Number.NaN])('refuses n = %d', (n) => {
    expect(() => randomBytes(n)).toThrow(RangeError);
  });
});
