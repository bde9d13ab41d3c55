import { describe, expect, test } from 'vitest';
import type { PhoneUp, WebUp } from '../abstract/frames.js';
import type { PhoneId } from '../abstract/values.js';
import { faultMask } from '../system/faults.js';
import { modelCode, phoneRegChart } from './phone-reg-chart.js';
import { initialServer, runningTimers, type ServerDelivery, type ServerState, serverStep } from './server.js';
import { sessionChart } from './session-chart.js';
import { webConnChart } from './web-conn-chart.js';

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
  test('[SESS-2] [SESS-3] [SESS-4] [RELAY-11] resume takes over: the old (attached) connection gets revoked conflict 4002, the phone web.detached', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    expect(d.web('B1', { t: 'resume', token: 's1.t0' })).toEqual([
      'P1: web.detached',
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

  test('[SESS-3] [RELAY-11] a takeover of a held (resumed, never attached) connection sends no web.detached', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.web('C1', { t: 'resume', token: 's1.t1' })).toEqual([
      'B1: revoked',
      'B1: $close 4002',
      'C1: resumed',
      'C1: phone',
    ]);
  });
});

describe('[LINK-12] [LINK-18] abort', () => {
  test('abort of the pending ref closes 1000 with no error frame and issues no further ref', () => {
    const d = registered();
    d.web('A1', hello);
    expect(d.web('A1', { t: 'abort', ref: 'A1.1', reason: 'bad_offer' })).toEqual(['A1: $close 1000']);
    expect(runningTimers(d.state)).toEqual([]);
    // [LINK-2] the aborted ref answers a claim like an expired one.
    expect(d.phone({ t: 'link.claim', ref: 'A1.1' })).toEqual(['P1: link.error']);
  });
  test('abort of a claimed ref tells the claiming phone link.error aborted, then closes 1000', () => {
    const d = registered();
    d.web('A1', hello);
    d.phone({ t: 'link.claim', ref: 'A1.1' });
    const r = serverStep(
      d.state,
      { kind: 'web', conn: 'A1', frame: { t: 'abort', ref: 'A1.1', reason: 'bad_box' } },
      cfg,
    );
    expect(r.out).toEqual([
      { kind: 'phone', phone: 'P1', frame: { t: 'link.error', ref: 'A1.1', reason: 'aborted' } },
      { kind: 'web', conn: 'A1', frame: { t: '$close', code: 1000 } },
    ]);
    expect(runningTimers(r.state)).toEqual([]);
  });
  test('abort after an offer and after confirm: link.error aborted and close 1000', () => {
    for (const confirm of [false, true]) {
      const d = registered();
      d.web('A1', hello);
      d.phone({ t: 'link.claim', ref: 'A1.1' });
      d.phone({ t: 'link.approve', ref: 'A1.1', pub: 'p', box });
      if (confirm) d.web('A1', { t: 'confirm', ref: 'A1.1', tag: 'T' });
      expect(d.web('A1', { t: 'abort', ref: 'A1.1', reason: 'second_offer' })).toEqual([
        'P1: link.error',
        'A1: $close 1000',
      ]);
    }
  });
  test('[LATE-1] abort of a dead ref of this connection is ignored; a ref never issued here is bad_state 4000', () => {
    const d = registered();
    d.web('A1', hello);
    d.clock('QR_TTL', 'A1');
    expect(d.web('A1', { t: 'abort', ref: 'A1.1', reason: 'bad_offer' })).toEqual([]);
    expect(d.web('A1', { t: 'abort', ref: 'A1.3', reason: 'bad_offer' })).toEqual(['A1: error', 'A1: $close 4000']);
  });
  test('[LATE-1] abort of the used ref after linked is ignored', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    expect(d.web('A1', { t: 'abort', ref: 'A1.1', reason: 'bad_offer' })).toEqual([]);
  });
});

