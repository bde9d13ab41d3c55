import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { type Config, ConfigShape, defaultConfig } from '../../model/protocol/config.js';
import { CaseFailure, CaseSkip } from '../engine/case.js';
import { runCase } from '../engine/test-context.harness.js';
import { remoteTarget } from '../target/remote-target.js';
import { caseById, describeCheckMetadata, describeChecksAgainstReference } from './check-list.harness.js';
import { controlChecks, controlRequirements } from './control.js';

const byId = caseById(controlChecks);

describeChecksAgainstReference('control and close-reason checks against the embedded reference', controlChecks);

describeCheckMetadata(controlChecks, {
  sections: (c) => [c.id.startsWith('ERR-8') ? '12 Errors and close codes' : '15 Control endpoint (conformance mode)'],
  // [CTL-2] the handshake checks and the close reasons of bad input need no control
  needsControl: (c) => !/^(CTL-2|ERR-8-reason-(binary|not-json|oversize|bad|unauthorized))/.test(c.id),
  needsControlWhy: 'it is not a handshake check or a close reason of bad input [CTL-2]',
  levelOfFirstClause: true,
  requirementFrom: 'first-clause',
  clauseQuotes: controlRequirements,
});

// ---------------------------------------------------------------------------------------------
// Deliberately wrong servers
// ---------------------------------------------------------------------------------------------

/** What a wrong server gets wrong. */
interface Flaws {
  /** No /v1/control at all (HTTP 404). */
  readonly noControl?: boolean;
  /** The control handshake is accepted whatever the Authorization header [CTL-2]. */
  readonly anyToken?: boolean;
  /** `sms` answers this code for every number [CTL-5]. */
  readonly smsAlways?: string;
  /** `config {set}` applies members one by one until an invalid one [CTL-6]. */
  readonly partialSet?: boolean;
  /** A control message that is not JSON closes the control connection [CTL-8]. */
  readonly closeOnNotJson?: boolean;
  /** `error bad_request` with a detail naming nothing [CTL-8]. */
  readonly vagueDetail?: boolean;
  /** `config` without `set` leaves this key out [CTL-9]. */
  readonly configOmits?: keyof Config;
  /** The reason of close 1003 after a binary message on /v1/web [ERR-8]. */
  readonly binaryReason?: string;
}

const TOKEN = 'right-token';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A fake control endpoint: reset, clock, sms, config and stats over a config and a clock, with `flaws`. */
function fakeControl(flaws: Flaws) {
  let config: Json = { ...defaultConfig };
  let now = 1_000_000;
  const bad = (id: unknown, detail: string) => ({ t: 'error', id, code: 'bad_request', detail });
  return (text: string): Json | 'close' => {
    let f: unknown;
    try {
      f = JSON.parse(text);
    } catch {
      return flaws.closeOnNotJson ? 'close' : bad(undefined, 'not JSON');
    }
    if (!isObject(f) || typeof f.t !== 'string') return bad(undefined, 'not an object with a string t');
    const id = f.id;
    switch (f.t) {
      case 'reset':
        config = { ...defaultConfig };
        return { t: 'reset.ok', id };
      case 'clock':
        if (typeof f.advanceMs !== 'number' || !Number.isInteger(f.advanceMs) || f.advanceMs < 0) {
          return bad(id, flaws.vagueDetail ? 'bad' : 'clock: advanceMs');
        }
        now += f.advanceMs;
        return { t: 'clock.ok', id, now };
      case 'sms':
        return { t: 'sms.ok', id, phone: f.phone, code: flaws.smsAlways ?? null };
      case 'config': {
        if (f.set !== undefined) {
          if (!isObject(f.set)) return bad(id, 'config: set');
          const next = { ...config };
          for (const [key, value] of Object.entries(f.set)) {
            const shape = Object.hasOwn(ConfigShape, key) ? ConfigShape[key as keyof Config] : undefined;
            if (shape === undefined || !shape.safeParse(value).success) return bad(id, `config: set.${key}`);
            if (flaws.partialSet) config[key] = value;
            next[key] = value;
          }
          config = next;
          return { t: 'config.ok', id, config };
        }
        const out = { ...config };
        if (flaws.configOmits !== undefined) delete out[flaws.configOmits];
        return { t: 'config.ok', id, config: out };
      }
      case 'stats':
        return {
          t: 'stats.ok',
          id,
          connections: { web: 0, phone: 0, control: 1 },
          refs: { live: 0, claimed: 0 },
          sessions: { live: 0, attached: 0 },
          custody: { toPhone: 0, toWeb: 0 },
          timers: 0,
          accounts: 0,
        };
      default:
        return bad(id, flaws.vagueDetail ? 'bad' : `unknown t ${f.t}`);
    }
  };
}

