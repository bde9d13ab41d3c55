import { afterEach, describe, expect, it } from 'vitest';
import { DriverClient } from '../phone/driver-client.js';
import { type RunningPhone, startPhone } from '../phone/index.js';
import { type RunningWeb, startWeb } from './index.js';
import { type LiveSystem, startLiveSystem } from './live-system.js';

let live: LiveSystem | undefined;
let phone: RunningPhone | undefined;
let web: RunningWeb | undefined;
const drivers: DriverClient[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) d.close();
  await web?.close();
  await phone?.close();
  await live?.close();
  web = undefined;
  phone = undefined;
  live = undefined;
});

describe('[DRV] both reference clients driven only through their driver endpoints', () => {
  it('register, link, history, send, unlink: the suite acting as both users', async () => {
    live = await startLiveSystem();
    const printed: string[] = [];
    phone = await startPhone({ driverPort: 0, name: 'Driven Phone' });
    web = await startWeb({ driverPort: 0, log: (t) => printed.push(t), pollMs: 0 });
    const p = await DriverClient.open(`ws://127.0.0.1:${phone.driverPort}`);
    const w = await DriverClient.open(`ws://127.0.0.1:${web.driverPort}`);
    drivers.push(p, w);
    const server = live.server.wsUrl;

    expect(await p.command({ cmd: 'connect', server })).toMatchObject({ state: 'unregistered' });
    await p.command({ cmd: 'register', phone: '+15559870001' });
    const code = await live.control.smsCode('+15559870001');
    await p.command({ cmd: 'code', code });
    const ready = await p.state((s) => s.state === 'ready');
    expect(ready.accountId).toMatch(/^[A-Za-z0-9_-]+$/);

    expect(await w.command({ cmd: 'open', server, keep: true })).toMatchObject({ state: 'connecting', keep: true });
    const shown = await w.state((s) => typeof s.qr === 'string');
    await p.command({ cmd: 'scan', qr: shown.qr });
    const consent = await p.state((s) => s.state === 'consenting');
    expect(consent.consent).toMatchObject({ device: { name: 'qrlink web (Node)' }, address: '127.0.0.1' });
    await p.command({ cmd: 'approve' });
    const linked = await w.state((s) => s.state === 'linked');
    expect(linked).toMatchObject({ account: { accountId: ready.accountId, name: 'Driven Phone' }, tokenStored: true });

    await w.command({ cmd: 'history' });
    await w.state((s) => (s.chats as unknown[]).length === 3);
    await w.command({ cmd: 'send', chatId: 'c1', text: 'via the driver' });
    await w.state((s) => (s.messages as { text: string }[]).some((m) => m.text === 'via the driver'));

    const withSession = await p.state((s) => (s.sessions as { attached: boolean }[]).some((x) => x.attached));
    const sessionId = (withSession.sessions as { sessionId: string }[])[0]?.sessionId;
    await p.command({ cmd: 'unlink', sessionId });
    expect(await w.state((s) => s.state === 'revoked')).toMatchObject({
      revokedReason: 'unlinked',
      tokenStored: false,
    });

    const terminal = printed.join('');
    expect(terminal).toContain(shown.qr as string);
    expect(terminal).toMatch(/[▄▀█]/);
  });
});