describe('[RELAY-17] acked', () => {
  const c1 = { k: 'k', n: 1, m: 'w1' };
  const c2 = { k: 'k', n: 2, m: 'w2' };
  function attached() {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    return d;
  }
  test('a phone ack that removes nothing sends no acked; otherwise acked carries the largest n removed', () => {
    const d = attached();
    expect(d.phone({ t: 'ack', sessionId: 's1', e: 'eA1', n: 3 })).toEqual([]);
    d.web('A1', { t: 'to_phone', e: 'eA1', n: 1, c: c1 });
    d.web('A1', { t: 'to_phone', e: 'eA1', n: 2, c: c2 });
    const r = serverStep(
      d.state,
      { kind: 'phone', phone: 'P1', frame: { t: 'ack', sessionId: 's1', e: 'eA1', n: 9 } },
      cfg,
    );
    expect(r.out).toEqual([{ kind: 'web', conn: 'A1', frame: { t: 'acked', e: 'eA1', n: 2 } }]);
  });
  test('a web ack that removes nothing sends no acked; otherwise acked {sessionId, e, largest n removed} to the phone', () => {
    const d = attached();
    expect(d.web('A1', { t: 'ack', e: 'eA1', n: 5 })).toEqual([]);
    d.phone({ t: 'to_web', sessionId: 's1', e: 'eA1', n: 1, c: c1 });
    const r = serverStep(d.state, { kind: 'web', conn: 'A1', frame: { t: 'ack', e: 'eA1', n: 5 } }, cfg);
    expect(r.out).toEqual([{ kind: 'phone', phone: 'P1', frame: { t: 'acked', sessionId: 's1', e: 'eA1', n: 1 } }]);
  });
  test("a phone ack of an earlier epoch's frames goes to the connection attached now, whatever its epoch", () => {
    const d = attached();
    d.web('A1', { t: 'to_phone', e: 'eA1', n: 1, c: c1 });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    d.web('B1', { t: 'attach', e: 'eB1' });
    expect(d.phone({ t: 'ack', sessionId: 's1', e: 'eA1', n: 1 })).toEqual(['B1: acked']);
  });
  test('[RELAY-8] [RELAY-5] a to_web of the current epoch while held (resumed, not attached) is kept in custody, not forwarded', () => {
    const d = attached();
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.phone({ t: 'to_web', sessionId: 's1', e: 'eA1', n: 1, c: c1 })).toEqual([]);
    expect(d.state.sessions[0]?.context.p2w).toEqual([{ e: 'eA1', n: 1, c: c1 }]);
    // [RELAY-2] the holder's attach discards the earlier epoch's phone-to-web custody.
    d.web('B1', { t: 'attach', e: 'eB1' });
    expect(d.state.sessions[0]?.context.p2w).toEqual([]);
  });
  test('a phone ack while the holder has not attached (held) removes the frames and tells nobody', () => {
    const d = attached();
    d.web('A1', { t: 'to_phone', e: 'eA1', n: 1, c: c1 });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.phone({ t: 'ack', sessionId: 's1', e: 'eA1', n: 1 })).toEqual([]);
    expect(d.state.sessions[0]?.context.w2p).toEqual([]);
  });
});

describe('[SESS-7] [SESS-8] [RELAY-11] [SESS-12] a connection holding a session closes', () => {
  test('bad_state on an attached kept connection detaches the session: web.detached to the phone', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    expect(d.web('A1', { t: 'attach', e: 'eA2' })).toEqual(['A1: error', 'A1: $close 4000', 'P1: web.detached']);
    expect(d.state.sessions[0]?.value).toBe('detached');
  });
  test('bad_state on a linked connection before attach ends the session: session.ended closed', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    expect(d.web('A1', { t: 'ack', e: 'eA1', n: 1 })).toEqual(['A1: error', 'A1: $close 4000', 'P1: session.ended']);
    expect(d.state.sessions[0]?.value).toBe('ended');
  });
  test('a held (resumed, not attached) connection closing detaches the session silently', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.web('B1', { t: '$close', code: 1000 })).toEqual([]);
    expect(d.state.sessions[0]?.value).toBe('detached');
  });
  test('[RELAY-1] an attach with an epoch the session had before is bad_state 4000; the held session detaches silently', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.web('B1', { t: 'attach', e: 'eA1' })).toEqual(['B1: error', 'B1: $close 4000']);
    expect(d.state.sessions[0]?.value).toBe('detached');
    expect(d.state.sessions[0]?.context.epoch).toBe('eA1');
  });
  test('bad_state on a held connection detaches silently too', () => {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    d.web('B1', { t: 'resume', token: 's1.t0' });
    expect(d.web('B1', { t: 'hello', v: 1, device: { name: 'x', platform: 'y' }, keep: true })).toEqual([
      'B1: error',
      'B1: $close 4000',
    ]);
    expect(d.state.sessions[0]?.value).toBe('detached');
  });
});

