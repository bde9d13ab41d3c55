import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { toB64u } from '../../model/protocol/encoding.js';
import { type Case, CaseFailure } from '../engine/case.js';
import { runCase } from '../engine/test-context.harness.js';
import { remoteTarget } from '../target/remote-target.js';
import { caseById, describeCheckMetadata, describeChecksAgainstReference } from './check-list.harness.js';
import { errorChecks } from './errors.js';
import { transportChecks } from './transport.js';

const all: readonly Case[] = [...transportChecks, ...errorChecks];
const byId = caseById(all);

describeChecksAgainstReference('transport and error checks against the embedded reference', all);

describeCheckMetadata(all, {
  sections: () => ['3 Transport', '12 Errors and close codes'],
  // only checks that configure, move the clock, reset, read SMS codes or count stats need control
  needsControl: (c) =>
    /^(TR-8|TR-5-configured|TR-6-phone|REG-11-.*-after-auth|REG-9-auth-wrong|REG-10|LINK-13|CTL-3|ERR-7-qr)/.test(c.id),
  needsControlWhy: 'it configures, moves the clock, resets, reads SMS codes or counts stats',
  levelOfFirstClause: true,
  requirementFrom: 'a-cited-clause',
});

/** A deliberately wrong server: `qrlink.v1` selected whether offered or not, messages to `onMessage`. */
async function wrongServer(onMessage: (ws: WebSocket, data: Buffer, binary: boolean) => void) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'qrlink.v1' });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => ws.on('message', (data: Buffer, binary) => onMessage(ws, data, binary)));
  const target = await remoteTarget(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  return {
    target,
    async close() {
      await target.close();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

const qr = () => ({ t: 'qr', ref: toB64u(new Uint8Array(16).fill(7)), ttlMs: 60000, n: 1, of: 6 });

/** Runs `id` against a wrong server and returns the CaseFailure it must throw. */
async function failureOf(id: string, onMessage: (ws: WebSocket, data: Buffer, binary: boolean) => void) {
  const server = await wrongServer(onMessage);
  try {
    const err = await runCase(server.target, byId(id)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CaseFailure);
    return err as CaseFailure;
  } finally {
    await server.close();
  }
}

describe('checks fail against deliberately wrong servers', () => {
  it('[ERR-1] a server closing 1000 on a binary message fails ERR-1-binary-web', async () => {
    const err = await failureOf('ERR-1-binary-web', (ws, _d, binary) => {
      if (binary) ws.close(1000);
    });
    expect(err.message).toMatch(/^\[ERR-1\] web1: expected close 1003.*got close 1000/);
    expect(err.expected).toEqual({ close: 1003 });
  });

  it('[TR-1] a server accepting a handshake without subprotocol fails TR-1-web-no-subprotocol', async () => {
    const err = await failureOf('TR-1-web-no-subprotocol', () => {});
    expect(err.message).toMatch(/^\[TR-1\] \/v1\/web: expected HTTP 400, got the handshake succeeded/);
  });

  it('[ERR-3] a server answering bad_frame but closing 1000 fails ERR-3-not-object-array', async () => {
    const err = await failureOf('ERR-3-not-object-array', (ws) => {
      ws.send(JSON.stringify({ t: 'error', code: 'bad_frame', detail: 'not an object' }));
      ws.close(1000);
    });
    expect(err.message).toMatch(/^\[ERR-3\] web1: expected close 4000 \(after error bad_frame\), got close 1000/);
  });

  it('[TR-5] a server sending an error frame before 1009 fails TR-5-over-limit-web', async () => {
    const err = await failureOf('TR-5-over-limit-web', (ws, data) => {
      if (data.length > 65536) {
        ws.send(JSON.stringify({ t: 'error', code: 'bad_frame', detail: 'too big' }));
        ws.close(1009);
      }
    });
    expect(err.message).toMatch(/^\[TR-5\] web1: expected close 1009 .*got \{"t":"error"/);
  });

  it('[TR-6] a server that still answers the hello behind a bad frame fails TR-6-after-bad-frame', async () => {
    let closing = false;
    const err = await failureOf('TR-6-after-bad-frame', (ws, data) => {
      const f = JSON.parse(String(data)) as { t: string };
      if (f.t === 'hello') {
        ws.send(JSON.stringify(qr()));
        if (closing) ws.close(4000);
      } else {
        ws.send(JSON.stringify({ t: 'error', code: 'bad_frame', detail: 'unknown type' }));
        closing = true;
      }
    });
    expect(err.message).toMatch(/^\[TR-6\] web1: expected close 4000 .*got \{"t":"qr"/);
  });

  it('[TR-4] a server ignoring nothing (bad_frame on an unknown member) fails TR-4-unknown-members-hello', async () => {
    const err = await failureOf('TR-4-unknown-members-hello', (ws, data) => {
      const f = JSON.parse(String(data)) as Record<string, unknown>;
      if ('x' in f) {
        ws.send(JSON.stringify({ t: 'error', code: 'bad_frame', detail: 'unknown member x' }));
        ws.close(4000);
      } else ws.send(JSON.stringify(qr()));
    });
    expect(err.message).toMatch(/^\[TR-4\] web1: expected qr .*got \{"t":"error"/);
  });
});
