import { describe, expect, test } from 'vitest';
import { checkPlan, type Direction, FaultPlanError, faultDraw, faultFor } from './fault-plan.js';

const decisions = (seed: number, label: string, dir: Direction, n: number, rate = 0.05) =>
  Array.from({ length: n }, (_, i) => faultFor({ seed, rate }, label, dir, i));

describe('seeded fault plan', () => {
  test('the same seed, label, direction and index always give the same decision', () => {
    expect(decisions(9, 'f1.w', 'up', 500)).toEqual(decisions(9, 'f1.w', 'up', 500));
    // order of asking does not matter: the decision is a pure function of its inputs
    const backwards = Array.from({ length: 500 }, (_, k) => faultFor({ seed: 9, rate: 0.05 }, 'f1.w', 'up', 499 - k));
    expect(backwards.reverse()).toEqual(decisions(9, 'f1.w', 'up', 500));
  });
  test('another seed, label or direction gives other decisions', () => {
    const a = decisions(9, 'f1.w', 'up', 2000).join();
    expect(decisions(10, 'f1.w', 'up', 2000).join()).not.toBe(a);
    expect(decisions(9, 'f2.w', 'up', 2000).join()).not.toBe(a);
    expect(decisions(9, 'f1.w', 'down', 2000).join()).not.toBe(a);
  });
  test('rate 0 passes everything, rate 1 faults everything, about half drops and half cuts', () => {
    expect(new Set(decisions(3, 'x', 'up', 1000, 0))).toEqual(new Set(['pass']));
    const all = decisions(3, 'x', 'up', 10_000, 1);
    expect(all).not.toContain('pass');
    const drops = all.filter((d) => d === 'drop').length;
    expect(drops).toBeGreaterThan(4500);
    expect(drops).toBeLessThan(5500);
  });
  test('at 5% about 5% of 20,000 frames are faulted (fixed seeds, so this never flakes)', () => {
    for (const seed of [1, 2, 3]) {
      const faulted = decisions(seed, 'conn', 'down', 20_000).filter((d) => d !== 'pass').length;
      expect(faulted).toBeGreaterThan(800);
      expect(faulted).toBeLessThan(1200);
    }
  });
  test('draws are in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const x = faultDraw(0xffffffff, `l${i}`, 'up', i);
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
  test('a bad plan is a FaultPlanError naming the field', () => {
    expect(() => checkPlan({ seed: 1, rate: 1.5 })).toThrow(/fault rate must be in 0\.\.1, got 1\.5/);
    expect(() => checkPlan({ seed: -1, rate: 0 })).toThrow(FaultPlanError);
    expect(() => checkPlan({ seed: 1.5, rate: 0 })).toThrow(/fault seed/);
    expect(checkPlan({ seed: 7, rate: 0.05 })).toEqual({ seed: 7, rate: 0.05 });
  });
});
