import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FilePhoneState } from '../phone/phone-state-file.js';
import { startServer } from '../server/index.js';
import { until } from '../until.harness.js';
import { FileStorageSlot } from './file-storage-slot.js';
import { startWeb } from './index.js';
import { decodeKeptSessions } from './kept-session.js';
import { type LiveSystem, linkThrough, startLiveSystem } from './live-system.js';
import type { WebConnectionEvents, WebConnector } from './socket.js';
import { MemoryStorageSlot } from './storage-slot.js';

let live: LiveSystem | undefined;

/**
 * Holds back the frames a tab receives from the first one `from` matches (and its close) until
 * `release`, to force an interleaving the network could produce; `discard` drops them (the tab closed).
 */
class FrameGate {
  readonly held: string[] = [];
  private holding = false;
  private closedCode: number | undefined;
  private events: WebConnectionEvents | undefined;
  constructor(private readonly from: (frame: { t: string }) => boolean) {}

  readonly wrap = (inner: WebConnector): WebConnector => {
    return (server, events) => {
      this.events = events;
      return inner(server, {
        open: () => events.open(),
        text: (data) => {
          if (!this.holding && this.from(JSON.parse(data) as { t: string })) this.holding = true;
          if (this.holding) this.held.push(data);
          else events.text(data);
        },
        closed: (code) => {
          if (this.holding) this.closedCode = code;
          else events.closed(code);
        },
      });
    };
  };

  release(): void {
    this.holding = false;
    for (const d of this.held.splice(0)) this.events?.text(d);
    if (this.closedCode !== undefined) this.events?.closed(this.closedCode);
  }
}

/** The token of the most recently written stored record (undefined when none or corrupt). */
function storedToken(slot: { read(): string | undefined }): string | undefined {
  const r = decodeKeptSessions(slot.read());
  return r.kind === 'ok' ? r.records[0]?.token : undefined;
}

/** Yields to the event loop until `cond` holds (no timers, no sleeps); fails after many turns. */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qrlink-flow-'));
}
afterEach(async () => {
  await live?.close();
  live = undefined;
});

