/** The control endpoint: reset, clock, sms, config, stats, bad requests. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { defaultConfig } from '../../model/protocol/config.js';
import { type Harness, harness, helloWeb, link, registerPhone } from './test-fixture.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => h.close());

describe('control', () => {
  test('[CTL-3] reset closes every phone and web connection with 1012, clears all state and config, zeroes stats, keeps the clock', async () => {
    const baseline = await h.stats();
    await h.config({ custodyLimit: 3 });
    const phone = await registerPhone(h);
    const l = await link(h, phone.peer, true);
    const pending = await helloWeb(h);
    await h.advance(1234);
    const now = h.clock.now();
    const r = await h.control.request({ t: 'reset' });
    expect(r.t).toBe('reset.ok');
    await phone.peer.expectClose(1012);
    await l.web.expectClose(1012);
    await pending.peer.expectClose(1012);
    expect(await h.stats()).toEqual(baseline);
    expect(h.clock.now()).toBe(now);
    const cfg = await h.control.request({ t: 'config' });
    expect(cfg.t === 'config.ok' && cfg.config).toEqual(defaultConfig);
    const again = await h.phone();
    again.send({ t: 'auth', phone: phone.number, deviceToken: phone.deviceToken });
    await again.expectClose(4401); // the account is gone
    const sms = await h.control.request({ t: 'sms', phone: phone.number });
    expect(sms.t === 'sms.ok' && sms.code).toBeNull();
  });

  test('[CTL-4] clock {advanceMs} -> clock.ok {now}; due timers fire before the reply', async () => {
    const web = await helloWeb(h);
    const start = h.clock.now();
    const r = await h.control.request({ t: 'clock', advanceMs: 60_000 });
    expect(r).toEqual({ t: 'clock.ok', id: expect.any(Number), now: start + 60_000 });
    expect(web.peer.frames.filter((f) => f.t === 'qr')).toHaveLength(2); // the rotation's qr preceded clock.ok's pong
  });

  test('[CTL-6] config validates every key and range: unknown key or out of range -> bad_request, nothing changed', async () => {
    for (const set of [{ nope: 1 }, { qrTtlMs: 0 }, { sessionLimit: 1.5 }, { custodyLimit: 5, codeLength: 3 }]) {
      const r = await h.control.request({ t: 'config', set });
      expect(r.t).toBe('error');
      expect(r.t === 'error' && r.code).toBe('bad_request');
    }
    const cfg = await h.control.request({ t: 'config' });
    expect(cfg.t === 'config.ok' && cfg.config).toEqual(defaultConfig);
    const ok = await h.control.request({ t: 'config', set: { custodyLimit: 5, codeLength: 6 } });
    expect(ok.t === 'config.ok' && ok.config).toEqual({ ...defaultConfig, custodyLimit: 5, codeLength: 6 });
  });

  test('[CTL-9] config without set changes nothing and answers the complete configuration', async () => {
    await h.config({ qrTtlMs: 1234 });
    const r = await h.control.request({ t: 'config' });
    if (r.t !== 'config.ok') throw new Error('config');
    expect(r.config).toEqual({ ...defaultConfig, qrTtlMs: 1234 });
  });

  test('[CTL-8] bad control requests get error bad_request {id} and the connection stays open', async () => {
    h.control.peer.sendRaw('not json');
    h.control.peer.send({ t: 'explode', id: 'x1' });
    h.control.peer.send({ t: 'clock', id: 'x2', advanceMs: -5 });
    h.control.peer.ws.send(Buffer.from([0x7b, 0xff, 0x7d]), { binary: false }); // not UTF-8, so not JSON
    await h.control.peer.barrier(); // (a binary message closes with 1003 instead [ERR-1]: transport.test.ts)
    const errors = h.control.peer.frames.filter((f) => f.t === 'error');
    expect(errors.map((e) => e.id)).toEqual([undefined, 'x1', 'x2', undefined]);
    expect(errors.every((e) => e.t === 'error' && e.code === 'bad_request')).toBe(true);
    expect((await h.stats()).connections.control).toBe(1);
  });

  test('[CTL-7] stats counts connections, refs, sessions, custody, timers and accounts exactly', async () => {
    const phone = await registerPhone(h);
    await helloWeb(h);
    const l = await link(h, phone.peer, true);
    phone.peer.close();
    await l.web.next('phone');
    l.web.send({ t: 'to_phone', e: l.e, n: 1, c: 'AAAAAAAAAAAAAAAAAAAAAAA' });
    await l.web.barrier();
    expect(await h.stats()).toEqual({
      connections: { web: 2, phone: 0, control: 1 },
      refs: { live: 1, claimed: 0 },
      sessions: { live: 1, attached: 1 },
      custody: { toPhone: 1, toWeb: 0 },
      timers: 1,
      accounts: 1,
    });
  });
});
