/**
 * The oracle in lockstep with a target server. Each command runs through the model server (what
 * the server must send, to whom, which transitions that takes) and through the target over real
 * sockets (the suite's simulated web clients and phones, with real crypto). After each command a
 * barrier (a ping/pong round trip on the acting socket, then on every other open socket; no sleeps)
 * collects everything the target sent, and each peer's frames and closes are compared, in order,
 * with the model's. Any difference fails the case at that step with what was expected and what came.
 */
import type { PhoneId } from '../../model/abstract/values.js';
import { phoneRegChart } from '../../model/server/phone-reg-chart.js';
import type { Fired, ServerDelivery } from '../../model/server/server.js';
import { sessionChart } from '../../model/server/session-chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import { type CaseContext, CaseFailure } from '../engine/case.js';
import type { Inbound, PeerSocket } from '../target/target.js';
import { Bindings } from './bindings.js';
import { actorOf, type Command, describeCommand } from './command.js';
import { matchFrame } from './frame-match.js';
import { SuiteCrypto } from './suite-crypto.js';
import { applyCommand, initialWorld, type OracleConfig, type World } from './world.js';

/** The chart id of a server entity (`conn A1` -> the web connection chart). */
export function chartOf(entity: string): string {
  if (entity.startsWith('phone ')) return phoneRegChart.id;
  if (entity.startsWith('conn ')) return webConnChart.id;
  return sessionChart.id;
}

/** The state a transition name ends in (`a --ev [g]--> b` -> `b`). */
export function targetOf(transition: string): string {
  return transition.slice(transition.lastIndexOf('--> ') + 4);
}

export class Lockstep {
  readonly bindings = new Bindings();
  readonly crypto: SuiteCrypto;
  world: World;
  readonly #webs = new Map<string, PeerSocket>();
  readonly #phones = new Map<PhoneId, PeerSocket>();
  /** The last transition each entity took (transition pairs). */
  readonly #last = new Map<string, string>();

  constructor(
    private readonly ctx: CaseContext,
    private readonly cfg: OracleConfig,
  ) {
    this.crypto = new SuiteCrypto(this.bindings, ctx.control);
    this.world = initialWorld(cfg);
    ctx.coverage.state(phoneRegChart.id, phoneRegChart.initial.value);
    ctx.coverage.state(webConnChart.id, webConnChart.initial.value);
    ctx.coverage.state(sessionChart.id, sessionChart.initial.value);
  }

  async run(commands: readonly Command[]): Promise<void> {
    for (const cmd of commands) await this.step(cmd);
  }

