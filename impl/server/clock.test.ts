/** The manual clock: deadline order, ties in creation order, timers created while advancing. */
import { describe, expect, test } from 'vitest';
import { MANUAL_EPOCH, ManualClock, RealClock } from './clock.js';

describe('ManualClock', () => {
  test('[CTL-4] fires due timers in deadline order, ties in creation order, each before the next', () => {
    const c = new ManualClock();
    const fired: string[] = [];
    c.setTimer(30, () => fired.push(`c@${c.now() - MANUAL_EPOCH}`));
    c.setTimer(10, () => fired.push(`a@${c.now() - MANUAL_EPOCH}`));
    c.setTimer(10, () => fired.push(`b@${c.now() - MANUAL_EPOCH}`));
    c.setTimer(31, () => fired.push('late'));
    c.advance(30);
    expect(fired).toEqual(['a@10', 'b@10', 'c@30']);
    expect(c.now()).toBe(MANUAL_EPOCH + 30);
    expect(c.pending()).toBe(1);
  });

  test('[CTL-4] timers created while advancing fire inside the window; cleared timers never fire', () => {
    const c = new ManualClock(0);
    const fired: number[] = [];
    const gone = c.setTimer(5, () => fired.push(-1));
    c.setTimer(1, () => {
      fired.push(c.now());
      c.setTimer(2, () => fired.push(c.now()));
      c.setTimer(100, () => fired.push(c.now()));
      c.clearTimer(gone);
    });
    c.advance(10);
    expect(fired).toEqual([1, 3]);
    expect(c.pending()).toBe(1);
    expect(c.now()).toBe(10);
    expect(() => c.advance(-1)).toThrow(RangeError);
  });
});

describe('RealClock', () => {
  test('counts pending timers and clears them', () => {
    const c = new RealClock();
    const t = c.setTimer(60_000, () => {});
    const long = c.setTimer(2 ** 32, () => {});
    expect(c.pending()).toBe(2);
    c.clearTimer(t);
    c.clearTimer(long);
    expect(c.pending()).toBe(0);
  });
});
