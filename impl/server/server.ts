/**
 * startServer: the reference QR Link v1 server (docs/protocol.md) over `ws`, with the control endpoint
 * in conformance mode and storage in memory or SQLite.
 */
import { randomBytes } from 'node:crypto';
import { Config, type ConfigPatch, defaultConfig } from '../../model/protocol/config.js';
import type { ControlReply } from '../../model/protocol/control-frames.js';
import type { ServerToPhone } from '../../model/protocol/phone-frames.js';
import type { ServerToWeb } from '../../model/protocol/web-frames.js';
import { type Clock, ManualClock, RealClock } from './clock.js';
import type { Connection, Endpoint } from './connection.js';
import { ControlClient } from './control-endpoint.js';
import { Core, type FailureLimit } from './core.js';
import { plaintextWarning } from './loopback.js';
import { type ServerMutantId, serverMutantSet } from './mutants.js';
import { MISSING_PAGE } from './page.js';
import { PhoneClient } from './phone-endpoint.js';
import { OutboxGateway } from './sms-gateway.js';
import { type Stats, statsOf } from './stats.js';
import { MemoryStore } from './storage/memory.js';
import { SqliteStore } from './storage/sqlite.js';
import type { Store } from './storage/store.js';
import { type Asset, type ConnectionHandler, Transport } from './transport.js';
import { WebClient } from './web-endpoint.js';

/** [SEC-2] the default bound on failed claims outside conformance mode. */
const DEFAULT_CLAIM_FAILURES: FailureLimit = { max: 20, windowMs: 60_000 };

export interface ServerOptions {
  /** TCP port; 0 lets the OS pick. Default 0 here (the CLI defaults to 8080). */
  port?: number;
  /** Default '127.0.0.1'. */
  host?: string;
  /** Opens /v1/control and runs every timer on a manual clock [CTL-1] [CTL-4]. */
  conformance?: boolean;
  /** Bearer token of /v1/control; generated (and logged) when absent in conformance mode [CTL-2]. */
  controlToken?: string;
  /** SQLite file: accounts, device tokens and kept sessions survive a restart. */
  db?: string;
  /** The clock; default a ManualClock in conformance mode, else the real clock. */
  clock?: Clock;
  /** Overrides of the protocol defaults, validated. */
  config?: Partial<Config>;
  /** Log sink (SMS outbox lines, errors); default console.log. */
  log?: (line: string) => void;
  /** HTML served at GET /. */
  page?: () => Promise<string> | string;
  /** Static resources by path, e.g. '/app.js'. */
  assets?: Record<string, Asset>;
  /**
   * [SEC-3] origins the web client is served from (e.g. 'https://chat.example'): a /v1/web handshake
   * whose Origin header names another origin is refused with HTTP 403. A handshake without Origin (not
   * a browser) is accepted. Default: no check.
   */
  origins?: readonly string[];
  /**
   * [SEC-2] failed link.claim frames allowed per phone connection and per account within windowMs;
   * one more closes the phone connection with error rate_limited + 4429. `false` turns it off.
   * Default: off in conformance mode (no config key exists for it), else 20 per 60 s.
   */
  claimFailureLimit?: FailureLimit | false;
  /**
   * Deliberate faults to switch on (mutants.ts), for the conformance suite's self-tests: the server then
   * breaks the clauses each mutant lists. An id not in the catalogue throws UnknownMutantError naming
   * it and listing the valid ones. Default: none (the reference behaviour).
   */
  mutants?: Iterable<ServerMutantId>;
}

export interface RunningServer {
  /** http://host:port */
  readonly url: string;
  /** ws://host:port */
  readonly wsUrl: string;
  readonly port: number;
  readonly controlToken?: string;
  readonly clock: Clock;
  stats(): Stats;
  close(): Promise<void>;
}

