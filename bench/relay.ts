/**
 * Benchmark `relay`: web -> server -> phone throughput and latency of sealed frames (64 B, 1 KiB and
 * 16 KiB payloads) through the reference server, against a bare `ws` forwarder doing the same hop
 * with no protocol and no crypto. Same layout for both: the server in its own process, the two
 * clients in this one, the same pre-sealed `to_phone` texts, the same window of frames in flight and
 * the same per-frame work on the receiving side (JSON parse, check c, take the latency). Ours also
 * does what the protocol asks: link with real crypto, attach, and the phone acks (cumulative, every
 * 16 frames) so that custody drains; at the end the phone opens a sample of the frames with the keys
 * it derived itself (end to end).
 */

import { openControl } from '../conformance/target/control-client.js';
import { sealRelay } from '../impl/crypto/index.js';
import { openRelay } from '../impl/crypto/relay-seal.js';
import { fromB64u, toB64u } from '../model/protocol/encoding.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { percentile } from './percentile.js';
import { attachWeb, benchPhoneNumber, FlowError, linkWeb, registerPhone } from './protocol-flow.js';
import { type ServerChild, startServerChild } from './server-child.js';
import { type Frame, WirePeer } from './wire-peer.js';

/** Frames in flight (sent, not yet received by the phone): the same for ours and the baseline. */
const WINDOW = 64;
const ACK_EVERY = 16;

export interface RelaySize {
  readonly label: string;
  readonly bytes: number;
  /** Frames per measured run (quick, full). */
  readonly frames: readonly [number, number];
}

export const relaySizes: readonly RelaySize[] = [
  { label: '64b', bytes: 64, frames: [2000, 40000] },
  { label: '1k', bytes: 1024, frames: [2000, 30000] },
  { label: '16k', bytes: 16384, frames: [400, 6000] },
];

export interface RelayRun {
  readonly messagesPerSec: number;
  /** Messages per second of the server process's own CPU time (user + system): load from other processes hardly moves it. */
  readonly messagesPerCpuSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

interface Pair {
  readonly web: WirePeer;
  readonly phone: WirePeer;
  /** Called for every relayed frame the phone read, after its checks. */
  readonly ack: ((f: Frame) => void) | undefined;
  /** The type the phone reads (from_web through the server, to_phone through the forwarder). */
  readonly reads: string;
  readonly e: string;
  readonly kW2P: Uint8Array | undefined;
  readonly server: ServerChild;
  stop(): Promise<void>;
}

/** `count` to_phone texts with n = first .. first+count-1, sealed under `key` (payload of `bytes`). */
function sealFrames(key: Uint8Array, e: string, first: number, count: number, bytes: number): string[] {
  const payload = new Uint8Array(bytes).fill(0x61);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = first + i;
    out.push(JSON.stringify({ t: 'to_phone', e, n, c: toB64u(sealRelay(key, n, payload)) }));
  }
  return out;
}

/**
 * Sends `texts` (frame n = first + index) keeping WINDOW frames in flight; resolves when the phone read
 * them all, with the phone's checks (n in order, c unchanged) and one-way latencies.
 */
function pump(pair: Pair, texts: readonly string[], first: number): Promise<Omit<RelayRun, 'messagesPerCpuSec'>> {
  const sentAt = new Float64Array(texts.length);
  const latency = new Float64Array(texts.length);
  const cs = texts.map((t) => (JSON.parse(t) as { c: string }).c);
  let sent = 0;
  let got = 0;
  let start = 0;
  return new Promise((resolve, reject) => {
    const fill = () => {
      while (sent < texts.length && sent - got < WINDOW) {
        sentAt[sent] = performance.now();
        pair.web.sendText(texts[sent] as string);
        sent++;
      }
    };
    pair.phone.onFrame = (f) => {
      if (f.t !== pair.reads) return false;
      const i = (f.n as number) - first;
      if (i !== got || f.c !== cs[i]) {
        reject(new FlowError(`relay: expected n=${first + got} unchanged, got n=${String(f.n)} [RELAY-4]`));
        return true;
      }
      latency[i] = performance.now() - (sentAt[i] as number);
      got++;
      pair.ack?.(f);
      if (got === texts.length) {
        const secs = (performance.now() - start) / 1000;
        const lat = Array.from(latency);
        resolve({ messagesPerSec: texts.length / secs, p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99) });
      } else fill();
      return true;
    };
    start = performance.now();
    fill();
  });
}

async function referencePair(): Promise<Pair> {
  const child = await startServerChild('reference', { rateMessages: 0, custodyLimit: 4096 });
  const control = await openControl(child.wsUrl, child.controlToken ?? '');
  const { peer: phone, account } = await registerPhone(`${child.wsUrl}/v1/phone`, control, benchPhoneNumber(1));
  const session = await linkWeb(`${child.wsUrl}/v1/web`, phone, account, false);
  const att = await attachWeb(session, phone);
  session.web.onFrame = (f) => f.t === 'acked'; // the web reads its acks and lets them go
  let since = 0;
  return {
    web: session.web,
    phone,
    reads: 'from_web',
    e: att.e,
    kW2P: att.web.kW2P,
    server: child,
    ack: (f) => {
      if (++since < ACK_EVERY) return;
      since = 0;
      phone.send({ t: 'ack', sessionId: session.sessionId, e: att.e, n: f.n });
    },
    async stop() {
      await Promise.all([session.web.close(), phone.close(), control.close()]);
      await child.stop();
    },
  };
}

