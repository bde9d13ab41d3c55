import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { embeddedTarget } from './embedded-target.js';
import { BarrierTimeout, openPeerSocket, UpgradeRefused } from './peer-socket.js';
import { type Target, TargetError, type WireLog } from './target.js';

const hello = { t: 'hello', v: 1, device: { name: 'Test', platform: 'vitest' }, keep: false };
const newLog = (): WireLog => ({ step: 0, entries: [] });

describe('openPeerSocket against the reference server', () => {
  let target: Target;
  beforeAll(async () => {
    target = await embeddedTarget();
  });
  afterAll(async () => {
    await target.close();
  });

  it('[TR-1] selects qrlink.v1; after send + barrier the server reply is in take()', async () => {
    const log = newLog();
    const web = await openPeerSocket(`${target.wsUrl}/v1/web`, 'web1', log);
    expect(web.protocol).toBe('qrlink.v1');
    log.step = 1;
    web.send(hello);
    await web.barrier();
    const got = web.take();
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'frame', frame: { t: 'qr', n: 1 } });
    expect(web.take()).toEqual([]); // marked read
    await web.close();
    expect(web.closed).toEqual({ code: 1000, reason: '' });
  });

  it('wire log: out frame, in frame and close, each stamped with the step in force', async () => {
    const log = newLog();
    const web = await openPeerSocket(`${target.wsUrl}/v1/web`, 'webA', log);
    log.step = 3;
    web.send(hello);
    await web.barrier();
    log.step = 4;
    web.sendRaw('not json');
    await web.barrier();
    expect(log.entries.map((e) => ({ step: e.step, peer: e.peer, dir: e.dir }))).toEqual([
      { step: 3, peer: 'webA', dir: 'out' },
      { step: 3, peer: 'webA', dir: 'in' },
      { step: 4, peer: 'webA', dir: 'out' },
      { step: 4, peer: 'webA', dir: 'in' },
    ]);
    expect(log.entries[0]?.frame).toEqual(hello);
    expect(log.entries[1]?.frame).toMatchObject({ t: 'qr' });
    expect(log.entries[2]?.text).toBe('not json');
    expect(log.entries[3]?.close?.code).toBe(1007); // [ERR-2]
  });

  it('[ERR-1] the close code is captured: take() ends with the close, barrier resolves on it', async () => {
    const log = newLog();
    const web = await openPeerSocket(`${target.wsUrl}/v1/web`, 'web1', log);
    web.sendRaw(new Uint8Array([1, 2, 3]), true);
    await web.barrier();
    expect(web.closed?.code).toBe(1003);
    expect(web.take()).toEqual([{ kind: 'close', code: 1003, reason: expect.any(String) }]);
    await web.barrier(); // closed: resolves at once
    web.send(hello); // ignored once closed
    expect(log.entries.filter((e) => e.dir === 'out')).toHaveLength(1);
    expect(log.entries[0]?.text).toMatch(/binary message, 3 bytes/);
  });

  it('an error frame then close 4000 arrive in order', async () => {
    const web = await openPeerSocket(`${target.wsUrl}/v1/web`, 'web1', newLog());
    web.send({ t: 'no_such_type' });
    await web.barrier();
    const got = web.take();
    expect(got.map((i) => i.kind)).toEqual(['frame', 'close']);
    expect(got[0]).toMatchObject({ frame: { t: 'error', code: 'bad_frame' } });
    expect(got[1]).toMatchObject({ code: 4000 });
  });

  it('[TR-1] a refused upgrade rejects with UpgradeRefused carrying the HTTP status', async () => {
    const url = `${target.wsUrl}/v1/web`;
    const err = await openPeerSocket(url, 'web1', newLog(), { protocols: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpgradeRefused);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as UpgradeRefused).status).toBe(400);
    expect((err as Error).message).toBe(`cannot connect to ${url}: HTTP 400`);
  });

  it('drop() ends the connection without a close frame and resolves on the close event', async () => {
    const web = await openPeerSocket(`${target.wsUrl}/v1/web`, 'web1', newLog());
    await web.drop();
    expect(web.closed?.code).toBe(1006);
  });
});

describe('openPeerSocket, connection failures and fuses', () => {
  it('a refused connection rejects with TargetError naming the URL and ECONNREFUSED', async () => {
    const err = await openPeerSocket('ws://127.0.0.1:1/v1/web', 'web1', newLog()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toBe('cannot connect to ws://127.0.0.1:1/v1/web: ECONNREFUSED');
  });

  it('barrier rejects with BarrierTimeout naming the peer when no pong comes', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, autoPong: false });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as AddressInfo).port;
    try {
      const peer = await openPeerSocket(`ws://127.0.0.1:${port}/v1/web`, 'phoneP1', newLog());
      const err = await peer.barrier(50).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BarrierTimeout);
      expect((err as Error).message).toMatch(/^phoneP1: no pong within 50 ms/);
      await peer.drop();
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });

  it('close(code) sends that code to the server and resolves once closed', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const port = (wss.address() as AddressInfo).port;
    const seen = new Promise<number>((resolve) =>
      wss.once('connection', (ws) => ws.once('close', (code) => resolve(code))),
    );
    try {
      const peer = await openPeerSocket(`ws://127.0.0.1:${port}/v1/web`, 'web1', newLog());
      await peer.close(4321);
      expect(peer.closed?.code).toBe(4321);
      expect(await seen).toBe(4321);
    } finally {
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });
});
