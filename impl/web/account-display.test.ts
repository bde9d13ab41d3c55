import { describe, expect, it } from 'vitest';
import { toB64u } from '../../model/protocol/encoding.js';
import { parseQr } from '../../model/protocol/qr-payload.js';
import { type AccountData, approve, randomBytes } from '../crypto/index.js';
import { ScriptedServer } from './scripted-server.js';
import { MemoryStorageSlot } from './storage-slot.js';
import { WebCore } from './web-core.js';

const ACCOUNT: AccountData = {
  accountId: 'AccountAAAAAAAAAAAAAAA',
  phone: '+15551234567',
  name: 'Alice',
  identityKey: toB64u(new Uint8Array(32).fill(7)),
};

describe('[WEB-2] a new connection shows no account before its linked/resumed', () => {
  it('closed after a link, then reopened: resuming shows no account until resumed', async () => {
    const srv = new ScriptedServer();
    const core = new WebCore({ connector: srv.connector, storage: new MemoryStorageSlot(), pollMs: 0 });
    await core.open('ws://fake', true);
    const ref = toB64u(randomBytes(16));
    srv.current.push({ t: 'qr', ref, ttlMs: 60_000, n: 1, of: 6 });
    const shown = await core.waitFor((s) => s.qr !== null);
    srv.current.push({ t: 'scanned', ref });
    const a = await approve(parseQr(shown.qr as string), ACCOUNT);
    srv.current.push({ t: 'offer', ref, pub: a.pub, box: a.box });
    await core.waitFor((s) => s.state === 'confirming');
    srv.current.push({ t: 'linked', sessionId: 'SessionSSSSSSSSSSSSSSS', accountId: ACCOUNT.accountId, token: 'T1' });
    await core.waitFor((s) => s.state === 'linked');
    core.close();
    const resuming = await core.reopen();
    expect(resuming).toMatchObject({ state: 'resuming', account: null });
    srv.current.push({ t: 'resumed', sessionId: 'SessionSSSSSSSSSSSSSSS', accountId: ACCOUNT.accountId, token: 'T2' });
    const linked = await core.waitFor((s) => s.state === 'linked');
    expect(linked.account?.accountId).toBe(ACCOUNT.accountId);
  });
});
