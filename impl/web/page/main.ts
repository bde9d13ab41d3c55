/**
 * The browser web client page: the shared web core with the native WebSocket and localStorage,
 * rendering a real QR code (SVG, high contrast, quiet zone), the consent-pending state, the chats
 * read from the phone, the send box, the "phone offline" banner, "use here" and logout. DOM hooks
 * for the suite are documented in README.md (data-qrlink-*).
 */
import QRCode from 'qrcode';
import type { WebDriverState } from '../../../model/protocol/driver-frames.js';
import { WebCore } from '../web-core.js';
import { browserConnector, pageServer } from './browser-connector.js';
import { LocalStorageSlot } from './local-storage-slot.js';

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

const server = pageServer(window.location);
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

async function drawQr(text: string | null): Promise<void> {
  const box = el('qr');
  if (text === shownQr) return;
  shownQr = text;
  if (text === null) {
    box.innerHTML = '';
    box.removeAttribute('data-qrlink-qr');
    el('qr-text').textContent = '';
    return;
  }
  const svg = await QRCode.toString(text, {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 4,
    color: { dark: '#000000', light: '#ffffff' },
  });
  if (shownQr !== text) return;
  box.innerHTML = svg;
  box.setAttribute('data-qrlink-qr', text);
  el('qr-text').textContent = text;
}

function renderChats(s: WebDriverState): void {
  const list = el('chats');
  list.replaceChildren(
    ...s.chats.map((c) => {
      const li = document.createElement('li');
      const b = document.createElement('button');
      b.textContent = c.title;
      b.dataset.qrlinkChat = c.chatId;
      if (c.chatId === selectedChat) b.className = 'selected';
      b.onclick = () => {
        selectedChat = c.chatId;
        core.history(c.chatId);
        render(core.state());
      };
      li.append(b);
      return li;
    }),
  );
  const msgs = el('messages');
  const shown = s.messages.filter((m) => selectedChat === undefined || m.chatId === selectedChat);
  msgs.replaceChildren(
    ...shown.map((m) => {
      const li = document.createElement('li');
      li.dataset.qrlinkMessage = m.id;
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
  body.dataset.qrlinkState = s.state;
  body.dataset.qrlinkAccount = s.account?.accountId ?? '';
  body.dataset.qrlinkPhoneOnline = s.phoneOnline === null ? '' : String(s.phoneOnline);
  body.dataset.qrlinkError = s.error?.code ?? '';
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
  void drawQr(s.state === 'qr' || s.state === 'scanned' ? s.qr : null);
  if (linked && !requestedHistory) {
    requestedHistory = true;
    core.history();
  }
  if (!linked) requestedHistory = false;
  if (linked && selectedChat === undefined && s.chats[0]) selectedChat = s.chats[0].chatId;
  renderChats(s);
}

core.onChange(render);
keepBox.onchange = () => {
  if (core.state().state === 'qr' || core.state().state === 'connecting') void core.open(server, keepBox.checked);
};
el('logout').onclick = () => core.logout();
el('use-here').onclick = () => void core.reopen().catch(() => render(core.state()));
el('relink').onclick = () => {
  // Resume with the stored record (a dropped connection), else link afresh.
  if (core.state().tokenStored && core.state().revokedReason === null)
    void core.reopen().catch(() => render(core.state()));
  else void core.open(server, keepBox.checked);
};
el<HTMLFormElement>('send').onsubmit = (ev) => {
  ev.preventDefault();
  const input = el<HTMLInputElement>('send-text');
  if (!input.value || !selectedChat) return;
  core.sendMessage(selectedChat, input.value);
  input.value = '';
};

// A loaded page resumes the most recently written kept session in localStorage (one record per
// session: token, sessionId, kRoot, account: E2E-14; a logout-pending one is logged out first, WEB-6;
// after a 4401 the next record is tried) with a fresh epoch, taking it over from another tab that holds it (SESS-3); with nothing
// stored it shows a fresh QR. A corrupt record is shown as an error (bad_storage) and "Link again" links afresh.
const stored = core.storedSession();
keepBox.checked = stored.kind === 'ok';
core.configure(server, keepBox.checked);
if (stored.kind === 'ok' || stored.kind === 'corrupt') void core.reopen().catch(() => render(core.state()));
else void core.open(server, keepBox.checked);
