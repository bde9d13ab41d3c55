/**
 * Benchmark `sessions`: 10,000 concurrent linked web sessions with their phones on one reference
 * server process (100 phones, sessionLimit 100, so 10,100 sockets on each side): the server's memory
 * per session (RSS and heap, after a full GC, over the server before any connection), the time to
 * establish them all (every one a complete link with real crypto), and the relay still working at the
 * end (a sample of sessions attach and relay one sealed frame each way, opened by the other end).
 * Baseline: 10,000 idle bare `ws` connections on the bare server process, opened the same way.
 * The server runs in its own process and the clients in this one, so each holds ~10,100 sockets;
 * a `ulimit -n` too low for that stops the benchmark with a message (it is never silently shrunk).
 */

import { openControl } from '../conformance/target/control-client.js';
import { openOp, sealOp } from '../impl/crypto/index.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { openFileLimit, requireOpenFiles } from './fd-limit.js';
import {
  attachWeb,
  benchPhoneNumber,
  FlowError,
  type LinkedSession,
  linkWeb,
  type PhoneAccount,
  registerPhone,
} from './protocol-flow.js';
import { startServerChild } from './server-child.js';
import { WirePeer } from './wire-peer.js';

const PER_PHONE = 100;
/** Sessions that relay at the end: one per phone. */
const CHECK_EVERY = PER_PHONE;

export interface SessionsRun {
  readonly sessions: number;
  readonly rssPerSession: number;
  readonly heapPerSession: number;
  readonly establishMs: number;
  readonly relayChecked: number;
}

async function inBatches<T>(count: number, batch: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += batch) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - i) }, (_, k) => make(i + k)))));
  }
  return out;
}

/** One relayed frame each way on a session of `phone` (attach first), each opened by the other end. */
async function relayWorks(s: LinkedSession, phone: WirePeer, i: number): Promise<void> {
  const att = await attachWeb(s, phone, 30_000);
  s.web.send({ t: 'to_phone', e: att.e, n: 1, c: sealOp(att.web.kW2P, 1, { op: 'ping', i }) });
  const fw = await phone.next('from_web', 30_000);
  if (fw.sessionId !== s.sessionId) throw new FlowError('from_web names another session');
  const op = openOp(att.phone.kW2P, 1, fw.c as string) as { i?: number } | undefined;
  if (op?.i !== i) throw new FlowError(`session ${i}: from_web does not open at the phone`);
  phone.send({ t: 'to_web', sessionId: s.sessionId, e: att.e, n: 1, c: sealOp(att.phone.kP2W, 1, { op: 'pong', i }) });
  const fp = await s.web.next('from_phone', 30_000);
  const back = openOp(att.web.kP2W, 1, fp.c as string) as { i?: number } | undefined;
  if (back?.i !== i) throw new FlowError(`session ${i}: from_phone does not open at the web`);
}

/** `sessions` linked sessions (PER_PHONE per phone) on one reference server process. */
export async function holdSessions(sessions: number): Promise<SessionsRun> {
  const phones = Math.ceil(sessions / PER_PHONE);
  requireOpenFiles(sessions + phones + 200, `the sessions benchmark (${sessions} sessions)`, openFileLimit());
  const child = await startServerChild('reference', { rateMessages: 0, sessionLimit: PER_PHONE });
  const control = await openControl(child.wsUrl, child.controlToken ?? '');
  const held: WirePeer[] = [];
  try {
    const before = await child.memory();
    const start = performance.now();
    const accounts: { peer: WirePeer; account: PhoneAccount }[] = await inBatches(phones, 50, (i) =>
      registerPhone(`${child.wsUrl}/v1/phone`, control, benchPhoneNumber(10_000 + i), 60_000),
    );
    held.push(...accounts.map((a) => a.peer));
    const linked: LinkedSession[][] = await Promise.all(
      accounts.map(async ({ peer, account }, p) => {
        const mine: LinkedSession[] = [];
        const count = Math.min(PER_PHONE, sessions - p * PER_PHONE);
        for (let k = 0; k < count; k++) {
          const s = await linkWeb(`${child.wsUrl}/v1/web`, peer, account, false, 60_000);
          held.push(s.web);
          mine.push(s);
        }
        return mine;
      }),
    );
    const establishMs = performance.now() - start;
    const stats = await control.stats();
    if (stats.sessions.live !== sessions) {
      throw new FlowError(`the server holds ${stats.sessions.live} sessions, expected ${sessions}`);
    }
    const after = await child.memory();
    let relayChecked = 0;
    await Promise.all(
      linked.map(async (mine, p) => {
        for (let k = 0; k < mine.length; k += CHECK_EVERY) {
          await relayWorks(mine[k] as LinkedSession, accounts[p]?.peer as WirePeer, p * PER_PHONE + k);
          relayChecked++;
        }
      }),
    );
    return {
      sessions,
      rssPerSession: (after.rss - before.rss) / sessions,
      heapPerSession: (after.heapUsed - before.heapUsed) / sessions,
      establishMs,
      relayChecked,
    };
  } finally {
    for (const p of held) p.terminate();
    await control.close().catch(() => {});
    await child.stop();
  }
}

/** `count` idle bare ws connections on the bare server process. */
export async function holdIdle(count: number): Promise<SessionsRun> {
  requireOpenFiles(count + 200, `the sessions baseline (${count} idle connections)`, openFileLimit());
  const child = await startServerChild('bare');
  const held: WirePeer[] = [];
  try {
    const before = await child.memory();
    const start = performance.now();
    await inBatches(count, 200, async (i) => {
      const p = await WirePeer.open(`${child.wsUrl}/v1/web?pair=${i}`, 60_000);
      held.push(p);
    });
    const establishMs = performance.now() - start;
    const after = await child.memory();
    if (after.connections !== count) throw new FlowError(`bare server holds ${after.connections} of ${count}`);
    return {
      sessions: count,
      rssPerSession: (after.rss - before.rss) / count,
      heapPerSession: (after.heapUsed - before.heapUsed) / count,
      establishMs,
      relayChecked: 0,
    };
  } finally {
    for (const p of held) p.terminate();
    await child.stop();
  }
}

export const sessionsBenchmark: Benchmark = {
  id: 'sessions',
  title: 'concurrent linked sessions on one server process',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const count = options.quick ? 500 : 10_000;
    const base = await holdIdle(count);
    const ours = await holdSessions(count);
    options.say(`sessions: ${ours.sessions} linked in ${(ours.establishMs / 1000).toFixed(1)} s`);
    const notes = `${ours.sessions} linked sessions (${Math.ceil(count / PER_PHONE)} phones, ${PER_PHONE} sessions each) held at once, relay checked both ways on ${ours.relayChecked} of them at the end; baseline: ${count} idle bare ws connections`;
    return [
      row({
        id: 'sessions.rss',
        metric: `server RSS per session (${ours.sessions} sessions held)`,
        ours: ours.rssPerSession / 1024,
        baseline: base.rssPerSession / 1024,
        unit: 'KiB',
        better: 'lower',
        notes,
      }),
      row({
        id: 'sessions.heap',
        metric: `server JS heap per session (${ours.sessions} sessions held)`,
        ours: ours.heapPerSession / 1024,
        baseline: base.heapPerSession / 1024,
        unit: 'KiB',
        better: 'lower',
        notes,
      }),
      row({
        id: 'sessions.establish',
        metric: `time to establish ${ours.sessions} sessions (each a full link, real crypto)`,
        ours: ours.establishMs / 1000,
        baseline: base.establishMs / 1000,
        unit: 's',
        better: 'lower',
        notes,
      }),
    ];
  },
};
