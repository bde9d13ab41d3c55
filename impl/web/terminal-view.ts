/**
 * What the Node web client prints: the QR code drawn in the terminal (qrcode's terminal renderer)
 * with its raw text on one line for pasting into `qrlink phone`, then state changes and chats.
 */
import QRCode from 'qrcode';
import type { WebDriverState } from '../../model/protocol/driver-frames.js';

/** The QR drawn with terminal block characters, and the raw text. */
export async function renderQrForTerminal(text: string): Promise<string> {
  const art = await QRCode.toString(text, { type: 'terminal', small: true, errorCorrectionLevel: 'M' });
  return `${art}\nQR text (paste into qrlink phone):\n${text}`;
}

/** Prints every change worth a line (each `out` call is one line; the QR spans several); the QR once per ref. */
export function terminalView(out: (text: string) => void): (s: WebDriverState) => void {
  let lastQr: string | null = null;
  let lastLine = '';
  let shownMessages = 0;
  return (s) => {
    if (s.qr && s.qr !== lastQr) {
      lastQr = s.qr;
      void renderQrForTerminal(s.qr).then((text) => out(`QR ${s.qrN ?? ''}:\n${text}`));
    }
    const line =
      `[web] ${s.state}` +
      (s.account ? ` as ${s.account.name} (${s.account.phone})` : '') +
      (s.phoneOnline === false ? ' [phone offline]' : '') +
      (s.revokedReason ? ` revoked: ${s.revokedReason}` : '') +
      (s.error ? ` error: ${s.error.code}: ${s.error.detail}` : '');
    if (line !== lastLine) {
      lastLine = line;
      out(line);
    }
    if (s.messages.length < shownMessages) shownMessages = 0;
    for (const m of s.messages.slice(shownMessages)) {
      const chat = s.chats.find((c) => c.chatId === m.chatId)?.title ?? m.chatId;
      out(`  [${chat}] ${m.from}: ${m.text}`);
    }
    shownMessages = s.messages.length;
  };
}
