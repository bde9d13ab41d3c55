/**
 * Test support for the clients' integration tests: the reference server in conformance mode on
 * 127.0.0.1 port 0, a control client, and the reference phone and web client over real sockets,
 * every frame in both directions recorded (what the server sends and what it is sent).
 */
import { WebSocket } from 'ws';
import { ManualClock as PhoneClock, ManualClock as WebClock } from '../client-clock.js';
import { PhoneCore } from '../phone/phone-core.js';
import type { PhoneStateStore } from '../phone/phone-state.js';
import type { PhoneConnector } from '../phone/transport.js';
import { wsPhoneConnector } from '../phone/ws-connector.js';
import { type RunningServer, type ServerOptions, startServer } from '../server/index.js';
import type { WebConnector } from './socket.js';
import { MemoryStorageSlot, type StorageSlot } from './storage-slot.js';
import { WebCore } from './web-core.js';
import { wsWebConnector } from './ws-connector.js';

/** One recorded frame: who sent it and its text. */
export interface WireRecord {
  from: 'server' | 'client';
  endpoint: 'web' | 'phone';
  text: string;
}

export const CONTROL_TOKEN = 'live-system-token';

function recording<C extends WebConnector | PhoneConnector>(
  inner: C,
  endpoint: 'web' | 'phone',
  wire: WireRecord[],
): C {
  const wrapped: WebConnector = (server, events) => {
    const conn = inner(server, {
      open: () => events.open(),
      text: (text) => {
        wire.push({ from: 'server', endpoint, text });
        events.text(text);
      },
      closed: (code) => events.closed(code),
    });
    return {
      send(frame) {
        wire.push({ from: 'client', endpoint, text: JSON.stringify(frame) });
        conn.send(frame);
      },
      close: (code) => conn.close(code),
    };
  };
  return wrapped as C;
}

/** A minimal /v1/control client. */
export class ControlClient {
  private seq = 0;
  private readonly pending = new Map<number, (reply: Record<string, unknown>) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as Record<string, unknown>;
      const done = this.pending.get(reply.id as number);
      this.pending.delete(reply.id as number);
      done?.(reply);
    });
  }

  static async open(wsUrl: string, token: string): Promise<ControlClient> {
    const ws = new WebSocket(`${wsUrl}/v1/control`, { headers: { Authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new ControlClient(ws);
  }

  request(frame: { t: string } & Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = ++this.seq;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ ...frame, id }));
    });
  }

  /** The last SMS code sent to `phone`, waiting (round trip by round trip) until there is one. */
  async smsCode(phone: string): Promise<string> {
    for (let i = 0; i < 1000; i++) {
      const r = await this.request({ t: 'sms', phone });
      if (typeof r.code === 'string') return r.code;
    }
    throw new Error(`no SMS code was sent to ${phone}`);
  }

  close(): void {
    this.ws.close();
  }
}

export interface LiveSystem {
  readonly server: RunningServer;
  readonly control: ControlClient;
  readonly wire: WireRecord[];
  readonly logs: string[];
  readonly secrets: { label: string; value: Uint8Array | string }[];
  /**
   * A reference phone, registered with a fresh number; with `state` holding a registered phone
   * (a restart) it authenticates instead.
   */
  phone(name?: string, options?: { state?: PhoneStateStore }): Promise<PhoneCore>;
  /** A web client (a tab); tabs given the same `storage` share it as the tabs of one browser do. */
  /**
   * A web client (a tab); tabs given the same `storage` share it as the tabs of one browser do.
   * `wrap` wraps its connector (tests that hold frames back to force an interleaving).
   */
  web(options?: { storage?: StorageSlot; wrap?: (connector: WebConnector) => WebConnector }): WebCore;
  close(): Promise<void>;
}

let numberSeq = 0;

export async function startLiveSystem(options: Partial<ServerOptions> = {}): Promise<LiveSystem> {
  const logs: string[] = [];
  const wire: WireRecord[] = [];
  const secrets: LiveSystem['secrets'] = [];
  const onSecret = (label: string, value: Uint8Array | string) => secrets.push({ label, value });
  const server = await startServer({
    port: 0,
    conformance: true,
    controlToken: CONTROL_TOKEN,
    log: (line) => logs.push(line),
    ...options,
  });
  const control = await ControlClient.open(server.wsUrl, CONTROL_TOKEN);
  const phones: PhoneCore[] = [];
  const webs: WebCore[] = [];
  return {
    server,
    control,
    wire,
    logs,
    secrets,
    async phone(name = 'Alice', phoneOptions = {}) {
      const number = `+1555${String(2_000_000 + ++numberSeq)}`; // fresh per call; each test has its own server
      const core = new PhoneCore({
        connector: recording(wsPhoneConnector, 'phone', wire),
        clock: new PhoneClock(),
        name,
        onSecret,
        ...(phoneOptions.state ? { state: phoneOptions.state } : {}),
      });
      phones.push(core);
      const connected = await core.connect(server.wsUrl);
      if (connected.state === 'connecting') {
        await core.waitFor((s) => s.state === 'ready' || s.state === 'error');
        return core;
      }
      core.register(number);
      const code = await control.smsCode(number);
      await core.code(code);
      await core.waitFor((s) => s.state === 'ready');
      return core;
    },
    web(opts = {}) {
      const core = new WebCore({
        connector: (opts.wrap ?? ((c: WebConnector) => c))(recording(wsWebConnector, 'web', wire)),
        storage: opts.storage ?? new MemoryStorageSlot(),
        clock: new WebClock(),
        device: { name: 'Integration tab', platform: 'node' },
        onSecret,
      });
      webs.push(core);
      return core;
    },
    async close() {
      for (const w of webs) if (w.state().state !== 'idle') w.close();
      for (const p of phones) p.close();
      control.close();
      await server.close();
    },
  };
}

/** Links `web` (opened with `keep`) to `phone` through the real server; resolves when both see the attachment. */
export async function linkThrough(live: LiveSystem, web: WebCore, phone: PhoneCore, keep: boolean): Promise<string> {
  await web.open(live.server.wsUrl, keep);
  const { qr } = await web.waitFor((s) => s.state === 'qr' && s.qr !== null);
  phone.scan(qr as string);
  await phone.waitFor((s) => s.state === 'consenting');
  await phone.approve();
  const linked = await web.waitFor((s) => s.state === 'linked' || s.state === 'error');
  if (linked.state !== 'linked') throw new Error(`link failed: ${JSON.stringify(linked.error)}`);
  const sessionId = linked.sessionId as string;
  await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && x.attached));
  return sessionId;
}
