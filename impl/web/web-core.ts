/**
 * The reference web client's protocol core, shared by the Node client and the browser page (no
 * Node imports): hello/resume, a fresh QR per ref, status polling, the offer/confirm exchange with
 * its abort rules, the accountId check, one kept-session record per session only with keep (token,
 * sessionId, kRoot, account: E2E-14) and resuming the most recent one, finishing an unconfirmed
 * logout first (WEB-6), a fresh epoch per attachment, the end-to-end relay
 * and the session's end with compare-before-delete (SESS-14). Socket, storage and clock are injected.
 */
import type { ChatMessage, PhoneToWebOp, WebToPhoneOp } from '../../model/protocol/app-ops.js';
import type { AbortReason } from '../../model/protocol/codes.js';
import type { WebDriverState, WebDriverStateName } from '../../model/protocol/driver-frames.js';
import type { Device } from '../../model/protocol/encoding.js';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { parseFrame } from '../../model/protocol/parse.js';
import { encodeQr } from '../../model/protocol/qr-payload.js';
import type { ServerToWeb } from '../../model/protocol/web-frames.js';
import { type Clock, systemClock, type TimerHandle } from '../client-clock.js';
import { type AccountData, acceptOffer, type LinkSecrets, makeQr, randomBytes } from '../crypto/index.js';
import { StateFeed } from '../state-feed.js';
import { Attachment, type SecretObserver, type ToPhoneFrame } from './attachment.js';
import { CommandError } from './command-error.js';
import { type KeptSession, KeptSessionStore } from './kept-session.js';
import { type WebMutantId, webMutantSet } from './mutants.js';
import type { WebConnection, WebConnector } from './socket.js';
import type { StorageSlot } from './storage-slot.js';

type Frame<T extends ServerToWeb['t']> = Extract<ServerToWeb, { t: T }>;
type ErrorInfo = NonNullable<WebDriverState['error']>;
type Chat = WebDriverState['chats'][number];

/** Close codes that end a connection without a protocol failure: closed, not error [14.6]. */
const EXPECTED_CLOSES = new Set([1000, 1001, 1006, 1012]);

/** One ref's attempt: the secrets behind its QR (memory only) and how far it got. */
interface Attempt {
  ref: string;
  n: number;
  secrets?: LinkSecrets;
  qr?: string;
  scanned: boolean;
  offered: boolean;
  accepted?: { account: AccountData; kRoot: Uint8Array };
}

/** What a session's attachments derive from: in memory, and with keep also in storage [E2E-14]. */
interface SessionKeys {
  kRoot: Uint8Array;
  account: AccountData;
}

/** A connection and what belongs to it. */
interface Link {
  conn: WebConnection;
  open: boolean;
  /** Frames are handled one after another, also across the async crypto steps. */
  queue: Promise<void>;
  /** Set when this client decided to close it; the close event then changes nothing more. */
  closing: boolean;
  /** Resume tokens this connection received or presented: storage is wiped only of these [SESS-14]. */
  tokens: Set<string>;
  /** The stored record whose token this connection presented in `resume`. */
  presented?: KeptSession;
  /** The session this connection is about (linked, resumed or presented): its record is the one SESS-14 deletes. */
  sessionId?: string;
  /** [WEB-6] this connection resumes a logout-pending record only to send `logout`. */
  finishLogout: boolean;
  /** [E2E-14] tokens already presented while opening: each record is tried once, then the next. */
  tried: Set<string>;
}

export interface WebCoreOptions {
  connector: WebConnector;
  /** Where a kept session's record lives (localStorage, a file, memory) [E2E-14]. */
  storage: StorageSlot;
  clock?: Clock;
  device?: Device;
  /** Status poll interval; at least 1000 ms [TR-10]; 0 turns polling off. Default 1000. */
  pollMs?: number;
  log?: (line: string) => void;
  /** Sees every secret and plaintext as it is made (secrecy audits in tests); nothing else. */
  onSecret?: SecretObserver;
  /**
   * Deliberate faults to switch on (mutants.ts), for the conformance suite's self-tests: the client
   * then breaks the clauses each lists. An id not in the catalogue throws UnknownWebMutantError.
   */
  mutants?: Iterable<string>;
}

