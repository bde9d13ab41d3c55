import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveSystem, linkThrough, startLiveSystem } from './live-system.js';

let live: LiveSystem | undefined;
let dir: string | undefined;
afterEach(async () => {
  await live?.close();
  live = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** Every textual form a secret could take in a log, a frame or a database. */
function forms(value: Uint8Array | string): string[] {
  if (typeof value === 'string') return [value];
  const b = Buffer.from(value);
  return [b.toString('base64url'), b.toString('base64'), b.toString('hex'), b.toString('latin1')];
}

describe('[E2E-16] secrecy: the server never holds linkSecret, private keys, derived keys or plaintext', () => {
  it('records what the server sends, is sent, logs and stores during a linked session and finds none of them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'qrlink-secrecy-'));
    const db = join(dir, 'server.db');
    live = await startLiveSystem({ db });
    const phone = await live.phone('Zelda Secretname');
    const web = live.web();
    await linkThrough(live, web, phone, true);
    web.history();
    await web.waitFor((s) => s.chats.length === 3);
    web.sendMessage('c1', 'plaintext marker 7f3a');
    await web.waitFor((s) => s.messages.some((m) => m.text === 'plaintext marker 7f3a'));
    phone.receiveMessage('c2', 'Bob', 'pushed marker 91bd');
    await web.waitFor((s) => s.messages.some((m) => m.text === 'pushed marker 91bd'));
    web.close();
    await web.reopen(); // a second attachment: new epoch keys
    await web.waitFor((s) => s.state === 'linked');
    web.history('c3');
    await web.waitFor((s) => s.messages.some((m) => m.chatId === 'c3'));
    await live.server.close();

    const stored = ['', '-wal', '-journal', '-shm']
      .map((suffix) => `${db}${suffix}`)
      .filter((p) => existsSync(p))
      .map((p) => readFileSync(p).toString('latin1'));
    const corpus = [...live.wire.map((w) => w.text), ...live.logs, ...stored].join('\n');

    // The audit saw every kind of secret (so the check below is not vacuous).
    const labels = new Set(live.secrets.map((s) => s.label));
    for (const l of ['linkSecret', 'webPriv', 'prk', 'kP2W', 'kW2P', 'kRoot', 'kW2P_e', 'kP2W_e', 'plaintext']) {
      expect(labels, l).toContain(l);
    }
    // Positive control: public values of the same session do appear.
    expect(corpus).toContain('"t":"to_phone"');
    expect(stored.length).toBeGreaterThan(0);

    const leaks: string[] = [];
    for (const { label, value } of live.secrets) {
      for (const f of forms(value)) if (f.length >= 8 && corpus.includes(f)) leaks.push(`${label}: ${f.slice(0, 24)}`);
    }
    for (const marker of ['plaintext marker 7f3a', 'pushed marker 91bd', 'Zelda Secretname']) {
      if (corpus.includes(marker)) leaks.push(marker);
    }
    const seeded = phone.store.messagesOf('c1').map((m) => m.text);
    for (const text of seeded) if (text.length > 12 && corpus.includes(`"${text}"`)) leaks.push(`history: ${text}`);
    expect(leaks).toEqual([]);
  });
});
