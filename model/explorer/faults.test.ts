/**
 * Honesty checks: every planted fault is found by the explorer as a violation of exactly the
 * invariant it breaks, with the shortest trace (BFS; without reduction every interleaving is
 * explored, so the length is the true minimum at these bounds). F1, F2 and WIPE_ON_CONFLICT need two
 * tabs and run with partial-order reduction (shortest within the reduced graph).
 */
import { describe, expect, test } from 'vitest';
import { type FaultId, faultTable, type RevealingRun, revealingRuns } from '../system/faults.js';
import { explore } from './explore.js';

const cases: (RevealingRun & { fault: FaultId })[] = Object.entries(revealingRuns).map(([fault, run]) => ({
  fault: fault as FaultId,
  ...run,
}));

describe('planted faults are found with the shortest trace', () => {
  for (const c of cases) {
    const expected = faultTable[c.fault].caughtBy;
    test(`${c.fault}: ${expected} violated, ${c.steps}-step trace`, () => {
      const r = explore({ bounds: c.bounds, faults: [c.fault], reduce: c.reduce });
      expect(r.violations.map((v) => v.invariant)).toEqual([expected]);
      expect(r.violations[0]?.trace.length).toBe(c.steps);
    });
  }
  test('the same bounds without the fault are clean (the fault, not the bounds, breaks it)', () => {
    for (const c of cases.filter((x) => !x.reduce && x.bounds.conns !== 2)) {
      const r = explore({ bounds: c.bounds, reduce: false, maxStates: 50_000 });
      expect(r.violations, c.fault).toEqual([]);
    }
  });
});
