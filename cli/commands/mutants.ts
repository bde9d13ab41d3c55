/**
 * `qrlink mutants`: the conformance suite against every built-in mutant (a realistic fault switched
 * on in a reference implementation), printed as a kill matrix. Exit 0 iff the baseline (the
 * unmutated reference) passed and every mutant was killed, 1 otherwise, 2 on usage errors (an
 * unknown --mutant or --role).
 *
 * `--list` prints the catalogue and runs nothing; `--json` prints exactly
 * `{mutants: [{id, role, description, clauses, killed, killedBy, firstKillMs}]}` on stdout (lines
 * for people go to stderr); `--out DIR` writes index.html (mutation score, matrix, shortest failing
 * trace per mutant) and mutants.json; `--first-kill` stops each mutant at its first kill.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { Option } from 'commander';
import { type KillMatrix, killMatrix, matrixPassed, unknownMutants } from '../../conformance/mutation/kill-matrix.js';
import { listLines, matrixJson, matrixLines, scoreLine } from '../../conformance/mutation/matrix-text.js';
import { writeMutationReport } from '../../conformance/mutation/mutation-report.js';
import { type AnyRoleSuite, roleSuite } from '../../conformance/mutation/role-suites.js';
import { jsonText } from '../../conformance/report/json-text.js';
import type { Role } from '../../conformance/report/run-report.js';
import type { CommandRegistrar } from '../context.js';
import { type CliIo, Exit, type ExitCode } from '../io.js';
import { integer } from '../options.js';

export interface MutantsOptions {
  json?: boolean;
  list?: boolean;
  role?: Role;
  out?: string;
  firstKill?: boolean;
  mutant?: string[];
  seed?: number;
  runs?: number;
}

/** Sequences per property-based case: the same as `qrlink check`. */
const defaultRuns = 100;
const roles: readonly Role[] = ['server', 'web', 'phone'];

class MutantsStop extends Error {
  override readonly name = 'MutantsStop';
}

/** `--mutant a,b --mutant c`. */
function collect(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

/** The suites of the roles asked for (every role by default). */
function suitesFor(opts: MutantsOptions): AnyRoleSuite[] {
  return (opts.role === undefined ? roles : [opts.role]).map(roleSuite);
}

async function mutants(opts: MutantsOptions, io: CliIo): Promise<ExitCode> {
  const say = (line: string) => (opts.json ? io.err : io.out)(`${line}\n`);
  const suites = suitesFor(opts);
  const wanted = opts.mutant;
  if (wanted !== undefined) {
    const unknown = unknownMutants({ mutants: suites.flatMap((s) => s.mutants) }, wanted);
    if (unknown.length > 0) {
      const valid = suites.flatMap((s) => s.mutants.map((m) => m.id));
      throw new MutantsStop(`unknown mutant ${unknown.join(', ')}; valid mutants: ${valid.join(', ')}`);
    }
  }
  const chosen = suites.map((s) => ({
    suite: s,
    mutants: s.mutants.filter((m) => wanted === undefined || wanted.includes(m.id)),
  }));
  if (opts.list) {
    const all = chosen.flatMap((c) => c.mutants);
    if (opts.json) {
      const rows = all.map((m) => ({ id: m.id, role: m.role, description: m.description, clauses: [...m.clauses] }));
      io.out(`${jsonText({ mutants: rows }, 2)}\n`);
    } else {
      for (const line of listLines(all)) io.out(`${line}\n`);
    }
    return Exit.ok;
  }

  const seed = opts.seed ?? randomInt(0, 2 ** 31 - 1);
  const runs = opts.runs ?? defaultRuns;
  const started = performance.now();
  const matrices: KillMatrix[] = [];
  for (const { suite, mutants: ms } of chosen) {
    if (ms.length === 0) continue;
    const matrix = await killMatrix({
      // the engine is generic over the subject; each registered suite is consistent in itself
      suite: suite as Parameters<typeof killMatrix>[0]['suite'],
      seed,
      runs,
      only: ms.map((m) => m.id),
      firstKill: opts.firstKill === true,
      onMutant: (r) => {
        if (io.isTTY && !opts.json) {
          io.err(`  ${r.killed ? 'killed  ' : 'SURVIVED'} ${r.id} (${r.reach}, ${r.casesRun} cases)\n`);
        }
      },
    });
    matrices.push(matrix);
  }
  if (matrices.length === 0) throw new MutantsStop('no mutant to run');
  const passed = matrices.every(matrixPassed);
  if (opts.out !== undefined) {
    try {
      await writeMutationReport(opts.out, matrices);
    } catch (err) {
      throw new MutantsStop(
        `cannot write the report to ${opts.out}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  if (opts.json) io.out(`${jsonText(matrixJson(matrices), 2)}\n`);
  for (const m of matrices) for (const line of matrixLines(m)) say(line);
  const last = scoreLine(matrices, passed, performance.now() - started);
  say(opts.out === undefined ? last : `${last} -> ${join(opts.out, 'index.html')}`);
  return passed ? Exit.ok : Exit.failed;
}

export const registerMutants: CommandRegistrar = (program, ctx) => {
  program
    .command('mutants')
    .summary('run the suite against every built-in faulty implementation and print the kill matrix')
    .description(
      'Run the conformance suite against each built-in mutant (a realistic fault switched on in the ' +
        'reference implementation), after a baseline run against the unmutated reference. ' +
        'Exit 0 iff the baseline passed and every mutant is killed, 1 otherwise, 2 on usage errors.',
    )
    .option('--json', 'print {mutants: [{id, role, description, clauses, killed, killedBy, firstKillMs}]}')
    .option('--list', 'print one mutant a line (id, role, description) and run nothing')
    .addOption(new Option('--role <role>', 'only the mutants of this role').choices(['server', 'web', 'phone']))
    .option('--out <dir>', 'also write index.html (mutation score, matrix, shortest traces) and mutants.json here')
    .option('--first-kill', 'stop each mutant at its first kill (fast; the baseline then checks the killing cases)')
    .option('--mutant <id[,id...]>', 'only these mutants (repeatable)', collect)
    .option('--seed <n>', 'seed of the property-based runs', integer(0, 2 ** 31 - 1))
    .option('--runs <n>', `sequences per property-based case (default ${defaultRuns})`, integer(1, 1_000_000))
    .action(async (opts: MutantsOptions) => {
      try {
        ctx.setExit(await mutants(opts, ctx.io));
      } catch (err) {
        if (!(err instanceof MutantsStop)) throw err;
        ctx.io.err(`qrlink mutants: ${err.message}\n`);
        ctx.setExit(Exit.usage);
      }
    });
};
