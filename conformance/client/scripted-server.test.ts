import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CaseFailure } from '../engine/case.js';
import type { WireLog } from '../target/target.js';
import { type ScriptedServer, startScriptedServer } from './scripted-server.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function connect(url: string, protocols: string[] = ['qrlink.v1']): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('the scripted server', () => {
  it('hands each client connection to the case, logs both directions and selects qrlink.v1', async () => {
    const log: WireLog = { step: 3, entries: [] };
    server = await startScriptedServer(log);
    expect(server.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const client = await connect(`${server.wsUrl}/v1/web`);
    expect(client.protocol).toBe('qrlink.v1');
    const side = await server.accept('/v1/web');
    expect(side.peer).toBe('web1');
    expect(side.protocols).toEqual(['qrlink.v1']);
    const got = new Promise<string>((resolve) => client.once('message', (d) => resolve(d.toString())));
    side.send({ t: 'qr', ref: 'r1' });
    expect(JSON.parse(await got)).toEqual({ t: 'qr', ref: 'r1' });
    client.send(JSON.stringify({ t: 'hello', v: 1 }));
    expect(await side.expect('hello')).toEqual({ t: 'hello', v: 1 });
    client.send('not json');
    expect(await side.next()).toEqual({ kind: 'text', text: 'not json' });
    client.close(4000);
    expect(await side.next()).toMatchObject({ kind: 'close', code: 4000 });
    expect(log.entries.map((e) => `${e.peer} ${e.dir} ${e.step}`)).toEqual([
      'web1 out 3',
      'web1 in 3',
      'web1 in 3',
      'web1 in 3',
    ]);
  });

  it('names what came when the case expected another frame, and times out naming the wait', async () => {
    server = await startScriptedServer({ step: 0, entries: [] });
    const client = await connect(`${server.wsUrl}/v1/phone`);
    const side = await server.accept('/v1/phone');
    client.send(JSON.stringify({ t: 'auth', token: 'x' }));
    await expect(side.expect('register', 2000, 'REG-1')).rejects.toThrow(
      /expected register .*got frame auth \[REG-1\]/,
    );
    await expect(side.next(20)).rejects.toBeInstanceOf(CaseFailure);
    await expect(server.accept('/v1/web', 20)).rejects.toThrow(/no connection to \/v1\/web/);
    client.close();
  });

  it('accepts a client that offers no subprotocol, so a check can say so', async () => {
    server = await startScriptedServer({ step: 0, entries: [] });
    const client = await connect(`${server.wsUrl}/v1/web`, []);
    const side = await server.accept('/v1/web');
    expect(side.protocols).toEqual([]);
    expect(client.protocol).toBe('');
    client.close();
  });
});
