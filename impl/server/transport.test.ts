/** Transport rules over real sockets: paths, subprotocol, frame limits, bad payloads, rate limit, isolation. */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { startServer } from './server.js';
import { type Harness, harness, helloWeb, registerPhone } from './test-fixture.js';
import { ControlPeer, type PhonePeer, TestPeer, upgradeStatus, type WebPeer } from './test-peer.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => h.close());

describe('handshake', () => {
  test('[TR-1] /v1/web and /v1/phone without subprotocol qrlink.v1 -> HTTP 400; with it -> qrlink.v1 selected', async () => {
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/web`, { protocols: [] })).toBe(400);
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/phone`, { protocols: ['other'] })).toBe(400);
    const web = await h.web();
    expect(web.ws.protocol).toBe('qrlink.v1');
  });

  test('[TR-3] unknown path -> HTTP 404', async () => {
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/nope`)).toBe(404);
    expect(await upgradeStatus(`${h.server.wsUrl}/`)).toBe(404);
  });

  test('[CTL-1] [TR-3] /v1/control without conformance mode -> HTTP 404, like an unknown path', async () => {
    const plain = await startServer({ log: () => {} });
    try {
      const headers = { authorization: 'Bearer x' };
      expect(await upgradeStatus(`${plain.wsUrl}/v1/control`, { headers })).toBe(404);
      expect(plain.controlToken).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  test('[CTL-2] /v1/control without or with a wrong bearer token -> HTTP 401', async () => {
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/control`, { protocols: [] })).toBe(401);
    const headers = { authorization: 'Bearer wrong' };
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/control`, { protocols: [], headers })).toBe(401);
  });

  test('[CTL-2] conformance mode without a token generates one and logs it', async () => {
    const logs: string[] = [];
    const s = await startServer({ conformance: true, log: (l) => logs.push(l) });
    try {
      expect(s.controlToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(logs.some((l) => l.includes(s.controlToken as string))).toBe(true);
    } finally {
      await s.close();
    }
  });

  test('GET / serves the page (or a note that the bundle is not built); assets by path; 404 otherwise', async () => {
    const s = await startServer({
      log: () => {},
      page: () => '<html>qr page</html>',
      assets: { '/app.js': { type: 'text/javascript', body: 'console.log(1)' } },
    });
    try {
      const page = await fetch(`${s.url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toBe('<html>qr page</html>');
      const js = await fetch(`${s.url}/app.js`);
      expect(js.headers.get('content-type')).toBe('text/javascript');
      expect(await js.text()).toBe('console.log(1)');
      expect((await fetch(`${s.url}/missing`)).status).toBe(404);
    } finally {
      await s.close();
    }
    const bare = await fetch(`${h.server.url}/`);
    expect(await bare.text()).toContain('not built');
  });
});

describe('origin', () => {
  test('[SEC-3] with origins configured, a /v1/web handshake from another Origin -> HTTP 403; listed or absent Origin -> accepted', async () => {
    const g = await harness({ server: { origins: ['https://chat.example'] } });
    try {
      const url = `${g.server.wsUrl}/v1/web`;
      expect(await upgradeStatus(url, { headers: { Origin: 'https://evil.example' } })).toBe(403);
      expect(await upgradeStatus(url, { headers: { Origin: 'https://chat.example' } })).toBe(101);
      expect(await upgradeStatus(url)).toBe(101);
      expect(await upgradeStatus(`${g.server.wsUrl}/v1/phone`, { headers: { Origin: 'https://evil.example' } })).toBe(
        101,
      );
    } finally {
      await g.close();
    }
    expect(await upgradeStatus(`${h.server.wsUrl}/v1/web`, { headers: { Origin: 'https://evil.example' } })).toBe(101);
  });
});

