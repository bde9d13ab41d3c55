/**
 * Plays web chart commands (web-world.ts) against a web client under test, concretely: server frames
 * with the real cryptography of the reference phone (a box sealed for the QR the client showed, or
 * for another key; relay frames sealed under the client's epoch keys, or forged), user actions
 * through the driver. After each command it checks the client against the chart: every frame the
 * chart emitted must come from the client, in order and with the values the chart names (the
 * confirm tag verified, relay frames opened), the storage the chart predicts (`tokenStored`) and the
 * driver state that stands for the chart's state. Coverage records every chart transition taken.
 */

import { epochKeys, randomBytes, verifyConfirm } from '../../../impl/crypto/index.js';
import type { WebUp } from '../../../model/abstract/frames.js';
import { fromB64u, toB64u } from '../../../model/protocol/encoding.js';
import { CaseFailure } from '../../engine/case.js';
import {
  type Approval,
  type Attached,
  type Frame,
  freshOpaque,
  freshToken,
  messageOp,
  type ShownQr,
  type WebRig,
} from './web-rig.js';
import { advance, type Fired, initialWorld, type WebCmd, type WebWorld } from './web-world.js';

/** A command as one line for traces. */
export function describeCmd(cmd: WebCmd): string {
  const { k, ...rest } = cmd;
  const args = Object.entries(rest).map(([key, v]) => `${key}=${String(v)}`);
  return args.length > 0 ? `${k} ${args.join(' ')}` : k;
}

/** The driver states that stand for the world's chart state. */
function expectedStates(w: WebWorld): readonly string[] {
  if (w.errored) return ['error'];
  switch (w.chart.value) {
    case 'idle':
      return ['closed', 'error', 'revoked', 'logged_out'];
    case 'loggedOut':
      return w.via === 'user' ? ['logged_out'] : w.via === 'mismatch' ? ['error'] : ['resuming'];
    case 'ended':
      return ['closed'];
    default:
      return [w.chart.value];
  }
}

interface Session {
  readonly sessionId: string;
  readonly accountId: string;
  readonly kRoot: Uint8Array;
}

export class WebExec {
  world: WebWorld = initialWorld;
  private q: ShownQr | undefined;
  private approval: Approval | undefined;
  private att: Attached | undefined;
  private session: Session | undefined;
  /** The token the client should have stored (the last one the suite gave it). */
  private token: string | undefined;
  private readonly otherAccount = `other${toB64u(randomBytes(12))}`;

  constructor(private readonly rig: WebRig) {
    rig.ctx.coverage.state('web', initialWorld.chart.value);
  }

  private fail(clause: string, message: string, expected?: unknown, actual?: unknown): never {
    throw new CaseFailure(`[${clause}] ${message}`, this.rig.ctx.wire.step, expected, actual);
  }

  /** Plays one command; fails when the chart takes no transition for it (a bug of the caller). */
  async play(cmd: WebCmd): Promise<void> {
    const next = advance(this.world, cmd);
    if (!next)
      throw new Error(`the web chart takes no transition for ${describeCmd(cmd)} in ${this.world.chart.value}`);
    this.rig.ctx.step('model', describeCmd(cmd), undefined, cmd);
    const before = this.world;
    for (const [i, f] of next.fired.entries()) {
      await this.input(before, cmd, f, i);
      await this.outputs(f);
      this.rig.ctx.coverage.transition('web', f.step.transition, f.step.clauses);
      this.rig.ctx.coverage.state('web', f.step.state.value);
    }
    this.world = next.world;
    await this.settle(cmd, next.world, next.fired);
  }