async function barePair(): Promise<Pair> {
  const child = await startServerChild('bare');
  const phone = await WirePeer.open(`${child.wsUrl}/v1/phone?pair=1`);
  const web = await WirePeer.open(`${child.wsUrl}/v1/web?pair=1`);
  return {
    web,
    phone,
    reads: 'to_phone',
    e: toB64u(new Uint8Array(16)),
    kW2P: undefined,
    server: child,
    ack: undefined,
    async stop() {
      await Promise.all([web.close(), phone.close()]);
      await child.stop();
    },
  };
}

/** Measured runs of every size on one fresh server of `kind`: warm-up frames first, then `frames` timed. */
export async function relayRuns(
  kind: 'reference' | 'bare',
  sizes: readonly { readonly bytes: number; readonly frames: number }[],
): Promise<RelayRun[]> {
  const pair = kind === 'reference' ? await referencePair() : await barePair();
  try {
    const runs: RelayRun[] = [];
    let next = 1;
    for (const { bytes, frames } of sizes) {
      const warm = Math.min(500, Math.ceil(frames / 5));
      const key = pair.kW2P ?? new Uint8Array(32).fill(7);
      const texts = sealFrames(key, pair.e, next, warm + frames, bytes);
      await pump(pair, texts.slice(0, warm), next);
      const cpu0 = await pair.server.cpuMicros();
      const run = await pump(pair, texts.slice(warm), next + warm);
      const cpu = (await pair.server.cpuMicros()) - cpu0;
      runs.push({ ...run, messagesPerCpuSec: frames / (cpu / 1e6) });
      if (pair.kW2P !== undefined) {
        // End to end: the phone opens a sample with kW2P of the epoch as it derived it (the same key).
        for (let k = warm; k < texts.length; k += 97) {
          const c = fromB64u((JSON.parse(texts[k] as string) as { c: string }).c);
          if (c === undefined || openRelay(pair.kW2P, next + k, c)?.length !== bytes) {
            throw new FlowError(`relay: frame ${next + k} does not open at the phone [E2E-12]`);
          }
        }
      }
      next += texts.length;
    }
    return runs;
  } finally {
    pair.stop().catch(() => {});
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)] as number;
}

export const relayBenchmark: Benchmark = {
  id: 'relay',
  title: 'relay throughput and latency (web -> server -> phone)',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    const rounds = options.quick ? 1 : 3;
    const sizes = relaySizes.map((z) => ({ bytes: z.bytes, frames: options.quick ? z.frames[0] : z.frames[1] }));
    const ours: RelayRun[][] = [];
    const base: RelayRun[][] = [];
    for (let r = 0; r < rounds; r++) {
      base.push(await relayRuns('bare', sizes));
      ours.push(await relayRuns('reference', sizes));
    }
    const rows: BenchRow[] = [];
    relaySizes.forEach((size, i) => {
      const frames = sizes[i]?.frames ?? 0;
      const pick = (runs: RelayRun[][], k: keyof RelayRun) => median(runs.map((x) => (x[i] as RelayRun)[k]));
      const notes = `${frames} frames of ${size.bytes} B sealed (c ${size.bytes + 16} B), window ${WINDOW}, median of ${rounds} round(s); server in its own process, clients in this one`;
      options.say(
        `relay ${size.label}: ${Math.round(pick(ours, 'messagesPerSec'))} vs bare ${Math.round(pick(base, 'messagesPerSec'))} msg/s`,
      );
      rows.push(
        row({
          id: `relay.${size.label}.throughput`,
          metric: `messages/s web -> server -> phone, ${size.label} payload (goal ratio >= 0.7)`,
          ours: pick(ours, 'messagesPerSec'),
          baseline: pick(base, 'messagesPerSec'),
          unit: 'msg/s',
          better: 'higher',
          notes: `${notes}; baseline: bare ws forwarder`,
        }),
        row({
          id: `relay.${size.label}.cpu`,
          metric: `messages per second of server CPU time, ${size.label} payload`,
          ours: pick(ours, 'messagesPerCpuSec'),
          baseline: pick(base, 'messagesPerCpuSec'),
          unit: 'msg/cpu-s',
          better: 'higher',
          notes: `${notes}; the server process's user+system CPU time over the timed frames, so other load on the machine hardly moves it`,
        }),
        row({
          id: `relay.${size.label}.p99`,
          metric: `p99 one-way latency under load, ${size.label} payload (p50 ${pick(ours, 'p50Ms').toFixed(2)} ms vs ${pick(base, 'p50Ms').toFixed(2)} ms)`,
          ours: pick(ours, 'p99Ms'),
          baseline: pick(base, 'p99Ms'),
          unit: 'ms',
          better: 'lower',
          notes,
        }),
      );
    });
    return rows;
  },
};