describe('[REG-8] re-registration', () => {
  const number = '+15550000001';
  const c1 = { k: 'k', n: 1, m: 'w1' };
  /** A linked, attached session s1 on A1 whose phone then closed its connection. */
  function attachedThenPhoneGone() {
    const d = linkedDriver();
    d.phone({ t: 'link.finalize', ref: 'A1.1' });
    d.web('A1', { t: 'attach', e: 'eA1' });
    expect(d.phone({ t: '$close', code: 1000 })).toEqual(['A1: phone']);
    return d;
  }
  function reregister(d: ReturnType<typeof driver>) {
    expect(d.phone({ t: 'register', phone: number })).toEqual(['P1: register.sent']);
    return d.phone({ t: 'register.verify', phone: number, code: modelCode, identityKey: 'ik2' });
  }

  test('[REG-8] [RELAY-12] [SESS-13] a verify for a registered number ends every session: revoked reregistered + 4003 to the holder, custody discarded, no session.ended', () => {
    const d = attachedThenPhoneGone();
    d.web('A1', { t: 'to_phone', e: 'eA1', n: 1, c: c1 });
    expect(d.state.sessions[0]?.context.w2p).toEqual([{ e: 'eA1', n: 1, c: c1 }]);
    const r = serverStep(d.state, { kind: 'phone', phone: 'P1', frame: { t: 'register', phone: number } }, cfg);
    const ok = serverStep(
      r.state,
      {
        kind: 'phone',
        phone: 'P1',
        frame: { t: 'register.verify', phone: number, code: modelCode, identityKey: 'ik2' },
      },
      cfg,
    );
    expect(ok.out).toEqual([
      { kind: 'web', conn: 'A1', frame: { t: 'revoked', reason: 'reregistered' } },
      { kind: 'web', conn: 'A1', frame: { t: '$close', code: 4003 } },
      // [REG-7] the same accountId, a fresh device token.
      { kind: 'phone', phone: 'P1', frame: { t: 'register.ok', accountId: 'acct1', deviceToken: 'dtP1.1' } },
    ]);
    expect(ok.state.sessions[0]?.value).toBe('ended');
    expect(ok.state.sessions[0]?.context.w2p).toEqual([]);
    expect(ok.state.conns.find((c) => c.id === 'A1')?.state.value).toBe('closed');
    expect(ok.fired.map((f) => f.transition)).toContain('attached --REREGISTER--> ended');
  });

  test('[REG-8] [REG-9] the previous device token fails with 4401; the new one authenticates and lists no session', () => {
    const d = attachedThenPhoneGone();
    reregister(d);
    d.phone({ t: '$close', code: 1000 });
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: error', 'P1: $close 4401']);
    const r = serverStep(
      d.state,
      { kind: 'phone', phone: 'P1', frame: { t: 'auth', phone: number, deviceToken: 'dtP1.1' } },
      cfg,
    );
    expect(r.out).toEqual([{ kind: 'phone', phone: 'P1', frame: { t: 'auth.ok', accountId: 'acct1', sessions: [] } }]);
  });

  test('[REG-8] [SESS-13] the resume token of a session ended by re-registration is refused with 4401', () => {
    const d = attachedThenPhoneGone();
    reregister(d);
    expect(d.web('B1', { t: 'resume', token: 's1.t0' })).toEqual(['B1: error', 'B1: $close 4401']);
  });

  test('[REG-8] [SESS-12] a detached (kept, unheld) session ends silently; a held one tells its holder', () => {
    const d = attachedThenPhoneGone();
    d.web('A1', { t: '$close', code: 1000 });
    expect(d.state.sessions[0]?.value).toBe('detached');
    expect(reregister(d)).toEqual(['P1: register.ok']);
    expect(d.state.sessions[0]?.value).toBe('ended');
    const h = attachedThenPhoneGone();
    h.web('B1', { t: 'resume', token: 's1.t0' });
    expect(reregister(h)).toEqual(['B1: revoked', 'B1: $close 4003', 'P1: register.ok']);
  });

  test('[REG-8] [LINK-15] attempts of the old phone ended when its connection closed; re-registration ends none again', () => {
    const d = registered();
    d.web('A1', hello);
    d.phone({ t: 'link.claim', ref: 'A1.1' });
    expect(d.phone({ t: '$close', code: 1000 })).toEqual(['A1: declined', 'A1: qr']);
    expect(reregister(d)).toEqual(['P1: register.ok']);
    // the new ref is untouched: the re-registered phone claims it.
    expect(d.phone({ t: 'link.claim', ref: 'A1.2' })).toEqual(['P1: link.claimed', 'A1: scanned']);
  });

  test('[REG-5] [REG-3] [REG-8] a registered number: verify without a code is no_code; bad tries lock it; auth still works', () => {
    const d = registered();
    d.phone({ t: '$close', code: 1000 });
    const verify = (code: string) => d.phone({ t: 'register.verify', phone: number, code, identityKey: 'ik' });
    expect(verify(modelCode)).toEqual(['P1: register.error']);
    d.phone({ t: 'register', phone: number });
    for (let i = 0; i < 4; i++) expect(verify('0000')).toEqual(['P1: register.error']);
    const locked = serverStep(
      d.state,
      { kind: 'phone', phone: 'P1', frame: { t: 'register.verify', phone: number, code: '0000', identityKey: 'ik' } },
      cfg,
    );
    expect(locked.out).toEqual([
      { kind: 'phone', phone: 'P1', frame: { t: 'register.error', reason: 'locked', retryAfterMs: 900_000 } },
    ]);
    d.phone({ t: 'register.verify', phone: number, code: '0000', identityKey: 'ik' });
    // [REG-3] locked: register and the right code are refused, the token is not invalidated.
    expect(d.phone({ t: 'register', phone: number })).toEqual(['P1: register.error']);
    expect(verify(modelCode)).toEqual(['P1: register.error']);
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: auth.ok']);
  });

  test('[REG-8] the code is per number: sent before an auth, it still re-registers after that connection closed', () => {
    const d = registered();
    d.phone({ t: '$close', code: 1000 });
    d.phone({ t: 'register', phone: number });
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: auth.ok']);
    // [REG-11] on the authenticated connection register.verify is bad_state, not a re-registration.
    expect(d.phone({ t: 'register.verify', phone: number, code: modelCode, identityKey: 'ik' })).toEqual([
      'P1: error',
      'P1: $close 4000',
    ]);
    expect(d.phone({ t: 'register.verify', phone: number, code: modelCode, identityKey: 'ik' })).toEqual([
      'P1: register.ok',
    ]);
    d.phone({ t: '$close', code: 1000 });
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: error', 'P1: $close 4401']);
  });

  test('[REG-9] auth for a number without an account is unauthorized 4401', () => {
    const d = driver();
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: error', 'P1: $close 4401']);
    d.phone({ t: 'register', phone: number });
    expect(d.phone({ t: 'auth', phone: number, deviceToken: 'dtP1.0' })).toEqual(['P1: error', 'P1: $close 4401']);
  });
});

