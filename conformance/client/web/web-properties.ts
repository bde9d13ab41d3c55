/**
 * A property run against a web client: fast-check draws sequences of choices, each read at run
 * time as "the n-th command the suite can play now" on the web chart's world (web-world.ts), so a
 * sequence stays valid when shrinking removes earlier choices. Every sequence is played on a fresh
 * client (driver reset, new scripted server) with the chart as the oracle (web-exec.ts). A failure is
 * shrunk, then run once more on the case's own context so that its trace and wire log are the
 * minimal failing run; the message gives the seed and the command that replay it.
 */
import fc from 'fast-check';
import type { CaseContext } from '../../engine/case.js';
import type { CaseSource } from '../../engine/catalogue.js';
import { failWithCounterexample } from '../../properties/counterexample.js';
import { runContext } from '../../properties/run-context.js';
import type { ClientTarget } from '../client-target.js';
import { type WebCase, withRig } from './web-check.js';
import { WebExec } from './web-exec.js';
import { commandsOf, webPathCase } from './web-paths.js';
import { advance, commandsFor } from './web-world.js';

type Ctx = CaseContext<ClientTarget<'web'>>;

export const WEB_PROPERTY_ID = 'property.web.random-runs';
const MAX_COMMANDS = 14;
/** Shrinking stops this long after the first failure; the runner's case limit is 120 s. */
const SHRINK_LIMIT_MS = 60_000;

/** Plays the choices on a fresh client: choice i picks among the commands playable at step i. */
async function playChoices(ctx: Ctx, choices: readonly number[]): Promise<void> {
  await withRig(ctx, async (rig) => {
    const exec = new WebExec(rig);
    for (const choice of choices) {
      const playable = commandsFor(exec.world).filter((c) => advance(exec.world, c) !== undefined);
      const cmd = playable[choice % playable.length];
      if (cmd === undefined) return;
      await exec.play(cmd);
    }
  });
}

export function webPropertyCase(runs: number, seed: number): WebCase {
  return {
    id: WEB_PROPERTY_ID,
    title: 'random runs of an honest or misbehaving server and user agree with the web chart',
    section: '14.6 Web client',
    kind: 'property',
    role: 'web',
    clauses: [],
    level: 'MUST',
    needs: [],
    seed,
    async run(ctx) {
      const choices = fc.array(fc.nat({ max: 4095 }), { minLength: 1, maxLength: MAX_COMMANDS });
      // A failing run waits out the client's reaction time, so shrinking is bounded in time: once
      // the budget after the first failure is spent, every further candidate counts as passing,
      // which ends shrinking with the smallest counterexample found so far. Every one of the runs
      // asked for still runs: a slow client is never passed on fewer runs than --runs.
      let firstFailure: number | undefined;
      const property = fc.asyncProperty(choices, async (picks) => {
        if (firstFailure !== undefined && performance.now() - firstFailure > SHRINK_LIMIT_MS) return;
        const run = runContext(ctx);
        try {
          await playChoices(run, picks);
        } catch (err) {
          firstFailure ??= performance.now();
          throw err;
        } finally {
          ctx.countSteps?.(run.trace.length);
        }
      });
      const details = await fc.check(property, { seed, numRuns: runs });
      if (!details.failed) return;
      // the same seed and number of runs regenerate the same sequences, so the same run fails again
      // (--runs 1 would replay only the first); the trace file's --replay plays the shrunk run alone
      await failWithCounterexample({
        details,
        replay: `qrlink check --role web --seed ${details.seed} --runs ${runs} --filter ${WEB_PROPERTY_ID}`,
        rerun: (counterexample) => playChoices(ctx, counterexample),
        shrunk: (counterexample) => `[${counterexample.join(', ')}]`,
      });
    },
  };
}

export const webPropertySource: CaseSource<ClientTarget<'web'>> = {
  name: 'web property runs',
  cases: ({ role, runs, seed }) => (role === 'web' ? [webPropertyCase(runs, seed)] : []),
  /** The shrunk failing run's commands, as its trace recorded them, played again. */
  fromTrace(file) {
    if (file.role !== 'web' || file.caseId !== WEB_PROPERTY_ID) return undefined;
    return { ...webPathCase(file.caseId, file.title, commandsOf(file), file.clauses ?? []), kind: 'property' };
  },
};
