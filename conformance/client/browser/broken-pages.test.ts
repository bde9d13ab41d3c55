/**
 * Pages that break the browser-mode hooks, served by a test HTTP server, each connecting to a bare
 * WebSocket server as the suite's scripted server would be: the driver reports each as DriverBroken
 * naming the hook, never as a pass [DRV-7]: a page whose QR pixels say one thing and its
 * data-qrlink-qr another; a QR element with no code in its pixels; a page without
 * data-qrlink-state; a page that ignores qrlink-server. Honest pages pass, the code wherever it is.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { qrSvg } from '../../../impl/web/page/qr-svg.js';
import { DriverBroken } from '../client-target.js';
import { openBrowserDriver } from './browser-driver.js';
import { CHROMIUM, CHROMIUM_ARGS } from './browser-target.js';

const skip = !existsSync(CHROMIUM) && !process.env.CI;
if (skip) console.warn(`broken-pages.test.ts: SKIPPED: ${CHROMIUM} is missing and CI is unset`);

const BODY_OK =
  'data-qrlink-session="" data-qrlink-account="" data-qrlink-account-phone="" data-qrlink-account-name="" ' +
  'data-qrlink-phone-online="" data-qrlink-keep="false" data-qrlink-token-stored="false" data-qrlink-revoked="" ' +
  'data-qrlink-error="" data-qrlink-error-detail=""';
const SHOWN =
  'qrlink:1,AAAAAAAAAAAAAAAAAAAAAA,BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB,CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const CLAIMED = SHOWN.replace('AAAA', 'ZZZZ');

/** A page that connects where `connect` says, sends hello, then shows `body` (its attributes and content). */
function page(connect: string, bodyAttrs: string, content: string): string {
  return `<!doctype html><html><body ${bodyAttrs}>${content}<script>
    const server = new URLSearchParams(location.search).get('qrlink-server');
    const ws = new WebSocket(${connect}, 'qrlink.v1');
    ws.onopen = () => ws.send(JSON.stringify({ t: 'hello', v: 1, device: { name: 'fake', platform: 'web' }, keep: false }));
  </script></body></html>`;
}

const qrBox = (text: string, claimed: string) =>
  `<div data-qrlink-qr="${claimed}" data-qrlink-qr-n="1" style="width:300px;height:300px">${qrSvg(text).replace('<svg ', '<svg width="300" height="300" ')}</div>`;

const PAGES: Record<string, string> = {
  '/mismatch': page("server + '/v1/web'", `data-qrlink-state="qr" ${BODY_OK}`, qrBox(SHOWN, CLAIMED)),
  '/honest': page("server + '/v1/web'", `data-qrlink-state="qr" ${BODY_OK}`, qrBox(SHOWN, SHOWN)),
  '/pixels-only': page("server + '/v1/web'", `data-qrlink-state="qr" ${BODY_OK}`, qrBox(SHOWN, '')),
  '/below-the-fold': page(
    "server + '/v1/web'",
    `data-qrlink-state="qr" ${BODY_OK}`,
    `<div style="height:2400px"></div><div style="margin-left:700px">${qrBox(SHOWN, SHOWN)}</div>`,
  ),
  '/blank-qr': page(
    "server + '/v1/web'",
    `data-qrlink-state="qr" ${BODY_OK}`,
    `<div data-qrlink-qr="${SHOWN}" data-qrlink-qr-n="1" style="width:300px;height:300px;background:#fff"></div>`,
  ),
  '/stops': `<!doctype html><html><body data-qrlink-state="error" ${BODY_OK.replace('data-qrlink-error="" data-qrlink-error-detail=""', 'data-qrlink-error="bad_storage" data-qrlink-error-detail="not JSON"')}></body></html>`,
  '/stateless': page("server + '/v1/web'", BODY_OK, ''),
  '/elsewhere': page("'ws://' + location.host + '/v1/web'", `data-qrlink-state="connecting" ${BODY_OK}`, ''),
};

let http: Server;
let wss: WebSocketServer;
let base: string;
let wsUrl: string;
let browser: Browser;

beforeAll(async () => {
  if (skip) return;
  http = createServer((req, res) => {
    const html = PAGES[new URL(req.url ?? '/', 'http://x').pathname];
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'qrlink.v1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  wsUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS] });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  wss?.close();
  http?.close();
});

/** Opens `path` of the test server in a fresh driver and returns how `open` ended. */
async function openPage(path: string) {
  const driver = await openBrowserDriver(browser, `${base}${path}`, { step: 0, entries: [] });
  try {
    return await driver.request('open', { server: wsUrl, keep: false }).then(
      (reply) => ({ reply, error: undefined }),
      (error: unknown) => ({ reply: undefined, error }),
    );
  } finally {
    await driver.close();
  }
}

describe.skipIf(skip)('browser driver on pages that break the hooks', () => {
  it('reads the QR from the pixels and checks data-qrlink-qr: an honest page passes, with or without the text hook, wherever the code is on the page', async () => {
    const honest = await openPage('/honest');
    expect(honest.reply).toMatchObject({ ok: true, result: { state: 'qr', qr: SHOWN, qrN: 1 } });
    const pixelsOnly = await openPage('/pixels-only');
    expect(pixelsOnly.reply).toMatchObject({ ok: true, result: { qr: SHOWN } });
    const scrolled = await openPage('/below-the-fold');
    expect(scrolled.reply).toMatchObject({ ok: true, result: { qr: SHOWN } });
  }, 20_000);

  it('a page whose QR pixels differ from data-qrlink-qr is DriverBroken naming the hook', async () => {
    const { error } = await openPage('/mismatch');
    expect(error).toBeInstanceOf(DriverBroken);
    expect((error as Error).message).toContain(
      `the QR code's pixels encode "${SHOWN}" but data-qrlink-qr says "${CLAIMED}"`,
    );
  }, 20_000);

  it('a QR element whose pixels hold no code is DriverBroken naming the hook', async () => {
    const { error } = await openPage('/blank-qr');
    expect(error).toBeInstanceOf(DriverBroken);
    expect((error as Error).message).toContain('the element carrying data-qrlink-qr shows no QR code that decodes');
  }, 20_000);

  it('[DRV-5] a page that stops before connecting (state error) gets a failed reply at once', async () => {
    const started = Date.now();
    const { reply } = await openPage('/stops');
    expect(reply).toMatchObject({
      ok: false,
      error: { code: 'failed', detail: 'open: the page stopped before connecting: bad_storage: not JSON' },
    });
    expect(Date.now() - started).toBeLessThan(8_000); // not the wait for a WebSocket that never comes
  }, 20_000);

  it('a page without data-qrlink-state is DriverBroken naming the hook', async () => {
    const { error } = await openPage('/stateless');
    expect(error).toBeInstanceOf(DriverBroken);
    expect((error as Error).message).toContain('<body> has no data-qrlink-state attribute');
  }, 20_000);

  it('a page that ignores qrlink-server is DriverBroken naming the parameter', async () => {
    const { error } = await openPage('/elsewhere');
    expect(error).toBeInstanceOf(DriverBroken);
    expect((error as Error).message).toMatch(
      /the page connected to ws:\/\/127\.0\.0\.1:\d+\/v1\/web instead of .*qrlink-server/,
    );
  }, 20_000);
});
