/**
 * The reference phone: registration, authentication, the "Link a device" scanner, the consent
 * screen, approval with real crypto, key confirmation, linked sessions and the end-to-end relay
 * serving the chat history. Transport and clock are injected, so the core runs without sockets in
 * tests. Every rule it enforces cites its clause.
 */
import type { PhoneToWebOp, WebToPhoneOp } from '../../model/protocol/app-ops.js';
import { Close } from '../../model/protocol/codes.js';
import type { PhoneDriverState, PhoneDriverStateName } from '../../model/protocol/driver-frames.js';
import type { Device } from '../../model/protocol/encoding.js';
import { toB64u } from '../../model/protocol/encoding.js';
import { parseFrame } from '../../model/protocol/parse.js';
import type { ServerToPhone } from '../../model/protocol/phone-frames.js';
import { parseQr } from '../../model/protocol/qr-payload.js';
import { type Clock, systemClock, type TimerHandle } from '../client-clock.js';
import { type AccountData, approve, generateKeyPair, verifyConfirm } from '../crypto/index.js';
import { StateFeed } from '../state-feed.js';
import { ChatStore, type ChatStoreOptions } from './chat-store.js';
import { CommandError } from './command-error.js';
import { type PhoneMutantId, type RelayFaults, relayFaults } from './mutants.js';
import type { PhoneStateStore } from './phone-state.js';
import { SessionRelay, type ToWebFrame } from './session-relay.js';
import type { PhoneConnection, PhoneConnector } from './transport.js';

type ErrorInfo = NonNullable<PhoneDriverState['error']>;
type Frame<T extends ServerToPhone['t']> = Extract<ServerToPhone, { t: T }>;
type Approval = Awaited<ReturnType<typeof approve>>;
type ScannedQr = ReturnType<typeof parseQr>;

const AUTHENTICATED = new Set<PhoneDriverStateName>(['ready', 'scanning', 'consenting', 'approving', 'confirming']);

/** Server frames after which the persistent state is saved. */
const PERSISTED = new Set<ServerToPhone['t']>([
  'register.ok',
  'auth.ok',
  'link.ok',
  'web.attached',
  'web.detached',
  'acked',
  'session.ended',
  'unlinked',
  'error',
]);

/** One linking attempt, from scan to link.ok. */
interface Attempt {
  ref: string;
  payload: ScannedQr;
  consent?: { device: Device; address: string; requestedAt: number; keep: boolean };
  consentTimer?: TimerHandle;
  approval?: Approval;
  phase: 'scanning' | 'consenting' | 'approving' | 'confirming';
}

export interface PhoneCoreOptions {
  connector: PhoneConnector;
  clock?: Clock;
  /** The owner's display name, sent in the approval box. */
  name?: string;
  /** Seed and size of the deterministic chat history. */
  history?: ChatStoreOptions;
  /**
   * How long the consent screen stays up before it lapses locally (CONS-2; default 60000). 0: no
   * local timeout, as a driven phone must behave [DRV-12] (the server's consent timer still ends it).
   */
  consentMs?: number;
  /** Human-readable log lines (consent screen, notifications). */
  log?: (line: string) => void;
  /** Sees every secret and plaintext as it is made (secrecy audits in tests); nothing else. */
  onSecret?: (label: string, value: Uint8Array | string) => void;
  /**
   * Persistent state (`--state FILE`): loaded at construction (a corrupt state throws
   * PhoneStateError naming its source), saved on every change and before every sealed frame or
   * ack is sent, so a restarted phone re-authenticates and never re-uses a (key, n) [E2E-12].
   */
  state?: PhoneStateStore;
  /** Deliberate faults switched on (mutants.ts, validated by the caller); empty for the reference phone. */
  mutants?: ReadonlySet<PhoneMutantId>;
}

export type StateListener = (state: PhoneDriverState) => void;

export class PhoneCore {
  private readonly connector: PhoneConnector;
  private readonly clock: Clock;
  private readonly consentMs: number;
  private readonly log: (line: string) => void;
  private readonly onSecret: ((label: string, value: Uint8Array | string) => void) | undefined;
  private readonly stateStore: PhoneStateStore | undefined;
  private readonly history: ChatStoreOptions | undefined;
  readonly name: string;
  private chats: ChatStore;
  // Mutant flags, read once here (mutants.ts).
  private readonly autoApprove: boolean;
  private readonly keepRotatedConsent: boolean;
  private readonly skipConfirmCheck: boolean;
  private readonly leakLinkSecret: boolean;
  private readonly faults: RelayFaults;