/** Each web mutant as one boolean, computed once: the guarded branches cost nothing when off. */
function mutantFlags(ids: ReadonlySet<WebMutantId>) {
  return {
    forgedOffer: ids.has('web.accepts-forged-offer'),
    replay: ids.has('web.accepts-replay'),
    mismatch: ids.has('web.ignores-account-mismatch'),
    earlyAccount: ids.has('web.shows-account-before-linked'),
    tokenWithoutKeep: ids.has('web.keeps-token-without-keep'),
    reuseQrKey: ids.has('web.reuses-qr-key'),
    secondOffer: ids.has('web.accepts-second-offer'),
    wipeOnConflict: ids.has('web.wipes-on-conflict'),
    noAck: ids.has('web.no-ack'),
  };
}

export type WebStateListener = (state: WebDriverState) => void;

export class WebCore {
  private readonly connector: WebConnector;
  private readonly kept: KeptSessionStore;
  private readonly clock: Clock;
  private readonly device: Device;
  private readonly pollMs: number;
  private readonly log: (line: string) => void;
  private readonly onSecret: SecretObserver | undefined;
  private readonly mutant: ReturnType<typeof mutantFlags>;
  /** MUTANT web.reuses-qr-key: the secrets of the first QR, shown again for every later ref. */
  private firstSecrets: LinkSecrets | undefined;

  private link: Link | undefined;
  private server: string | undefined;
  private keep = false;
  private stateName: WebDriverStateName = 'idle';
  private error: ErrorInfo | null = null;
  private revokedReason: string | null = null;

  private attempt: Attempt | undefined;
  private pollTimer: TimerHandle | undefined;
  private sessionId: string | null = null;
  private account: AccountData | null = null;
  private phoneOnline: boolean | null = null;
  private attachment: Attachment | undefined;
  /** Operations an ended attachment never saw acked: re-sealed under the next epoch. */
  private carried: WebToPhoneOp[] = [];
  private chats: Chat[] = [];
  private messages: ChatMessage[] = [];

  private readonly feed = new StateFeed<WebDriverState>(() => this.state());

  constructor(options: WebCoreOptions) {
    this.connector = options.connector;
    this.kept = new KeptSessionStore(options.storage);
    this.clock = options.clock ?? systemClock;
    this.device = options.device ?? { name: 'qrlink web', platform: 'node' };
    const poll = options.pollMs ?? 1000;
    this.pollMs = poll === 0 ? 0 : Math.max(1000, poll);
    this.log = options.log ?? (() => {});
    this.onSecret = options.onSecret;
    this.mutant = mutantFlags(webMutantSet(options.mutants ?? []));
  }

  // ---------------------------------------------------------------- state

  state(): WebDriverState {
    const a = this.attempt;
    const showQr = (this.stateName === 'qr' && a?.qr) || undefined;
    return {
      state: this.stateName,
      qr: showQr ? (a?.qr ?? null) : null,
      qrN: showQr ? (a?.n ?? null) : null,
      sessionId: this.sessionId,
      // [WEB-2, E2E-9] account data only once linked with the matching accountId.
      account: this.account
        ? { accountId: this.account.accountId, phone: this.account.phone, name: this.account.name }
        : null,
      phoneOnline: this.phoneOnline,
      keep: this.keep,
      tokenStored: this.kept.read().kind === 'ok',
      revokedReason: this.revokedReason,
      error: this.error ? { ...this.error } : null,
      chats: this.chats.map((c) => ({ ...c })),
      messages: this.messages.map((m) => ({ ...m })),
    };
  }

  /** Calls `listener` on every state change; returns the unsubscribe function. */
  onChange(listener: WebStateListener): () => void {
    return this.feed.onChange(listener);
  }

