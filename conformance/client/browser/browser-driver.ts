/**
 * The web driver commands of docs/protocol.md section 16.4 played on a browser page, for a web
 * client that has no driver endpoint (`qrlink check --role web --browser URL`). The page is read
 * through the DOM hooks of docs/conformance.md ("Checking a browser page"): a reader installed in
 * every document reports each change of the hooks (a MutationObserver bridged to Node with
 * `exposeBinding`), each change becomes a state event [DRV-6], and the QR code is read from the
 * rendered pixels (a screenshot of the QR element decoded with jsqr) whenever it changes.
 *
 * Commands: `open`/`reopen` navigate to the page URL with `qrlink-server`, `qrlink-keep` and
 * `qrlink-start`, and reply once the page's WebSocket to `<server>/v1/web` has sent its first frame
 * [DRV-5]; `close` closes the page (the context, and with it localStorage, stays); `logout`, `send`
 * and `history` operate the page's controls; `reset` replaces the browser context [DRV-13]. One
 * browser context per driver: storage starts empty. Everything is logged on the wire log as peer
 * `driver`: each request, each state event, each reply, and the page's uncaught errors.
 */
import type { Browser, Page, WebSocket as PageSocket } from 'playwright-core';
import { type PageParams, withPageParams } from '../../../impl/web/page/page-params.js';
import {
  initialWebDriverState,
  WebDriverRequest,
  type WebDriverState,
  webDriverRequests,
} from '../../../model/protocol/driver-frames.js';
import { TargetError, type WireLog } from '../../target/target.js';
import { type ClientDriver, type ClientReply, DriverBroken } from '../client-target.js';
import { StateFeed } from '../state-feed.js';
import { HookedTab } from './browser-tab.js';
import { HOOKS_CLAUSE, stateFromHooks } from './hook-state.js';
import { type HookSnapshot, operateControl, QR_HOOK, SNAPSHOT_READER } from './page-hooks.js';
import { decodeQrPng } from './qr-pixels.js';

/** How long a command may take before the page is reported as broken [DRV-4]. */
export const BROWSER_REPLY_TIMEOUT_MS = 10_000;
/** How long `waitFor` waits by default (a page loads and draws slower than a driver endpoint answers). */
export const BROWSER_WAIT_MS = 10_000;
/** Screenshots tried (one per two animation frames) before a QR element that does not decode fails. */
const QR_ATTEMPTS = 6;
const PEER = 'driver';
const COMMANDS: readonly string[] = webDriverRequests.map((s) => s.shape.cmd.value);

export interface BrowserDriverOptions {
  readonly replyTimeoutMs?: number;
  /** Called once when the driver closes (the target forgets it). */
  readonly onClosed?: () => void;
}

type Outcome = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** A command answered with an error reply [DRV-4] (not a broken page). */
class CommandRefused extends Error {
  constructor(
    readonly code: 'bad_request' | 'unknown_cmd' | 'bad_state' | 'failed',
    detail: string,
  ) {
    super(detail);
  }
}

class BrowserDriver implements ClientDriver<'web'> {
  readonly role = 'web' as const;
  private readonly feed = new StateFeed<'web'>('the page', initialWebDriverState());
  private page: Page | undefined;
  /** The `server` and `keep` of the last `open` (what `reopen` uses). */
  private params: Omit<PageParams, 'start'> | undefined;
  /** The document whose snapshots count (the page's current one); undefined while navigating. */
  private doc: string | undefined;
  /** Snapshots of documents not yet accepted (they arrive while a navigation completes). */
  private pending: HookSnapshot[] = [];
  /** The highest snapshot seq queued for `doc`. */
  private queuedSeq = 0;
  private queue: Promise<void> = Promise.resolve();
  private commands: Promise<unknown> = Promise.resolve();
  private seq = 0;
  private qrKey: string | undefined;
  private qrText: string | null = null;
  private closed = false;

  constructor(
    private readonly browser: Browser,
    private tab: HookedTab,
    private readonly pageUrl: string,
    private readonly log: WireLog,
    private readonly replyTimeoutMs: number,
    private readonly onClosed: (() => void) | undefined,
  ) {
    tab.route((page, s) => this.onSnapshot(page, s));
  }

  /** The page's state: the feed starts with the idle state, so there is always one. */
  get current(): WebDriverState {
    return this.feed.current ?? initialWebDriverState();
  }

  waitFor(accept: (state: WebDriverState) => boolean, timeoutMs = BROWSER_WAIT_MS): Promise<WebDriverState> {
    return this.feed.waitFor(accept, timeoutMs);
  }

  takeEvents(): WebDriverState[] {
    return this.feed.take();
  }

  // ---------------------------------------------------------------- requests

