import { describe, expect, test } from 'vitest';
import type { PhoneUp, WebUp } from '../abstract/frames.js';
import type { PhoneId } from '../abstract/values.js';
import { modelCode } from './phone-reg-chart.js';
import { initialServer, runningTimers, type ServerDelivery, type ServerState, serverStep } from './server.js';

const cfg = { refs: 2, sessionLimit: 1, faults: 0 };
const hello: WebUp = { t: 'hello', v: 1, device: { name: 'tab', platform: 'web' }, keep: true };

/** A tiny driver: feeds inputs, returns every delivery as `to: t` strings. */
function driver() {
  let s: ServerState = initialServer(1);
  const log: string[] = [];
  const show = (d: ServerDelivery) =>
    `${d.kind === 'web' ? d.conn : d.phone}: ${d.frame.t}${d.frame.t === '$close' ? ` ${d.frame.code}` : ''}`;
  return {
    web(conn: string, frame: WebUp) {
      const r = serverStep(s, { kind: 'web', conn, frame }, cfg);
      s = r.state;
      return r.out.map(show);
    },
    phone(frame: PhoneUp, phone: PhoneId = 'P1') {
      const r = serverStep(s, { kind: 'phone', phone, frame }, cfg);
      s = r.state;
      return r.out.map(show);
    },
    clock(timer: 'QR_TTL' | 'CONSENT', conn: string) {
      const r = serverStep(s, { kind: 'clock', timer, conn }, cfg);
      s = r.state;
      return r.out.map(show);
    },
    get state() {
      return s;
    },
    log,
  };
}

function registered() {
  const d = driver();
  d.phone({ t: 'register', phone: '+15550000001' });
  d.phone({ t: 'register.verify', phone: '+15550000001', code: modelCode, identityKey: 'ik' });
  return d;
}

const box = { k: 'K', account: 'acct1' };

function linkedDriver() {
  const d = registered();
  d.web('A1', hello);
  d.phone({ t: 'link.claim', ref: 'A1.1' });
  d.phone({ t: 'link.approve', ref: 'A1.1', pub: 'p', box });
  d.web('A1', { t: 'confirm', ref: 'A1.1', tag: 'T' });
  return d;
}

