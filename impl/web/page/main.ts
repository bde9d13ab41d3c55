/**
 * The browser web client page: the shared web core with the native WebSocket and localStorage,
 * rendering a real QR code (SVG, high contrast, quiet zone), the consent-pending state, the chats
 * read from the phone, the send box, the "phone offline" banner, "use here" and logout. DOM hooks
 * for the suite's browser mode are specified in docs/conformance.md and listed in README.md
 * (data-qrlink-*); opened with `?qrlink-server=...` (browser mode) it connects to that server.
 */
import type { WebDriverState } from '../../../model/protocol/driver-frames.js';
import { WebCore } from '../web-core.js';
import { browserConnector, pageServer } from './browser-connector.js';
import { LocalStorageSlot } from './local-storage-slot.js';
import { pageParams } from './page-params.js';
import { qrSvg } from './qr-svg.js';

function el<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`page element #${id} is missing`);
  return found as T;
}

/** "Chrome on Linux": what the phone's consent screen shows [CONS-1]. */
function deviceName(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Chrom(e|ium)\//.test(ua)
      ? 'Chrome'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS X/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /Linux/.test(ua)
          ? 'Linux'
          : 'unknown OS';
  return `${browser} on ${os}`;
}

// [browser mode] `?qrlink-server=ws://host:port&qrlink-keep=0|1&qrlink-start=open|reopen`: the
// suite's scripted server instead of this page's origin; without them, the page's own server.
const params = pageParams(window.location.search);
const driven = params.kind === 'ok' ? params.params : undefined;
const server = driven?.server ?? pageServer(window.location);
const storage = new LocalStorageSlot(window.localStorage);
const core = new WebCore({
  connector: browserConnector,
  storage,
  device: { name: deviceName(navigator.userAgent), platform: 'web' },
});

const body = document.body;
const keepBox = el<HTMLInputElement>('keep');
let selectedChat: string | undefined;
let shownQr: string | null = null;
let requestedHistory = false;

const STATUS: Partial<Record<WebDriverState['state'], string>> = {
  connecting: 'Connecting...',
  resuming: 'Signing you back in...',
  qr: 'Scan the code with your phone',
  scanned: 'Scanned: approve the request on your phone',
  confirming: 'Almost done...',
};

/** Shows `text` as the QR code (synchronously: the code and its hooks change in the same task). */
function drawQr(text: string | null, n: number | null): void {
  const box = el('qr');
  if (text === shownQr) {
    if (text !== null) box.dataset.qrlinkQrN = String(n);
    return;
  }
  shownQr = text;
  if (text === null) {
    box.innerHTML = '';
    box.removeAttribute('data-qrlink-qr');
    box.removeAttribute('data-qrlink-qr-n');
    el('qr-text').textContent = '';
    return;
  }
  box.innerHTML = qrSvg(text);
  box.dataset.qrlinkQr = text;
  box.dataset.qrlinkQrN = String(n);
  el('qr-text').textContent = text;
}

/** The chat the send and history forms act on (the driver may set the hidden inputs itself). */
function selectChat(chatId: string | undefined): void {
  selectedChat = chatId;
  el<HTMLInputElement>('send-chat').value = chatId ?? '';
  el<HTMLInputElement>('history-chat').value = chatId ?? '';
}

function renderChats(s: WebDriverState): void {
  const list = el('chats');
  list.replaceChildren(
    ...s.chats.map((c) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = c.title;
      b.dataset.qrlinkChat = c.chatId;
      b.dataset.qrlinkTitle = c.title;
      if (c.chatId === selectedChat) b.className = 'selected';
      b.onclick = () => {
        selectChat(c.chatId);
        core.history(c.chatId);
        render(core.state());
      };
      li.append(b);
      return li;
    }),
  );
  // Every message is in the DOM (the hooks list them all); those of other chats are hidden.
  const msgs = el('messages');
  msgs.replaceChildren(
    ...s.messages.map((m) => {
      const li = document.createElement('li');
      li.dataset.qrlinkMessage = m.id;
      li.dataset.qrlinkMessageChat = m.chatId;
      li.dataset.qrlinkFrom = m.from;
      li.dataset.qrlinkText = m.text;
      li.dataset.qrlinkAt = String(m.at);
      if (selectedChat !== undefined && m.chatId !== selectedChat) li.className = 'hidden';
      const from = document.createElement('span');
      from.className = 'from';
      from.textContent = m.from;
      const text = document.createElement('span');
      text.textContent = m.text;
      li.append(from, text);
      return li;
    }),
  );
}