  private conn: PhoneConnection | undefined;
  private connOpen = false;
  private server: string | undefined;
  private stateName: PhoneDriverStateName = 'idle';
  private error: ErrorInfo | null = null;

  private phone: string | null = null;
  private accountId: string | null = null;
  private deviceToken: string | undefined;
  private identityKey: string | undefined;
  private registering: string | undefined;

  private attempt: Attempt | undefined;
  private readonly sessions = new Map<string, SessionRelay>();
  private readonly feed = new StateFeed<PhoneDriverState>(() => this.state());

  constructor(options: PhoneCoreOptions) {
    this.connector = options.connector;
    this.clock = options.clock ?? systemClock;
    this.consentMs = options.consentMs ?? 60_000;
    this.log = options.log ?? (() => {});
    this.onSecret = options.onSecret;
    this.name = options.name ?? 'Phone owner';
    this.history = options.history;
    this.chats = new ChatStore({ owner: this.name, ...options.history });
    const mutants = options.mutants ?? new Set<PhoneMutantId>();
    this.autoApprove = mutants.has('phone.approves-without-user');
    this.keepRotatedConsent = mutants.has('phone.approves-rotated-ref');
    this.skipConfirmCheck = mutants.has('phone.skips-confirm-check');
    this.leakLinkSecret = mutants.has('phone.leaks-link-secret');
    this.faults = relayFaults(mutants);
    this.stateStore = options.state;
    const saved = options.state?.load();
    if (saved) {
      this.phone = saved.phone;
      this.accountId = saved.accountId;
      this.deviceToken = saved.deviceToken;
      this.identityKey = saved.identityKey;
      for (const snap of saved.sessions)
        this.sessions.set(snap.sessionId, SessionRelay.restore(snap, this.onSecret, this.faults));
    }
  }

  /** The phone's chats (seeded, plus what linked browsers sent). */
  get store(): ChatStore {
    return this.chats;
  }

  /**
   * `reset` makes a fresh installation [DRV-13]. Closes any connection with 1000 and forgets the device
   * token, identity key, number, account, sessions with their keys, the last server, the chats
   * written since the start and the state file's content; state `idle`.
   */
  reset(): PhoneDriverState {
    this.dropConnection();
    this.server = undefined;
    this.phone = null;
    this.accountId = null;
    this.deviceToken = undefined;
    this.identityKey = undefined;
    this.registering = undefined;
    this.sessions.clear();
    this.chats = new ChatStore({ owner: this.name, ...this.history });
    this.stateStore?.save(undefined);
    this.set('idle', null);
    return this.state();
  }

  /** Saves the state, when a store is configured: the registered identity and every session. */
  private persist(): void {
    if (!this.stateStore) return;
    if (!this.deviceToken || !this.accountId || !this.phone || !this.identityKey) {
      this.stateStore.save(undefined);
      return;
    }
    this.stateStore.save({
      phone: this.phone,
      accountId: this.accountId,
      deviceToken: this.deviceToken,
      identityKey: this.identityKey,
      sessions: [...this.sessions.values()].map((s) => s.snapshot()),
    });
  }

  // ---------------------------------------------------------------- state