/** A wrong server: /v1/web and /v1/phone selecting qrlink.v1, and /v1/control as `flaws` say. */
async function wrongServer(flaws: Flaws) {
  const peers = new WebSocketServer({
    noServer: true,
    handleProtocols: (offered) => (offered.has('qrlink.v1') ? 'qrlink.v1' : false),
  });
  const controls = new WebSocketServer({ noServer: true });
  const http = createServer((_req, res) => res.writeHead(404).end());
  const refuse = (socket: { end(data: string): void }, status: string) => socket.end(`HTTP/1.1 ${status}\r\n\r\n`);
  http.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/v1/control') {
      if (flaws.noControl) return refuse(socket, '404 Not Found');
      if (!flaws.anyToken && req.headers.authorization !== `Bearer ${TOKEN}`) return refuse(socket, '401 Unauthorized');
      controls.handleUpgrade(req, socket, head, (ws) => {
        const answer = fakeControl(flaws);
        ws.on('message', (data) => {
          const reply = answer(String(data));
          if (reply === 'close') ws.close(1007);
          else ws.send(JSON.stringify(reply));
        });
      });
    } else if (path === '/v1/web' || path === '/v1/phone') {
      peers.handleUpgrade(req, socket, head, (ws: WebSocket) =>
        ws.on('message', (_data, binary) => {
          if (binary) ws.close(1003, flaws.binaryReason ?? 'binary');
        }),
      );
    } else refuse(socket, '404 Not Found');
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const target = await remoteTarget(url, flaws.noControl ? {} : { controlToken: TOKEN });
  return {
    target,
    async close() {
      await target.close();
      for (const c of [...peers.clients, ...controls.clients]) c.terminate();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

/** Runs `id` against a wrong server with `flaws` and returns what it threw. */
async function outcomeOf(id: string, flaws: Flaws): Promise<unknown> {
  const server = await wrongServer(flaws);
  try {
    return await runCase(server.target, byId(id)).then(
      () => undefined,
      (e: unknown) => e,
    );
  } finally {
    await server.close();
  }
}

async function failureOf(id: string, flaws: Flaws): Promise<CaseFailure> {
  const err = await outcomeOf(id, flaws);
  expect(err).toBeInstanceOf(CaseFailure);
  return err as CaseFailure;
}

describe('checks fail against deliberately wrong servers', () => {
  it('[CTL-2] a control endpoint that accepts any token fails the no-token and wrong-token checks', async () => {
    for (const id of ['CTL-2-no-authorization', 'CTL-2-wrong-token']) {
      const err = await failureOf(id, { anyToken: true });
      expect(err.message).toMatch(/^\[CTL-2\] \/v1\/control .*: expected HTTP 401, got the handshake succeeded$/);
    }
  });

  it('[CTL-2] a target without a control endpoint (HTTP 404) skips the handshake checks', async () => {
    const err = await outcomeOf('CTL-2-no-authorization', { noControl: true });
    expect(err).toBeInstanceOf(CaseSkip);
    expect((err as Error).message).toBe('the target has no control endpoint');
  });

  it('[CTL-5] sms answering a code for a number never sent one fails CTL-5-null-when-none-sent', async () => {
    const err = await failureOf('CTL-5-null-when-none-sent', { smsAlways: '1234' });
    expect(err.message).toMatch(/^\[CTL-5\] sms \+\d+ answers a code although none was sent$/);
    expect(err.actual).toBe('1234');
  });

  it('[CTL-6] config {set} applying the valid members before an invalid one fails CTL-6-above-range', async () => {
    const err = await failureOf('CTL-6-above-range', { partialSet: true });
    expect(err.message).toBe('[CTL-6] config {set} with an invalid codeLength changed the configuration');
    expect(err.actual).toMatchObject({ qrTtlMs: defaultConfig.qrTtlMs + 1 });
  });

  it('[CTL-8] closing the control connection on a message that is not JSON fails CTL-8-not-json', async () => {
    const err = await failureOf('CTL-8-not-json', { closeOnNotJson: true });
    expect(err.message).toMatch(/^\[CTL-8\] the control endpoint did not answer \{: .*closed \(1007\)/);
  });

  it('[CTL-8] error bad_request with a detail naming nothing fails CTL-8-unknown-t', async () => {
    const err = await failureOf('CTL-8-unknown-t', { vagueDetail: true });
    expect(err.message).toBe('[CTL-8] the detail of error bad_request for {"t":"nope"} does not name nope: bad');
  });

  it('[CTL-9] config without set leaving a key out fails CTL-9-complete-config', async () => {
    const err = await failureOf('CTL-9-complete-config', { configOmits: 'rateWindowMs' });
    expect(err.message).toBe('[CTL-9] the configuration (config without set) lacks rateWindowMs');
  });

  it('[ERR-8] a non-ASCII close reason fails ERR-8-reason-binary-1003', async () => {
    const err = await failureOf('ERR-8-reason-binary-1003', { binaryReason: 'binär' });
    expect(err.message).toBe('[ERR-8] web1: the reason of close 1003 is not ASCII: "binär"');
  });
});