function render(s: WebDriverState): void {
  // The DOM hooks of browser mode (docs/conformance.md): one attribute per state field.
  body.dataset.qrlinkState = s.state;
  body.dataset.qrlinkSession = s.sessionId ?? '';
  body.dataset.qrlinkAccount = s.account?.accountId ?? '';
  body.dataset.qrlinkAccountPhone = s.account?.phone ?? '';
  body.dataset.qrlinkAccountName = s.account?.name ?? '';
  body.dataset.qrlinkPhoneOnline = s.phoneOnline === null ? '' : String(s.phoneOnline);
  body.dataset.qrlinkKeep = String(s.keep);
  body.dataset.qrlinkTokenStored = String(s.tokenStored);
  body.dataset.qrlinkRevoked = s.revokedReason ?? '';
  body.dataset.qrlinkError = s.error?.code ?? '';
  body.dataset.qrlinkErrorDetail = s.error?.detail ?? '';
  const linked = s.state === 'linked';
  const ended = s.state === 'revoked' || s.state === 'logged_out' || s.state === 'closed' || s.state === 'error';
  el('link').classList.toggle('hidden', linked || (ended && s.qr === null));
  el('linked').classList.toggle('hidden', !linked);
  el('ended').classList.toggle('hidden', !ended);
  el('use-here').classList.toggle('hidden', s.revokedReason !== 'conflict');
  el('relink').textContent = s.tokenStored && s.revokedReason === null ? 'Reconnect' : 'Link again';
  el('ended-text').textContent =
    s.revokedReason === 'conflict'
      ? 'qrlink is open in another window. Click "Use here" to use it in this window.'
      : s.revokedReason
        ? `Signed out (${s.revokedReason}).`
        : s.state === 'closed'
          ? 'Disconnected.'
          : '';
  el('status').textContent = STATUS[s.state] ?? '';
  const err = el('error');
  err.textContent = s.error ? `${s.error.code}: ${s.error.detail}` : '';
  err.classList.toggle('hidden', !s.error);
  el('offline').classList.toggle('hidden', s.phoneOnline !== false);
  el('who').textContent = s.account ? `${s.account.name} (${s.account.phone})` : '';
  drawQr(s.state === 'qr' ? s.qr : null, s.qrN);
  // A user's page loads the chat list once linked; a driven page sends relay operations only
  // when the suite asks (browser mode: the checks count the operations they cause).
  if (linked && !requestedHistory && !driven) {
    requestedHistory = true;
    core.history();
  }
  if (!linked) requestedHistory = false;
  if (linked && selectedChat === undefined && s.chats[0]) selectChat(s.chats[0].chatId);
  renderChats(s);
}

core.onChange(render);
keepBox.onchange = () => {
  if (core.state().state === 'qr' || core.state().state === 'connecting')
    void core.open(server, keepBox.checked).catch(() => render(core.state()));
};
el('logout').onclick = () => core.logout();
el('use-here').onclick = () => void core.reopen().catch(() => render(core.state()));
el('relink').onclick = () => {
  // Resume with the stored record (a dropped connection), else link afresh.
  if (core.state().tokenStored && core.state().revokedReason === null)
    void core.reopen().catch(() => render(core.state()));
  else void core.open(server, keepBox.checked).catch(() => render(core.state()));
};
el<HTMLFormElement>('send').onsubmit = (ev) => {
  ev.preventDefault();
  const input = el<HTMLInputElement>('send-text');
  const chatId = el<HTMLInputElement>('send-chat').value;
  if (!input.value || !chatId || core.state().state !== 'linked') return;
  core.sendMessage(chatId, input.value);
  input.value = '';
};
el<HTMLFormElement>('history').onsubmit = (ev) => {
  ev.preventDefault();
  const chatId = el<HTMLInputElement>('history-chat').value;
  if (core.state().state !== 'linked') return;
  core.history(chatId === '' ? undefined : chatId);
};
// Closing or leaving the tab closes the connection with 1000 (not the browser's 1001) [E2E-14].
window.addEventListener('pagehide', () => {
  if (core.state().state !== 'idle') core.close();
});

// A loaded page resumes the most recently written kept session in localStorage (one record per
// session: token, sessionId, kRoot, account: E2E-14; a logout-pending one is logged out first, WEB-6;
// after a 4401 the next record is tried) with a fresh epoch, taking it over from another tab that holds it (SESS-3); with nothing
// stored it shows a fresh QR. A corrupt record is shown as an error (bad_storage) and "Link again" links afresh.
if (params.kind === 'bad') {
  // Only a person typing the URL gets here (the suite checks its parameters before opening).
  body.dataset.qrlinkState = 'error';
  body.dataset.qrlinkError = 'bad_params';
  body.dataset.qrlinkErrorDetail = params.detail;
  el('error').textContent = `bad_params: ${params.detail}`;
  el('error').classList.remove('hidden');
} else if (driven) {
  // [browser mode] `open`: hello with keep, whatever is stored; `reopen`: resume as a reload does.
  keepBox.checked = driven.keep;
  render(core.state());
  if (driven.start === 'open') void core.open(server, driven.keep).catch(() => render(core.state()));
  else {
    core.configure(server, driven.keep);
    void core.reopen().catch(() => render(core.state()));
  }
} else {
  const stored = core.storedSession();
  keepBox.checked = stored.kind === 'ok';
  core.configure(server, keepBox.checked);
  if (stored.kind === 'ok' || stored.kind === 'corrupt') void core.reopen().catch(() => render(core.state()));
  else void core.open(server, keepBox.checked).catch(() => render(core.state()));
}
