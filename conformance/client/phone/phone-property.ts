/**
 * Property runs against a phone: fast-check draws sequences of what a server and web client may do
 * to a linked session (requests, duplicate sends, replays, frames that do not open, acked,
 * queue_full, detach, a new tab's web.attached, a reconnect with the flush's repeated epoch), and
 * the suite checks every frame the phone sends against the relay rules as it goes (phone-rig.ts:
 * no (e, n) sealing two plaintexts [E2E-12], only the latest epoch [PHONE-6], re-seal on a new
 * epoch and identical re-send on a repeated one [RELAY-14], hold after queue_full [RELAY-15],
 * replays not processed [E2E-13]). A failure is shrunk to the shortest sequence, run once more
 * with this case's trace, and reported with the seed that replays it (`qrlink check --seed N`).
 */
import fc from 'fast-check';
import { randomBytes } from '../../../impl/crypto/index.js';
import { toB64u } from '../../../model/protocol/encoding.js';
import type { CaseContext } from '../../engine/case.js';
import type { CaseSource } from '../../engine/catalogue.js';
import { failWithCounterexample } from '../../properties/counterexample.js';
import { runContext } from '../../properties/run-context.js';
import type { TraceFile } from '../../report/trace-file.js';
import { withClient } from '../client-case.js';
import type { ClientTarget } from '../client-target.js';
import type { PhoneCase } from './phone-case.js';
import { PhoneRig, type SuiteSession } from './phone-rig.js';

type Ctx = CaseContext<ClientTarget<'phone'>>;

export const relayCommands = [
  'request',
  'send',
  'resend',
  'replay',
  'garbage',
  'acked',
  'queue_full',
  'detach',
  'attach',
  'reconnect',
] as const;
export type RelayCommand = (typeof relayCommands)[number];

const b64 = (n: number) => toB64u(randomBytes(n));

/** Applies one command; commands that make no sense in the current state do nothing. */
async function apply(
  rig: PhoneRig,
  s: SuiteSession,
  cmd: RelayCommand,
  sent: Record<string, unknown>[],
): Promise<void> {
  rig.step('property', cmd);
  switch (cmd) {
    case 'request': {
      const f = rig.fromWeb(s, { op: 'history', limit: 3 });
      sent.push(f);
      await rig.request(s, undefined, f);
      return;
    }
    case 'send':
    case 'resend': {
      const id = cmd === 'resend' ? 'suite-fixed' : `suite-${b64(6)}`;
      const f = rig.fromWeb(s, { op: 'send', id, chatId: 'c1', text: 'property' });
      sent.push(f);
      await rig.request(s, undefined, f);
      return;
    }
    case 'replay': {
      const f = sent.at(-1);
      if (!f) return;
      rig.send(f);
      const item = await rig.next();
      const ack = item.kind === 'frame' ? (item.frame as Record<string, unknown>) : undefined;
      const hw = s.hw.get(String(f.e)) ?? 0;
      if (ack?.t === 'to_web')
        rig.fail('E2E-13', `the phone answered a replayed from_web (n = ${String(f.n)})`, { t: 'ack', n: hw }, ack);
      if (ack?.t !== 'ack' || ack.n !== hw)
        rig.fail('RELAY-18', `a duplicate must be acked with the high-water ${hw}`, { t: 'ack', n: hw }, item);
      await rig.nothingSent('E2E-13', 'after a replayed from_web (it was processed again)');
      return;
    }
    case 'garbage': {
      const e = s.epoch ?? b64(16);
      rig.send({ t: 'from_web', sessionId: s.id, e, n: s.w2pNext.get(e) ?? 1, c: b64(40) });
      return;
    }
    case 'acked': {
      if (s.epoch === null) return;
      const last = s.outbox.filter((o) => o.e === s.epoch).at(-1);
      if (!last) return;
      rig.send({ t: 'acked', sessionId: s.id, e: last.e, n: last.n });
      s.outbox = s.outbox.filter((o) => !(o.e === last.e && o.n <= last.n));
      if (s.blockedAt !== undefined) {
        s.blockedAt = undefined;
        if (s.attached) for (; s.owed > 0; s.owed--) await rig.expect('to_web', 'RELAY-15');
      }
      return;
    }
    case 'queue_full': {
      if (!s.attached || s.blockedAt !== undefined) return;
      const last = s.outbox.filter((o) => o.e === s.epoch).at(-1);
      if (!last) return;
      rig.send({ t: 'queue_full', sessionId: s.id, e: last.e, n: last.n });
      s.blockedAt = last.n;
      return;
    }
    case 'detach':
      if (!s.attached) return;
      await rig.detach(s);
      s.attached = false;
      return;
    case 'attach':
      await rig.attach(s);
      return;
    case 'reconnect': {
      const was = s.attached;
      await rig.offline();
      await rig.online();
      await rig.authOk();
      if (was && s.epoch !== null) await rig.attach(s, s.epoch); // the flush repeats the epoch [RELAY-9]
      return;
    }
  }
}

