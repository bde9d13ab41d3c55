import { afterEach, describe, expect, test } from 'vitest';
import { WebSocketServer } from 'ws';
import { type BareServer, startBareServer } from './bare-server.js';
import { FaultInjector } from './fault-injector.js';
import { type Direction, type FaultAction, type FaultPlan, faultFor } from './fault-plan.js';
import { PeerGone, WirePeer } from './wire-peer.js';

const plan: FaultPlan = { seed: 42, rate: 0.5 };

/** The first label whose first up-frames get exactly `want` from the plan. */
function labelWith(want: FaultAction[]): string {
  for (let k = 0; ; k++) {
    const label = `t${k}`;
    if (want.every((a, i) => faultFor(plan, label, 'up', i) === a)) return label;
  }
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.reverse()) await f();
  cleanup = [];
});

async function setup() {
  const server: BareServer = await startBareServer();
  const seen: [string, Direction, string, FaultAction][] = [];
  const injector = new FaultInjector(server.wsUrl, plan, (l, d, t, a) => seen.push([l, d, t, a]));
  await injector.listen();
  cleanup.push(
    () => server.close(),
    () => injector.close(),
  );
  const phone = await WirePeer.open(`${server.wsUrl}/v1/phone?pair=1`);
  cleanup.push(() => phone.close());
  return { injector, phone, seen };
}

describe('fault injector', () => {
  test('a dropped frame never reaches the server, the next one does; the observer sees both', async () => {
    const { injector, phone, seen } = await setup();
    const label = labelWith(['drop', 'pass']);
    const web = await WirePeer.open(`${injector.wsUrl}/v1/web?pair=1&label=${label}`);
    cleanup.push(() => web.close());
    web.send({ t: 'A' });
    web.send({ t: 'B' });
    const got = await phone.next('*');
    expect(got.t).toBe('B'); // A was dropped, B passed through the injector and the forwarder
    expect(seen).toEqual([
      [label, 'up', '{"t":"A"}', 'drop'],
      [label, 'up', '{"t":"B"}', 'pass'],
    ]);
    expect(injector.counts).toMatchObject({ frames: 2, dropped: 1, cut: 0, connections: 1 });
  });
  test('a cut ends the client connection without a close frame (1006)', async () => {
    const { injector } = await setup();
    const label = labelWith(['cut']);
    const web = await WirePeer.open(`${injector.wsUrl}/v1/web?pair=1&label=${label}`);
    web.send({ t: 'A' });
    await expect(web.next('*')).rejects.toBeInstanceOf(PeerGone);
    expect(web.closeCode).toBe(1006);
    expect(injector.counts).toMatchObject({ frames: 1, dropped: 0, cut: 1 });
  });
  test("the server's close reaches the client with its code", async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'qrlink.v1' });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanup.push(() => new Promise<void>((resolve) => wss.close(() => resolve())));
    wss.on('connection', (ws) => ws.once('message', () => ws.close(4001, 'bye')));
    const port = (wss.address() as { port: number }).port;
    const injector = new FaultInjector(`ws://127.0.0.1:${port}`, plan);
    await injector.listen();
    cleanup.push(() => injector.close());
    const web = await WirePeer.open(`${injector.wsUrl}/v1/web?label=${labelWith(['pass'])}`);
    web.send({ t: 'A' });
    await expect(web.next('*')).rejects.toBeInstanceOf(PeerGone);
    expect(web.closeCode).toBe(4001);
  });
});