describe('server model (serverStep)', () => {
  test('[REG-1] [REG-7] register then verify -> register.sent, register.ok', () => {
    const d = driver();
    expect(d.phone({ t: 'register', phone: '+15550000001' })).toEqual(['P1: register.sent']);
    expect(d.phone({ t: 'register.verify', phone: '+15550000001', code: modelCode, identityKey: 'ik' })).toEqual([
      'P1: register.ok',
    ]);
  });
  test('[REG-3] a wrong code answers bad_code', () => {
    const d = driver();
    d.phone({ t: 'register', phone: '+15550000001' });
    expect(d.phone({ t: 'register.verify', phone: '+15550000001', code: '0000', identityKey: 'ik' })).toEqual([
      'P1: register.error',
    ]);
  });
  test('[QR-1] [QR-3] hello -> qr 1; TTL -> qr 2; TTL at n = of -> qr.exhausted + 4008', () => {
    const d = registered();
    expect(d.web('A1', hello)).toEqual(['A1: qr']);
    expect(runningTimers(d.state)).toEqual([{ timer: 'QR_TTL', conn: 'A1' }]);
    expect(d.clock('QR_TTL', 'A1')).toEqual(['A1: qr']);
    expect(d.clock('QR_TTL', 'A1')).toEqual(['A1: qr.exhausted', 'A1: $close 4008']);
  });
  test('[LINK-1] [LINK-2] first claim wins; a second claim gets used_ref; an unknown ref unknown_ref', () => {
    const d = registered();
    d.web('A1', hello);
    expect(d.phone({ t: 'link.claim', ref: 'A1.1' })).toEqual(['P1: link.claimed', 'A1: scanned']);
    expect(d.phone({ t: 'link.claim', ref: 'A1.1' })).toEqual(['P1: link.error']);
    expect(d.phone({ t: 'link.claim', ref: 'Z9.1' })).toEqual(['P1: link.error']);
  });
  test('[LINK-5] [LINK-8] [LINK-9] approve -> offer; confirm -> link.confirm; finalize -> linked, phone, link.ok', () => {
    const d = registered();
    d.web('A1', hello);
    d.phone({ t: 'link.claim', ref: 'A1.1' });
    expect(d.phone({ t: 'link.approve', ref: 'A1.1', pub: 'p', box })).toEqual(['A1: offer']);
    expect(d.web('A1', { t: 'confirm', ref: 'A1.1', tag: 'T' })).toEqual(['P1: link.confirm']);
    expect(d.phone({ t: 'link.finalize', ref: 'A1.1' })).toEqual(['A1: linked', 'A1: phone', 'P1: link.ok']);
  });
  test('[LINK-7] finalize before link.confirm is bad_state 4000 to the phone', () => {
    const d = registered();
    d.web('A1', hello);
    d.phone({ t: 'link.claim', ref: 'A1.1' });
    expect(d.phone({ t: 'link.finalize', ref: 'A1.1' })).toEqual([
      'P1: error',
      'P1: $close 4000',
      'A1: declined',
      'A1: qr',
    ]);
  });
  test('[LINK-3] [LATE-1] the consent timer lapses the attempt; a late confirm is ignored, not 4000', () => {
    const d = registered();
    d.web('A1', hello);
    d.phone({ t: 'link.claim', ref: 'A1.1' });
    d.phone({ t: 'link.approve', ref: 'A1.1', pub: 'p', box });
    expect(d.clock('CONSENT', 'A1')).toEqual(['A1: declined', 'P1: link.error', 'A1: qr']);
    expect(d.web('A1', { t: 'confirm', ref: 'A1.1', tag: 'T' })).toEqual([]);
  });
  test('[QR-6] status is answered after linked', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    expect(d.web('A1', { t: 'status', ref: 'A1.1' })).toEqual(['A1: status.result']);
  });
  test('[SESS-7] a kept link closed before attach ends the session', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    expect(d.web('A1', { t: '$close', code: 1000 })).toEqual(['P1: session.ended']);
  });
  test('[SESS-2] [SESS-3] [SESS-4] resume takes over: the old connection gets revoked conflict 4002', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    expect(d.web('B1', { t: 'resume', token: 's1.t0' })).toEqual([
      'A1: revoked',
      'A1: $close 4002',
      'B1: resumed',
      'B1: phone',
    ]);
    expect(d.web('C1', { t: 'resume', token: 'nonsense' })).toEqual(['C1: error', 'C1: $close 4401']);
  });
  test('[RELAY-10] [RELAY-9] phone presence reaches a connection holding a session before it attaches', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    // A1 holds s1 (linked sent) but has not attached: it still hears the phone go and come back.
    expect(d.phone({ t: '$close', code: 1000 })).toContain('A1: phone');
    expect(d.state.sessions[0]?.context.phoneOnline).toBe(false);
    expect(d.phone({ t: 'auth', phone: '+15550000001', deviceToken: 'dtP1.0' })).toContain('A1: phone');
    expect(d.state.sessions[0]?.context.phoneOnline).toBe(true);
  });
  test('[RELAY-4] [RELAY-5] [RELAY-6] to_phone -> from_web, kept until ack, acked to the web', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    const c = { k: 'k', n: 1, m: 'w1' };
    expect(d.web('A1', { t: 'to_phone', e: 'eA1', n: 1, c })).toEqual(['P1: from_web']);
    expect(d.state.sessions[0]?.context.w2p.length).toBe(1);
    expect(d.phone({ t: 'ack', sessionId: 's1', e: 'eA1', n: 1 })).toEqual(['A1: acked']);
    expect(d.state.sessions[0]?.context.w2p.length).toBe(0);
  });
});