  async step(cmd: Command): Promise<void> {
    const applied = applyCommand(this.world, cmd, this.cfg);
    let acting: PeerSocket | undefined;
    let index: number;
    let wasOpen: PeerSocket[];
    if (cmd.c === 'clock') {
      if (!this.ctx.control) throw new CaseFailure('the clock needs the control endpoint');
      wasOpen = this.#sockets().filter((s) => !s.closed);
      index = this.ctx.step('clock', `${describeCommand(cmd)} (+${applied.advanceMs} ms)`, undefined, cmd);
      await this.ctx.control.advance(applied.advanceMs ?? 0);
    } else {
      const input = applied.inputs[0];
      if (!input) throw new Error(`command ${cmd.c} has no input`);
      let frame: unknown;
      if (input.kind === 'web') {
        frame = await this.crypto.web(input.frame, this.world.server);
        acting = await this.#webSocket(input.conn, cmd);
      } else if (input.kind === 'phone') {
        frame = await this.crypto.phone(input.phone, input.frame, this.world.server);
        acting = await this.#phoneSocket(input.phone);
      }
      index = this.ctx.step(actorOf(cmd), describeCommand(cmd), frame, cmd);
      if (!acting) throw new Error('no socket');
      wasOpen = this.#sockets().filter((s) => !s.closed);
      if ((frame as { t?: unknown }).t === '$close') await acting.close(1000);
      else acting.send(frame);
    }
    await this.#barrier(acting);
    // A close takes effect at the server when it sees the TCP close, after the client saw it: wait
    // until the server counts the connection gone, then collect what that close made it send.
    if (wasOpen.some((s) => s.closed) && (await this.#settle())) await this.#barrier(acting);
    await this.#compare(cmd, index, applied.out, applied.fired);
    this.bindings.endStep();
    this.#cover(applied.fired);
    this.world = applied.world;
  }

  async #barrier(acting: PeerSocket | undefined): Promise<void> {
    if (acting && !acting.closed) await acting.barrier();
    await Promise.all(this.#sockets().map((s) => (s !== acting && !s.closed ? s.barrier() : undefined)));
  }

  /** Polls the control endpoint's stats until its connection counts match the suite's open sockets. */
  async #settle(): Promise<boolean> {
    const control = this.ctx.control;
    if (!control) return false;
    const web = [...this.#webs.values()].filter((s) => !s.closed).length;
    const phone = [...this.#phones.values()].filter((s) => !s.closed).length;
    for (let i = 0; i < 50; i++) {
      const c = (await control.stats()).connections;
      if (c.web <= web && c.phone <= phone) return true;
    }
    throw new CaseFailure(`the target still counts connections the suite closed (stats after 50 requests) [CTL-7]`);
  }

  async #webSocket(conn: string, cmd: Command): Promise<PeerSocket> {
    const open = this.#webs.get(conn);
    if (open && cmd.c !== 'web.hello' && cmd.c !== 'web.resume') return open;
    const s = await this.ctx.target.openPeer('/v1/web', `web${conn}`, this.ctx.wire);
    this.#webs.set(conn, s);
    return s;
  }

  async #phoneSocket(phone: PhoneId): Promise<PeerSocket> {
    const open = this.#phones.get(phone);
    if (open && !open.closed) return open;
    const s = await this.ctx.target.openPeer('/v1/phone', `phone${phone}`, this.ctx.wire);
    this.#phones.set(phone, s);
    return s;
  }

  #sockets(): PeerSocket[] {
    return [...this.#webs.values(), ...this.#phones.values()];
  }

  async #compare(cmd: Command, index: number, out: readonly ServerDelivery[], fired: readonly Fired[]): Promise<void> {
    const clauses = [...new Set(fired.flatMap((f) => f.clauses))];
    const cite = clauses.length > 0 ? ` [${clauses.join(', ')}]` : '';
    const peers = new Map<string, { expected: ServerDelivery[]; socket: PeerSocket | undefined }>();
    for (const [conn, s] of this.#webs) peers.set(`web${conn}`, { expected: [], socket: s });
    for (const [phone, s] of this.#phones) peers.set(`phone${phone}`, { expected: [], socket: s });
    for (const d of out) {
      const name = d.kind === 'web' ? `web${d.conn}` : `phone${d.phone}`;
      const entry = peers.get(name) ?? { expected: [], socket: undefined };
      entry.expected.push(d);
      peers.set(name, entry);
    }
    for (const [name, { expected, socket }] of peers) {
      let actual: Inbound[] = socket ? socket.take() : [];
      // The close of a socket the suite closed itself is the suite's own, not the target's.
      if (socket && ownClose(cmd) && name === actorOf(cmd)) actual = actual.filter((a) => a.kind !== 'close');
      for (const a of actual) this.#checkFrame(a, index, name);
      const fail = (why: string): never => {
        throw new CaseFailure(
          `step ${index} (${describeCommand(cmd)}): ${name} ${why}${cite}`,
          index,
          expected.map((d) => d.frame),
          actual.map((a) => (a.kind === 'frame' ? a.frame : a)),
        );
      };
      for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
        const want = expected[i]?.frame;
        const got = actual[i];
        if (want === undefined) fail(`received ${describeInbound(got)} where the model expects nothing more`);
        if (got === undefined) fail(`expected ${describeExpected(want)} but nothing more arrived`);
        if (want?.t === '$close') {
          if (got?.kind !== 'close') fail(`expected close ${want.code}, got ${describeInbound(got)}`);
          else if (got.code !== want.code) fail(`expected close ${want.code}, got close ${got.code}`);
          continue;
        }
        if (got?.kind !== 'frame') fail(`expected ${describeExpected(want)}, got ${describeInbound(got)}`);
        const why = matchFrame(
          want as unknown as Record<string, unknown>,
          (got as { frame: unknown }).frame,
          this.bindings,
          this.ctx.config,
        );
        if (why !== undefined) fail(`frame ${i + 1}: ${why}`);
        const f = (got as { frame: Record<string, unknown> }).frame;
        if (want?.t === 'qr') await this.crypto.onQr(want.ref);
        if (want?.t === 'offer') this.crypto.onOffer(want.ref, f);
      }
    }
  }

  /** Checks every frame the target sent: no member named twice (ENC-5), no linkSecret (E2E-16). */
  #checkFrame(a: Inbound, index: number, peer: string): void {
    if (a.kind !== 'frame') return;
    this.ctx.cite(['ENC-5', 'E2E-16']);
    if (a.duplicates)
      throw new CaseFailure(
        `step ${index}: the target sent ${peer} a frame naming ${a.duplicates.join(', ')} twice in one object [ENC-5]`,
        index,
        undefined,
        a.frame,
      );
    const text = JSON.stringify(a.frame);
    for (const secret of this.crypto.linkSecrets) {
      if (text.includes(secret))
        throw new CaseFailure(
          `step ${index}: the target sent ${peer} a QR's linkSecret: it must never hold it [E2E-16]`,
          index,
        );
    }
  }

  #cover(fired: readonly Fired[]): void {
    for (const f of fired) {
      const chart = chartOf(f.entity);
      this.ctx.coverage.transition(chart, f.transition, f.clauses);
      this.ctx.coverage.state(chart, targetOf(f.transition));
      const last = this.#last.get(f.entity);
      if (last !== undefined) this.ctx.coverage.pair(chart, last, f.transition);
      this.#last.set(f.entity, f.transition);
      this.ctx.cite(f.clauses);
    }
  }

  /** Closes every socket the case opened. */
  async close(): Promise<void> {
    for (const s of this.#sockets()) if (!s.closed) await s.close(1000);
  }
}

/** Whether the command closes the acting socket itself. */
function ownClose(cmd: Command): boolean {
  return cmd.c === 'web.close' || cmd.c === 'phone.close' || (cmd.c === 'web.first' && cmd.t === '$close');
}

function describeExpected(frame: unknown): string {
  const f = frame as { t?: unknown; code?: unknown };
  return f.t === '$close' ? `close ${String(f.code)}` : `${String(f.t)} ${JSON.stringify(frame)}`;
}

function describeInbound(a: Inbound | undefined): string {
  if (!a) return 'nothing';
  switch (a.kind) {
    case 'frame':
      return `${String((a.frame as { t?: unknown })?.t)} ${JSON.stringify(a.frame)}`;
    case 'text':
      return `a text frame that is not JSON (${a.text.slice(0, 60)})`;
    case 'binary':
      return `a binary frame (${a.bytes} bytes) [TR-4]`;
    case 'close':
      return `close ${a.code}${a.reason ? ` (${a.reason})` : ''}`;
  }
}
