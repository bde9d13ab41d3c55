/**
 * The phone's interactive terminal front end (`qrlink phone`): a human types the SMS code, pastes
 * the QR text from the page, and answers the consent screen. Decline is the default: an empty
 * answer declines [CONS-2].
 */
import type { PhoneDriverState } from '../../model/protocol/driver-frames.js';
import type { PhoneCore } from './phone-core.js';

export interface TerminalIo {
  /** Lines typed by the user (without newline). */
  lines: AsyncIterable<string>;
  out(text: string): void;
}

const HELP = [
  'commands:',
  '  register +15551234567   ask the server for a code     code 1234     type the SMS code',
  '  qrlink:1,...             paste the QR text (the "Link a device" scanner)',
  '  y | approve             approve the request shown     n | decline | <enter>   decline (default)',
  '  devices                 list linked devices           unlink <sessionId> | unlink all',
  '  say <chatId> <text>     a contact writes to you       offline | online',
  '  state                   print the state               quit',
].join('\n');

function describe(s: PhoneDriverState): string {
  if (s.state === 'consenting' && s.consent) {
    const c = s.consent;
    return [
      '',
      '=== Link a device? ===',
      `  device:    ${c.device.name} (${c.device.platform})`,
      `  from:      ${c.address}`,
      `  requested: ${new Date(c.requestedAt).toLocaleString()}`,
      `  stays signed in: ${c.keep ? 'yes, until you unlink it' : 'no, only until that browser closes'}`,
      '  Approving gives this browser your chat history.',
      'Approve? [y/N] ',
    ].join('\n');
  }
  const err = s.error ? ` (${s.error.code}: ${s.error.detail})` : '';
  return `[phone] ${s.state}${s.accountId ? ` account ${s.accountId}` : ''}, ${s.sessions.length} linked device(s)${err}`;
}

/** Runs until the input ends or the user types quit. */
export async function runPhoneTerminal(phone: PhoneCore, io: TerminalIo): Promise<void> {
  io.out(`${HELP}\n`);
  const off = phone.onChange((s) => io.out(`${describe(s)}\n`));
  try {
    for await (const raw of io.lines) {
      const line = raw.trim();
      const [word = '', ...rest] = line.split(/\s+/);
      try {
        if (line.startsWith('qrlink:')) phone.scan(line);
        else if (phone.state().state === 'consenting') {
          // Only an explicit yes approves; anything else is the default: decline [CONS-2, PHONE-1].
          if (/^(y|yes|approve)$/i.test(line)) await phone.approve();
          else phone.decline();
        } else if (word === 'register') phone.register(rest[0] ?? '');
        else if (word === 'code' || /^[0-9]{4,8}$/.test(word))
          await phone.code(word === 'code' ? (rest[0] ?? '') : word);
        else if (word === 'devices') {
          for (const d of phone.state().sessions) {
            io.out(`  ${d.sessionId}  ${d.device.name} (${d.device.platform})${d.attached ? ' attached' : ''}\n`);
          }
        } else if (word === 'unlink' && rest[0] === 'all') phone.unlinkAll();
        else if (word === 'unlink') phone.unlink(rest[0] ?? '');
        else if (word === 'say') {
          if (!phone.receiveMessage(rest[0] ?? '', 'Contact', rest.slice(1).join(' ') || '...'))
            io.out('no such chat\n');
        } else if (word === 'offline') await phone.setOnline(false);
        else if (word === 'online') await phone.setOnline(true);
        else if (word === 'state') io.out(`${JSON.stringify(phone.state(), null, 2)}\n`);
        else if (word === 'quit' || word === 'exit') break;
        else if (line !== '') io.out(`${HELP}\n`);
      } catch (err) {
        io.out(`! ${(err as Error).message}\n`);
      }
    }
  } finally {
    off();
  }
}
