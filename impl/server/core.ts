/**
 * The protocol state of one server run: configuration, clock, store and the services that act on them.
 * A control `reset` discards a `Core` and builds a fresh one over the same clock and (cleared) store.
 */
import type { Config } from '../../model/protocol/config.js';
import { Accounts } from './account.js';
import { Linking } from './attempt.js';
import type { Clock, TimerHandle } from './clock.js';
import type { ServerMutantId } from './mutants.js';
import type { PhoneClient } from './phone-endpoint.js';
import type { RateLimit } from './rate-limit.js';
import { RefTable } from './ref.js';
import { Registration } from './registration.js';
import { Relay } from './relay.js';
import { Sessions } from './session.js';
import type { OutboxGateway } from './sms-gateway.js';
import type { Store } from './storage/store.js';
import type { WebClient } from './web-endpoint.js';

/** A bound on failures within a sliding window [SEC-2]. */
export interface FailureLimit {
  readonly max: number;
  readonly windowMs: number;
}

export interface CoreDeps {
  readonly clock: Clock;
  readonly config: Config;
  readonly store: Store;
  readonly sms: OutboxGateway;
  readonly log: (line: string) => void;
  /** [SEC-2] failed link.claim bound per phone connection and per account; null = off. */
  readonly claimFailureLimit: FailureLimit | null;
  /** Deliberate faults switched on (mutants.ts); empty for the reference behaviour. */
  readonly mutants?: ReadonlySet<ServerMutantId>;
}

export class Core {
  config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly sms: OutboxGateway;
  readonly log: (line: string) => void;
  readonly claimFailureLimit: FailureLimit | null;
  /** Deliberate faults switched on (mutants.ts); each service reads its flags once, at construction. */
  readonly mutants: ReadonlySet<ServerMutantId>;
  /** [SEC-2] failed claims per account (per connection: on the PhoneClient). */
  readonly claimFailuresByAccount = new Map<string, RateLimit>();
  readonly accounts: Accounts;
  readonly registration: Registration;
  readonly refs = new RefTable();
  /** The authenticated phone connection of each account (at most one) [REG-10]. */
  readonly phones = new Map<string, PhoneClient>();
  readonly webs = new Set<WebClient>();
  readonly phoneConns = new Set<PhoneClient>();
  readonly linking: Linking;
  readonly relay: Relay;
  readonly sessions: Sessions;
  readonly #timers = new Set<TimerHandle>();

  constructor(deps: CoreDeps) {
    this.config = deps.config;
    this.clock = deps.clock;
    this.store = deps.store;
    this.sms = deps.sms;
    this.log = deps.log;
    this.claimFailureLimit = deps.claimFailureLimit;
    this.mutants = deps.mutants ?? new Set();
    this.accounts = new Accounts(deps.store);
    this.registration = new Registration(deps.clock, () => this.config, deps.sms, this.accounts, this.mutants);
    this.linking = new Linking(this);
    this.relay = new Relay(this);
    this.sessions = new Sessions(this);
  }

  /** Schedules a protocol timer; an exception inside it is logged, never thrown out [TR-7]. */
  timer(delayMs: number, fn: () => void): TimerHandle {
    const handle = this.clock.setTimer(delayMs, () => {
      this.#timers.delete(handle);
      try {
        fn();
      } catch (err) {
        this.#safeLog(`internal error in a timer: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
    });
    this.#timers.add(handle);
    return handle;
  }

  #safeLog(line: string): void {
    try {
      this.log(line);
    } catch {}
  }

  cancel(handle: TimerHandle | null): void {
    if (!handle) return;
    this.clock.clearTimer(handle);
    this.#timers.delete(handle);
  }

  /** Timers of this core still pending. */
  get timerCount(): number {
    return this.#timers.size;
  }

  /** Cancels every timer (reset, shutdown). */
  cancelAll(): void {
    for (const h of this.#timers) this.clock.clearTimer(h);
    this.#timers.clear();
  }
}