describe('reference phone + web client against the reference server', () => {
  for (const keep of [true, false]) {
    it(`full link -> history -> send -> logout with keep: ${keep} [E2E-15, SESS-9]`, async () => {
      live = await startLiveSystem();
      const phone = await live.phone('Alice');
      const storage = new MemoryStorageSlot();
      const web = live.web({ storage });
      const sessionId = await linkThrough(live, web, phone, keep);
      expect(web.state()).toMatchObject({ state: 'linked', account: { name: 'Alice' }, phoneOnline: true });
      expect(web.state().tokenStored).toBe(keep);
      expect(storage.writes.length > 0).toBe(keep);

      web.history();
      const withChats = await web.waitFor((s) => s.chats.length === 3 && s.messages.length === 3);
      expect(withChats.chats.map((c) => c.chatId)).toEqual(['c1', 'c2', 'c3']);
      web.history('c2');
      await web.waitFor((s) => s.messages.filter((m) => m.chatId === 'c2').length === 8);

      web.sendMessage('c1', 'typed in the browser');
      await web.waitFor((s) => s.messages.some((m) => m.text === 'typed in the browser'));
      expect(phone.store.messagesOf('c1').at(-1)?.text).toBe('typed in the browser');

      phone.receiveMessage('c3', 'Carol', 'pushed from the phone');
      await web.waitFor((s) => s.messages.some((m) => m.text === 'pushed from the phone'));

      web.logout();
      // [WEB-6] the record stays, marked logout-pending, until revoked logout confirms it.
      expect(web.state()).toMatchObject({ state: 'logged_out', tokenStored: keep, account: null });
      await phone.waitFor((s) => !s.sessions.some((x) => x.sessionId === sessionId));
      await web.waitFor((s) => !s.tokenStored);
      expect(storage.read()).toBeUndefined();
      const stats = await live.control.request({ t: 'stats' });
      expect(stats).toMatchObject({ sessions: { live: 0, attached: 0 } });
    });
  }

  it('[SESS-4, E2E-10] a kept session resumes without a restart: fresh epoch, history again', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const web = live.web({ storage });
    const sessionId = await linkThrough(live, web, phone, true);
    const firstEpoch = web.relay?.e;
    const firstToken = storedToken(storage);
    web.close();
    await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && !x.attached));
    await web.reopen();
    await web.waitFor((s) => s.state === 'linked');
    expect(web.state().sessionId).toBe(sessionId);
    expect(web.relay?.e).not.toBe(firstEpoch);
    expect(storedToken(storage)).not.toBe(firstToken);
    web.history();
    await web.waitFor((s) => s.chats.length === 3);
  });

  it('[SESS-8] keep: false: closing the client ends the session at the phone', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const web = live.web();
    const sessionId = await linkThrough(live, web, phone, false);
    web.close();
    await phone.waitFor((s) => !s.sessions.some((x) => x.sessionId === sessionId));
  });

  it('[SESS-10, WEB-3] unlink from the phone revokes the web client, which wipes its token', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const web = live.web({ storage });
    const sessionId = await linkThrough(live, web, phone, true);
    phone.unlink(sessionId);
    const s = await web.waitFor((st) => st.state === 'revoked');
    expect(s).toMatchObject({ revokedReason: 'unlinked', tokenStored: false, account: null });
    await phone.waitFor((st) => st.sessions.length === 0);
  });

  it('[RELAY-10, RELAY-5] phone offline banner, and a send made while offline arrives when it returns', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const web = live.web();
    await linkThrough(live, web, phone, false);
    await phone.setOnline(false);
    await web.waitFor((s) => s.phoneOnline === false);
    web.sendMessage('c2', 'sent while the phone was away');
    await phone.setOnline(true);
    await web.waitFor(
      (s) => s.phoneOnline === true && s.messages.some((m) => m.text === 'sent while the phone was away'),
    );
    expect(phone.store.messagesOf('c2').at(-1)?.text).toBe('sent while the phone was away');
  });

  it('[LINK-4, CONS-2] decline: the web client shows declined and a fresh QR', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const web = live.web();
    await web.open(live.server.wsUrl, false);
    const first = await web.waitFor((s) => s.qr !== null);
    phone.scan(first.qr as string);
    await phone.waitFor((s) => s.state === 'consenting');
    phone.decline();
    const next = await web.waitFor((s) => s.qr !== null && s.qr !== first.qr);
    expect(next.error?.code).toBe('declined');
    expect(next.qrN).toBe(2);
  });

  it('a kept session resumes after a server restart with a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlink-restart-'));
    const db = join(dir, 'server.db');
    try {
      live = await startLiveSystem({ db });
      const phone = await live.phone();
      const storage = new MemoryStorageSlot();
      const web = live.web({ storage });
      const sessionId = await linkThrough(live, web, phone, true);
      await live.server.close();
      await web.waitFor((s) => s.state === 'closed');
      await phone.waitFor((s) => s.state === 'offline');
      const again = await startServer({ port: 0, conformance: true, controlToken: 'x', db, log: () => {} });
      try {
        await phone.connect(again.wsUrl);
        await phone.waitFor((s) => s.state === 'ready' && s.sessions.some((x) => x.sessionId === sessionId));
        web.configure(again.wsUrl, true);
        await web.reopen();
        await web.waitFor((s) => s.state === 'linked' && s.sessionId === sessionId);
        web.history();
        await web.waitFor((s) => s.chats.length === 3);
      } finally {
        phone.close();
        web.close();
        await again.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[E2E-14, E2E-11, SESS-4] a kept session is resumed by a NEW web client on the same storage file, which reads history', async () => {
    const dir = tempDir();
    const file = join(dir, 'web-session.json');
    try {
      live = await startLiveSystem();
      const phone = await live.phone();
      const first = live.web({ storage: new FileStorageSlot(file) });
      const sessionId = await linkThrough(live, first, phone, true);
      const firstEpoch = first.relay?.e;
      first.close();
      await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && !x.attached));
      // `qrlink web --keep --storage FILE` started again: a new process, nothing in memory.
      const restarted = await startWeb({ server: live.server.wsUrl, storageFile: file, keep: true, pollMs: 0 });
      try {
        const web = restarted.core;
        await web.waitFor((s) => s.state === 'linked' || s.state === 'error');
        expect(web.state()).toMatchObject({ state: 'linked', sessionId, account: { name: 'Alice' }, error: null });
        expect(web.relay?.e).not.toBe(firstEpoch);
        await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && x.attached));
        web.history();
        await web.waitFor((s) => s.chats.length === 3 && s.messages.length === 3);
        web.sendMessage('c1', 'from the restarted client');
        await web.waitFor((s) => s.messages.some((m) => m.text === 'from the restarted client'));
        expect(phone.store.messagesOf('c1').at(-1)?.text).toBe('from the restarted client');
        expect(storedToken(new FileStorageSlot(file))).toBeDefined();
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[SESS-3, SESS-14, WEB-3] two tabs share storage: the second takes over, the first does not wipe its record; "use here" takes it back', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const tabA = live.web({ storage });
    const sessionId = await linkThrough(live, tabA, phone, true);
    const tabB = live.web({ storage });
    tabB.configure(live.server.wsUrl, true);
    await tabB.reopen();
    await tabB.waitFor((s) => s.state === 'linked');
    const a = await tabA.waitFor((s) => s.state === 'revoked');
    expect(a).toMatchObject({ revokedReason: 'conflict', account: null, sessionId: null });
    await tabB.settled();
    await tabA.settled();
    // The record is tab B's (its successor token), intact, and tab A still sees it.
    expect(tabA.state().tokenStored).toBe(true);
    const recordB = decodeKeptSessions(storage.read());
    expect(recordB).toMatchObject({ kind: 'ok', records: [{ sessionId }] });
    await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && x.attached));
    tabB.history();
    await tabB.waitFor((s) => s.chats.length === 3);
    // "Use here" in tab A: it resumes with tab B's stored token; tab B is taken over in turn.
    await tabA.reopen();
    await tabA.waitFor((s) => s.state === 'linked');
    await tabB.waitFor((s) => s.state === 'revoked' && s.revokedReason === 'conflict');
    await tabA.settled();
    await tabB.settled();
    const recordA = decodeKeptSessions(storage.read());
    expect(recordA).toMatchObject({ kind: 'ok', records: [{ sessionId }] }); // one record per session [E2E-14]
    expect(
      recordA.kind === 'ok' && recordB.kind === 'ok' && recordA.records[0]?.token !== recordB.records[0]?.token,
    ).toBe(true);
    tabA.history('c2');
    await tabA.waitFor((s) => s.messages.some((m) => m.chatId === 'c2'));
  });

  it('[E2E-14, SESS-14] two tabs link the same account at once (sessionLimit 1): the second tab’s record survives the first tab’s late linked', async () => {
    live = await startLiveSystem();
    await live.control.request({ t: 'config', set: { sessionLimit: 1 } });
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const gateA = new FrameGate((f) => f.t === 'linked'); // tab A's linked arrives late
    const tabA = live.web({ storage, wrap: gateA.wrap });
    const tabB = live.web({ storage });
    const url = live.server.wsUrl;
    await tabA.open(url, true);
    await tabB.open(url, true);
    const qrA = (await tabA.waitFor((s) => s.state === 'qr' && s.qr !== null)).qr as string;
    const qrB = (await tabB.waitFor((s) => s.state === 'qr' && s.qr !== null)).qr as string;
    phone.scan(qrA);
    await phone.waitFor((s) => s.state === 'consenting');
    await phone.approve();
    await until(() => gateA.held.length > 0, 20_000); // the server linked session A; tab A has not seen it
    phone.scan(qrB);
    await phone.waitFor((s) => s.state === 'consenting');
    await phone.approve();
    const b = await tabB.waitFor((s) => s.state === 'linked');
    const sessionB = b.sessionId as string;
    await phone.waitFor((s) => s.sessions.length === 1 && s.sessions[0]?.sessionId === sessionB);
    gateA.release(); // linked (session A), then revoked replaced
    const a = await tabA.waitFor((s) => s.state === 'revoked');
    expect(a.revokedReason).toBe('replaced');
    await tabA.settled();
    const stored = decodeKeptSessions(storage.read());
    expect(stored).toMatchObject({ kind: 'ok', records: [{ sessionId: sessionB }] });
    expect(stored.kind === 'ok' && stored.records).toHaveLength(1);
    // The session is not orphaned: a fresh tab on this storage resumes it (taking it over from B).
    const tabC = live.web({ storage });
    tabC.configure(url, true);
    await tabC.reopen();
    const c = await tabC.waitFor((s) => s.state === 'linked' || s.state === 'error' || s.state === 'qr');
    expect(c).toMatchObject({ state: 'linked', sessionId: sessionB });
  });

  it('[WEB-6, SESS-14] logout crossing a takeover: B’s resume first, B closes before resumed; the next open resumes and logs out', async () => {
    live = await startLiveSystem();
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const gateA = new FrameGate((f) => f.t === 'revoked'); // A has not yet seen the conflict
    const tabA = live.web({ storage, wrap: gateA.wrap });
    const sessionId = await linkThrough(live, tabA, phone, true);
    const gateB = new FrameGate((f) => f.t === 'resumed');
    const tabB = live.web({ storage, wrap: gateB.wrap });
    tabB.configure(live.server.wsUrl, true);
    await tabB.reopen();
    await until(() => gateB.held.length > 0, 20_000); // the server processed B's resume first
    tabA.logout(); // A's logout reaches a connection the server has already closed [TR-6]
    tabB.close(); // B closes before its resumed arrives
    gateA.release();
    await tabA.waitFor((s) => s.state === 'logged_out' || s.state === 'revoked');
    await tabA.settled();
    const pending = decodeKeptSessions(storage.read());
    expect(pending).toMatchObject({ kind: 'ok', records: [{ sessionId, logoutPending: true }] });
    expect(phone.state().sessions.some((x) => x.sessionId === sessionId)).toBe(true); // still alive on the server
    // The next open of this client finds the logout-pending record: resume, logout at once, then link afresh.
    const tabC = live.web({ storage });
    tabC.configure(live.server.wsUrl, true);
    await tabC.reopen();
    await phone.waitFor((s) => !s.sessions.some((x) => x.sessionId === sessionId));
    expect(
      live.wire.some((w) => w.from === 'server' && w.text.includes('"session.ended"') && w.text.includes('"logout"')),
    ).toBe(true);
    const fresh = await tabC.waitFor((s) => s.state === 'qr' && s.qr !== null);
    expect(fresh).toMatchObject({ sessionId: null, account: null });
    expect(storage.read()).toBeUndefined();
  });

  it('[REG-9, REG-8] a phone restarted from its state file authenticates; the web session lives on and is served', async () => {
    const dir = tempDir();
    const file = join(dir, 'phone.json');
    try {
      live = await startLiveSystem();
      const phone = await live.phone('Alice', { state: new FilePhoneState(file) });
      const web = live.web();
      const sessionId = await linkThrough(live, web, phone, true);
      phone.close();
      await web.waitFor((s) => s.phoneOnline === false);
      const again = await live.phone('Alice', { state: new FilePhoneState(file) });
      expect(again.state()).toMatchObject({ state: 'ready', sessions: [{ sessionId, attached: true }] });
      await web.waitFor((s) => s.phoneOnline === true);
      expect(web.state().state).toBe('linked');
      web.history();
      await web.waitFor((s) => s.chats.length === 3);
      again.receiveMessage('c2', 'Bob', 'from the restarted phone');
      await web.waitFor((s) => s.messages.some((m) => m.text === 'from the restarted phone'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('[E2E-12, RELAY-14, RELAY-15, RELAY-18] on the wire, no (e, n) ever carries two ciphertexts: phone reconnect, takeover, queue_full retries', async () => {
    live = await startLiveSystem();
    await live.control.request({ t: 'config', set: { custodyLimit: 2 } });
    const phone = await live.phone();
    const storage = new MemoryStorageSlot();
    const tabA = live.web({ storage });
    const sessionId = await linkThrough(live, tabA, phone, true);
    // Phone to web as the tab goes away (before the phone hears of it): sealed under tab A's epoch,
    // custody fills, queue_full; none is acknowledged, so the takeover re-seals them [RELAY-14].
    tabA.close();
    for (const t of ['p1', 'p2', 'p3', 'p4']) phone.receiveMessage('c1', 'Bob', t);
    await phone.waitFor((s) => s.sessions.some((x) => x.sessionId === sessionId && !x.attached));
    // Web to phone while the phone is away: custody fills, queue_full, the tab holds the rest.
    await phone.setOnline(false);
    const tabB = live.web({ storage });
    tabB.configure(live.server.wsUrl, true);
    await tabB.reopen(); // a second tab takes the session over with a new epoch
    await tabB.waitFor((s) => s.state === 'linked');
    for (const t of ['w1', 'w2', 'w3']) tabB.sendMessage('c2', t);
    await phone.setOnline(true); // the reconnect flush: web.attached, custody, then retries after acked
    await phone.waitFor((s) => s.state === 'ready');
    await tabB.waitFor((s) =>
      ['p1', 'p2', 'p3', 'p4', 'w1', 'w2', 'w3'].every((t) => s.messages.some((m) => m.text === t)),
    );
    expect(
      phone.store
        .messagesOf('c2')
        .filter((m) => m.text.startsWith('w'))
        .map((m) => m.text),
    ).toEqual(['w1', 'w2', 'w3']);
    // A phone reconnect right after sending: the flush repeats epoch B; the phone re-sends, never re-seals.
    phone.receiveMessage('c1', 'Bob', 'p5');
    await phone.setOnline(false);
    await phone.setOnline(true);
    await tabB.waitFor((s) => s.messages.some((m) => m.text === 'p5'));
    const relay = live.wire
      .filter((w) => w.from === 'client')
      .map((w) => JSON.parse(w.text) as { t: string; e?: string; n?: number; c?: string })
      .filter((f) => f.t === 'to_web' || f.t === 'to_phone');
    const fromServer = live.wire.filter((w) => w.from === 'server').map((w) => JSON.parse(w.text) as { t: string });
    const full = fromServer.filter((f) => f.t === 'queue_full') as { sessionId?: string }[];
    expect(full.some((f) => f.sessionId !== undefined)).toBe(true); // the phone was refused
    expect(full.some((f) => f.sessionId === undefined)).toBe(true); // the tab was refused
    const seen = new Map<string, string>();
    let resent = 0;
    for (const f of relay) {
      const key = `${f.t}/${f.e}/${f.n}`;
      const prev = seen.get(key);
      if (prev !== undefined) {
        expect(f.c, key).toBe(prev);
        resent++;
      }
      seen.set(key, f.c as string);
    }
    expect(resent).toBeGreaterThan(0); // identical re-sends did happen (queue_full retries)
    // Phone frames went under both tabs' epochs (sealed for A, re-sealed for B).
    expect(new Set(relay.filter((f) => f.t === 'to_web').map((f) => f.e)).size).toBe(2);
  });
});
