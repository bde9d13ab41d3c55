import { describe, expect, test } from 'vitest';
import { createActor } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { qrFor } from '../abstract/values.js';
import { stepChart } from '../chart/chart.js';
import { type WebChartEvent, webChart, webContext } from './web-chart.js';

/** Runs events through the XState machine and collects the frames it sends and what it emits. */
function run(events: WebChartEvent[]) {
  const actor = createActor(webChart.machine);
  const emitted: { type: string; frame?: { t: string } }[] = [];
  actor.on('*', (e) => emitted.push(e as never));
  actor.start();
  for (const e of events) actor.send(e);
  return { snap: actor.getSnapshot(), sent: emitted.filter((e) => e.type === 'send').map((e) => e.frame?.t), emitted };
}

const qr = { type: 'qr', t: 'qr', ref: 'A1.1', ttlMs: 60000, n: 1, of: 6 } as const;
const box = { k: 'K(A1.1,wA1.1,pP1A1.1,sA1.1)', account: 'acct1' };
const offer = { type: 'offer', t: 'offer', ref: 'A1.1', pub: 'pP1A1.1', box } as const;
const linked = { type: 'linked', t: 'linked', sessionId: 's1', accountId: 'acct1', token: 's1.t0' } as const;
const open = { type: 'USER.OPEN', keep: true, stored: null } as const;