describe('frames', () => {
  test('[ERR-1] a binary frame -> close 1003, no error frame', async () => {
    const web = await h.web();
    web.sendRaw(Buffer.from('{"t":"hello"}'), true);
    await web.expectClose(1003);
    expect(web.frames).toEqual([]);
  });

  test('[ERR-2] not JSON, NaN, and invalid UTF-8 -> close 1007, no error frame', async () => {
    for (const raw of ['{"t":', '{"t":"status","ref":NaN}', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const phone = await h.phone();
      if (typeof raw === 'string') phone.sendRaw(raw);
      else phone.ws.send(raw, { binary: false });
      await phone.expectClose(1007);
      expect(phone.frames).toEqual([]);
    }
  });

  test('[TR-5] a frame of exactly frameLimit bytes is read; frameLimit + 1 -> close 1009, no error frame', async () => {
    const web = await h.web();
    const pad = (len: number) => {
      const base = '{"t":"nope","x":""}';
      return `{"t":"nope","x":"${'a'.repeat(len - base.length)}"}`;
    };
    web.sendRaw(pad(65_536));
    expect((await web.next('error')).code).toBe('bad_frame'); // read, then refused as unknown type
    const big = await h.web();
    big.sendRaw(pad(65_537));
    await big.expectClose(1009);
    expect(big.frames).toEqual([]);
  });

  test('[ERR-3] JSON that is not an object, or t missing -> error bad_frame + 4000', async () => {
    for (const raw of ['[1,2]', '"hello"', '{"v":1}', '{"t":7}']) {
      const web = await h.web();
      web.sendRaw(raw);
      const err = await web.next('error');
      expect(err.code).toBe('bad_frame');
      expect(err.clause).toBe('ERR-3');
      await web.expectClose(4000);
    }
  });

  test('[ERR-4] unknown t on the endpoint -> bad_frame + 4000 (a phone frame on /v1/web is unknown there)', async () => {
    const web = await h.web();
    web.send({ t: 'link.claim', ref: 'AAAAAAAAAAAAAAAAAAAAAA' });
    expect((await web.next('error')).clause).toBe('ERR-4');
    await web.expectClose(4000);
  });

  test('[ERR-5] a known t breaking the schema -> bad_frame + 4000 (padding, short ref, bad E.164)', async () => {
    const cases: [string, Record<string, unknown>][] = [
      ['web', { t: 'hello', v: 1, device: { name: '', platform: 'x' }, keep: true }],
      ['web', { t: 'status', ref: 'AAAAAAAAAAAAAAAAAAAAAA==' }],
      ['phone', { t: 'register', phone: '5551234' }],
      ['phone', { t: 'link.claim', ref: 'AAAA' }],
    ];
    for (const [where, frame] of cases) {
      const peer = where === 'web' ? await h.web() : ((await h.phone()) as unknown as WebPeer);
      peer.send(frame);
      const err = await peer.next('error');
      expect(err).toMatchObject({ code: 'bad_frame', clause: 'ERR-5' });
      await peer.expectClose(4000);
    }
  });

  test('[TR-4] unknown extra fields are ignored', async () => {
    const web = await h.web();
    web.send({ t: 'hello', v: 1, device: { name: 'n', platform: 'p', extra: 1 }, keep: false, more: [1] });
    expect((await web.next('qr')).n).toBe(1);
  });

  test('[ERR-9] hello with v != 1 -> error unsupported_version + 4000', async () => {
    const web = await h.web();
    web.send({ t: 'hello', v: 2, device: { name: 'n', platform: 'p' }, keep: false });
    expect((await web.next('error')).code).toBe('unsupported_version');
    await web.expectClose(4000);
  });

  test('[TR-8] more than rateMessages frames within rateWindowMs -> error rate_limited + 4429', async () => {
    await h.config({ rateMessages: 5, rateWindowMs: 1000 });
    const web = await helloWeb(h);
    for (let i = 0; i < 4; i++) web.peer.send({ t: 'status', ref: web.ref });
    await web.peer.barrier();
    expect(web.peer.unread('status.result')).toHaveLength(4);
    web.peer.send({ t: 'status', ref: web.ref }); // the 6th frame in this window
    expect((await web.peer.next('error')).code).toBe('rate_limited');
    await web.peer.expectClose(4429);
  });

  test('[TR-8] the window restarts when rateWindowMs passes', async () => {
    await h.config({ rateMessages: 3, rateWindowMs: 1000 });
    const web = await helloWeb(h);
    web.peer.send({ t: 'status', ref: web.ref });
    web.peer.send({ t: 'status', ref: web.ref });
    await web.peer.barrier();
    await h.advance(1000);
    for (let i = 0; i < 3; i++) web.peer.send({ t: 'status', ref: web.ref });
    await web.peer.barrier();
    expect(web.peer.closed).toBeNull();
  });

  test('[TR-8] the limit holds over any interval of rateWindowMs (sliding), on the manual clock', async () => {
    await h.config({ rateMessages: 3, rateWindowMs: 1000 });
    const web = await helloWeb(h); // hello is message 1, at T
    await h.advance(900);
    web.peer.send({ t: 'status', ref: web.ref });
    web.peer.send({ t: 'status', ref: web.ref });
    await web.peer.barrier();
    await h.advance(200); // T + 1100: a fixed window opened at T would have restarted here
    web.peer.send({ t: 'status', ref: web.ref }); // 3 in (T + 100, T + 1100]
    await web.peer.barrier();
    expect(web.peer.closed).toBeNull();
    web.peer.send({ t: 'status', ref: web.ref }); // the 4th in that interval
    expect((await web.peer.next('error')).code).toBe('rate_limited');
    await web.peer.expectClose(4429);
  });

  test('[TR-8] the control endpoint is not rate-limited; a rate change applies to open connections', async () => {
    const web = await helloWeb(h);
    await h.config({ rateMessages: 1 });
    for (let i = 0; i < 5; i++) await h.stats();
    web.peer.send({ t: 'status', ref: web.ref });
    web.peer.send({ t: 'status', ref: web.ref });
    expect((await web.peer.next('error')).code).toBe('rate_limited');
    await web.peer.expectClose(4429);
  });

  test('[TR-5] a frameLimit change applies to messages of open connections, lowered or raised', async () => {
    const pad = (len: number) => {
      const base = '{"t":"nope","x":""}';
      return `{"t":"nope","x":"${'a'.repeat(len - base.length)}"}`;
    };
    const small = await h.web();
    const large = await h.web();
    await h.config({ frameLimit: 1024 });
    small.sendRaw(pad(1025));
    await small.expectClose(1009);
    await h.config({ frameLimit: 70_000 });
    large.sendRaw(pad(70_000));
    expect((await large.next('error')).code).toBe('bad_frame'); // read, then refused as unknown type
  });

  test('[TR-5] [ERR-2] size is checked before UTF-8: an oversized invalid-UTF-8 message -> 1009', async () => {
    await h.config({ frameLimit: 1024 });
    const web = await h.web();
    web.ws.send(Buffer.alloc(1025, 0xff), { binary: false });
    await web.expectClose(1009);
  });

  test('[ERR-1] a binary message on /v1/control -> close 1003, no reply', async () => {
    const c = await ControlPeer.open(h.server.wsUrl, 'test-token');
    c.peer.sendRaw(Buffer.from('{"t":"stats"}'), true);
    await c.peer.expectClose(1003);
    expect(c.peer.frames).toEqual([]);
  });

  test('[TR-6] frames after the decision to close are not processed', async () => {
    const phone = await registerPhone(h);
    const web = await helloWeb(h);
    web.peer.send({ t: 'attach', e: 'AAAAAAAAAAAAAAAAAAAAAA' }); // bad_state: the server closes
    web.peer.send({ t: 'status', ref: web.ref });
    await web.peer.expectClose(4000);
    expect(web.peer.frames.filter((f) => f.t === 'status.result')).toEqual([]);
    phone.peer.send({ t: 'link.claim', ref: web.ref });
    expect((await phone.peer.next('link.error')).reason).toBe('web_gone');
  });

  test('[ERR-11] [TR-7] an exception inside a handler closes only that connection with error internal + 1011', async () => {
    const logs: string[] = [];
    const s = await startServer({
      log: (l) => {
        if (l.startsWith('sms to +15550000666')) throw new Error('log sink down');
        logs.push(l);
      },
    });
    try {
      const bystander = await TestPeer.open<never>(`${s.wsUrl}/v1/web`);
      bystander.send({ t: 'hello', v: 1, device: { name: 'n', platform: 'p' }, keep: false });
      await bystander.next('qr' as never);
      const phone: PhonePeer = await TestPeer.open(`${s.wsUrl}/v1/phone`);
      phone.send({ t: 'register', phone: '+15550000666' });
      expect(await phone.next('error')).toMatchObject({ code: 'internal', clause: 'ERR-11' });
      await phone.expectClose(1011);
      expect(logs.some((l) => l.includes('internal error'))).toBe(true);
      bystander.send({ t: 'status', ref: 'AAAAAAAAAAAAAAAAAAAAAA' });
      await bystander.next('status.result' as never);
      expect(bystander.closed).toBeNull();
    } finally {
      await s.close();
    }
  });
});
