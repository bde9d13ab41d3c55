import { describe, expect, test } from 'vitest';
import type { AnyFrame } from '../abstract/frames.js';
import { safetyInvariants } from '../invariants/invariants.js';
import { type Bounds, defaultBounds } from './bounds.js';
import { type FaultId, faultMask } from './faults.js';
import type { SystemState } from './state.js';
import { applyEvent, enabledEvents, initialState, persistentEvents, type SysEvent, systemConfig } from './step.js';

const cfg = systemConfig({ ...defaultBounds, tabs: 1 }, 0);

function run(s: SystemState, events: SysEvent[]): SystemState {
  let state = s;
  for (const ev of events) {
    const r = applyEvent(state, ev, cfg);
    if (!r) throw new Error(`not enabled: ${JSON.stringify(ev)}`);
    state = r.state;
  }
  return state;
}

const frames = (s: SystemState, chan: string): readonly AnyFrame[] | undefined =>
  s.chans.find((c) => c.id === chan)?.frames;

describe('composed system', () => {
  test('[E2E-6] [LINK-12] [LINK-18] the web aborts a bad offer and closes; the server closes 1000 too, and its close is lost with the connection', () => {
    const deliver = (chan: string): SysEvent => ({ kind: 'deliver', chan });
    let s = run(initialState(cfg), [
      { kind: 'web', tab: 0, action: 'open', keep: true },
      deliver('A1>'),
      deliver('A1<'),
      { kind: 'phone', phone: 0, action: 'scan', tab: 0 },
      deliver('P1>'),
      deliver('P1<'),
      deliver('A1<'),
      { kind: 'phone', phone: 0, action: 'approve' },
      deliver('P1>'),
    ]);
    // The offer on its way to tab A is replaced by one whose box does not open (what a tampering server sends).
    const offer = frames(s, 'A1<')?.[0];
    expect(offer?.t).toBe('offer');
    s = {
      ...s,
      chans: s.chans.map((c) =>
        c.id === 'A1<' && offer?.t === 'offer'
          ? { ...c, frames: [{ ...offer, box: { ...offer.box, k: 'forged' } }] }
          : c,
      ),
    };
    s = run(s, [deliver('A1<')]);
    expect(s.webs[0]?.value).toBe('idle');
    expect(frames(s, 'A1>')?.map((f) => f.t)).toEqual(['abort', '$close']);
    // The tab closed its end: nothing the server sends on A1 reaches it any more.
    expect(frames(s, 'A1<')).toBeUndefined();
    s = run(s, [deliver('A1>')]);
    expect(s.server.conns.find((c) => c.id === 'A1')?.state.value).toBe('closed');
    expect(frames(s, 'A1<')).toBeUndefined();
    expect(frames(s, 'P1<')).toEqual([{ t: 'link.error', ref: 'A1.1', reason: 'aborted' }]);
    s = run(s, [deliver('P1<')]);
    expect(s.phones[0]?.value).toBe('online');
    expect(s.webs[0]?.value).toBe('idle');
    for (const inv of safetyInvariants) {
      expect(inv.check, inv.id).toBeDefined();
      expect(inv.check?.(s, cfg.bounds), inv.id).toBeUndefined();
    }
  });
});

/**
 * Partial-order reduction keeps every end state: persistent sets over an acyclic graph reach every
 * state with no enabled event that the whole graph reaches, and no other. Checked against the
 * unreduced graph at bounds small enough to explore both; with a planted fault, the same invariants
 * are violated somewhere in both.
 */
describe('persistent sets keep every end state and every violated invariant', () => {
  const explore = (bounds: Partial<Bounds>, faults: FaultId[], reduce: boolean) => {
    const c = systemConfig({ ...defaultBounds, ...bounds }, faultMask(faults));
    const s0 = initialState(c);
    const seen = new Set([JSON.stringify(s0)]);
    const queue = [s0];
    const ends = new Set<string>();
    const violated = new Set<string>();
    for (let i = 0; i < queue.length; i++) {
      const s = queue[i] as SystemState;
      for (const inv of safetyInvariants) if (inv.check?.(s, c.bounds)) violated.add(inv.id);
      const all = enabledEvents(s, c);
      let moved = false;
      for (const ev of reduce ? persistentEvents(s, all, c) : all) {
        const r = applyEvent(s, ev, c);
        if (!r) continue;
        moved = true;
        const key = JSON.stringify(r.state);
        if (!seen.has(key)) {
          seen.add(key);
          queue.push(r.state);
        }
      }
      if (!moved) ends.add(JSON.stringify(s));
    }
    return { states: queue.length, ends, violated };
  };
  const runs: [string, Partial<Bounds>, FaultId[]][] = [
    ['two tabs sharing storage, one scan', { tabs: 2, refs: 1, scans: 1 }, []],
    ['one tab, two refs, the adversary phone', { tabs: 1, refs: 2, scans: 2, phones: 2 }, []],
    ['two tabs, two scans, one token slot per browser', { tabs: 2, refs: 1, scans: 2 }, ['SINGLE_TOKEN_SLOT']],
  ];
  for (const [name, bounds, faults] of runs)
    test(name, () => {
      const full = explore(bounds, faults, false);
      const reduced = explore(bounds, faults, true);
      expect(reduced.states).toBeLessThan(full.states);
      expect([...reduced.ends].sort()).toEqual([...full.ends].sort());
      expect([...reduced.violated].sort()).toEqual([...full.violated].sort());
      expect(full.violated.size).toBe(faults.length);
    }, 30_000);
});