  /** The state as the driver reports it [DRV]. */
  state(): PhoneDriverState {
    const a = this.attempt;
    return {
      state: this.stateName,
      phone: this.phone,
      accountId: this.accountId,
      consent:
        a?.consent && a.phase === 'consenting'
          ? {
              ref: a.ref,
              device: { ...a.consent.device },
              address: a.consent.address,
              requestedAt: a.consent.requestedAt,
              keep: a.consent.keep,
            }
          : null,
      sessions: [...this.sessions.values()].map((s) => ({
        sessionId: s.sessionId,
        device: { ...s.device },
        keep: s.keep,
        attached: s.attached,
      })),
      error: this.error ? { ...this.error } : null,
    };
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onChange(listener: StateListener): () => void {
    return this.feed.onChange(listener);
  }

  /** Resolves with the first state (now or later) that satisfies `pred`. */
  waitFor(pred: (s: PhoneDriverState) => boolean): Promise<PhoneDriverState> {
    return this.feed.waitFor(pred);
  }

  private emit(): void {
    this.feed.publish();
  }

  private set(name: PhoneDriverStateName, error?: ErrorInfo | null): void {
    this.stateName = name;
    if (error !== undefined) this.error = error;
    this.emit();
  }

  /** Whether a linked session's keys are held (tests). */
  session(sessionId: string): SessionRelay | undefined {
    return this.sessions.get(sessionId);
  }

  // ---------------------------------------------------------------- connection

  /**
   * `connect {server}` [DRV-10], only when not connected (idle, offline, error). Connects to
   * `server` (ws://host:port) and authenticates if registered; resolves once the socket is open and
   * `auth` (if any) is written [DRV-5].
   */
  connect(server: string): Promise<PhoneDriverState> {
    if (this.stateName !== 'idle' && this.stateName !== 'offline' && this.stateName !== 'error') {
      return Promise.reject(new CommandError('bad_state', `connect: already connected (state ${this.stateName})`));
    }
    return this.open(server);
  }

  private open(server: string): Promise<PhoneDriverState> {
    this.server = server;
    this.dropConnection();
    this.set('connecting', null);
    return new Promise((resolve, reject) => {
      let opened = false;
      const conn = this.connector(server, {
        open: () => {
          if (this.conn !== conn) return;
          opened = true;
          this.connOpen = true;
          if (this.deviceToken && this.phone) {
            this.send({ t: 'auth', phone: this.phone, deviceToken: this.deviceToken });
            this.set('connecting');
          } else {
            this.set('unregistered');
          }
          resolve(this.state());
        },
        text: (data) => {
          if (this.conn === conn) this.onText(data);
        },
        closed: (code) => {
          if (this.conn !== conn) return;
          if (!opened) {
            // [DRV-5] a failed handshake: the command fails, the phone stops (connect_failed).
            this.conn = undefined;
            this.set('error', { code: 'connect_failed', detail: `could not connect to ${server} (close ${code})` });
            reject(new CommandError('failed', `could not connect to ${server} (close ${code})`));
            return;
          }
          this.onClosed(code);
        },
      });
      this.conn = conn;
    });
  }

  /**
   * `online {value}` [DRV-10], false closes the connection with 1000 (`offline`; no effect when not
   * connected); true connects again to the last server (no effect when connected or connecting).
   */
  async setOnline(value: boolean): Promise<PhoneDriverState> {
    if (!value) {
      if (!this.conn) return this.state();
      this.dropConnection();
      this.set('offline');
      return this.state();
    }
    if (!this.server) throw new CommandError('bad_state', 'online: never connected (use connect {server} first)');
    if (this.conn) return this.state();
    return this.open(this.server);
  }

  /** Closes the connection (no reconnect). */
  close(): void {
    this.dropConnection();
    if (this.stateName !== 'error') this.set('offline');
  }

  private dropConnection(): void {
    const conn = this.conn;
    this.conn = undefined;
    this.connOpen = false;
    this.endAttempt();
    for (const s of this.sessions.values()) s.detach();
    conn?.close(1000);
  }

  private onClosed(code: number): void {
    this.conn = undefined;
    this.connOpen = false;
    this.endAttempt();
    for (const s of this.sessions.values()) s.detach();
    if (this.stateName === 'error') {
      this.emit();
      return;
    }
    // [14.7, REG-8, REG-9] a close 4401 alone says what `error unauthorized` says: the device token
    // no longer works; a close 4002 alone is a replacement [REG-10]. Both stop the phone.
    if (code === Close.unauthorized) {
      this.forgetDevice();
      this.set('error', { code: 'unauthorized', detail: `the server closed the connection (${code})` });
      return;
    }
    if (code === Close.conflict) {
      this.set('error', { code: 'conflict', detail: `the server closed the connection (${code})` });
      return;
    }
    this.set('offline', { code: 'closed', detail: `the server closed the connection (${code})` });
  }

  private send(frame: object): void {
    if (this.conn && this.connOpen) this.conn.send(frame);
  }

  /** The authenticated states [14.7, DRV-10]. */
  private requireAuthenticated(what: string): void {
    if (!this.conn || !this.connOpen) throw new CommandError('bad_state', `${what}: the phone is not connected`);
    if (!this.accountId || !AUTHENTICATED.has(this.stateName)) {
      throw new CommandError('bad_state', `${what}: the phone is not authenticated (state ${this.stateName})`);
    }
  }

  // ---------------------------------------------------------------- registration

  /** `register {phone}` [DRV-10: unregistered, registering], asks the server to text a code. */
  register(phone: string): PhoneDriverState {
    if (!this.conn || !this.connOpen || (this.stateName !== 'unregistered' && this.stateName !== 'registering')) {
      throw new CommandError('bad_state', `register: not possible in state ${this.stateName}`);
    }
    this.registering = phone;
    this.send({ t: 'register', phone });
    this.set('registering', null);
    return this.state();
  }

  /** `code {code}`: the code from the SMS (register.verify, with a fresh identity key). */
  async code(code: string): Promise<PhoneDriverState> {
    if (!this.registering || this.stateName !== 'registering') {
      throw new CommandError('bad_state', 'code: no registration in progress (use register first)');
    }
    if (!this.identityKey) this.identityKey = toB64u((await generateKeyPair()).publicKey);
    this.send({ t: 'register.verify', phone: this.registering, code, identityKey: this.identityKey });
    this.set('verifying', null);
    return this.state();
  }

  // ---------------------------------------------------------------- linking

  /**
   * The "Link a device" scanner [CONS-3]: the only way a link payload enters the phone. Parses the
   * QR text strictly [E2E-2] and claims its ref.
   */
  scan(text: string): PhoneDriverState {
    this.requireAuthenticated('scan');
    if (this.attempt || this.stateName !== 'ready') {
      throw new CommandError('bad_state', `scan: only in state ready (now ${this.stateName})`);
    }
    let payload: ScannedQr;
    try {
      payload = parseQr(text);
    } catch (err) {
      const detail = `not a QR Link code: ${(err as Error).message}`;
      this.set(this.stateName, { code: 'bad_qr', detail });
      throw new CommandError('failed', detail);
    }
    this.attempt = { ref: payload.text.ref, payload, phase: 'scanning' };
    this.send({ t: 'link.claim', ref: payload.text.ref });
    this.set('scanning', null);
    return this.state();
  }

  /**
   * The user's explicit approval on the consent screen [CONS-2, PHONE-1]: only while the consent
   * screen is up and within consentMs. Makes a fresh ephemeral key and the box [E2E-3, E2E-5] for
   * the ref, webPub and linkSecret of the scanned QR [PHONE-2].
   */
  async approve(): Promise<PhoneDriverState> {
    const a = this.attempt;
    if (a?.phase !== 'consenting' || !a.consent) {
      throw new CommandError('bad_state', 'approve: no consent screen is showing');
    }
    if (!this.accountId || !this.phone || !this.identityKey) {
      throw new CommandError('bad_state', 'approve: the phone has no account');
    }
    a.consentTimer?.cancel();
    a.phase = 'approving';
    this.set('approving', null);
    const account: AccountData = {
      accountId: this.accountId,
      phone: this.phone,
      name: this.name,
      identityKey: this.identityKey,
    };
    let approval: Approval;
    try {
      approval = await approve(a.payload, account);
    } catch (err) {
      if (this.attempt === a) {
        this.send({ t: 'link.decline', ref: a.ref });
        this.endAttempt();
        this.set('ready', { code: 'crypto', detail: `approval failed: ${(err as Error).message}` });
      }
      throw new CommandError('failed', `approve: ${(err as Error).message}`);
    }
    if (this.attempt !== a) return this.state(); // lapsed or ended while the keys were made
    a.approval = approval;
    for (const [label, key] of Object.entries(approval.keys)) this.onSecret?.(label, key);
    this.send({
      t: 'link.approve',
      ref: a.ref,
      pub: approval.pub,
      box: approval.box,
      // MUTANT phone.leaks-link-secret: the QR's secret goes to the server with the approval.
      ...(this.leakLinkSecret ? { linkSecret: a.payload.text.linkSecret } : {}),
    });
    this.emit();
    return this.state();
  }

  /** The user declines on the consent screen [CONS-2, DRV-10: consenting only]. */
  decline(): PhoneDriverState {
    const a = this.attempt;
    if (a?.phase !== 'consenting') {
      throw new CommandError('bad_state', 'decline: no consent screen is showing');
    }
    this.send({ t: 'link.decline', ref: a.ref });
    this.endAttempt();
    this.set('ready', null);
    return this.state();
  }

  private endAttempt(): void {
    this.attempt?.consentTimer?.cancel();
    this.attempt = undefined;
  }

  // ---------------------------------------------------------------- sessions

  unlink(sessionId: string): PhoneDriverState {
    this.requireAuthenticated('unlink');
    this.send({ t: 'unlink', sessionId });
    return this.state();
  }

  unlinkAll(): PhoneDriverState {
    this.requireAuthenticated('unlink_all');
    this.send({ t: 'unlink_all' });
    return this.state();
  }

  /** A message arrives on the phone (from a contact): stored and pushed to every linked web client. */
  receiveMessage(chatId: string, from: string, text: string): boolean {
    const message = this.store.add(chatId, from, text, this.clock.now());
    if (!message) return false;
    for (const s of this.sessions.values()) this.relay(s, { op: 'message', message });
    this.emit();
    return true;
  }

  private relay(s: SessionRelay, op: PhoneToWebOp): void {
    this.sendAll(s.push(op));
  }

  /** Sends sealed frames, after saving the counters that sealed them [E2E-12]. */
  private sendAll(frames: ToWebFrame[]): void {
    if (frames.length === 0) return;
    this.persist();
    for (const f of frames) this.send(f);
  }

  // ---------------------------------------------------------------- frames from the server

  private onText(data: string): void {
    const parsed = parseFrame<ServerToPhone>('server-to-phone', data);
    if (!parsed.ok) {
      this.log(`ignored a frame from the server: ${parsed.error.detail}`);
      return;
    }
    this.handle(parsed.frame);
    if (PERSISTED.has(parsed.frame.t)) this.persist();
  }

  private handle(f: ServerToPhone): void {
    switch (f.t) {
      case 'register.sent':
        this.set('registering', null);
        return;
      case 'register.error':
        this.onRegisterError(f);
        return;
      case 'register.ok':
        this.onRegisterOk(f);
        return;
      case 'auth.ok':
        this.onAuthOk(f);
        return;
      case 'link.claimed':
        this.onClaimed(f);
        return;
      case 'link.error':
        this.onLinkError(f);
        return;
      case 'link.confirm':
        this.onConfirm(f);
        return;
      case 'link.ok':
        this.onLinkOk(f);
        return;
      case 'web.attached':
        this.onAttached(f);
        return;
      case 'web.detached':
        this.sessions.get(f.sessionId)?.detach();
        this.emit();
        return;
      case 'from_web':
        this.onFromWeb(f);
        return;
      case 'acked': {
        const s = this.sessions.get(f.sessionId);
        if (s) this.sendAll(s.acked(f.e, f.n));
        return;
      }
      case 'queue_full':
        this.sessions.get(f.sessionId)?.queueFull(f.e, f.n); // [RELAY-15]
        return;
      case 'session.ended':
        if (this.sessions.delete(f.sessionId)) this.log(`linked device ${f.sessionId} ended (${f.reason})`);
        this.emit();
        return;
      case 'unlinked':
        for (const id of f.sessionIds) this.sessions.delete(id);
        this.emit();
        return;
      case 'error':
        this.onError(f);
        return;
    }
  }

  private onRegisterError(f: Frame<'register.error'>): void {
    const detail =
      f.reason === 'bad_code'
        ? `wrong code, ${f.attemptsLeft ?? '?'} attempts left`
        : f.retryAfterMs !== undefined
          ? `${f.reason}, retry after ${f.retryAfterMs} ms`
          : f.reason;
    const retry = f.reason === 'bad_code' || f.reason === 'too_soon';
    this.set(retry ? 'registering' : 'unregistered', { code: f.reason, detail });
  }

  private onRegisterOk(f: Frame<'register.ok'>): void {
    this.phone = this.registering ?? this.phone;
    this.registering = undefined;
    this.accountId = f.accountId;
    this.deviceToken = f.deviceToken;
    // Re-registration: every web session of the account was revoked by the server [REG-8].
    this.sessions.clear();
    this.set('ready', null);
  }

  private onAuthOk(f: Frame<'auth.ok'>): void {
    this.accountId = f.accountId;
    const live = new Set(f.sessions.map((s) => s.sessionId));
    for (const id of [...this.sessions.keys()]) if (!live.has(id)) this.sessions.delete(id);
    for (const info of f.sessions) {
      const s = this.sessions.get(info.sessionId);
      if (s) {
        s.device = info.device;
        s.keep = info.keep;
      } else {
        // A session made by an earlier run of this phone: listed, but without keys it cannot relay.
        this.sessions.set(info.sessionId, new SessionRelay(info.sessionId, info.device, info.keep, undefined));
      }
    }
    this.set('ready', null);
  }

  private onClaimed(f: Frame<'link.claimed'>): void {
    const a = this.attempt;
    if (a?.phase !== 'scanning' || a.ref !== f.ref) return;
    a.consent = { device: f.device, address: f.address, requestedAt: f.requestedAt, keep: f.keep };
    a.phase = 'consenting';
    // [CONS-1] what the user sees before deciding; [CONS-2] decline is the default after consentMs.
    this.log(
      `Link a device? "${f.device.name}" (${f.device.platform}) from ${f.address}, requested at ` +
        `${new Date(f.requestedAt).toLocaleString()}${f.keep ? ', asking to stay signed in' : ''}. ` +
        'Approving gives that browser your chat history.',
    );
    if (this.consentMs > 0)
      a.consentTimer = this.clock.setTimer(this.consentMs, () => {
        if (this.attempt !== a || a.phase !== 'consenting') return;
        this.endAttempt();
        this.set('ready', { code: 'lapsed', detail: 'the consent screen was not answered in time' });
      });
    this.set('consenting', null);
    // MUTANT phone.approves-without-user: approval with no explicit user action [PHONE-1].
    if (this.autoApprove) void this.approve().catch(() => {});
  }

  private onLinkError(f: Frame<'link.error'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref) return;
    // MUTANT phone.approves-rotated-ref: the consent screen outlives its attempt [CONS-2, DRV-12].
    if (this.keepRotatedConsent && a.phase === 'consenting') return;
    this.endAttempt();
    this.set('ready', { code: f.reason, detail: `linking ended: ${f.reason}` });
  }

