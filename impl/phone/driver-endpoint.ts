/**
 * The driver endpoint of a client implementation (docs/protocol.md section "Driver endpoint",
 * DRV-*): a WebSocket server on 127.0.0.1 that lets the conformance suite act as the client's user.
 * Requests `{id, cmd, ...}` get exactly one reply `{id, ok: true, result: state}` or
 * `{id, ok: false, error: {code, detail}}`; every state change is pushed as `{event: "state", state}`.
 * Shared by the phone and the Node web client; the role supplies the schema and the commands.
 */
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { z } from 'zod';
import { type DriverErrorCode, DriverId } from '../../model/protocol/driver-frames.js';

/** The role behind the endpoint. */
export interface DriverTarget<Req, S> {
  /** The request schema (a discriminated union on `cmd`). */
  readonly schema: z.ZodType<Req>;
  /** Every command name of the role (to tell unknown_cmd from bad_request). */
  readonly commands: readonly string[];
  /** Carries out a valid request; resolves with the state right after it, or throws a CommandError-like error. */
  run(request: Req): Promise<S>;
  state(): S;
  onChange(listener: (state: S) => void): () => void;
}

export interface RunningDriver {
  readonly port: number;
  close(): Promise<void>;
}

type Reply<S> =
  | { id: z.infer<typeof DriverId>; ok: true; result: S }
  | { id: z.infer<typeof DriverId> | null; ok: false; error: { code: DriverErrorCode; detail: string } };

const driverCodes: readonly string[] = ['bad_request', 'unknown_cmd', 'bad_state', 'failed'];

function errorReply(id: z.infer<typeof DriverId> | null, code: DriverErrorCode, detail: string): Reply<never> {
  return { id, ok: false, error: { code, detail: detail.slice(0, 1024) } };
}

/** Decodes and runs one request; never throws. */
export async function answerDriverRequest<Req, S>(target: DriverTarget<Req, S>, text: string): Promise<Reply<S>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return errorReply(null, 'bad_request', 'request is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return errorReply(null, 'bad_request', 'request is not a JSON object');
  }
  const rec = value as Record<string, unknown>;
  const idParse = DriverId.safeParse(rec.id);
  const id = idParse.success ? idParse.data : null;
  if (typeof rec.cmd !== 'string') return errorReply(id, 'bad_request', 'field "cmd" is missing or not a string');
  if (!target.commands.includes(rec.cmd))
    return errorReply(id, 'unknown_cmd', `unknown command "${rec.cmd.slice(0, 64)}"`);
  if (id === null)
    return errorReply(null, 'bad_request', 'field "id" must be an integer or a string of 1 to 64 characters');
  const parsed = target.schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return errorReply(
      id,
      'bad_request',
      `${rec.cmd}: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  try {
    return { id, ok: true, result: await target.run(parsed.data) };
  } catch (err) {
    const e = err as { code?: unknown; message?: string };
    const code = typeof e.code === 'string' && driverCodes.includes(e.code) ? (e.code as DriverErrorCode) : 'failed';
    return errorReply(id, code, e.message ?? String(err));
  }
}

/** Listens on `host:port` (port 0: any free port). */
export function startDriverEndpoint<Req, S>(
  target: DriverTarget<Req, S>,
  options: { port?: number; host?: string } = {},
): Promise<RunningDriver> {
  const wss = new WebSocketServer({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const sockets = new Set<WebSocket>();
  const off = target.onChange((state) => {
    const text = JSON.stringify({ event: 'state', state });
    for (const ws of sockets) if (ws.readyState === WebSocket.OPEN) ws.send(text);
  });
  wss.on('connection', (ws) => {
    // [DRV-2] one driver connection at a time: a new one closes the older with 1000.
    for (const old of sockets) old.close(1000, 'replaced by a newer driver connection');
    sockets.clear();
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => sockets.delete(ws));
    ws.on('message', (data, isBinary) => {
      const text = isBinary ? '\u0000' : data.toString();
      void answerDriverRequest(target, text).then((reply) => {
        // [DRV-6] the result is the state of the last event sent before this reply.
        const sent = reply.ok ? { ...reply, result: target.state() } : reply;
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(sent));
      });
    });
  });
  return new Promise((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      const port = (wss.address() as AddressInfo).port;
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            off();
            for (const ws of sockets) ws.terminate();
            wss.close(() => done());
          }),
      });
    });
  });
}
