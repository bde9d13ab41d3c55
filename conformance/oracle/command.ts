/**
 * The suite's abstract commands against a server: what a simulated web client, phone or the clock
 * does next. They name model values (refs like `A1.2`, sessions like `s1`, tokens like `s1.t0`),
 * never concrete bytes, so a command list stays meaningful when fast-check shrinks it or a trace
 * file replays it: the lockstep runner resolves each name through the bindings of its own run.
 */
import type { PhoneId } from '../../model/abstract/values.js';

export type Command =
  | { readonly c: 'web.hello'; readonly conn: string; readonly keep: boolean }
  | { readonly c: 'web.resume'; readonly conn: string; readonly token: string }
  | { readonly c: 'web.status'; readonly conn: string; readonly ref: string }
  | { readonly c: 'web.confirm'; readonly conn: string; readonly ref: string; readonly forged: boolean }
  | { readonly c: 'web.abort'; readonly conn: string; readonly ref: string }
  | { readonly c: 'web.attach'; readonly conn: string }
  | { readonly c: 'web.toPhone'; readonly conn: string }
  | { readonly c: 'web.ack'; readonly conn: string }
  | { readonly c: 'web.logout'; readonly conn: string }
  | { readonly c: 'web.close'; readonly conn: string }
  | { readonly c: 'phone.register'; readonly phone: PhoneId }
  | { readonly c: 'phone.verify'; readonly phone: PhoneId; readonly right: boolean }
  | { readonly c: 'phone.auth'; readonly phone: PhoneId; readonly valid: boolean }
  | { readonly c: 'phone.close'; readonly phone: PhoneId }
  | { readonly c: 'phone.claim'; readonly phone: PhoneId; readonly ref: string }
  | { readonly c: 'phone.decline'; readonly phone: PhoneId; readonly ref: string }
  | { readonly c: 'phone.approve'; readonly phone: PhoneId; readonly ref: string }
  | { readonly c: 'phone.finalize'; readonly phone: PhoneId; readonly ref: string }
  | { readonly c: 'phone.toWeb'; readonly phone: PhoneId; readonly session: string }
  | { readonly c: 'phone.ack'; readonly phone: PhoneId; readonly session: string }
  | { readonly c: 'phone.unlink'; readonly phone: PhoneId; readonly session: string }
  | { readonly c: 'phone.unlinkAll'; readonly phone: PhoneId }
  /** Advance the target's clock to the next deadline of a running timer. */
  | { readonly c: 'clock' }
  /**
   * Adversarial: a well-formed web frame of type `t`, whatever the connection's state [ERR-6],
   * naming the attempt's ref, the one before it (dead) or one never issued to it, and its own
   * epoch or another's.
   */
  | {
      readonly c: 'web.frame';
      readonly conn: string;
      readonly t: WebFrameType;
      readonly ref?: 'previous' | 'foreign';
      readonly epoch?: 'foreign';
    }
  /** Adversarial: a new connection whose first frame is `t` (not hello), a hello of version 2, or a close. */
  | { readonly c: 'web.first'; readonly conn: string; readonly t: WebFrameType | 'hello.v2' | '$close' }
  /** Adversarial: a phone frame about `ref` (current, dead, not yet or never issued), whatever its state [LINK-6]. */
  | { readonly c: 'phone.frame'; readonly phone: PhoneId; readonly t: PhoneRefFrameType; readonly ref: string }
  /** Adversarial: registration frames out of turn [REG-5] [REG-11]. */
  | { readonly c: 'phone.reg'; readonly phone: PhoneId; readonly t: 'register' | 'register.verify' | 'auth' }
  /** Adversarial: relay frames about any session of the account (ended ones too), in its epoch or another [RELAY-8]. */
  | {
      readonly c: 'phone.relay';
      readonly phone: PhoneId;
      readonly session: string;
      readonly t: 'to_web' | 'ack';
      readonly epoch: 'current' | 'foreign';
    };

export const webFrameTypes = [
  'hello',
  'resume',
  'status',
  'confirm',
  'abort',
  'attach',
  'to_phone',
  'ack',
  'logout',
] as const;
export type WebFrameType = (typeof webFrameTypes)[number];
export const phoneRefFrameTypes = ['link.claim', 'link.decline', 'link.approve', 'link.finalize'] as const;
export type PhoneRefFrameType = (typeof phoneRefFrameTypes)[number];

export type CommandKind = Command['c'];

/** Who performs a command, as traces name the actor (`webA1`, `phoneP1`, `clock`). */
export function actorOf(cmd: Command): string {
  if ('conn' in cmd) return `web${cmd.conn}`;
  if ('phone' in cmd) return `phone${cmd.phone}`;
  return 'clock';
}

/** One line for traces and case titles, e.g. `phoneP1 claims A1.1`. */
export function describeCommand(cmd: Command): string {
  const who = actorOf(cmd);
  switch (cmd.c) {
    case 'web.hello':
      return `${who} opens and sends hello (keep ${cmd.keep})`;
    case 'web.resume':
      return `${who} opens and resumes with token ${cmd.token}`;
    case 'web.status':
      return `${who} asks the status of ${cmd.ref}`;
    case 'web.confirm':
      return `${who} confirms ${cmd.ref} with ${cmd.forged ? 'a forged' : 'the right'} tag`;
    case 'web.abort':
      return `${who} aborts ${cmd.ref}`;
    case 'web.attach':
      return `${who} attaches with a fresh epoch`;
    case 'web.toPhone':
      return `${who} sends a relay frame to the phone`;
    case 'web.ack':
      return `${who} acknowledges what it received`;
    case 'web.logout':
      return `${who} logs out`;
    case 'web.close':
      return `${who} closes its connection`;
    case 'phone.register':
      return `${who} asks for a registration code`;
    case 'phone.verify':
      return `${who} sends the ${cmd.right ? 'right' : 'wrong'} code`;
    case 'phone.auth':
      return `${who} connects and authenticates with ${cmd.valid ? 'its' : 'a wrong'} device token`;
    case 'phone.close':
      return `${who} closes its connection`;
    case 'phone.claim':
      return `${who} claims ${cmd.ref}`;
    case 'phone.decline':
      return `${who} declines ${cmd.ref}`;
    case 'phone.approve':
      return `${who} approves ${cmd.ref}`;
    case 'phone.finalize':
      return `${who} finalizes ${cmd.ref}`;
    case 'phone.toWeb':
      return `${who} sends a relay frame to session ${cmd.session}`;
    case 'phone.ack':
      return `${who} acknowledges what it received on ${cmd.session}`;
    case 'phone.unlink':
      return `${who} unlinks ${cmd.session}`;
    case 'phone.unlinkAll':
      return `${who} unlinks every session`;
    case 'clock':
      return 'the clock passes the next deadline';
    case 'web.frame':
      return `${who} sends ${cmd.t} out of turn${cmd.ref ? ` (${cmd.ref} ref)` : ''}${cmd.epoch ? ' (foreign epoch)' : ''}`;
    case 'web.first':
      return `${who} opens and sends ${cmd.t === '$close' ? 'nothing (closes)' : cmd.t} first`;
    case 'phone.reg':
      return `${who} sends ${cmd.t} out of turn`;
    case 'phone.relay':
      return `${who} sends ${cmd.t} for ${cmd.session}${cmd.epoch === 'foreign' ? ' in a foreign epoch' : ''}`;
    case 'phone.frame':
      return `${who} sends ${cmd.t} for ${cmd.ref}`;
  }
}
