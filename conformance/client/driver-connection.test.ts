import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { initialWebDriverState } from '../../model/protocol/driver-frames.js';
import { TargetError, type WireLog } from '../target/target.js';
import { DriverBroken, DriverWaitTimeout } from './client-target.js';
import { openDriverConnection } from './driver-connection.js';

const idle = initialWebDriverState();

let wss: WebSocketServer | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (wss ? wss.close(() => resolve()) : resolve()));
  wss = undefined;
});

/** A fake driver endpoint answering each request with `answer`. */
async function fakeDriver(answer: (req: Record<string, unknown>, ws: WebSocket) => void): Promise<string> {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => wss?.once('listening', () => resolve()));
  wss.on('connection', (ws) =>
    ws.on('message', (d) => answer(JSON.parse(d.toString()) as Record<string, unknown>, ws)),
  );
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
}

describe('the driver connection', () => {
  it('matches replies to requests, follows state events and logs everything as peer driver', async () => {
    const url = await fakeDriver((req, ws) => {
      if (req.cmd === 'open') {
        ws.send(JSON.stringify({ event: 'state', state: { ...idle, state: 'connecting', keep: true } }));
        ws.send(JSON.stringify({ id: req.id, ok: true, result: { ...idle, state: 'connecting', keep: true } }));
        ws.send(
          JSON.stringify({ event: 'state', state: { ...idle, state: 'qr', qr: 'qrlink:1,a,b,c', qrN: 1, keep: true } }),
        );
      } else ws.send(JSON.stringify({ id: req.id, ok: false, error: { code: 'unknown_cmd', detail: 'no' } }));
    });
    const log: WireLog = { step: 1, entries: [] };
    const driver = await openDriverConnection(url, 'web', log);
    const reply = await driver.request('open', { server: 'ws://127.0.0.1:1', keep: true });
    expect(reply).toEqual({ ok: true, result: { ...idle, state: 'connecting', keep: true } });
    const shown = await driver.waitFor((s) => s.state === 'qr');
    expect(shown.qrN).toBe(1);
    expect(driver.takeEvents().map((s) => s.state)).toEqual(['connecting', 'qr']);
    expect(await driver.request('fly')).toEqual({ ok: false, error: { code: 'unknown_cmd', detail: 'no' } });
    expect(log.entries.every((e) => e.peer === 'driver')).toBe(true);
    expect(log.entries[0]).toMatchObject({ dir: 'out', frame: { cmd: 'open', keep: true } });
    await driver.close();
  });

  it('reports a reply whose state breaks the schema as DriverBroken citing DRV-4', async () => {
    const url = await fakeDriver((req, ws) =>
      ws.send(JSON.stringify({ id: req.id, ok: true, result: { ...idle, state: 'dancing' } })),
    );
    const driver = await openDriverConnection(url, 'web', { step: 0, entries: [] });
    const err = await driver.request('state').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DriverBroken);
    expect((err as DriverBroken).clause).toBe('DRV-4');
    await driver.close();
  });

  it('fails a request that gets no reply in time, and a wait that is never satisfied', async () => {
    const url = await fakeDriver(() => {});
    const driver = await openDriverConnection(url, 'phone', { step: 0, entries: [] }, { replyTimeoutMs: 30 });
    await expect(driver.request('state')).rejects.toThrow(/no reply to state within 30 ms/);
    const wait = await driver.waitFor(() => false, 20).catch((e: unknown) => e);
    expect(wait).toBeInstanceOf(DriverWaitTimeout);
    await driver.close();
  });

  it('is a TargetError when nothing listens', async () => {
    const url = await fakeDriver(() => {});
    await new Promise<void>((resolve) => wss?.close(() => resolve()));
    wss = undefined;
    await expect(openDriverConnection(url, 'web', { step: 0, entries: [] })).rejects.toBeInstanceOf(TargetError);
  });
});
