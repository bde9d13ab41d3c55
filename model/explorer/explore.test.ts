import { describe, expect, test } from 'vitest';
import { observeSteps } from '../chart/chart.js';
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
      'complete',
      'durationMs',
      'invariants',
      'roles',
      'states',
      'statesPerSec',
      'transitions',
      'violations',
    ]);
    expect(r.complete).toBe(true);
    expect(formatExploreResult(r)).toContain('no violation');
    expect(formatExploreResult(r)).not.toContain('liveness not checked');
  }, 60_000);
  test('a search cut short by maxStates or maxDepth says so and skips liveness', () => {
    const small = { tabs: 1, conns: 1, phoneCycles: 0, webMsgs: 0, phoneMsgs: 0, logout: 0 };
    const full = explore({ bounds: small });
    expect(full.complete).toBe(true);
    expect(full.states).toBeGreaterThan(20);
    const liveness = ['APPROVED_CLAIM_LINKS', 'ATTEMPTS_END', 'NO_STUCK'];
    for (const id of liveness) expect(full.invariants.find((i) => i.id === id)?.checked).toBe(full.states);
    for (const cutShort of [explore({ bounds: small, maxStates: 20 }), explore({ bounds: small, maxDepth: 3 })]) {
      expect(cutShort.complete).toBe(false);
      expect(cutShort.states).toBeLessThan(full.states);
      expect(cutShort.violations).toEqual([]);
      for (const id of liveness) expect(cutShort.invariants.find((i) => i.id === id)?.checked).toBe(0);
      expect(formatExploreResult(cutShort)).toContain(
        'INCOMPLETE: maxStates or maxDepth cut the search short; liveness not checked',
      );
    }
    // a bound exactly at the space's size cuts nothing off.
    expect(explore({ bounds: small, maxStates: full.states + 1 }).complete).toBe(true);
  });
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
  test('[REG-8] one re-registration (tabs=1, conns=2, phoneCycles=1, reregisters=1): it ends sessions in every phase, the web sees revoked reregistered; no violation, liveness included', () => {
    const taken = new Set<string>();
    observeSteps((chart, _s, e, r) => {
      if (!r) return;
      if (r.transition.includes('REREGISTER') || r.transition.startsWith('offline --register.verify'))
        taken.add(`${chart.id}: ${r.transition}`);
      if (chart.id === 'web' && e.type === 'revoked' && (e as { reason?: string }).reason === 'reregistered')
        taken.add(`web: revoked reregistered`);
    });
    let r: ReturnType<typeof explore>;
    try {
      r = explore({ bounds: { tabs: 1, conns: 2, phoneCycles: 1, reregisters: 1 } });
    } finally {
      observeSteps(null);
    }
    expect(r.complete).toBe(true);
    expect(r.violations).toEqual([]);
    expect([...taken].sort()).toEqual([
      'phone: offline --USER.REREGISTER--> registering',
      'server-phone: offline --register.verify [codeRight]--> online',
      'server-session: attached --REREGISTER--> ended',
      'server-session: detached --REREGISTER--> ended',
      'server-session: linking --REREGISTER--> ended',
      'web: revoked reregistered',
    ]);
  }, 30_000);
  test('bad bounds and fault names are typed errors naming the value', () => {
    expect(() => parseBounds('tabz=2')).toThrow(/unknown bound 'tabz'/);
    expect(() => parseBounds('tabs=-1')).toThrow(/tabs must be a non-negative integer/);
    expect(parseBounds('tabs=1,refs=3')).toEqual({ tabs: 1, refs: 3 });
    expect(() => parseFaultId('F9')).toThrow(/unknown fault 'F9'/);
  });
});