describe('web client chart', () => {
  test('[LINK-16] [QR-1] [E2E-7] [E2E-10] hello, qr, scanned, offer -> confirm, linked -> attach and store token', () => {
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked]);
    expect(r.snap.value).toBe('linked');
    expect(r.sent).toEqual(['hello', 'confirm', 'attach']);
    expect(r.emitted.some((e) => e.type === 'store')).toBe(true);
    expect(qrFor('A1.1').linkSecret).toBe('sA1.1');
  });
  test('[E2E-6] an offer whose box does not open: abort bad_box and close', () => {
    const bad = { ...offer, box: { k: 'forged', account: 'acct1' } };
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, bad]);
    expect(r.snap.value).toBe('idle');
    expect(r.sent).toEqual(['hello', 'abort', '$close']);
  });
  test("[E2E-6] [LINK-18] after its own abort the tab is idle; the server's close 1000 crossing it changes nothing", () => {
    const bad = { ...offer, box: { k: 'forged', account: 'acct1' } };
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, bad]);
    const state = { value: String(r.snap.value), context: r.snap.context };
    expect(stepChart(webChart, state, { type: '$close', t: '$close', code: 1000 })).toBeUndefined();
  });
  test('[E2E-6] a second offer aborts with second_offer', () => {
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, offer]);
    expect(r.snap.value).toBe('idle');
    expect(r.sent).toEqual(['hello', 'confirm', 'abort', '$close']);
  });
  test('[E2E-9] linked with another account than the box: logout, never linked', () => {
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, { ...linked, accountId: 'acct2' }]);
    expect(r.snap.value).toBe('loggedOut');
    expect(r.sent).toContain('logout');
  });
  test('[LINK-4] declined returns to waiting for a fresh qr', () => {
    const r = run([
      open,
      qr,
      { type: 'scanned', t: 'scanned', ref: 'A1.1' },
      { type: 'declined', t: 'declined', ref: 'A1.1', reason: 'declined' },
    ]);
    expect(r.snap.value).toBe('connecting');
  });
  test('[SESS-2] a stored token resumes; [SESS-14] 4401 wipes it', () => {
    const r = run([
      { type: 'USER.OPEN', keep: true, stored: { token: 's1.t0', root: 'k', logout: false } },
      { type: '$close', t: '$close', code: 4401 },
    ]);
    expect(r.sent).toEqual(['resume']);
    expect(r.snap.value).toBe('idle');
    expect(r.emitted.some((e) => e.type === 'wipe')).toBe(true);
  });
  test('[WEB-6] logout keeps the record and marks it logout-pending; nothing is deleted when logout is sent', () => {
    const r = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked, { type: 'USER.LOGOUT' }]);
    expect(r.snap.value).toBe('loggedOut');
    expect(r.sent).toEqual(['hello', 'confirm', 'attach', 'logout']);
    expect(r.emitted.filter((e) => e.type === 'wipe')).toEqual([]);
    expect(r.emitted.filter((e) => e.type === 'markLogout')).toEqual([{ type: 'markLogout', session: 's1' }]);
  });
  test('[WEB-6] [SESS-14] revoked {logout} after logout deletes the record if its token is still ours', () => {
    const base = [open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked, { type: 'USER.LOGOUT' }];
    const r = run([...base, { type: 'revoked', t: 'revoked', reason: 'logout' }] as WebChartEvent[]);
    expect(r.emitted.filter((e) => e.type === 'wipe')).toEqual([{ type: 'wipe', token: 's1.t0' }]);
  });
  test('[WEB-6] [SESS-14] revoked {conflict} crossing a logout leaves the marked record alone', () => {
    const base = [open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked, { type: 'USER.LOGOUT' }];
    const r = run([
      ...base,
      { type: 'revoked', t: 'revoked', reason: 'conflict' },
      { type: '$close', t: '$close', code: 4002 },
    ] as WebChartEvent[]);
    expect(r.snap.value).toBe('idle');
    expect(r.emitted.filter((e) => e.type === 'wipe')).toEqual([]);
  });
  test('[WEB-6] opening with a logout-pending record resumes it and sends logout at once', () => {
    const r = run([
      { type: 'USER.OPEN', keep: true, stored: { token: 's1.t0', root: 'k', logout: true } },
      { type: 'resumed', t: 'resumed', sessionId: 's1', accountId: 'acct1', token: 's1.t1' },
      { type: 'revoked', t: 'revoked', reason: 'logout' },
    ]);
    expect(r.sent).toEqual(['resume', 'logout']);
    expect(r.emitted.filter((e) => e.type === 'wipe')).toEqual([{ type: 'wipe', token: 's1.t0' }]);
  });
  test('[SESS-14] revoked {conflict} never deletes; revoked {unlinked} deletes only our own token', () => {
    const base = [open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked];
    const conflict = run([...base, { type: 'revoked', t: 'revoked', reason: 'conflict' }] as WebChartEvent[]);
    expect(conflict.emitted.filter((e) => e.type === 'wipe')).toEqual([]);
    const unlinked = run([...base, { type: 'revoked', t: 'revoked', reason: 'unlinked' }] as WebChartEvent[]);
    expect(unlinked.emitted.filter((e) => e.type === 'wipe')).toEqual([{ type: 'wipe', token: 's1.t0' }]);
  });
  test('[E2E-13] a relay frame of another epoch is dropped, ours is accepted and acked', () => {
    const r0 = run([open, qr, { type: 'scanned', t: 'scanned', ref: 'A1.1' }, offer, linked]);
    const root = r0.snap.context.root as string;
    const ours = {
      type: 'from_phone',
      t: 'from_phone',
      e: 'eA1',
      n: 1,
      c: { k: `${root}|eA1|p2w`, n: 1, m: 'p1' },
    } as const;
    const state = { value: String(r0.snap.value), context: r0.snap.context };
    const good = stepChart(webChart, state, ours);
    expect(good?.out.map((o) => o.type)).toEqual(['accept', 'send']);
    const other = stepChart(webChart, state, { ...ours, e: 'eB1', c: { ...ours.c, k: `${root}|eB1|p2w` } });
    expect(other?.out).toEqual([]);
    expect(webContext('A', 0).hw).toBe(0);
  });
  test('xstate/graph traverses the chart (no after/invoke): shortest paths reach linked and revoked', () => {
    const events = [
      open,
      qr,
      { type: 'scanned', t: 'scanned', ref: 'A1.1' },
      offer,
      linked,
      { type: 'revoked', t: 'revoked', reason: 'conflict' },
      { type: 'USER.CLOSE' },
    ];
    const paths = getShortestPaths(webChart.machine, {
      events: events as never,
      serializeState: (s: { value: unknown }) => String(s.value),
      serializeEvent: (e: { type: string }) => e.type,
    } as never);
    const reached = paths.map((p) => String(p.state.value));
    expect(reached).toContain('linked');
    expect(reached).toContain('revoked');
  });
});