async function once(ctx: Ctx, cmds: readonly RelayCommand[]): Promise<void> {
  await withClient(ctx, async ({ driver, server }) => {
    const rig = new PhoneRig(ctx, driver, server);
    await rig.ready();
    const s = await rig.link();
    await rig.attach(s);
    const sent: Record<string, unknown>[] = [];
    for (const cmd of cmds) await apply(rig, s, cmd, sent);
    // Whatever happened, a new tab gets every unacknowledged answer re-sealed, and a request is answered.
    await rig.attach(s);
    await rig.request(s);
  });
}

export const PROPERTY_ID = 'phone-property-relay';

function propertyCase(runs: number, seed: number): PhoneCase {
  return {
    id: PROPERTY_ID,
    title: 'random relay sequences: counters, epochs, replays, queue_full and reconnects never break the relay rules',
    section: '9 Relay and custody',
    kind: 'property',
    role: 'phone',
    clauses: ['E2E-12', 'E2E-13', 'PHONE-3', 'PHONE-6', 'RELAY-14', 'RELAY-15', 'RELAY-18'],
    level: 'MUST',
    needs: [],
    seed,
    async run(ctx) {
      const property = fc.asyncProperty(
        fc.array(fc.constantFrom(...relayCommands), { minLength: 1, maxLength: 12 }),
        async (cmds) => {
          const run = runContext(ctx);
          try {
            await once(run, cmds);
          } finally {
            ctx.countSteps?.(run.trace.length);
          }
        },
      );
      const details = await fc.check(property, { seed, numRuns: runs });
      if (!details.failed) return;
      await failWithCounterexample({
        details,
        replay: `qrlink check --role phone --seed ${details.seed} --filter ${PROPERTY_ID}`,
        rerun: (counterexample) => once(ctx, counterexample),
        shrunk: (counterexample) => `[${counterexample.join(', ')}]`,
      });
    },
  };
}

/** Property runs: `runs` sequences (`--runs`), seeded by the run's seed (`--seed`). */
export const phonePropertySource: CaseSource<ClientTarget<'phone'>> = {
  name: 'phone property runs',
  cases: ({ seed, runs }) => [propertyCase(runs, seed)],
  fromTrace: (file: TraceFile) => (file.caseId === PROPERTY_ID ? replayCase(file) : undefined),
};

/** The recorded (shrunk) sequence of a trace file, run once as it was. */
function replayCase(file: TraceFile): PhoneCase {
  const known: ReadonlySet<string> = new Set(relayCommands);
  const cmds = file.trace
    .filter((st) => st.actor === 'property' && known.has(st.action))
    .map((st) => st.action as RelayCommand);
  const base = propertyCase(1, file.seed);
  return { ...base, kind: 'property', run: (ctx) => once(ctx, cmds) };
}
