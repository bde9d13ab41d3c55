import { describe, expect, test } from 'vitest';
import { parseBounds } from '../system/bounds.js';
import { parseFaultId } from '../system/faults.js';
import { explore } from './explore.js';
import { formatExploreResult } from './format.js';

describe('explorer', () => {
  test('default bounds: roles phone/web/server, 12+ invariants, 1,000+ states, no violation', () => {
    const r = explore();
    expect(r.roles).toEqual(['phone', 'web', 'server']);
    expect(r.invariants.length).toBeGreaterThanOrEqual(12);
    expect(r.states).toBeGreaterThanOrEqual(1000);
    expect(r.violations).toEqual([]);
    for (const i of r.invariants) expect(i.checked).toBe(r.states);
    expect(Object.keys(r).sort()).toEqual([
      'bounds',
      'durationMs',
      'invariants',
      'roles',
      'states',
      'statesPerSec',
      'transitions',
      'violations',
    ]);
    expect(formatExploreResult(r)).toContain('no violation');
  }, 60_000);
  test('a violation prints its shortest trace as numbered steps', () => {
    const r = explore({
      bounds: { tabs: 1, conns: 1, phoneCycles: 0, webMsgs: 0, phoneMsgs: 0, logout: 0 },
      faults: ['ADMIT_ON_CLAIM'],
      reduce: false,
    });
    const text = formatExploreResult(r);
    expect(text).toContain('VIOLATION APPROVAL_BEFORE_ADMISSION');
    expect(text).toContain('  1. user (tab A): open (keep: true)');
    expect(Object.keys(JSON.parse(JSON.stringify(r.violations[0])))).toEqual(['invariant', 'trace']);
  });
  test('bad bounds and fault names are typed errors naming the value', () => {
    expect(() => parseBounds('tabz=2')).toThrow(/unknown bound 'tabz'/);
    expect(() => parseBounds('tabs=-1')).toThrow(/tabs must be a non-negative integer/);
    expect(parseBounds('tabs=1,refs=3')).toEqual({ tabs: 1, refs: 3 });
    expect(() => parseFaultId('F9')).toThrow(/unknown fault 'F9'/);
  });
});
