import { describe, expect, test } from 'vitest';
import { observeSteps } from '../chart/chart.js';
import { invariants } from '../invariants/invariants.js';
import { defaultBounds, parseBounds } from '../system/bounds.js';
import { faultMask, parseFaultId, revealingRuns } from '../system/faults.js';
import { applyEvent, initialState, type SysEvent, systemConfig } from '../system/step.js';
import { explore, hasCycle } from './explore.js';
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
    expect(formatExploreResult(r)).toContain('the reduced graph has no cycle, so no cycle proviso is needed');
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
      r = explore({ bounds: { tabs: 1, conns: 2, refs: 1, phoneCycles: 1, reregisters: 1 } });
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
  test('[SESS-1] SESSION_LIMIT counts live sessions against the sessionLimit bound, not against 1', () => {
    // two tabs linked to one account are within sessionLimit=2 (the invariant once said "more than 1").
    const seen: number[] = [];
    const limit = invariants.find((i) => i.id === 'SESSION_LIMIT');
    const r = explore({ bounds: { refs: 1, sessionLimit: 2 } });
    expect(r.violations).toEqual([]);
    expect(r.complete).toBe(true);
    const cfg = systemConfig({ ...defaultBounds, refs: 1, sessionLimit: 2 }, faultMask([]));
    // the same exploration's states include one with two live sessions; with limit 1 it is a violation
    let s = initialState(cfg);
    const steps: SysEvent[] = [
      { kind: 'web', tab: 0, action: 'open', keep: true },
      { kind: 'deliver', chan: 'A1>' },
      { kind: 'deliver', chan: 'A1<' },
      { kind: 'web', tab: 1, action: 'open', keep: true },
      { kind: 'deliver', chan: 'B1>' },
      { kind: 'deliver', chan: 'B1<' },
    ];
    const link = (tab: number, conn: string): SysEvent[] => [
      { kind: 'phone', phone: 0, action: 'scan', tab },
      { kind: 'deliver', chan: 'P1>' },
      { kind: 'deliver', chan: 'P1<' },
      { kind: 'deliver', chan: `${conn}<` },
      { kind: 'phone', phone: 0, action: 'approve' },
      { kind: 'deliver', chan: 'P1>' },
      { kind: 'deliver', chan: `${conn}<` },
      { kind: 'deliver', chan: `${conn}>` },
      { kind: 'deliver', chan: 'P1<' },
      { kind: 'deliver', chan: 'P1>' },
      { kind: 'deliver', chan: 'P1<' }, // link.ok: the phone is online again
    ];
    for (const ev of [...steps, ...link(0, 'A1'), ...link(1, 'B1')]) {
      const next = applyEvent(s, ev, cfg);
      expect(next, JSON.stringify(ev)).toBeDefined();
      s = (next as { state: typeof s }).state;
      seen.push(s.server.sessions.filter((x) => x.value !== 'ended').length);
    }
    expect(Math.max(...seen)).toBe(2);
    expect(limit?.check?.(s, { ...defaultBounds, sessionLimit: 2 })).toBeUndefined();
    expect(limit?.check?.(s, { ...defaultBounds, sessionLimit: 1 })).toMatch(
      /acct1 has 2 live sessions \(sessionLimit 1\)/,
    );
  });
  test('bad bounds and fault names are typed errors naming the value', () => {
    expect(() => parseBounds('tabz=2')).toThrow(/unknown bound 'tabz'/);
    expect(() => parseBounds('tabs=-1')).toThrow(/tabs must be a non-negative integer/);
    expect(parseBounds('tabs=1,refs=3')).toEqual({ tabs: 1, refs: 3 });
    expect(() => parseFaultId('F9')).toThrow(/unknown fault 'F9'/);
  });
});

describe('cycle proviso', () => {
  test('hasCycle finds a cycle and only a cycle; rows of unexpanded states may be missing', () => {
    expect(hasCycle(3, [[1], [2], []])).toBe(false);
    expect(hasCycle(3, [[1, 2], [2], undefined])).toBe(false);
    expect(hasCycle(3, [[1], [2], [1]])).toBe(true);
    expect(hasCycle(1, [[0]])).toBe(true);
  });
  test('the proviso applied from the start finds what the default search finds, in at least as many states', () => {
    const bounds = { tabs: 2, refs: 1 };
    const plain = explore({ bounds });
    const withProviso = explore({ bounds, proviso: true });
    expect(plain.complete && withProviso.complete).toBe(true);
    expect(withProviso.violations).toEqual([]);
    expect(withProviso.states).toBeGreaterThanOrEqual(plain.states);
    expect(formatExploreResult(withProviso)).toContain('persistent sets with the cycle proviso');
    expect(formatExploreResult(explore({ bounds, reduce: false, maxStates: 10 }))).toContain(
      'every interleaving explored (no partial-order reduction)',
    );
    const fault = explore({
      bounds: revealingRuns.SINGLE_TOKEN_SLOT.bounds,
      faults: ['SINGLE_TOKEN_SLOT'],
      proviso: true,
    });
    expect(fault.violations.map((v) => v.invariant)).toEqual(['NO_ORPHAN']);
  }, 30_000);
});
