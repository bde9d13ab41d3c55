import { describe, expect, test } from 'vitest';
import { type Invariant, invariants } from '../invariants/invariants.js';
import { defaultBounds } from '../system/bounds.js';
import { faultMask } from '../system/faults.js';
import { initialState, type SysEvent, systemConfig } from '../system/step.js';
import { replayToViolation, shortenTrace } from './shorten.js';

const cfg = systemConfig({ ...defaultBounds, tabs: 2, refs: 1 }, faultMask(['ADMIT_ON_CLAIM']));
const admission = invariants.find((i) => i.id === 'APPROVAL_BEFORE_ADMISSION') as Invariant;
const s0 = initialState(cfg);

// The server admits tab A on the claim (fault ADMIT_ON_CLAIM): five steps are needed.
const needed: SysEvent[] = [
  { kind: 'web', tab: 0, action: 'open', keep: true },
  { kind: 'deliver', chan: 'A1>' },
  { kind: 'deliver', chan: 'A1<' },
  { kind: 'phone', phone: 0, action: 'scan', tab: 0 },
  { kind: 'deliver', chan: 'P1>' },
];
// Tab B opening and getting its QR on the way changes nothing the violation needs.
const detour: SysEvent[] = [
  { kind: 'web', tab: 1, action: 'open', keep: true },
  { kind: 'deliver', chan: 'B1>' },
  { kind: 'deliver', chan: 'B1<' },
];

describe('counterexample shortening', () => {
  test('a run with a detour replays to the violation; shortening drops the detour and nothing else', () => {
    const padded = [...needed.slice(0, 2), ...detour, ...needed.slice(2)];
    expect(replayToViolation(s0, padded, admission, cfg)?.length).toBe(padded.length + 1);
    expect(shortenTrace(s0, padded, admission, cfg)).toEqual(needed);
  });
  test('steps after the first violating state are cut', () => {
    const run = replayToViolation(s0, [...needed, ...detour], admission, cfg);
    expect(run?.length).toBe(needed.length + 1);
    expect(shortenTrace(s0, [...needed, ...detour], admission, cfg)).toEqual(needed);
  });
  test('a step that is not enabled where it comes, or a run that never violates, is no counterexample', () => {
    expect(replayToViolation(s0, [{ kind: 'deliver', chan: 'A1<' }, ...needed], admission, cfg)).toBeUndefined();
    expect(replayToViolation(s0, needed.slice(0, 4), admission, cfg)).toBeUndefined();
  });
});