  /** Resolves with the first state (now or later) that satisfies `pred`. */
  waitFor(pred: (s: WebDriverState) => boolean): Promise<WebDriverState> {
    return this.feed.waitFor(pred);
  }

  private emit(): void {
    this.feed.publish();
  }

  private set(name: WebDriverStateName): void {
    this.stateName = name;
    this.emit();
  }

  private fail(code: string, detail: string): void {
    this.error = { code, detail };
    this.log(`error: ${code}: ${detail}`);
  }

  /** Resolves once every frame received so far on the current connection has been handled. */
  async settled(): Promise<void> {
    let q: Promise<void> | undefined;
    while (this.link && q !== this.link.queue) {
      q = this.link.queue;
      await q;
    }
  }

  /** The current attachment's epoch and high-water (tests). */
  get relay(): { e: string; highWater: number; blocked: boolean } | undefined {
    const a = this.attachment;
    return a ? { e: a.e, highWater: a.highWater, blocked: a.blocked } : undefined;
  }

  // ---------------------------------------------------------------- commands

  /** Starts afresh, as a new tab: connect and say hello with `keep` [LINK-16]. */
  open(server: string, keep: boolean): Promise<WebDriverState> {
    this.server = server;
    this.keep = keep;
    this.error = null;
    this.revokedReason = null;
    return this.connect('hello');
  }

  /** Sets the server and keep without connecting (a client started with a stored token, then `reopen`). */
  configure(server: string, keep: boolean): void {
    this.server = server;
    this.keep = keep;
  }

  /**
   * Starts again with what was stored, as reloading the tab: resume with the stored record (token,
   * sessionId, kRoot, account) [E2E-14], else hello. A stored record that is incomplete or invalid
   * is an error (`bad_storage`), never guessed around.
   */
  reopen(): Promise<WebDriverState> {
    if (!this.server) throw new CommandError('bad_state', 'reopen: never opened (use open {server, keep} first)');
    this.error = null;
    this.revokedReason = null;
    return this.openNext(new Set());
  }

  /**
   * [E2E-14] resumes the most recently written record not yet tried in this opening, else links
   * afresh; [WEB-6] a logout-pending record is resumed only to send `logout` at once.
   */
  private openNext(tried: Set<string>): Promise<WebDriverState> {
    const stored = this.kept.read();
    if (stored.kind === 'corrupt') {
      this.drop();
      this.fail('bad_storage', stored.detail);
      this.set('error');
      return Promise.reject(new CommandError('failed', `reopen: ${stored.detail}`));
    }
    const next = stored.kind === 'ok' ? stored.records.find((r) => !tried.has(r.token)) : undefined;
    return this.connect(next ?? 'hello', tried);
  }

  /** Goes on opening after a record was used up (4401, or a finished logout) [E2E-14, WEB-6]. */
  private continueOpening(link: Link): void {
    void this.openNext(link.tried).catch((err: unknown) => {
      if (this.stateName !== 'error') {
        this.fail('failed', (err as Error).message);
        this.set('error');
      }
    });
  }

  /** What storage holds: nothing, a valid kept session, or a corrupt record (startup checks). */
  storedSession(): ReturnType<KeptSessionStore['read']> {
    return this.kept.read();
  }

  /** Closes the connection, as closing the tab: a stored token stays. */
  close(): WebDriverState {
    this.drop();
    this.set('closed');
    return this.state();
  }

  /**
   * [DRV-13] forgets everything, as a fresh installation: any connection closed with 1000, every
   * stored record wiped, the last server and keep forgotten, every field of the state initial.
   */
  reset(): WebDriverState {
    this.drop();
    this.kept.clear();
    this.firstSecrets = undefined;
    this.server = undefined;
    this.keep = false;
    this.error = null;
    this.revokedReason = null;
    this.forgetKeys();
    this.set('idle');
    return this.state();
  }