/** Validates options.config over the defaults; a bad key or value throws a TypeError naming it. */
function startupConfig(patch: Partial<Config> | undefined): Readonly<Config> {
  const merged = Config.safeParse({ ...defaultConfig, ...(patch as ConfigPatch | undefined) });
  if (!merged.success) {
    const issue = merged.error.issues[0];
    throw new TypeError(`startServer: config.${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return Object.freeze(merged.data);
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const conformance = options.conformance ?? false;
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? (conformance ? new ManualClock() : new RealClock());
  const baseConfig = startupConfig(options.config);
  const mutants = serverMutantSet(options.mutants ?? []); // validated at run time too (ids from a CLI)
  // an empty token counts as none: a generated one is used (and logged) instead [CTL-2]
  const given = options.controlToken === '' ? undefined : options.controlToken;
  const controlToken = conformance ? (given ?? randomBytes(24).toString('base64url')) : undefined;
  const store: Store = options.db ? new SqliteStore(options.db) : new MemoryStore();
  const sms = new OutboxGateway(log);
  const claimFailureLimit =
    options.claimFailureLimit === undefined
      ? conformance
        ? null
        : DEFAULT_CLAIM_FAILURES
      : options.claimFailureLimit || null;
  const coreDeps = { clock, store, sms, log, claimFailureLimit, mutants };
  let core = new Core({ ...coreDeps, config: baseConfig });
  const controls = new Set<ControlClient>();

  /** [CTL-3] close every phone and web connection with 1012, clear all state and config; keep the clock. */
  const reset = (): void => {
    for (const conn of transport.connections()) if (conn.endpoint !== 'control') conn.abandon(1012, 'server reset');
    core.cancelAll();
    store.clear();
    sms.clear();
    core = new Core({ ...coreDeps, config: baseConfig });
  };

  const accept = (endpoint: Endpoint, conn: Connection<{ t: string }>): ConnectionHandler => {
    const at = core;
    if (endpoint === 'web') {
      const web = new WebClient(at, conn as unknown as Connection<ServerToWeb>);
      at.webs.add(web);
      return {
        onText: (t) => web.onText(t),
        onGone: () => {
          at.webs.delete(web);
          web.onGone();
        },
      };
    }
    if (endpoint === 'phone') {
      const phone = new PhoneClient(at, conn as unknown as Connection<ServerToPhone>);
      at.phoneConns.add(phone);
      return {
        onText: (t) => phone.onText(t),
        onGone: () => {
          at.phoneConns.delete(phone);
          phone.onGone();
        },
      };
    }
    const control = new ControlClient(
      { core: () => core, reset, controlConnections: () => controls.size },
      conn as unknown as Connection<ControlReply>,
    );
    controls.add(control);
    return {
      onText: (t) => control.onText(t),
      onInvalidText: () => control.onInvalidText(),
      onGone: () => controls.delete(control),
    };
  };

  const transport = new Transport({
    conformance,
    controlToken,
    origins: options.origins,
    mutants,
    page: options.page ?? (() => MISSING_PAGE),
    assets: options.assets ?? {},
    limits: () => ({
      frameLimit: core.config.frameLimit,
      rateMessages: core.config.rateMessages,
      rateWindowMs: core.config.rateWindowMs,
    }),
    now: () => clock.now(),
    accept,
    log,
  });

  let port: number;
  try {
    port = await transport.listen(options.port ?? 0, host);
  } catch (err) {
    store.close();
    throw err;
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  if (conformance && given === undefined) log(`control token: ${controlToken}`);
  const tlsNotice = plaintextWarning(host); // [TR-9]
  if (tlsNotice) log(tlsNotice);
  let closed = false;
  return {
    url: `http://${hostPart}:${port}`,
    wsUrl: `ws://${hostPart}:${port}`,
    port,
    ...(controlToken === undefined ? {} : { controlToken }),
    clock,
    stats: () => statsOf(core, controls.size),
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      for (const conn of transport.connections()) conn.abandon(1001, 'server shutting down');
      core.cancelAll();
      await transport.close();
      store.close();
    },
  };
}
