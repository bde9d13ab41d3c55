import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromB64u, toB64u } from '../../model/protocol/encoding.js';
import { ManualClock } from '../client-clock.js';
import { acceptOffer, epochKeys, makeQr, openOp, randomBytes, sealOp } from '../crypto/index.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { startPhone } from './index.js';
import { PhoneCore } from './phone-core.js';
import { PhoneStateError } from './phone-state.js';
import { FilePhoneState } from './phone-state-file.js';

const PHONE = '+15551234567';
const ACCOUNT_ID = 'AccountAAAAAAAAAAAAAAA';
const SESSION = 'SessionSSSSSSSSSSSSSSS';
const DEVICE = { name: 'Firefox on Linux', platform: 'web' };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'qrlink-phone-state-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A phone on `file`, registered and linked with one attached session, through a scripted server. */
async function linkedPhone(file: string) {
  const srv = new ScriptedServer();
  const clock = new ManualClock();
  const core = new PhoneCore({ connector: srv.connector, clock, name: 'Alice', state: new FilePhoneState(file) });
  await core.connect('ws://fake');
  const c = srv.current;
  core.register(PHONE);
  await core.code('1234');
  c.push({ t: 'register.ok', accountId: ACCOUNT_ID, deviceToken: 'DeviceTokenDDDD' });
  const ref = toB64u(randomBytes(16));
  const { qr, secrets } = await makeQr(ref);
  core.scan(qr);
  c.push({ t: 'link.claimed', ref, device: DEVICE, address: '203.0.113.9', requestedAt: 0, keep: true });
  await core.approve();
  const web = await acceptOffer(
    secrets,
    fromB64u(ref) as Uint8Array,
    c.last('link.approve') as { pub: string; box: string },
  );
  c.push({ t: 'link.confirm', ref, tag: web.tag });
  c.push({ t: 'link.ok', ref, sessionId: SESSION });
  const eBytes = randomBytes(16);
  const e = toB64u(eBytes);
  c.push({ t: 'web.attached', sessionId: SESSION, e });
  return { srv, clock, core, c, kRoot: web.keys.kRoot, e, keys: epochKeys(web.keys.kRoot, eBytes) };
}

describe('phone state file (qrlink phone --state FILE)', () => {
  it('[REG-9, REG-8] a restarted phone authenticates with the stored token instead of re-registering, and continues its sessions [E2E-12, RELAY-14]', async () => {
    const file = join(dir, 'phone.json');
    const p = await linkedPhone(file);
    p.core.receiveMessage('c1', 'Bob', 'unacked before the restart');
    const before = p.c.last('to_web');
    p.c.push({
      t: 'from_web',
      sessionId: SESSION,
      e: p.e,
      n: 1,
      c: sealOp(p.keys.kW2P, 1, { op: 'history', limit: 5 }),
    });
    const sentBefore = p.c.ofType('to_web').length;
    p.core.close();
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['phone.json']); // no temporary file left behind

    const srv = new ScriptedServer();
    const again = new PhoneCore({
      connector: srv.connector,
      clock: p.clock,
      name: 'Alice',
      state: new FilePhoneState(file),
    });
    expect(again.state()).toMatchObject({ phone: PHONE, accountId: ACCOUNT_ID, sessions: [{ sessionId: SESSION }] });
    await again.connect('ws://fake');
    const c = srv.current;
    expect(c.sent).toEqual([{ t: 'auth', phone: PHONE, deviceToken: 'DeviceTokenDDDD' }]);
    c.push({ t: 'auth.ok', accountId: ACCOUNT_ID, sessions: [{ sessionId: SESSION, device: DEVICE, keep: true }] });
    c.push({ t: 'web.attached', sessionId: SESSION, e: p.e }); // the flush repeats the epoch
    const resent = c.ofType('to_web');
    // [RELAY-14] the same epoch: unacked frames again identical, nothing re-sealed from n = 1.
    expect(resent.map((f) => f.n)).toEqual(Array.from({ length: sentBefore }, (_, j) => j + 1));
    expect(resent[0]).toEqual(before);
    again.receiveMessage('c1', 'Bob', 'after the restart');
    const next = c.last('to_web');
    expect(next.n).toBe(sentBefore + 1);
    expect(openOp(p.keys.kP2W, next.n as number, next.c as string)).toMatchObject({
      message: { text: 'after the restart' },
    });
    // [E2E-13, RELAY-18] the high-water survived: the replayed request is a duplicate, re-acked, not served again.
    c.push({ t: 'from_web', sessionId: SESSION, e: p.e, n: 1, c: sealOp(p.keys.kW2P, 1, { op: 'history', limit: 5 }) });
    expect(c.last('ack')).toEqual({ t: 'ack', sessionId: SESSION, e: p.e, n: 1 });
    expect(c.ofType('to_web').length).toBe(sentBefore + 1);
    again.close();
  });

  it('[REG-8] error unauthorized removes the state file (the device token is dead)', async () => {
    const file = join(dir, 'phone.json');
    const p = await linkedPhone(file);
    p.c.push({ t: 'error', code: 'unauthorized', detail: 'number registered elsewhere' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a corrupt or incomplete state file is a clear error naming the file; startPhone rejects', async () => {
    const file = join(dir, 'phone.json');
    writeFileSync(file, '{"v":1,"phone":"+15551234567"');
    expect(() => new FilePhoneState(file).load()).toThrow(PhoneStateError);
    await expect(startPhone({ stateFile: file })).rejects.toThrow(`the phone state file ${file} is not a phone state`);
    writeFileSync(file, JSON.stringify({ v: 1, phone: PHONE, accountId: ACCOUNT_ID, sessions: [] }));
    await expect(startPhone({ stateFile: file })).rejects.toThrow(
      new RegExp(`the phone state file ${file} is not a valid phone state: deviceToken`),
    );
    expect(readFileSync(file, 'utf8')).toContain('+15551234567'); // left as it was
  });
});
