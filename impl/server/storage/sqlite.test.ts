/** --db: accounts, device tokens and kept sessions survive a restart; non-kept sessions and custody do not. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { authPhone, harness, link, rand, registerPhone, resume } from '../test-fixture.js';
import { SqliteStore } from './sqlite.js';

const dirs: string[] = [];
function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrlink-db-'));
  dirs.push(dir);
  return join(dir, 'server.db');
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  test('stores accounts and sessions, replaces on put, deletes and clears', () => {
    const file = dbFile();
    const s = new SqliteStore(file);
    s.putAccount({ accountId: 'a1', phone: '+15550000001', deviceTokenHash: 'h1', identityKey: 'k' });
    s.putAccount({ accountId: 'a1', phone: '+15550000001', deviceTokenHash: 'h2', identityKey: 'k' });
    const session = {
      sessionId: 's1',
      accountId: 'a1',
      device: { name: 'n', platform: 'p' },
      seq: 3,
      currentHash: 'c',
      pendingHash: null,
      epochs: ['e1'],
    };
    s.putSession(session);
    s.close();
    const t = new SqliteStore(file);
    expect(t.accounts()).toEqual([{ accountId: 'a1', phone: '+15550000001', deviceTokenHash: 'h2', identityKey: 'k' }]);
    expect(t.sessions()).toEqual([session]);
    t.deleteSession('s1');
    expect(t.sessions()).toEqual([]);
    t.clear();
    expect(t.accounts()).toEqual([]);
    t.close();
  });
});

describe('restart with --db', () => {
  test('a kept session resumes after a restart; a keep:false one does not; the account and device token survive; no token stored in clear', async () => {
    const file = dbFile();
    const h1 = await harness({ db: file });
    const phone = await registerPhone(h1);
    await h1.config({ sessionLimit: 3 });
    const kept = await link(h1, phone.peer, true);
    const passing = await link(h1, phone.peer, false);
    const unacked = await link(h1, phone.peer, true, false); // linked never acknowledged (F3)
    await h1.close();

    const raw = new SqliteStore(file);
    const dump = JSON.stringify([raw.accounts(), raw.sessions()]);
    raw.close();
    for (const secret of [phone.deviceToken, kept.token, unacked.token]) expect(dump).not.toContain(secret);

    const h2 = await harness({ db: file });
    try {
      expect(await h2.stats()).toMatchObject({ accounts: 1, sessions: { live: 1, attached: 0 } });
      const back = await authPhone(h2, phone);
      const ok = back.frames.find((f) => f.t === 'auth.ok');
      expect(ok?.t === 'auth.ok' && ok.sessions.map((s) => s.sessionId)).toEqual([kept.sessionId]);
      const r = await resume(h2, kept.token as string);
      expect(r.sessionId).toBe(kept.sessionId);
      const e = rand(16);
      r.peer.send({ t: 'attach', e });
      await back.next('web.attached');
      r.peer.send({ t: 'to_phone', e, n: 1, c: rand(20) });
      expect((await back.next('from_web')).n).toBe(1);
      for (const token of [unacked.token]) {
        const w = await h2.web();
        w.send({ t: 'resume', token });
        await w.expectClose(4401);
      }
      expect(passing.token).toBeUndefined();
      // [RELAY-1] epochs used before the restart are still refused
      const again = await resume(h2, r.token);
      again.peer.send({ t: 'attach', e: kept.e });
      await again.peer.expectClose(4000);
    } finally {
      await h2.close();
    }
  });
});