  /**
   * Logs out [SESS-9]: keys leave memory at once; the stored record stays, marked logout-pending,
   * until `revoked {reason: "logout"}` confirms it [WEB-6] (the next open finishes it otherwise).
   */
  logout(): WebDriverState {
    if (this.stateName !== 'linked' || !this.link?.open) throw new CommandError('bad_state', 'logout: not linked');
    this.send({ t: 'logout' });
    const sessionId = this.link.sessionId;
    if (sessionId !== undefined) this.kept.markLogoutPending(sessionId);
    this.forgetKeys();
    this.revokedReason = 'logout';
    this.set('logged_out');
    return this.state();
  }

  /** Asks the phone for a page of history (the chat list without `chatId`). */
  history(chatId?: string): WebDriverState {
    this.relayOp(chatId === undefined ? { op: 'history', limit: 50 } : { op: 'history', chatId, limit: 50 });
    return this.state();
  }

  /** Sends a chat message through the phone. */
  sendMessage(chatId: string, text: string): WebDriverState {
    this.relayOp({ op: 'send', id: toB64u(randomBytes(12)), chatId, text });
    return this.state();
  }

  private relayOp(op: WebToPhoneOp): void {
    if (this.stateName !== 'linked' || !this.attachment) throw new CommandError('bad_state', `${op.op}: not linked`);
    this.sendAll(this.attachment.push(op));
  }

  // ---------------------------------------------------------------- connection

  /** Connects and says hello, or resumes with `first` (the stored record). */
  private connect(first: 'hello' | KeptSession, tried: Set<string> = new Set()): Promise<WebDriverState> {
    const server = this.server as string;
    this.drop();
    // [WEB-2] a new connection shows no account until its linked/resumed is accepted (a resumed
    // session's account comes back with resumed; a stale one stayed on screen before this).
    this.account = null;
    this.set(first === 'hello' ? 'connecting' : 'resuming');
    return new Promise((resolve, reject) => {
      let opened = false;
      const link: Link = {
        conn: undefined as unknown as WebConnection,
        open: false,
        queue: Promise.resolve(),
        closing: false,
        tokens: new Set(),
        finishLogout: first !== 'hello' && first.logoutPending === true,
        tried,
      };
      link.conn = this.connector(server, {
        open: () => {
          if (this.link !== link) return;
          opened = true;
          link.open = true;
          if (first !== 'hello') {
            link.presented = first;
            link.sessionId = first.sessionId;
            link.tokens.add(first.token);
            tried.add(first.token);
            this.send({ t: 'resume', token: first.token });
          } else {
            this.send({ t: 'hello', v: 1, device: this.device, keep: this.keep });
          }
          resolve(this.state());
        },
        text: (data) => {
          if (this.link !== link) return;
          link.queue = link.queue.then(() => this.onText(link, data)).catch((err: unknown) => this.internal(err));
        },
        closed: (code) => {
          if (this.link !== link) return;
          if (!opened) {
            // [DRV-5, DRV-7] a failed handshake: reply failed, state error.
            this.link = undefined;
            this.fail('connect_failed', `could not connect to ${server} (close ${code})`);
            this.set('error');
            reject(new CommandError('failed', `could not connect to ${server} (close ${code})`));
            return;
          }
          link.queue = link.queue.then(() => this.onClosed(link, code));
        },
      });
      this.link = link;
    });
  }

  /** Closes the current connection (if any) and forgets what belonged to it. */
  private drop(code = 1000): void {
    const link = this.link;
    this.link = undefined;
    this.stopPolling();
    this.attempt = undefined;
    this.detach();
    if (link) {
      link.closing = true;
      link.conn.close(code);
    }
  }

  /** Ends the attachment; operations it never saw acked are carried to the next one. */
  private detach(): void {
    if (this.attachment) this.carried = this.attachment.unackedOps();
    this.attachment = undefined;
  }

  private send(frame: object): void {
    if (this.link?.open) this.link.conn.send(frame);
  }

