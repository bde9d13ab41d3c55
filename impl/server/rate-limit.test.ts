/** RateLimit as a unit: more than max messages within any interval of windowMs is refused; 0 turns it off. */
import { expect, test } from 'vitest';
import { RateLimit } from './rate-limit.js';

test('[TR-8] the limit holds over any interval (t - windowMs, t], not over fixed windows', () => {
  const r = new RateLimit();
  // 2 at 900 and 2 at 1100: a fixed window [0, 1000) + [1000, 2000) would allow all four with max 3
  expect([r.hit(900, 3, 1000), r.hit(900, 3, 1000), r.hit(1100, 3, 1000)]).toEqual([true, true, true]);
  expect(r.hit(1100, 3, 1000)).toBe(false);
});

test('[TR-8] a message at t no longer counts at t + windowMs (half-open interval)', () => {
  const r = new RateLimit();
  expect([r.hit(0, 2, 1000), r.hit(500, 2, 1000)]).toEqual([true, true]);
  expect(r.hit(999, 2, 1000)).toBe(false);
  const s = new RateLimit();
  s.hit(0, 2, 1000);
  s.hit(500, 2, 1000);
  expect(s.hit(1000, 2, 1000)).toBe(true); // 0 left the interval (0, 1000]
  expect(s.hit(1000, 2, 1000)).toBe(false);
});

test('[TR-8] max 0 turns the limit off; limits passed per message take effect at once', () => {
  const off = new RateLimit();
  for (let i = 0; i < 10_000; i++) expect(off.hit(0, 0, 1000)).toBe(true);
  const r = new RateLimit();
  for (let t = 0; t < 5000; t++) expect(r.hit(t, 1000, 1000)).toBe(true);
  expect(r.hit(5000, 1, 1000)).toBe(false); // the limit lowered: 1000 messages already in (4000, 5000]
  const big = new RateLimit();
  for (let t = 0; t < 100_000; t += 1) big.hit(t, 2000, 1000); // entries outside the window are dropped
  expect(big.hit(100_000, 999, 1000)).toBe(false); // 999 earlier ones in (99000, 100000] + this one
  expect(big.hit(101_001, 1, 1000)).toBe(true);
});
