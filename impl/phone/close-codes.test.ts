import { describe, expect, it } from 'vitest';
import { ManualClock } from '../client-clock.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { DriverClient } from './driver-client.js';
import { startDriverEndpoint } from './driver-endpoint.js';
import { PhoneCore } from './phone-core.js';
import { phoneDriverTarget } from './phone-driver.js';

const PHONE = '+15551234567';

async function registered() {
  const srv = new ScriptedServer();
  const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock(), consentMs: 0 });
  await core.connect('ws://fake');
  core.register(PHONE);
  await core.code('1234');
  srv.current.push({ t: 'register.ok', accountId: 'AccountAAAAAAAAAAAAAAA', deviceToken: 'DeviceTokenDDDD' });
  return { srv, core };
}

describe('phone: close codes without an error frame (section 14.7)', () => {
  it('[REG-9, REG-8] a bare close 4401 wipes the device token: state error, the next connect is unregistered', async () => {
    const { srv, core } = await registered();
    srv.current.serverClose(4401);
    await core.waitFor((s) => s.state === 'error');
    expect(core.state()).toMatchObject({ state: 'error', accountId: null, error: { code: 'unauthorized' } });
    await core.connect('ws://fake');
    expect(core.state().state).toBe('unregistered');
    expect(srv.current.ofType('auth')).toHaveLength(0);
  });

  it('[REG-10] a bare close 4002 stops the phone (error conflict) and keeps the token', async () => {
    const { srv, core } = await registered();
    srv.current.serverClose(4002);
    await core.waitFor((s) => s.state === 'error');
    expect(core.state().error?.code).toBe('conflict');
    await core.connect('ws://fake');
    expect(srv.current.last('auth')).toMatchObject({ phone: PHONE, deviceToken: 'DeviceTokenDDDD' });
  });

  it('other closes leave the phone offline with its token', async () => {
    const { srv, core } = await registered();
    srv.current.serverClose(1001);
    await core.waitFor((s) => s.state === 'offline');
    await core.setOnline(true);
    expect(srv.current.last('auth')).toMatchObject({ deviceToken: 'DeviceTokenDDDD' });
  });
});

describe('phone driver: reset [DRV-13]', () => {
  it('reset through the driver endpoint replies idle with every field initial and closes with 1000', async () => {
    const { srv, core } = await registered();
    const conn = srv.current;
    const running = await startDriverEndpoint(phoneDriverTarget(core));
    const d = await DriverClient.open(`ws://127.0.0.1:${running.port}`);
    try {
      const reply = await d.request({ cmd: 'reset' });
      expect(reply).toMatchObject({
        ok: true,
        result: { state: 'idle', phone: null, accountId: null, consent: null, sessions: [], error: null },
      });
      expect(conn.closedByClient).toBe(1000);
      expect(await d.request({ cmd: 'online', value: true })).toMatchObject({
        ok: false,
        error: { code: 'bad_state' },
      });
    } finally {
      d.close();
      await running.close();
    }
  });
});
