import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ManualClock, ManualClock as WebClock } from '../client-clock.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { MemoryStorageSlot } from '../web/storage-slot.js';
import { WebCore } from '../web/web-core.js';
import { webDriverTarget } from '../web/web-driver.js';
import { DriverClient } from './driver-client.js';
import { type RunningDriver, startDriverEndpoint } from './driver-endpoint.js';
import { PhoneCore } from './phone-core.js';
import { phoneDriverTarget } from './phone-driver.js';

async function driverClient(port: number) {
  const c = await DriverClient.open(`ws://127.0.0.1:${port}`);
  return {
    send: (text: string) => c.sendRaw(text),
    request: (req: Record<string, unknown>) => c.request(req),
    reply: (id: unknown) => c.reply(id),
    event: async (pred: (state: Record<string, unknown>) => boolean) => ({ state: await c.state(pred) }),
  };
}

let running: RunningDriver | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

describe('driver endpoint (DRV)', () => {
  it('answers malformed requests with bad_request / unknown_cmd and keeps the connection', async () => {
    const srv = new ScriptedServer();
    const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock() });
    running = await startDriverEndpoint(phoneDriverTarget(core));
    const d = await driverClient(running.port);
    d.send('not json');
    expect(await d.reply(null)).toMatchObject({ id: null, ok: false, error: { code: 'bad_request' } });
    expect(await d.request({ id: 1, cmd: 'fly' })).toMatchObject({ id: 1, ok: false, error: { code: 'unknown_cmd' } });
    expect(await d.request({ id: 2, cmd: 'connect', server: 'http://x' })).toMatchObject({
      id: 2,
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await d.request({ id: 'a', cmd: 'approve' })).toMatchObject({
      id: 'a',
      ok: false,
      error: { code: 'bad_state' },
    });
    expect(await d.request({ id: 3, cmd: 'state' })).toMatchObject({
      id: 3,
      ok: true,
      result: { state: 'idle', sessions: [] },
    });
  });

  it('phone: connect/register/code through the driver, with a state event on every change', async () => {
    const srv = new ScriptedServer();
    const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock() });
    running = await startDriverEndpoint(phoneDriverTarget(core));
    const d = await driverClient(running.port);
    expect(await d.request({ id: 1, cmd: 'connect', server: 'ws://127.0.0.1:9' })).toMatchObject({
      ok: true,
      result: { state: 'unregistered' },
    });
    expect(await d.request({ id: 2, cmd: 'register', phone: '+15551234567' })).toMatchObject({
      ok: true,
      result: { state: 'registering' },
    });
    expect(srv.current.last('register')).toEqual({ t: 'register', phone: '+15551234567' });
    await d.request({ id: 3, cmd: 'code', code: '1234' });
    srv.current.push({ t: 'register.ok', accountId: 'AccountAAAA', deviceToken: 'TokenTTTT' });
    expect(await d.event((s) => s.state === 'ready')).toMatchObject({ state: { accountId: 'AccountAAAA' } });
  });

  it('web: open replies with connecting, then pushes the qr state', async () => {
    const srv = new ScriptedServer();
    const core = new WebCore({
      connector: srv.connector,
      storage: new MemoryStorageSlot(),
      clock: new WebClock(),
      pollMs: 0,
    });
    running = await startDriverEndpoint(webDriverTarget(core));
    const d = await driverClient(running.port);
    expect(await d.request({ id: 1, cmd: 'open', server: 'ws://127.0.0.1:9', keep: true })).toMatchObject({
      ok: true,
      result: { state: 'connecting', keep: true },
    });
    srv.current.push({ t: 'qr', ref: 'AAAAAAAAAAAAAAAAAAAAAA', ttlMs: 60000, n: 1, of: 6 });
    const ev = await d.event((s) => typeof s.qr === 'string');
    expect((ev.state as { qr: string }).qr).toMatch(/^qrlink:1,AAAAAAAAAAAAAAAAAAAAAA,/);
    expect(await d.request({ id: 2, cmd: 'send', chatId: 'c1', text: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'bad_state' },
    });
  });

  it('[DRV-2] a new driver connection closes the older one with 1000', async () => {
    const core = new PhoneCore({ connector: new ScriptedServer().connector, clock: new ManualClock() });
    running = await startDriverEndpoint(phoneDriverTarget(core));
    const first = new WebSocket(`ws://127.0.0.1:${running.port}`);
    await new Promise((r) => first.once('open', r));
    const closed = new Promise<number>((r) => first.once('close', (code) => r(code)));
    const second = await driverClient(running.port);
    expect(await closed).toBe(1000);
    expect(await second.request({ id: 1, cmd: 'state' })).toMatchObject({ ok: true, result: { state: 'idle' } });
  });

  it('[DRV-10] phone commands outside their states answer bad_state and change nothing', async () => {
    const srv = new ScriptedServer();
    const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock() });
    running = await startDriverEndpoint(phoneDriverTarget(core));
    const d = await driverClient(running.port);
    // online false when not connected: no effect (still idle); online true before connect: bad_state.
    expect(await d.request({ id: 1, cmd: 'online', value: false })).toMatchObject({
      ok: true,
      result: { state: 'idle' },
    });
    expect(await d.request({ id: 2, cmd: 'online', value: true })).toMatchObject({ error: { code: 'bad_state' } });
    await d.request({ id: 3, cmd: 'connect', server: 'ws://127.0.0.1:9' });
    expect(await d.request({ id: 4, cmd: 'connect', server: 'ws://127.0.0.1:9' })).toMatchObject({
      error: { code: 'bad_state' },
    });
    expect(srv.connections).toHaveLength(1);
    await d.request({ id: 5, cmd: 'register', phone: '+15551234567' });
    await d.request({ id: 6, cmd: 'code', code: '1234' });
    // verifying: neither code nor register again, nor decline without a consent screen.
    expect(await d.request({ id: 7, cmd: 'code', code: '1234' })).toMatchObject({ error: { code: 'bad_state' } });
    expect(await d.request({ id: 8, cmd: 'register', phone: '+15551234567' })).toMatchObject({
      error: { code: 'bad_state' },
    });
    expect(await d.request({ id: 9, cmd: 'decline' })).toMatchObject({ error: { code: 'bad_state' } });
    expect(srv.current.types).toEqual(['register', 'register.verify']);
  });
});