describe('chart hygiene (coverage)', () => {
  const faultGuards = ['admitOnClaim', 'strayCross', 'rotatedRefClaimable', 'loggedOutButFaulty'];
  test('every transition that exists only under a planted fault is described "fault …"', () => {
    const faultOnly: string[] = [];
    for (const chart of [webConnChart, sessionChart, phoneRegChart]) {
      const config = chart.machine.config as {
        states: Record<string, { on?: Record<string, { guard?: string; description?: string; target?: string }[]> }>;
      };
      for (const [from, node] of Object.entries(config.states))
        for (const [event, ts] of Object.entries(node.on ?? {}))
          for (const t of ts) {
            const byGuard = (t.guard ?? '').split('&').some((g) => faultGuards.includes(g));
            if (byGuard) expect(t.description ?? '', `${from} --${event}`).toMatch(/^fault [A-Z_0-9]+/);
            if (t.description?.startsWith('fault '))
              faultOnly.push(`${from} --${event}${t.guard ? ` [${t.guard}]` : ''}`);
          }
    }
    expect(faultOnly).toEqual([
      'fresh --$close',
      'pending --phone.link.claim [claimsCurrent&admitOnClaim]',
      'pending --stray.confirm [strayCross]',
      'offered --stray.confirm [strayCross]',
      'admitted --phone.link.decline [refLive&rotatedRefClaimable]',
      'admitted --phone.link.approve [refLive&rotatedRefClaimable]',
      'admitted --phone.link.finalize [refLive&rotatedRefClaimable]',
      'attached --phone.link.decline [refLive&rotatedRefClaimable]',
      'attached --phone.link.approve [refLive&rotatedRefClaimable]',
      'attached --phone.link.finalize [refLive&rotatedRefClaimable]',
      'closed --phone.link.decline [refLive&rotatedRefClaimable]',
      'closed --phone.link.approve [refLive&rotatedRefClaimable]',
      'closed --phone.link.finalize [refLive&rotatedRefClaimable]',
      'ended --RESUME [loggedOutButFaulty]',
    ]);
  });
  test('[TR-6] fault CROSS_CONN_CONFIRM: a connection whose first frame was routed away stays fresh, so its close is taken there', () => {
    const faulty = { ...cfg, faults: faultMask(['CROSS_CONN_CONFIRM']) };
    let s = initialServer(1);
    s = serverStep(s, { kind: 'web', conn: 'A1', frame: hello }, faulty).state;
    s = serverStep(s, { kind: 'web', conn: 'B1', frame: { t: 'confirm', ref: 'A1.1', tag: 'T' } }, faulty).state;
    expect(s.conns.find((c) => c.id === 'B1')?.state.value).toBe('fresh');
    const r = serverStep(s, { kind: 'web', conn: 'B1', frame: { t: '$close', code: 1000 } }, faulty);
    expect(r.fired.map((f) => f.transition)).toEqual(['fresh --$close--> closed']);
    // without the fault the confirm is B1's own first frame: bad_state 4000, never fresh afterwards.
    let h = initialServer(1);
    h = serverStep(h, { kind: 'web', conn: 'A1', frame: hello }, cfg).state;
    h = serverStep(h, { kind: 'web', conn: 'B1', frame: { t: 'confirm', ref: 'A1.1', tag: 'T' } }, cfg).state;
    expect(h.conns.find((c) => c.id === 'B1')?.state.value).toBe('closed');
  });
  test('resuming is transient: only RESUMED and RESUME_FAILED leave it', () => {
    const config = webConnChart.machine.config as { states: Record<string, { on?: Record<string, unknown> }> };
    expect(Object.keys(config.states.resuming?.on ?? {})).toEqual(['RESUMED', 'RESUME_FAILED']);
  });
  test('[ROTATED_REF_CLAIMABLE] with the fault, a phone frame for the still-pending ref n on an admitted connection is unauthorized, not unknown_ref', () => {
    const faulty = { ...cfg, faults: faultMask(['ROTATED_REF_CLAIMABLE']) };
    let s = initialServer(1);
    const step = (input: Parameters<typeof serverStep>[1]) => {
      const r = serverStep(s, input, faulty);
      s = r.state;
      return r.out;
    };
    step({ kind: 'phone', phone: 'P1', frame: { t: 'register', phone: '+15550000001' } });
    step({
      kind: 'phone',
      phone: 'P1',
      frame: { t: 'register.verify', phone: '+15550000001', code: modelCode, identityKey: 'ik' },
    });
    step({ kind: 'web', conn: 'A1', frame: hello });
    step({ kind: 'clock', timer: 'QR_TTL', conn: 'A1' });
    step({ kind: 'phone', phone: 'P1', frame: { t: 'link.claim', ref: 'A1.1' } });
    step({ kind: 'phone', phone: 'P1', frame: { t: 'link.approve', ref: 'A1.1', pub: 'p', box } });
    step({ kind: 'web', conn: 'A1', frame: { t: 'confirm', ref: 'A1.1', tag: 'T' } });
    step({ kind: 'phone', phone: 'P1', frame: { t: 'link.finalize', ref: 'A1.1' } });
    expect(s.conns[0]?.state.value).toBe('admitted');
    expect(step({ kind: 'phone', phone: 'P1', frame: { t: 'link.approve', ref: 'A1.2', pub: 'p', box } })).toEqual([
      { kind: 'phone', phone: 'P1', frame: { t: 'link.error', ref: 'A1.2', reason: 'unauthorized' } },
    ]);
  });
});