  /** What the suite does for fired transition `i` of `cmd` (later ones are the client's own follow-ups). */
  private async input(w: WebWorld, cmd: WebCmd, f: Fired, i: number): Promise<void> {
    const rig = this.rig;
    const ev = f.event as { type: string } & Record<string, unknown>;
    if (i > 0) {
      if (ev.type === 'USER.OPEN')
        await rig.accept(); // [E2E-6] [SESS-14] [WEB-6] the client starts over
      else rig.send(rig.fromPhone(this.attached(), ev.n as number, messageOp(`m${String(ev.n)}`, 'probe', 1)));
      return;
    }
    switch (cmd.k) {
      case 'open':
        if (w.stored) await rig.cmd('reopen');
        else await rig.cmd('open', { server: rig.server.wsUrl, keep: cmd.keep });
        await rig.accept();
        return;
      case 'qr':
        this.q = await rig.qr(ev.n as number);
        return;
      case 'exhausted':
        rig.send({ t: 'qr.exhausted' });
        return;
      case 'scanned':
        rig.send({ t: 'scanned', ref: this.shown().ref });
        return;
      case 'offer': {
        const q = this.shown();
        this.approval = await rig.approval(q, rig.account, cmd.v === 'bad_box' ? 'wrong_secret' : undefined);
        rig.send({ t: 'offer', ref: q.ref, pub: this.approval.pub, box: this.approval.box });
        return;
      }
      case 'declined':
        rig.send({ t: 'declined', ref: this.shown().ref, reason: 'declined' });
        return;
      case 'linked': {
        const a = this.approval as Approval;
        const accountId = cmd.match ? rig.account.accountId : this.otherAccount;
        const sessionId = freshOpaque();
        const token = ev.token === undefined ? undefined : freshToken();
        rig.send({ t: 'linked', sessionId, accountId, ...(token === undefined ? {} : { token }) });
        if (cmd.match) {
          this.session = { sessionId, accountId, kRoot: a.keys.kRoot };
          if (token !== undefined) this.token = token;
        }
        return;
      }
      case 'resumed': {
        const s = this.stored();
        this.token = freshToken();
        rig.send({ t: 'resumed', sessionId: s.sessionId, accountId: s.accountId, token: this.token });
        return;
      }
      case 'phone':
        rig.send({ t: 'phone', online: cmd.online });
        return;
      case 'relay': {
        const att = this.attached();
        const n = ev.n as number;
        const key = cmd.v === 'good' ? att.keys.kP2W : randomBytes(32);
        rig.send(rig.fromPhone(att, n, messageOp(`m${n}`, cmd.v, n), key), `from_phone n=${n} (${cmd.v})`);
        return;
      }
      case 'acked':
        rig.send({ t: 'acked', e: this.attached().e, n: ev.n });
        return;
      case 'queue_full':
        rig.send({ t: 'queue_full', e: toB64u(randomBytes(16)), n: 1 }, 'queue_full (an old epoch)');
        return;
      case 'send':
        await rig.cmd('send', { chatId: 'c1', text: String(ev.m) });
        return;
      case 'logout':
        await rig.cmd('logout');
        return;
      case 'revoked':
        rig.send({ t: 'revoked', reason: cmd.reason });
        return;
      case 'close':
        await rig.cmd('close');
        return;
      case 'server_close':
        rig.ctx.step('server', `close ${cmd.code}`);
        await rig.side.close(cmd.code);
        return;
      case 'error':
        rig.send({ t: 'error', code: 'bad_state', detail: 'scripted error' });
        return;
    }
  }

  /** Every frame the chart emitted must come from the client, in order, with the values it names. */
  private async outputs(f: Fired): Promise<void> {
    const rig = this.rig;
    const clause = f.step.clauses[0] ?? 'DRV-7';
    for (const o of f.step.out) {
      if (o.type === 'accept') {
        const id = `m${o.c.n}`;
        await rig.until((s) => s.messages.some((m) => m.id === id), `message ${id}`, 'E2E-13');
        continue;
      }
      if (o.type !== 'send') continue;
      const want = o.frame as WebUp & Record<string, unknown>;
      if (want.t === '$close') {
        // After an account mismatch the chart closes behind its logout; the spec asks only for the
        // logout [E2E-9] (the server answers it with revoked and the close).
        if (f.step.state.value === 'loggedOut') continue;
        await rig.expectClose(want.code as number, clause);
        continue;
      }
      const got = await rig.expect(want.t, clause);
      await this.compare(want, got, f);
    }
  }