  request(cmd: string, args: Readonly<Record<string, unknown>> = {}): Promise<ClientReply<'web'>> {
    const id = `b${++this.seq}`;
    this.record('out', { ...args, id, cmd });
    const run = this.commands.then(() => this.guarded(cmd, args));
    this.commands = run.catch(() => {});
    return run.then((reply) => {
      this.record('in', reply.ok ? { id, ok: true, result: reply.result } : { id, ok: false, error: reply.error });
      return reply;
    });
  }

  /** Runs one command within the reply time limit; a broken page rejects, a refused command replies. */
  private async guarded(cmd: string, args: Readonly<Record<string, unknown>>): Promise<ClientReply<'web'>> {
    if (this.feed.broken !== undefined) throw this.feed.broken;
    if (this.closed) throw new DriverBroken('the browser driver is closed', 'DRV-4');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fuse = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DriverBroken(`the page did not complete ${cmd} within ${this.replyTimeoutMs} ms`, 'DRV-4')),
        this.replyTimeoutMs,
      );
    });
    try {
      const result = await Promise.race([this.run(cmd, args), fuse]);
      return { ok: true, result };
    } catch (err) {
      if (err instanceof CommandRefused) return { ok: false, error: { code: err.code, detail: err.message } };
      if (err instanceof DriverBroken) this.feed.fail(err);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async run(cmd: string, args: Readonly<Record<string, unknown>>): Promise<WebDriverState> {
    if (!COMMANDS.includes(cmd)) throw new CommandRefused('unknown_cmd', `no web command ${JSON.stringify(cmd)}`);
    const parsed = WebDriverRequest.safeParse({ ...args, id: 'x', cmd });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CommandRefused('bad_request', issue ? `${issue.path.join('.') || cmd}: ${issue.message}` : cmd);
    }
    const req = parsed.data;
    switch (req.cmd) {
      case 'state':
        return this.flush();
      case 'open':
        return this.navigate({ server: req.server, keep: req.keep, start: 'open' });
      case 'reopen':
        if (this.params === undefined)
          throw new CommandRefused('bad_state', 'reopen: never opened (use open {server, keep} first)');
        return this.navigate({ ...this.params, start: 'reopen' });
      case 'close':
        return this.closePage();
      case 'reset':
        return this.reset();
      case 'logout':
        return this.operate('logout', {});
      case 'send':
        return this.operate('send', { chat: req.chatId, text: req.text });
      case 'history':
        return this.operate('history', { chat: req.chatId ?? '' });
    }
  }

  // ---------------------------------------------------------------- commands

  private async newPage(): Promise<Page> {
    const page = await this.tab.newPage();
    page.on('pageerror', (err) => this.record('in', undefined, `page error: ${err.message}`));
    page.on('crash', () => this.feed.fail(new DriverBroken('the page crashed', 'DRV-4')));
    this.page = page;
    return page;
  }

  /** `open` / `reopen`: the page URL with the browser-mode parameters, in the same tab [DRV-5]. */
  private async navigate(params: PageParams): Promise<WebDriverState> {
    const page = this.page ?? (await this.newPage());
    this.params = { server: params.server, keep: params.keep };
    this.doc = undefined;
    this.pending = [];
    const url = withPageParams(this.pageUrl, params);
    const socket = this.firstFrame(page, params.server);
    socket.done.catch(() => {}); // awaited below, after the navigation
    // A page that stops before connecting (e.g. unreadable storage on reopen) shows state error.
    const stopped = this.feed.watch((s) => s.state === 'error');
    try {
      let status: number | undefined;
      try {
        const response = await page.goto(url, { waitUntil: 'domcontentloaded', timeout: this.replyTimeoutMs });
        status = response?.status();
      } catch (err) {
        throw new TargetError(`cannot load the page ${url}: ${(err as Error).message.split('\n')[0]}`);
      }
      if (status !== undefined && status >= 400) throw new TargetError(`cannot load the page ${url}: HTTP ${status}`);
      await this.accept(page);
      await this.queue;
      if (this.feed.broken !== undefined) throw this.feed.broken;
      const current = this.current;
      const outcome = await Promise.race([
        socket.done,
        (current.state === 'error' ? Promise.resolve(current) : stopped.state).then(
          (s): Outcome => ({
            ok: false,
            detail: `the page stopped before connecting: ${s.error?.code ?? 'error'}: ${s.error?.detail ?? ''}`,
          }),
        ),
      ]);
      const state = await this.flush();
      if (!outcome.ok) throw new CommandRefused('failed', `${params.start}: ${outcome.detail}`);
      return state;
    } finally {
      socket.cancel();
      stopped.cancel();
    }
  }

  /**
   * Resolves once the page's WebSocket to `<server>/v1/web` has sent its first frame (`hello` or
   * `resume`), or with why it failed; a socket to another URL means the page ignored `qrlink-server`.
   */
  private firstFrame(page: Page, server: string): { done: Promise<Outcome>; cancel: () => void } {
    const endpoint = `${server}/v1/web`;
    let cancel = () => {};
    const done = new Promise<Outcome>((resolve, reject) => {
      const limitMs = Math.floor(this.replyTimeoutMs * 0.8);
      const timer = setTimeout(() => {
        cancel();
        reject(
          new DriverBroken(
            `the page opened no WebSocket to ${endpoint} within ${limitMs} ms (does it read the qrlink-server query parameter of browser mode?)`,
            HOOKS_CLAUSE,
          ),
        );
      }, limitMs);
      const onSocket = (ws: PageSocket) => {
        clearTimeout(timer);
        if (!ws.url().startsWith(endpoint)) {
          cancel();
          reject(
            new DriverBroken(
              `the page connected to ${ws.url()} instead of ${endpoint} (the qrlink-server query parameter of browser mode)`,
              HOOKS_CLAUSE,
            ),
          );
          return;
        }
        cancel();
        ws.once('framesent', () => resolve({ ok: true }));
        ws.once('socketerror', (error) => resolve({ ok: false, detail: `cannot connect to ${endpoint}: ${error}` }));
        ws.once('close', () =>
          resolve({ ok: false, detail: `the connection to ${endpoint} closed before the page sent a frame` }),
        );
      };
      cancel = () => {
        clearTimeout(timer);
        page.off('websocket', onSocket);
      };
      page.on('websocket', onSocket);
    });
    return { done, cancel: () => cancel() };
  }

  /** Accepts the page's new document: its snapshots count from now on, those buffered first. */
  private async accept(page: Page): Promise<void> {
    const snapshot = await this.readSnapshot(page);
    this.doc = snapshot.doc;
    this.queuedSeq = 0;
    const early = this.pending.filter((s) => s.doc === snapshot.doc).sort((a, b) => a.seq - b.seq);
    this.pending = [];
    for (const s of early) this.enqueue(s);
    this.enqueue(snapshot);
  }

  private async readSnapshot(page: Page): Promise<HookSnapshot> {
    const snapshot = await page.evaluate(`window.${SNAPSHOT_READER} ? window.${SNAPSHOT_READER}() : undefined`);
    if (snapshot === undefined)
      throw new DriverBroken('the hooks reader did not run in the page (is it an HTML page?)', HOOKS_CLAUSE);
    if (snapshot === null) throw new DriverBroken('the page has no <body> after DOMContentLoaded', HOOKS_CLAUSE);
    return snapshot as HookSnapshot;
  }

  /** `close`: the tab closes (the page's pagehide closes its connection); storage stays [E2E-14]. */
  private async closePage(): Promise<WebDriverState> {
    const page = this.page;
    this.page = undefined;
    this.doc = undefined;
    if (page !== undefined) await page.close();
    await this.queue;
    this.feed.push({ ...this.current, state: 'closed', qr: null, qrN: null }, { event: true, dedupe: true });
    return this.current;
  }

  /** `reset`: a fresh browser context, as a fresh installation [DRV-13]. */
  private async reset(): Promise<WebDriverState> {
    const old = this.tab;
    this.page = undefined;
    this.doc = undefined;
    this.params = undefined;
    await old.close();
    await this.queue;
    this.tab = await HookedTab.create(this.browser, false);
    this.tab.route((page, s) => this.onSnapshot(page, s));
    this.qrKey = undefined;
    this.feed.push(initialWebDriverState(), { event: true, dedupe: true });
    return this.current;
  }

  /** `logout`, `send`, `history`: only when linked (else bad_state), through the page's controls. */
  private async operate(
    action: 'logout' | 'send' | 'history',
    inputs: Record<string, string>,
  ): Promise<WebDriverState> {
    const state = await this.flush();
    const page = this.page;
    if (state.state !== 'linked' || page === undefined)
      throw new CommandRefused('bad_state', `${action}: not linked (state ${state.state})`);
    const missing = await page.evaluate(operateControl, { action, inputs });
    if (missing !== null) throw new DriverBroken(`the page has no ${missing} to ${action} with`, HOOKS_CLAUSE);
    return this.flush();
  }

  /** The state right now: the page's hooks read once more, every snapshot before it handled. */
  private async flush(): Promise<WebDriverState> {
    const page = this.page;
    if (page !== undefined && this.doc !== undefined) this.enqueue(await this.readSnapshot(page));
    await this.queue;
    if (this.feed.broken !== undefined) throw this.feed.broken;
    return this.current;
  }

  // ---------------------------------------------------------------- snapshots

  private onSnapshot(page: Page, snapshot: HookSnapshot): void {
    if (page !== this.page || this.closed) return;
    if (this.doc === undefined) this.pending.push(snapshot);
    else this.enqueue(snapshot);
  }

  private enqueue(snapshot: HookSnapshot): void {
    if (snapshot.doc !== this.doc || snapshot.seq <= this.queuedSeq) return;
    this.queuedSeq = snapshot.seq;
    const page = this.page;
    this.queue = this.queue.then(() => (page === undefined ? undefined : this.process(page, snapshot)));
  }

  /** A newer snapshot of the same document is queued, or the document is gone: `s` was transient. */
  private superseded(s: HookSnapshot): boolean {
    return s.doc !== this.doc || this.queuedSeq > s.seq;
  }

  private async process(page: Page, snapshot: HookSnapshot): Promise<void> {
    if (this.feed.broken !== undefined || snapshot.doc !== this.doc) return;
    try {
      const qr = snapshot.qr !== null && snapshot.body.state === 'qr' ? await this.readQr(page, snapshot) : null;
      if (qr === undefined) return; // superseded while reading the pixels
      const state = stateFromHooks(snapshot, qr);
      if (this.feed.push(state, { event: true, dedupe: true })) this.record('in', { event: 'state', state });
    } catch (err) {
      if (this.superseded(snapshot)) return; // a transient mix of old and new hooks
      this.feed.fail(
        err instanceof DriverBroken
          ? err
          : new DriverBroken(`reading the page failed: ${(err as Error).message}`, HOOKS_CLAUSE),
      );
    }
  }

  /**
   * The text of the QR code the page shows, read from its pixels; screenshots only when the QR
   * element changed. Undefined when a newer snapshot replaced this one meanwhile.
   */
  private async readQr(page: Page, s: HookSnapshot): Promise<string | null | undefined> {
    const box = s.qr;
    if (box === null) return null;
    const key = `${s.doc}|${box.text}|${box.n}|${box.x},${box.y},${box.width},${box.height}`;
    if (key === this.qrKey) return this.qrText;
    if (box.width < 21 || box.height < 21)
      throw new DriverBroken(
        `the element carrying ${QR_HOOK} is ${box.width}x${box.height} CSS pixels: too small to hold a QR code`,
        HOOKS_CLAUSE,
      );
    // A code drawn after its hooks (a canvas) may need a frame or two: retry on the next frames;
    // the same wrong text twice is the page's answer.
    let last: string | null = null;
    for (let attempt = 0; attempt < QR_ATTEMPTS; attempt++) {
      if (attempt > 0)
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))))');
      if (this.superseded(s)) return undefined;
      const png = await page.screenshot({
        clip: { x: box.x, y: box.y, width: box.width, height: box.height },
        fullPage: true, // clip in page coordinates: the code may be below the fold
        animations: 'disabled',
        caret: 'hide',
        timeout: this.replyTimeoutMs,
      });
      if (this.superseded(s)) return undefined;
      const text = decodeQrPng(png);
      if (text !== null && (box.text === '' || text === box.text)) {
        this.qrKey = key;
        this.qrText = text;
        return text;
      }
      if (text !== null && text === last)
        throw new DriverBroken(
          `the QR code's pixels encode ${JSON.stringify(text)} but ${QR_HOOK} says ${JSON.stringify(box.text)}`,
          HOOKS_CLAUSE,
        );
      last = text;
    }
    throw new DriverBroken(
      `the element carrying ${QR_HOOK} shows no QR code that decodes (jsqr found none in ${QR_ATTEMPTS} screenshots)`,
      HOOKS_CLAUSE,
    );
  }

  private record(dir: 'in' | 'out', frame: unknown, text?: string): void {
    this.log.entries.push({
      step: this.log.step,
      peer: PEER,
      dir,
      ...(frame !== undefined ? { frame } : {}),
      ...(text !== undefined ? { text } : {}),
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClosed?.();
    this.feed.close(new DriverBroken('the browser driver closed', 'DRV-4'));
    this.page = undefined;
    await this.tab.close();
  }
}

/**
 * A driver for one case: `tab` (a fresh browser context of `browser`, made now when not given:
 * empty storage [DRV-13]) showing `pageUrl` once opened.
 */
export async function openBrowserDriver(
  browser: Browser,
  pageUrl: string,
  log: WireLog,
  options: BrowserDriverOptions = {},
  tab?: HookedTab,
): Promise<ClientDriver<'web'>> {
  const fresh = tab ?? (await HookedTab.create(browser, false));
  return new BrowserDriver(
    browser,
    fresh,
    pageUrl,
    log,
    options.replyTimeoutMs ?? BROWSER_REPLY_TIMEOUT_MS,
    options.onClosed,
  );
}
