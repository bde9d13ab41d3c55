import { describe, expect, test } from 'vitest';
import { createActor } from 'xstate';
import { linkKey, qrFor, tagFor } from '../abstract/values.js';
import { type PhoneChartEvent, phoneChart } from './phone-chart.js';

function run(events: PhoneChartEvent[]) {
  const actor = createActor(phoneChart.machine);
  const sent: string[] = [];
  actor.on('send', (e) => sent.push((e as unknown as { frame: { t: string } }).frame.t));
  actor.start();
  for (const e of events) actor.send(e);
  return { snap: actor.getSnapshot(), sent };
}

const registered: PhoneChartEvent[] = [
  { type: 'USER.REGISTER' },
  { type: 'USER.CODE', code: '1234' },
  { type: 'register.ok', t: 'register.ok', accountId: 'acct1', deviceToken: 'dtP1.0' },
];
const claimed = {
  type: 'link.claimed',
  t: 'link.claimed',
  ref: 'A1.1',
  device: { name: 'tab', platform: 'web' },
  address: 'x',
  requestedAt: 0,
  keep: true,
} as const;
const scan = { type: 'USER.SCAN', qr: qrFor('A1.1') } as const;
const key = linkKey('A1.1', 'wA1.1', 'pP1A1.1', 'sA1.1');

describe('phone chart', () => {
  test('[REG-1] [REG-7] register, code, register.ok -> online', () => {
    const r = run(registered);
    expect(r.snap.value).toBe('online');
    expect(r.sent).toEqual(['register', 'register.verify']);
  });
  test('[REG-8] offline, the user registers again: register and register.verify on a new connection; register.ok ends every session it knew', () => {
    const tag = tagFor(key, { k: key, account: 'acct1' });
    const r = run([
      ...registered,
      scan,
      claimed,
      { type: 'USER.APPROVE' },
      { type: 'link.confirm', t: 'link.confirm', ref: 'A1.1', tag },
      { type: 'link.ok', t: 'link.ok', ref: 'A1.1', sessionId: 's1' },
      { type: 'USER.OFFLINE' },
      { type: 'USER.REREGISTER', code: '1234' },
    ]);
    expect(r.snap.value).toBe('registering');
    expect(r.sent.slice(-3)).toEqual(['$close', 'register', 'register.verify']);
    expect(r.snap.context.conn).toBe(2);
    const after = run([
      ...registered,
      scan,
      claimed,
      { type: 'USER.APPROVE' },
      { type: 'link.confirm', t: 'link.confirm', ref: 'A1.1', tag },
      { type: 'link.ok', t: 'link.ok', ref: 'A1.1', sessionId: 's1' },
      { type: 'USER.OFFLINE' },
      { type: 'USER.REREGISTER', code: '1234' },
      { type: 'register.ok', t: 'register.ok', accountId: 'acct1', deviceToken: 'dtP1.1' },
    ]);
    expect(after.snap.value).toBe('online');
    expect(after.snap.context.deviceToken).toBe('dtP1.1');
    expect(after.snap.context.sessions.map((s: { id: string; live: boolean }) => [s.id, s.live])).toEqual([
      ['s1', false],
    ]);
  });
  test('[CONS-2] [PHONE-1] link.claimed shows consent; nothing is approved without the user', () => {
    const r = run([...registered, scan, claimed]);
    expect(r.snap.value).toBe('consenting');
    expect(r.sent).toEqual(['register', 'register.verify', 'link.claim']);
  });
  test('[LINK-5] [E2E-8] [LINK-9] approve, verified tag -> finalize, link.ok -> session', () => {
    const tag = tagFor(key, { k: key, account: 'acct1' });
    const r = run([
      ...registered,
      scan,
      claimed,
      { type: 'USER.APPROVE' },
      { type: 'link.confirm', t: 'link.confirm', ref: 'A1.1', tag },
      { type: 'link.ok', t: 'link.ok', ref: 'A1.1', sessionId: 's1' },
    ]);
    expect(r.sent.slice(-2)).toEqual(['link.approve', 'link.finalize']);
    expect(r.snap.value).toBe('online');
    expect(r.snap.context.sessions.map((s: { id: string }) => s.id)).toEqual(['s1']);
  });
  test('[E2E-8] a wrong confirm tag is declined, never finalized', () => {
    const r = run([
      ...registered,
      scan,
      claimed,
      { type: 'USER.APPROVE' },
      { type: 'link.confirm', t: 'link.confirm', ref: 'A1.1', tag: 'forged' },
    ]);
    expect(r.sent.at(-1)).toBe('link.decline');
    expect(r.snap.value).toBe('online');
  });
  test('[CONS-2] [LINK-4] the user declines', () => {
    const r = run([...registered, scan, claimed, { type: 'USER.DECLINE' }]);
    expect(r.sent.at(-1)).toBe('link.decline');
  });
  test('[LINK-3] a lapse ends the attempt', () => {
    const r = run([
      ...registered,
      scan,
      claimed,
      { type: 'link.error', t: 'link.error', ref: 'A1.1', reason: 'lapsed' },
    ]);
    expect(r.snap.value).toBe('online');
  });
});
