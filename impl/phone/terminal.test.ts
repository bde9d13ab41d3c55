import { describe, expect, it } from 'vitest';
import { toB64u } from '../../model/protocol/encoding.js';
import { ManualClock } from '../client-clock.js';
import { makeQr, randomBytes } from '../crypto/index.js';
import { ScriptedServer } from '../web/scripted-server.js';
import { PhoneCore } from './phone-core.js';
import { runPhoneTerminal } from './terminal.js';

/** Lines fed one by one; each waits for `before` to hold first. */
async function* script(steps: { before?: () => Promise<unknown>; line: string }[]) {
  for (const s of steps) {
    await s.before?.();
    yield s.line;
  }
}

async function consentingPhone() {
  const srv = new ScriptedServer();
  const core = new PhoneCore({ connector: srv.connector, clock: new ManualClock() });
  await core.connect('ws://fake');
  const ref = toB64u(randomBytes(16));
  const { qr } = await makeQr(ref);
  return { srv, core, ref, qr };
}

describe('phone terminal front end', () => {
  it('[CONS-2] an empty answer on the consent screen declines (decline is the default)', async () => {
    const { srv, core, ref, qr } = await consentingPhone();
    const out: string[] = [];
    await runPhoneTerminal(core, {
      out: (t) => out.push(t),
      lines: script([
        { line: 'register +15551234567' },
        { line: '1234' },
        {
          before: async () => srv.current.push({ t: 'register.ok', accountId: 'Acc', deviceToken: 'Tok' }),
          line: qr,
        },
        {
          before: async () =>
            srv.current.push({
              t: 'link.claimed',
              ref,
              device: { name: 'Evil tab', platform: 'web' },
              address: '198.51.100.7',
              requestedAt: 0,
              keep: true,
            }),
          line: '',
        },
      ]),
    });
    expect(srv.current.types).toEqual(['register', 'register.verify', 'link.claim', 'link.decline']);
    expect(out.join('')).toMatch(
      /Link a device\?[\s\S]*Evil tab \(web\)[\s\S]*198\.51\.100\.7[\s\S]*stays signed in: yes[\s\S]*\[y\/N\]/,
    );
  });

  it('[PHONE-1] only an explicit "y" approves', async () => {
    const { srv, core, ref, qr } = await consentingPhone();
    await runPhoneTerminal(core, {
      out: () => {},
      lines: script([
        { line: 'register +15551234567' },
        { line: 'code 1234' },
        { before: async () => srv.current.push({ t: 'register.ok', accountId: 'Acc', deviceToken: 'Tok' }), line: qr },
        {
          before: async () =>
            srv.current.push({
              t: 'link.claimed',
              ref,
              device: { name: 'Tab', platform: 'web' },
              address: '::1',
              requestedAt: 0,
              keep: true,
            }),
          line: 'y',
        },
      ]),
    });
    expect(srv.current.types).toEqual(['register', 'register.verify', 'link.claim', 'link.approve']);
  });
});
