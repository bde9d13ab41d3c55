/**
 * Property-based runs against a server: fast-check generates command sequences (`fc.commands`),
 * each resolved against the oracle's world at run time (a command picks "the n-th move the peers
 * can make now", so it stays valid when shrinking removes earlier ones), and `fc.asyncModelRun`
 * runs them in lockstep with the model against a target reset before every run. A failure is
 * shrunk to a minimal sequence, which is then run once more on the case's own context so that its
 * trace and wire log are exactly the minimal failing run; the message gives the seed that replays it.
 */
import fc from 'fast-check';
import type { Case, CaseContext } from '../engine/case.js';
import { CaseFailure } from '../engine/case.js';
import type { CaseSource } from '../engine/catalogue.js';
import { type Command, describeCommand } from '../oracle/command.js';
import { Lockstep } from '../oracle/lockstep.js';
import { adversarialCommands, enabledCommands, type OracleConfig, oracleConfig, type World } from '../oracle/world.js';
import { commandsOf, pathCase } from '../paths/path-cases.js';
import type { TraceFile } from '../report/trace-file.js';
import { failWithCounterexample } from './counterexample.js';
import { runContext } from './run-context.js';

interface Model {
  world: World;
}
interface Real {
  readonly lockstep: Lockstep;
}

type Pool = 'honest' | 'adversarial';

/** "Do the `choice`-th move the peers can make now" from one pool of moves. */
class Pick implements fc.AsyncCommand<Model, Real> {
  #last = '';
  constructor(
    readonly pool: Pool,
    readonly choice: number,
    readonly cfg: OracleConfig,
  ) {}
  #moves(m: Model): Command[] {
    return this.pool === 'honest' ? enabledCommands(m.world, this.cfg) : adversarialCommands(m.world, this.cfg);
  }
  check(m: Readonly<Model>): boolean {
    return this.#moves(m as Model).length > 0;
  }
  async run(m: Model, r: Real): Promise<void> {
    const moves = this.#moves(m);
    const cmd = moves[this.choice % moves.length] as Command;
    this.#last = describeCommand(cmd);
    await r.lockstep.step(cmd);
    m.world = r.lockstep.world;
  }
  toString(): string {
    return this.#last || `${this.pool}#${this.choice}`;
  }
}

interface PropertySpec {
  readonly id: string;
  readonly title: string;
  readonly adversarial: boolean;
  readonly maxCommands: number;
}

const specs: readonly PropertySpec[] = [
  {
    id: 'property.server.honest-peers',
    title: 'random runs of honest web clients, phones and clock agree with the model',
    adversarial: false,
    maxCommands: 30,
  },
  {
    id: 'property.server.adversarial-peers',
    title: 'random runs mixing honest moves with out-of-turn, stale and forged frames agree with the model',
    adversarial: true,
    maxCommands: 25,
  },
];

async function resetTarget(ctx: CaseContext): Promise<void> {
  if (!ctx.control) throw new CaseFailure('property runs need the control endpoint');
  await ctx.control.reset();
  await ctx.control.config(ctx.config);
}

function propertyCase(spec: PropertySpec, runs: number, seed: number): Case {
  return {
    id: spec.id,
    title: spec.title,
    section: '14 State tables',
    kind: 'property',
    role: 'server',
    clauses: [],
    level: 'MUST',
    needs: ['control'],
    seed,
    async run(ctx) {
      const cfg = oracleConfig(ctx.config);
      const pick = (pool: Pool) => fc.nat({ max: 4095 }).map((n) => new Pick(pool, n, cfg));
      const arbs = spec.adversarial
        ? [pick('honest'), pick('honest'), pick('honest'), pick('adversarial')]
        : [pick('honest')];
      const once = async (cmds: Iterable<fc.AsyncCommand<Model, Real>>, on: CaseContext) => {
        const lockstep = new Lockstep(on, cfg);
        try {
          await fc.asyncModelRun(() => ({ model: { world: lockstep.world }, real: { lockstep } }), cmds);
        } finally {
          await lockstep.close();
        }
      };
      const property = fc.asyncProperty(fc.commands(arbs, { maxCommands: spec.maxCommands }), async (cmds) => {
        await resetTarget(ctx);
        const run = runContext(ctx);
        try {
          await once(cmds, run);
        } finally {
          ctx.countSteps?.(run.trace.length);
        }
      });
      const details = await fc.check(property, { seed, numRuns: runs });
      if (!details.failed) return;
      await failWithCounterexample({
        details,
        replay: `qrlink check --seed ${details.seed} --filter ${spec.id}`,
        rerun: async (counterexample) => {
          await resetTarget(ctx);
          await once(counterexample, ctx);
        },
        shrunk: () => `${ctx.trace.length} steps`,
      });
    },
  };
}

export const propertySource: CaseSource = {
  name: 'property runs',
  cases: ({ seed, runs }) => specs.map((s) => propertyCase(s, runs, seed)),
  fromTrace(file: TraceFile): Case | undefined {
    if (!file.caseId.startsWith('property.')) return undefined;
    return pathCase(file.caseId, file.title, 'property', '14 State tables', commandsOf(file), file.clauses ?? []);
  },
};
