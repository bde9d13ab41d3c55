/**
 * A server under benchmark in its own process (bench/server-process.ts), so that its CPU and memory are
 * its own: the reference server in conformance mode, or the bare `ws` server of the baselines. The
 * parent gets its URL and control token, asks for its memory (after a full GC) and stops it; the child
 * also stops by itself when the parent goes away.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ConfigPatch } from '../model/protocol/config.js';

export type ServerKind = 'reference' | 'bare';

/** The child's first message. */
export interface ReadyMessage {
  readonly t: 'ready';
  readonly wsUrl: string;
  readonly controlToken: string | undefined;
}

export interface MemoryMessage {
  readonly t: 'memory';
  readonly rss: number;
  readonly heapUsed: number;
  /** Open sockets (bare server) or -1 (reference: read them from `stats`). */
  readonly connections: number;
}

/** CPU time the server process used so far (user + system), in microseconds. */
export interface CpuMessage {
  readonly t: 'cpu';
  readonly micros: number;
}

export type ChildMessage = ReadyMessage | MemoryMessage | CpuMessage;
export type ParentMessage = { readonly t: 'memory' } | { readonly t: 'cpu' } | { readonly t: 'stop' };

export interface ServerChild {
  readonly kind: ServerKind;
  readonly wsUrl: string;
  readonly controlToken: string | undefined;
  /** RSS and heap in bytes, measured in the child after `gc()`. */
  memory(): Promise<MemoryMessage>;
  /** CPU time used by the server process so far, in microseconds. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

const entry = fileURLToPath(new URL('./server-process.ts', import.meta.url));

function nextMessage<T extends ChildMessage['t']>(child: ChildProcess, t: T): Promise<Extract<ChildMessage, { t: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: ChildMessage) => {
      if (m.t !== t) return;
      off();
      resolve(m as Extract<ChildMessage, { t: T }>);
    };
    const onExit = (code: number | null) => {
      off();
      reject(new Error(`the benchmark server process exited (code ${code}) before answering ${t}`));
    };
    const off = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/**
 * Starts a server process of `kind` (reference: conformance mode with `config` applied, and the
 * deliberate faults `mutants` switched on, to show that a benchmark's checks notice them).
 */
export async function startServerChild(
  kind: ServerKind,
  config: ConfigPatch = {},
  mutants: readonly string[] = [],
): Promise<ServerChild> {
  // QRLINK_BENCH_CPU_PROF=<dir>: the server process writes a V8 CPU profile there when it stops.
  const prof = process.env.QRLINK_BENCH_CPU_PROF;
  const child = fork(entry, [kind, JSON.stringify(config), mutants.join(',')], {
    execArgv: ['--import', 'tsx', '--expose-gc', ...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = await nextMessage(child, 'ready');
  let stopped = false;
  return {
    kind,
    wsUrl: ready.wsUrl,
    controlToken: ready.controlToken,
    memory() {
      const reply = nextMessage(child, 'memory');
      child.send({ t: 'memory' } satisfies ParentMessage);
      return reply;
    },
    async cpuMicros() {
      const reply = nextMessage(child, 'cpu');
      child.send({ t: 'cpu' } satisfies ParentMessage);
      return (await reply).micros;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send({ t: 'stop' } satisfies ParentMessage);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