  private sendAll(frames: ToPhoneFrame[]): void {
    for (const f of frames) this.send(f);
  }

  private internal(err: unknown): void {
    this.fail('internal', `unexpected failure: ${(err as Error)?.message ?? String(err)}`);
    this.set('error');
  }

  private onClosed(link: Link, code: number): void {
    if (this.link !== link) return;
    this.link = undefined;
    this.stopPolling();
    this.attempt = undefined;
    this.detach();
    if (code === 4401 && link.presented && this.stateName === 'resuming') {
      // [SESS-14, E2E-14] close 4401 after resume: delete that record if still ours, try the next.
      this.kept.removeIfMine(link.presented.sessionId, link.tokens);
      this.forgetKeys();
      this.continueOpening(link);
      return;
    }
    if (link.closing) return;
    if (code === 4008) {
      // [QR-3, ERR-7] qr.exhausted came first: closed, "expired, reload".
      if (this.error?.code !== 'qr_exhausted') this.fail('qr_exhausted', 'no more QR codes on this connection');
      this.set('closed');
      return;
    }
    if (this.stateName === 'revoked' || this.stateName === 'logged_out' || this.stateName === 'error') {
      this.emit();
      return;
    }
    // [14.6] a connection that closes without `revoked` is `closed` (a client or network close,
    // a server going away or reset); any other close code with no frame explaining it is an error.
    this.fail('closed', `the server closed the connection (${code}) without saying why`);
    this.set(EXPECTED_CLOSES.has(code) ? 'closed' : 'error');
  }

  // ---------------------------------------------------------------- frames

  private async onText(link: Link, data: string): Promise<void> {
    if (this.link !== link) return;
    const parsed = parseFrame<ServerToWeb>('server-to-web', data);
    if (!parsed.ok) {
      this.log(`ignored a frame from the server: ${parsed.error.detail}`);
      return;
    }
    const f = parsed.frame;
    switch (f.t) {
      case 'qr':
        return this.onQr(link, f);
      case 'qr.exhausted':
        // [QR-3, 14.6] hide the QR; "expired, reload"; the server closes with 4008.
        this.attempt = undefined;
        this.stopPolling();
        link.closing = true;
        this.fail('qr_exhausted', 'the QR code expired too many times: reload to try again');
        return this.set('closed');
      case 'status.result':
        return this.onStatus(f);
      case 'scanned':
        return this.onScanned(f);
      case 'declined':
        return this.onDeclined(f);
      case 'offer':
        return this.onOffer(link, f);
      case 'linked':
        return this.onLinked(link, f);
      case 'resumed':
        return this.onResumed(link, f);
      case 'phone':
        this.phoneOnline = f.online;
        return this.emit();
      case 'from_phone':
        return this.onFromPhone(f);
      case 'acked':
        // [RELAY-15, RELAY-17] any epoch: custody has room; own epoch: release held plaintexts.
        if (this.attachment) this.sendAll(this.attachment.acked(f.e, f.n));
        return this.emit();
      case 'queue_full':
        this.attachment?.queueFull(f.e, f.n); // [RELAY-15]
        return this.emit();
      case 'revoked':
        return this.onRevoked(f);
      case 'error':
        return this.onError(f);
    }
  }

  /** [E2E-1, WEB-1] a fresh key pair and linkSecret for every ref; the previous QR is gone. */
  private async onQr(link: Link, f: Frame<'qr'>): Promise<void> {
    if (this.sessionId) return; // a qr after linked is a server bug: ignore it
    const attempt: Attempt = { ref: f.ref, n: f.n, scanned: false, offered: false };
    this.attempt = attempt;
    this.stopPolling();
    this.set('qr');
    let { qr, secrets } = await makeQr(f.ref);
    if (this.mutant.reuseQrKey) {
      // MUTANT web.reuses-qr-key: the first QR's key pair and linkSecret again [E2E-1].
      if (this.firstSecrets) {
        secrets = this.firstSecrets;
        const ref = fromB64u(f.ref) as Uint8Array;
        qr = encodeQr({ ref, webPub: secrets.webPub, linkSecret: secrets.linkSecret });
      } else this.firstSecrets = secrets;
    }
    if (this.link !== link || this.attempt !== attempt) return;
    attempt.qr = qr;
    attempt.secrets = secrets;
    this.onSecret?.('linkSecret', secrets.linkSecret);
    this.onSecret?.('webPriv', secrets.webPriv);
    this.startPolling(link, attempt);
    this.emit();
  }

