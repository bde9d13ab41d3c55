import { afterEach, describe, expect, it } from 'vitest';
import { toB64u } from '../../model/protocol/encoding.js';
import { parseQr } from '../../model/protocol/qr-payload.js';
import { type AccountData, approve, randomBytes } from '../crypto/index.js';
import { DriverClient } from '../phone/driver-client.js';
import { type RunningWeb, startWeb } from './index.js';
import { ScriptedServer } from './scripted-server.js';
import { MemoryStorageSlot } from './storage-slot.js';
import { WebCore } from './web-core.js';

const ACCOUNT: AccountData = {
  accountId: 'AccountAAAAAAAAAAAAAAA',
  phone: '+15551234567',
  name: 'Alice',
  identityKey: toB64u(new Uint8Array(32).fill(7)),
};

/** A core linked with keep: true through the scripted server (a record is stored). */
async function linkedCore() {
  const srv = new ScriptedServer();
  const storage = new MemoryStorageSlot();
  const core = new WebCore({ connector: srv.connector, storage, pollMs: 0 });
  await core.open('ws://fake', true);
  const c = srv.current;
  const ref = toB64u(randomBytes(16));
  c.push({ t: 'qr', ref, ttlMs: 60_000, n: 1, of: 6 });
  const shown = await core.waitFor((s) => s.qr !== null);
  c.push({ t: 'scanned', ref });
  const approval = await approve(parseQr(shown.qr as string), ACCOUNT);
  c.push({ t: 'offer', ref, pub: approval.pub, box: approval.box });
  await core.waitFor((s) => s.state === 'confirming');
  c.push({ t: 'linked', sessionId: 'SessionSSSSSSSSSSSSSSS', accountId: ACCOUNT.accountId, token: 'TokenOne' });
  c.push({ t: 'phone', online: true });
  await core.waitFor((s) => s.state === 'linked' && s.phoneOnline === true);
  return { srv, storage, core, c };
}

describe('[DRV-13] reset leaves the web client as a fresh installation', () => {
  it('closes the connection with 1000, wipes the stored record, and every field is initial', async () => {
    const { core, c, storage } = await linkedCore();
    expect(core.state()).toMatchObject({ tokenStored: true, keep: true });
    const initial = new WebCore({
      connector: new ScriptedServer().connector,
      storage: new MemoryStorageSlot(),
    }).state();
    const after = core.reset();
    expect(c.closedByClient).toBe(1000);
    expect(storage.read()).toBeUndefined();
    expect(after).toEqual(initial);
    expect(after).toMatchObject({ state: 'idle', keep: false, tokenStored: false, account: null, sessionId: null });
    // a late frame of the old connection changes nothing
    c.push({ t: 'revoked', reason: 'unlinked' });
    expect(core.state()).toEqual(initial);
  });

  it('forgets the last server: reopen after reset answers bad_state', async () => {
    const { core } = await linkedCore();
    core.reset();
    expect(() => core.reopen()).toThrow(/never opened/);
  });
});

describe('[DRV-13] reset through the driver endpoint', () => {
  let web: RunningWeb | undefined;
  let driver: DriverClient | undefined;
  afterEach(async () => {
    driver?.close();
    await web?.close();
    web = undefined;
    driver = undefined;
  });

  it('replies with the initial state, and reopen is then bad_state', async () => {
    web = await startWeb({ driverPort: 0, pollMs: 0 });
    driver = await DriverClient.open(`ws://127.0.0.1:${web.driverPort}`);
    const reply = await driver.command({ cmd: 'reset' });
    expect(reply).toMatchObject({ state: 'idle', keep: false, tokenStored: false, qr: null, error: null });
    await expect(driver.command({ cmd: 'reopen' })).rejects.toThrow(/bad_state/);
  });
});