  /** [E2E-8] verify the confirm tag (constant time) before finalize; a wrong tag declines, never finalizes. */
  private onConfirm(f: Frame<'link.confirm'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref || a.phase !== 'approving' || !a.approval) return;
    // The tag binds the exact box this phone sent [E2E-7].
    // MUTANT phone.skips-confirm-check: any tag finalizes.
    if (!this.skipConfirmCheck && !verifyConfirm(a.approval.keys, a.approval.T, a.approval.box, f.tag)) {
      this.send({ t: 'link.decline', ref: a.ref });
      this.endAttempt();
      this.set('ready', { code: 'bad_tag', detail: 'the web client could not prove it holds the keys: declined' });
      return;
    }
    a.phase = 'confirming';
    this.send({ t: 'link.finalize', ref: a.ref });
    this.set('confirming', null);
  }

  private onLinkOk(f: Frame<'link.ok'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref || a.phase !== 'confirming' || !a.approval || !a.consent) return;
    this.sessions.set(
      f.sessionId,
      new SessionRelay(
        f.sessionId,
        a.consent.device,
        a.consent.keep,
        a.approval.keys.kRoot,
        this.onSecret,
        this.faults,
      ),
    );
    this.endAttempt();
    this.log(`New device linked: "${a.consent.device.name}" (${a.consent.device.platform})`); // [CONS-4]
    this.set('ready', null);
  }

  private onAttached(f: Frame<'web.attached'>): void {
    const s = this.sessions.get(f.sessionId);
    if (!s) return;
    this.sendAll(s.attach(f.e)); // [RELAY-14]
    this.emit();
  }

  private onFromWeb(f: Frame<'from_web'>): void {
    const s = this.sessions.get(f.sessionId);
    if (!s) return;
    const r = s.receive(f.e, f.n, f.c);
    if (r.kind === 'dropped') {
      this.log(`dropped a relay frame of session ${f.sessionId} (${r.why})`); // [E2E-13]
      return;
    }
    this.persist(); // the raised high-water, before the ack releases the frame from custody
    this.send({ t: 'ack', sessionId: s.sessionId, e: f.e, n: r.ackN }); // [RELAY-18] also for a duplicate
    if (r.kind === 'op') this.serve(s, r.op);
  }

  private serve(s: SessionRelay, op: WebToPhoneOp): void {
    if (op.op === 'history') {
      this.relay(s, this.store.page(op));
      return;
    }
    const result = this.store.send(op.id, op.chatId, op.text, this.clock.now());
    if (!result) {
      this.log(`send to unknown chat ${op.chatId} ignored`);
      return;
    }
    this.relay(s, { op: 'sent', id: op.id, message: result.message });
    if (result.fresh) {
      for (const other of this.sessions.values()) {
        if (other !== s) this.relay(other, { op: 'message', message: result.message });
      }
    }
  }

  /** The device token stopped working: forget it with the account and its sessions [REG-8]. */
  private forgetDevice(): void {
    this.deviceToken = undefined;
    this.accountId = null;
    this.sessions.clear();
    this.persist();
  }

  private onError(f: Frame<'error'>): void {
    // The device token no longer works (the number was registered elsewhere) [REG-8].
    if (f.code === 'unauthorized') this.forgetDevice();
    this.set('error', { code: f.code, detail: f.detail });
  }
}
