import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { defaultConfig } from '../../model/protocol/config.js';
import { ControlRequestError, openControl } from './control-client.js';
import { embeddedTarget } from './embedded-target.js';
import { type ControlClient, type Target, TargetError } from './target.js';

describe('control client against the reference server [CTL-*]', () => {
  let target: Target;
  let control: ControlClient;
  beforeAll(async () => {
    target = await embeddedTarget();
    if (!target.control) throw new Error('embedded target has no control');
    control = target.control;
  });
  afterAll(async () => {
    await target.close();
  });

  it('[CTL-6] [CTL-9] config round trip: set returns the whole config; reset restores it [CTL-3]', async () => {
    expect(await control.config()).toEqual(defaultConfig);
    const set = await control.config({ qrMaxRefs: 2, rateMessages: 0 });
    expect(set).toEqual({ ...defaultConfig, qrMaxRefs: 2, rateMessages: 0 });
    await control.reset();
    expect(await control.config()).toEqual(defaultConfig);
  });

  it('[CTL-8] an invalid config is refused with a clear error and changes nothing', async () => {
    const err = await control.config({ qrMaxRefs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(/refused .*"qrMaxRefs":0.*bad_request/);
    expect((await control.config()).qrMaxRefs).toBe(defaultConfig.qrMaxRefs);
  });

  it('[CTL-4] advance moves the clock; [CTL-3] reset closes peers with 1012', async () => {
    const t0 = await control.advance(0);
    expect(await control.advance(1500)).toBe(t0 + 1500);
    const web = await target.openPeer('/v1/web', 'web1', { step: 0, entries: [] });
    await control.reset();
    await web.barrier();
    expect(web.closed?.code).toBe(1012);
  });

  it('[CTL-5] sms returns null, then the code sent by register; [CTL-7] stats counts', async () => {
    await control.reset();
    await control.config({ codeResendMs: 0 });
    expect(await control.sms('+15550001111')).toBeNull();
    const phone = await target.openPeer('/v1/phone', 'phone1', { step: 0, entries: [] });
    phone.send({ t: 'register', phone: '+15550001111' });
    await phone.barrier();
    expect(phone.take()).toMatchObject([{ kind: 'frame', frame: { t: 'register.sent' } }]);
    expect(await control.sms('+15550001111')).toMatch(/^\d{4}$/);
    const stats = await control.stats();
    expect(stats.connections).toEqual({ web: 0, phone: 1, control: 1 });
    expect(stats).not.toHaveProperty('t');
    await phone.close();
  });

  it('[CTL-8] sendRaw sends the text as is and resolves with the reply, parsed and unvalidated', async () => {
    const t0 = await control.advance(0);
    expect(await control.sendRaw?.('{')).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(await control.sendRaw?.('{"t":"clock","id":"r1","advanceMs":-1}')).toMatchObject({
      t: 'error',
      id: 'r1',
      code: 'bad_request',
      detail: expect.stringContaining('advanceMs'),
    });
    expect(await control.sendRaw?.('{"t":"clock","advanceMs":0}')).toEqual({ t: 'clock.ok', now: t0 });
    expect(await control.advance(0)).toBe(t0);
  });

  it('sendRaw and requests in flight at once each get their own reply', async () => {
    const [raw, now, stats] = await Promise.all([
      control.sendRaw?.('{"t":"nope"}'),
      control.advance(0),
      control.stats(),
    ]);
    expect(raw).toMatchObject({ t: 'error', code: 'bad_request' });
    expect(typeof now).toBe('number');
    expect(stats.connections.control).toBe(1);
  });

  it('requests in flight at once are each matched to their own reply', async () => {
    const [a, b, c] = await Promise.all([control.advance(0), control.config(), control.stats()]);
    expect(typeof a).toBe('number');
    expect(b.frameLimit).toBe(defaultConfig.frameLimit);
    expect(c.connections.control).toBe(1);
  });
});

describe('control client failures', () => {
  it('[CTL-2] a wrong token rejects with TargetError saying the token was refused', async () => {
    const target = await embeddedTarget();
    try {
      const err = await openControl(target.wsUrl, 'wrong').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetError);
      expect((err as Error).message).toBe(`the control token was refused by ${target.wsUrl}/v1/control (HTTP 401)`);
    } finally {
      await target.close();
    }
  });

  it('sendRaw rejects with ControlRequestError when the control connection closes instead of answering', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) => ws.on('message', () => ws.close(1007)));
    const control = await openControl(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, 'x');
    try {
      const err = await control.sendRaw?.('{').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ControlRequestError);
      expect((err as Error).message).toMatch(/closed \(1007\); raw message \{$/);
      await expect(control.sendRaw?.('{}')).rejects.toBeInstanceOf(ControlRequestError);
    } finally {
      await control.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });

  it('a malformed reply rejects the request with a message naming the field', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws) =>
      ws.on('message', (data) => {
        const { id } = JSON.parse(String(data)) as { id: number };
        ws.send(JSON.stringify({ t: 'clock.ok', id, now: 'soon' }));
      }),
    );
    const control = await openControl(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, 'x');
    try {
      const err = await control.advance(5).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetError);
      expect((err as Error).message).toMatch(/^malformed control reply to .*"clock".*: now: /);
    } finally {
      await control.close();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });
});