  private async compare(want: Record<string, unknown>, got: Frame, f: Fired): Promise<void> {
    const rig = this.rig;
    switch (want.t) {
      case 'hello':
        if (got.v !== 1 || got.keep !== want.keep) this.fail('LINK-16', 'hello {v: 1, keep} as chosen', want, got);
        return;
      case 'resume':
        if (got.token !== this.token)
          this.fail('E2E-14', 'resume must present the stored token', this.token, got.token);
        if (f.step.out.some((o) => o.type === 'send' && o.frame.t === 'logout')) {
          // [WEB-6] the server answers the resume; the client's logout follows (or already came)
          const s = this.stored();
          this.token = freshToken();
          rig.send({ t: 'resumed', sessionId: s.sessionId, accountId: s.accountId, token: this.token });
        }
        return;
      case 'confirm': {
        const a = this.approval as Approval;
        if (
          got.ref !== this.shown().ref ||
          typeof got.tag !== 'string' ||
          !verifyConfirm(a.keys, a.T, a.box, got.tag)
        ) {
          this.fail('E2E-7', 'confirm {ref, tag} with the tag over T || box', undefined, got);
        }
        return;
      }
      case 'abort':
        if (got.reason !== want.reason || got.ref !== this.q?.ref) {
          this.fail('E2E-6', `abort {ref, reason: ${String(want.reason)}} for the current ref`, want, got);
        }
        return;
      case 'attach': {
        const e = typeof got.e === 'string' ? fromB64u(got.e) : undefined;
        if (e?.length !== 16) this.fail('E2E-10', 'attach.e must be 16 bytes', undefined, got);
        const s = this.session as Session;
        this.att = { ...s, e: got.e as string, keys: epochKeys(s.kRoot, e) };
        return;
      }
      case 'ack':
        if (got.e !== this.att?.e || got.n !== want.n) this.fail('RELAY-18', 'ack {e, n} of the own epoch', want, got);
        return;
      case 'to_phone': {
        const att = this.attached();
        const op = rig.openToPhone(att, got) as Frame | undefined;
        const m = (want.c as { m: string }).m;
        if (got.n !== want.n || op?.op !== 'send' || op.text !== m) {
          this.fail('E2E-12', `to_phone n=${String(want.n)} sealed under kW2P_e, opening to send ${m}`, want, got);
        }
        return;
      }
      default:
        return;
    }
  }

  /** The driver state and the storage must be what the chart's state stands for. */
  private async settle(cmd: WebCmd, w: WebWorld, fired: readonly Fired[]): Promise<void> {
    const names = expectedStates(w);
    const stored = w.stored !== null;
    const last = fired.at(-1) as Fired;
    const clause = last.step.clauses[0] ?? 'DRV-7';
    const linked = w.chart.value === 'linked' && !w.errored;
    const chart = `(chart: ${last.step.transition})`;
    await this.rig.until(
      (s) => names.includes(s.state) && (cmd.k !== 'phone' || s.phoneOnline === cmd.online),
      `state ${names.join('|')} ${chart}`,
      clause,
    );
    // the storage the chart predicts: stored only with keep [E2E-15]; kept or wiped per SESS-14
    const storageClause = stored ? 'E2E-14' : w.chart.context.keep ? 'SESS-14' : 'E2E-15';
    await this.rig.until(
      (s) => s.tokenStored === stored,
      `${stored ? 'a' : 'no'} stored record ${chart}`,
      storageClause,
    );
    // [E2E-9, WEB-2] the account only while linked, and the box's; after an error or with no
    // connection it is not judged
    if (linked) {
      await this.rig.until(
        (s) => s.account?.accountId === this.session?.accountId,
        `the box's account ${chart}`,
        'E2E-9',
      );
    } else if (!w.errored && w.chart.value !== 'idle') {
      this.rig.now((s) => s.account === null, `an account is shown while not linked ${chart}`, 'WEB-2');
    }
    if (w.chart.value === 'idle' || w.chart.value === 'revoked') this.att = undefined;
  }

  private shown(): ShownQr {
    if (!this.q) this.fail('WEB-1', 'no QR was shown');
    return this.q;
  }

  private attached(): Attached {
    if (!this.att) this.fail('E2E-10', 'the client never attached');
    return this.att;
  }

  private stored(): Session {
    if (!this.session) this.fail('E2E-14', 'no session was stored');
    return this.session;
  }
}

/** Plays `cmds` from a fresh client. */
export async function playAll(rig: WebRig, cmds: readonly WebCmd[]): Promise<WebExec> {
  const exec = new WebExec(rig);
  for (const cmd of cmds) await exec.play(cmd);
  return exec;
}
