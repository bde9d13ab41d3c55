import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../impl/server/index.js';
import { embeddedTarget } from './embedded-target.js';
import { baseWsUrl, NO_CONTROL_TOKEN, remoteTarget } from './remote-target.js';
import { TargetError, type WireLog } from './target.js';

const newLog = (): WireLog => ({ step: 0, entries: [] });

describe('remoteTarget', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ conformance: true, port: 0, host: '127.0.0.1', log: () => {} });
  });
  afterAll(async () => {
    await server.close();
  });

  it('an unreachable target rejects with TargetError "cannot reach ..."', async () => {
    const err = await remoteTarget('ws://127.0.0.1:1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toBe('cannot reach ws://127.0.0.1:1: ECONNREFUSED');
  });

  it('a server that refuses the /v1/web upgrade is not reachable: the HTTP status is named', async () => {
    const http = createServer();
    http.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
    try {
      const err = await remoteTarget(url).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TargetError);
      expect((err as Error).message).toBe(`cannot reach ${url}: HTTP 404`);
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
    }
  });

  it('a path after host:port is dropped', async () => {
    const t = await remoteTarget(`${server.wsUrl}/anything`);
    expect(t.wsUrl).toBe(server.wsUrl);
    await t.close();
  });

  it('[CTL-2] a refused control token rejects with TargetError', async () => {
    const err = await remoteTarget(server.wsUrl, { controlToken: 'nope' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TargetError);
    expect((err as Error).message).toMatch(/control token was refused/);
  });

  it('without a token: control undefined and the reason says how to give one', async () => {
    const t = await remoteTarget(server.wsUrl);
    expect(t.control).toBeUndefined();
    expect(t.controlMissing).toBe(NO_CONTROL_TOKEN);
    expect(t.description).toBe(server.wsUrl);
    await t.close();
  });

  it('with the token: control works; close() closes every peer socket it opened', async () => {
    const t = await remoteTarget(server.wsUrl, { controlToken: server.controlToken ?? '' });
    expect(t.controlMissing).toBeUndefined();
    const web = await t.openPeer('/v1/web', 'web1', newLog());
    const phone = await t.openPeer('/v1/phone', 'phone1', newLog());
    expect((await t.control?.stats())?.connections).toEqual({ web: 1, phone: 1, control: 1 });
    await t.close();
    expect(web.closed).toBeDefined();
    expect(phone.closed).toBeDefined();
    expect(server.stats().connections.control).toBe(0);
    await expect(t.openPeer('/v1/web', 'web2', newLog())).rejects.toThrow(TargetError);
  });

  it('baseWsUrl accepts ws, wss, http, https and refuses anything else', () => {
    expect(baseWsUrl('ws://h:1/x')).toBe('ws://h:1');
    expect(baseWsUrl('https://h')).toBe('wss://h');
    expect(() => baseWsUrl('ftp://h')).toThrow(/unsupported scheme ftp:/);
    expect(() => baseWsUrl('h:1')).toThrow(TargetError);
  });
});

describe('embeddedTarget', () => {
  it('is described as the embedded reference, has control, and close() stops the server', async () => {
    const t = await embeddedTarget();
    expect(t.description).toBe('embedded reference');
    expect(t.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect((await t.control?.config())?.frameLimit).toBe(65536);
    await t.close();
    const err = await remoteTarget(t.wsUrl).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/^cannot reach .*ECONNREFUSED/);
  });
});
