/**
 * Browser mode against the reference page in Debian's chromium: the page is served by one
 * reference server and told (query parameters) to use another, where a reference phone is
 * registered. The driver reads the QR from the page's pixels, the phone scans that text and
 * approves, and the driver reports what the page shows through its DOM hooks: scanned, confirming,
 * linked with the phone's account, the chats and messages, a sent message, a closed tab that
 * reopens and resumes its kept session, logout [DRV-5, DRV-6, DRV-7, DRV-8, DRV-13].
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../../impl/server/index.js';
import { type LiveSystem, startLiveSystem } from '../../../impl/web/live-system.js';
import { buildWebPage } from '../../../impl/web/page/build.js';
import type { WireLog } from '../../target/target.js';
import type { ClientReply, ClientTarget } from '../client-target.js';
import { browserClientTarget, CHROMIUM } from './browser-target.js';

const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip)
  console.warn(`browser-driver.test.ts: SKIPPED: ${CHROMIUM} is missing and CI is unset (apt-get install -y chromium)`);

const QR_TEXT = /^qrlink:1,[A-Za-z0-9_-]{22,43},[A-Za-z0-9_-]{43},[A-Za-z0-9_-]{43}$/;

function okResult(reply: ClientReply<'web'>) {
  if (!reply.ok) throw new Error(`command failed: ${reply.error.code}: ${reply.error.detail}`);
  return reply.result;
}

let live: LiveSystem;
let pageServer: RunningServer;
let target: ClientTarget<'web'>;

beforeAll(async () => {
  if (skip) return;
  const { html } = await buildWebPage();
  live = await startLiveSystem();
  pageServer = await startServer({ port: 0, host: '127.0.0.1', page: () => html, log: () => {} });
  target = await browserClientTarget(pageServer.url);
}, 60_000);

afterAll(async () => {
  await target?.close();
  await pageServer?.close();
  await live?.close();
});

describe.skipIf(skip)('browser driver on the reference page', () => {
  it('[DRV-8] links through the QR read from pixels, relays, closes, reopens with the kept session, logs out', async () => {
    const log: WireLog = { step: 0, entries: [] };
    const started = Date.now();
    const driver = await target.openDriver(log);
    const contextMs = Date.now() - started;
    expect(driver.current?.state).toBe('idle');
    const phone = await live.phone('Alice Browser');
    const accountId = phone.state().accountId as string;

    // [DRV-5] open replies once the page's WebSocket to the given server sent hello.
    const opened = okResult(await driver.request('open', { server: live.server.wsUrl, keep: true }));
    console.log(`browser-driver.test: fresh context ${contextMs} ms, first open ${Date.now() - started} ms`);
    expect(['connecting', 'qr']).toContain(opened.state);
    expect(opened.keep).toBe(true);

    const shown = await driver.waitFor((s) => s.state === 'qr' && s.qr !== null);
    expect(shown.qr).toMatch(QR_TEXT);
    expect(shown.qrN).toBe(1);
    driver.takeEvents();

    // The phone scans the text the pixels hold (the page is connected to live.server, not to the page's origin).
    phone.scan(shown.qr as string);
    await phone.waitFor((s) => s.state === 'consenting');
    await driver.waitFor((s) => s.state === 'scanned');
    await phone.approve();
    const linked = await driver.waitFor((s) => s.state === 'linked');
    expect(linked.account).toEqual({ accountId, phone: phone.state().phone, name: 'Alice Browser' });
    expect(linked.sessionId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(linked.tokenStored).toBe(true);
    expect(linked.qr).toBeNull();
    // [DRV-6] every change is an event, in order: scanned -> confirming -> linked.
    const names = driver.takeEvents().map((s) => s.state);
    expect(names.filter((n, i) => n !== names[i - 1])).toEqual(['scanned', 'confirming', 'linked']);

    // history and send go through the page's controls.
    okResult(await driver.request('history', {}));
    const titles = phone.store.chats().map((c) => c.title);
    const withChats = await driver.waitFor((s) => s.chats.length === titles.length);
    expect(withChats.chats.map((c) => c.title)).toEqual(titles);
    const chatId = withChats.chats[0]?.chatId as string;
    okResult(await driver.request('history', { chatId }));
    await driver.waitFor((s) => s.messages.some((m) => m.chatId === chatId));
    okResult(await driver.request('send', { chatId, text: 'hello from the browser driver' }));
    const sent = await driver.waitFor((s) => s.messages.some((m) => m.text === 'hello from the browser driver'));
    expect(sent.messages.find((m) => m.text === 'hello from the browser driver')?.chatId).toBe(chatId);
    expect(phone.store.messagesOf(chatId).at(-1)?.text).toBe('hello from the browser driver');
    await driver.waitFor((s) => s.phoneOnline === true);

    // close: the tab goes, storage stays; reopen resumes the kept session [E2E-14, SESS-2].
    const closed = okResult(await driver.request('close'));
    expect(closed.state).toBe('closed');
    expect(closed.tokenStored).toBe(true);
    const reopened = okResult(await driver.request('reopen'));
    expect(['resuming', 'linked']).toContain(reopened.state);
    const resumed = await driver.waitFor((s) => s.state === 'linked');
    expect(resumed.sessionId).toBe(linked.sessionId);
    expect(resumed.account?.accountId).toBe(accountId);
    expect(resumed.keep).toBe(true);

    // logout; then the relay commands are bad_state [DRV-8].
    const loggedOut = okResult(await driver.request('logout'));
    expect(loggedOut.state).toBe('logged_out');
    await driver.waitFor((s) => !s.tokenStored); // revoked logout confirmed: the record is gone [WEB-6]
    const refused = await driver.request('send', { chatId, text: 'too late' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'bad_state' } });
    expect(await driver.request('bogus')).toMatchObject({ ok: false, error: { code: 'unknown_cmd' } });
    expect(await driver.request('open', { server: 'http://x', keep: true })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });

    // [DRV-13] reset: a fresh context, nothing stored.
    expect(okResult(await driver.request('reset'))).toMatchObject({ state: 'idle', keep: false, tokenStored: false });

    // The wire log holds the driver's requests, events and replies as peer `driver`.
    expect(log.entries.every((e) => e.peer === 'driver')).toBe(true);
    expect(log.entries.some((e) => e.dir === 'out' && (e.frame as { cmd?: string }).cmd === 'open')).toBe(true);
    expect(log.entries.some((e) => e.dir === 'in' && (e.frame as { event?: string })?.event === 'state')).toBe(true);
    expect(log.entries.filter((e) => e.text?.startsWith('page error'))).toEqual([]);
    await driver.close();
  }, 40_000);

  it('[DRV-8] reopen before any open is bad_state; open with keep false stores nothing; a second open shows a fresh QR', async () => {
    const driver = await target.openDriver({ step: 0, entries: [] });
    expect(await driver.request('reopen')).toMatchObject({ ok: false, error: { code: 'bad_state' } });
    okResult(await driver.request('open', { server: live.server.wsUrl, keep: false }));
    const first = await driver.waitFor((s) => s.state === 'qr' && s.qr !== null);
    expect(first.keep).toBe(false);
    okResult(await driver.request('open', { server: live.server.wsUrl, keep: false }));
    const second = await driver.waitFor((s) => s.state === 'qr' && s.qr !== null && s.qr !== first.qr);
    expect(second.qr).toMatch(QR_TEXT);
    expect(second.tokenStored).toBe(false);
    await driver.close();
  }, 20_000);
});