  /** [TR-10] status at most once per second, while the QR is up. */
  private startPolling(link: Link, attempt: Attempt): void {
    if (this.pollMs === 0) return;
    this.pollTimer = this.clock.setTimer(this.pollMs, () => {
      this.pollTimer = undefined;
      if (this.link !== link || this.attempt !== attempt || this.stateName !== 'qr') return;
      this.send({ t: 'status', ref: attempt.ref });
      this.startPolling(link, attempt);
    });
  }

  private stopPolling(): void {
    this.pollTimer?.cancel();
    this.pollTimer = undefined;
  }

  private onStatus(f: Frame<'status.result'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref) return;
    if (f.state === 'expired' || f.state === 'unknown') {
      // [WEB-1] never show the QR of a dead ref; the server sends the next one.
      a.qr = undefined;
      this.stopPolling();
      this.emit();
    }
  }

  private onScanned(f: Frame<'scanned'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref) return;
    a.scanned = true;
    this.stopPolling();
    this.set('scanned');
  }

  private onDeclined(f: Frame<'declined'>): void {
    const a = this.attempt;
    if (!a || a.ref !== f.ref) return;
    this.attempt = undefined;
    this.stopPolling();
    this.fail(f.reason, f.reason === 'declined' ? 'the phone declined' : `linking ended: ${f.reason}`);
    this.set('connecting'); // [14.6, DRV-7] waiting for the fresh qr
  }

  /**
   * [E2E-6] an offer for a ref that is not the claimed one, a second offer, or a box that does not
   * open ends the attempt: abort, show an error, close, and start again with a fresh connection.
   */
  private async onOffer(link: Link, f: Frame<'offer'>): Promise<void> {
    const a = this.attempt;
    if (a?.offered) {
      if (this.mutant.secondOffer) return; // MUTANT web.accepts-second-offer [E2E-6]
      return this.abort(link, a.ref, 'second_offer');
    }
    if (!a || a.ref !== f.ref || !a.scanned || !a.secrets) return this.abort(link, a?.ref ?? f.ref, 'bad_offer');
    a.offered = true;
    const refBytes = fromB64u(a.ref) as Uint8Array;
    let result: Awaited<ReturnType<typeof acceptOffer>>;
    try {
      result = await acceptOffer(a.secrets, refBytes, { pub: f.pub, box: f.box });
    } catch (err) {
      if (this.mutant.forgedOffer) {
        // MUTANT web.accepts-forged-offer: the opening failure is ignored and confirmed [E2E-6, E2E-17].
        this.send({ t: 'confirm', ref: a.ref, tag: toB64u(randomBytes(16)) });
        return this.set('confirming');
      }
      this.log(`offer refused: ${(err as Error).message}`);
      return this.abort(link, a.ref, 'bad_box');
    }
    if (this.link !== link || this.attempt !== a) return;
    a.accepted = { account: result.account, kRoot: result.keys.kRoot };
    if (this.mutant.earlyAccount) this.account = result.account; // MUTANT web.shows-account-before-linked [WEB-2]
    for (const [label, key] of Object.entries(result.keys)) this.onSecret?.(label, key);
    this.send({ t: 'confirm', ref: a.ref, tag: result.tag }); // [E2E-7]
    this.set('confirming');
  }

  private abort(link: Link, ref: string, reason: AbortReason): void {
    if (this.link !== link) return;
    this.send({ t: 'abort', ref, reason });
    this.fail(reason, `linking aborted: ${reason === 'bad_box' ? 'the approval does not open' : reason}`);
    this.drop(1000);
    void this.connect('hello').catch((err: unknown) => {
      this.fail('failed', (err as Error).message);
      this.set('error');
    });
  }

  /** [E2E-9, WEB-2] linked only with the accountId from the box; else logout, error, account never shown. */
  private onLinked(link: Link, f: Frame<'linked'>): void {
    const a = this.attempt;
    const accepted = a?.accepted;
    // MUTANT web.ignores-account-mismatch: the accountId of linked is not compared with the box [E2E-9].
    if (!a || !accepted || (accepted.account.accountId !== f.accountId && !this.mutant.mismatch)) {
      if (f.token !== undefined) link.tokens.add(f.token);
      this.send({ t: 'logout' });
      this.fail(
        'account_mismatch',
        accepted ? 'the server announced another account than the phone approved' : 'linked without an approval',
      );
      this.attempt = undefined;
      this.forgetKeys(); // nothing was stored for it [E2E-14]
      link.closing = true;
      this.set('error');
      return;
    }
    this.attempt = undefined;
    this.stopPolling();
    // [E2E-14] keep: exactly token, sessionId, kRoot and the account data; [E2E-15] else nothing.
    link.sessionId = f.sessionId;
    // MUTANT web.keeps-token-without-keep: stored whatever keep says [E2E-15].
    if ((this.keep || this.mutant.tokenWithoutKeep) && f.token !== undefined) {
      link.tokens.add(f.token);
      // One record per session [E2E-14]: another session's record (a tab linking at once) stays.
      this.kept.write({ token: f.token, sessionId: f.sessionId, kRoot: accepted.kRoot, account: accepted.account });
    }
    this.error = null;
    this.carried = [];
    this.chats = [];
    this.messages = [];
    this.attach(f.sessionId, { kRoot: accepted.kRoot, account: accepted.account });
  }

  /**
   * [SESS-4, WEB-5] resumed: the session of the stored record this connection presented. Its kRoot
   * (from storage, E2E-14) gives the fresh epoch's keys; the successor token replaces the stored one.
   */
  private onResumed(link: Link, f: Frame<'resumed'>): void {
    const rec = link.presented;
    link.tokens.add(f.token);
    if (!rec || rec.account.accountId !== f.accountId || rec.sessionId !== f.sessionId) {
      // [WEB-5] another account (or session) than the stored one: logout, wipe (SESS-14), error.
      this.send({ t: 'logout' });
      this.fail(
        'account_mismatch',
        rec ? 'the server resumed another account or session than the stored one' : 'resumed without a resume',
      );
      this.wipeSession(rec?.sessionId);
      link.closing = true;
      this.set('error');
      return;
    }
    // [WEB-6] a logout-pending record (this one, or marked by another tab meanwhile): logout at once,
    // before showing anything; the record stays marked, with the successor token, until revoked logout.
    const pending = link.finishLogout || this.kept.get(f.sessionId)?.logoutPending === true;
    this.kept.write({ ...rec, token: f.token, ...(pending ? { logoutPending: true as const } : {}) });
    if (pending) {
      link.finishLogout = true;
      this.send({ t: 'logout' });
      return;
    }
    if (this.sessionId !== f.sessionId) {
      this.chats = [];
      this.messages = [];
      this.carried = [];
    }
    this.attach(f.sessionId, { kRoot: rec.kRoot, account: rec.account });
  }

  /** [E2E-10] a fresh random epoch per attachment; attach {e} acknowledges linked/resumed. */
  private attach(sessionId: string, keys: SessionKeys): void {
    this.sessionId = sessionId;
    this.account = keys.account;
    this.attachment = new Attachment(keys.kRoot, this.carried, this.onSecret, this.mutant.replay);
    this.carried = [];
    this.send({ t: 'attach', e: this.attachment.e });
    this.sendAll(this.attachment.pump());
    this.set('linked');
  }

  private onFromPhone(f: Frame<'from_phone'>): void {
    const att = this.attachment;
    if (!att) return;
    const r = att.receive(f.e, f.n, f.c);
    if (r.kind === 'dropped') {
      this.log(`dropped a relay frame (${r.why})`); // [E2E-13], [LATE-3]: no ack
      return;
    }
    // [RELAY-18] processed or a duplicate: a cumulative ack for the high-water of the own epoch.
    if (!this.mutant.noAck) this.send({ t: 'ack', e: att.e, n: r.n }); // MUTANT web.no-ack [RELAY-18]
    if (r.kind === 'op') this.apply(r.op);
  }

  private apply(op: PhoneToWebOp): void {
    if (op.op === 'history') {
      if (op.chats) this.chats = op.chats.map((c) => ({ ...c }));
      this.merge(op.messages);
    } else {
      this.merge([op.message]);
    }
    this.emit();
  }

  private merge(list: ChatMessage[]): void {
    const byId = new Map(this.messages.map((m) => [m.id, m]));
    for (const m of list) byId.set(m.id, m);
    this.messages = [...byId.values()].sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : 1));
  }

  /**
   * [SESS-14, WEB-3] stop, drop the keys, show why; the stored record is deleted (if still this
   * connection's) unless the reason is `conflict`: the tab that took over presented that token and
   * owns the record now. [WEB-6] `logout` confirms a logout: its record goes.
   */
  private onRevoked(f: Frame<'revoked'>): void {
    const link = this.link;
    if (link) link.closing = true;
    this.stopPolling();
    // MUTANT web.wipes-on-conflict: the record the tab that took over owns is deleted too [SESS-14].
    if (f.reason === 'conflict' && !this.mutant.wipeOnConflict) this.forgetKeys();
    else this.wipeSession(link?.sessionId);
    if (link?.finishLogout) {
      // [WEB-6] an unconfirmed logout finished at open (or the session ended anyway): on with the
      // next record or a fresh link. After `conflict` another tab holds it: the record stays marked.
      if (f.reason !== 'conflict') {
        this.continueOpening(link);
        return;
      }
      this.revokedReason = f.reason;
      this.set('revoked');
      return;
    }
    if (this.stateName === 'error') {
      // The answer to this client's own logout after an account mismatch: the error stays shown.
      this.emit();
      return;
    }
    this.revokedReason = f.reason;
    this.set(f.reason === 'logout' ? 'logged_out' : 'revoked');
  }

  private onError(f: Frame<'error'>): void {
    if (this.link) this.link.closing = true;
    const link = this.link;
    if (f.code === 'unauthorized' && link?.presented && this.stateName === 'resuming') {
      // [SESS-2, SESS-14, E2E-14] the presented token is refused: delete that record if still ours,
      // then try the next most recent record, with none left link afresh.
      this.wipeSession(link.presented.sessionId);
      this.continueOpening(link);
      return;
    }
    if (f.code === 'unauthorized') {
      this.wipeSession(link?.sessionId);
      this.revokedReason = 'unauthorized';
      this.fail('unauthorized', f.detail);
      this.set('revoked');
      return;
    }
    this.fail(f.code, f.detail);
    this.set('error');
  }

  /**
   * [SESS-14] forgets the session: keys, epoch, history from memory; the stored record of
   * `sessionId` only if its token is still one this connection received or presented.
   */
  private wipeSession(sessionId: string | undefined): void {
    if (this.link && sessionId !== undefined) this.kept.removeIfMine(sessionId, this.link.tokens);
    this.forgetKeys();
  }

  /** [SESS-14] drops every key of the session from memory; storage untouched. */
  private forgetKeys(): void {
    this.sessionId = null;
    this.account = null;
    this.phoneOnline = null;
    this.attachment = undefined;
    this.carried = [];
    this.chats = [];
    this.messages = [];
  }
}
