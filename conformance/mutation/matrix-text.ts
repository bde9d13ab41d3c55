/**
 * The kill matrix for people (a table, one mutant a row) and for programs (`qrlink mutants --json`:
 * exactly `{mutants: [{id, role, description, clauses, killed, killedBy, firstKillMs}]}`), and the
 * mutation score both show.
 */
import type { MutantInfo } from '../../impl/server/mutants.js';
import { replaceForbiddenChars } from '../report/markup-escape.js';
import { formatDuration, formatPercent } from '../report/number-format.js';
import type { KillMatrix, MutantResult } from './kill-matrix.js';

/** Case ids shown per mutant in the table (all of them are in mutants.json and the HTML report). */
const shownKillers = 3;

/** One entry of `qrlink mutants --json`: these fields of the mutant's result, and no other. */
export type MutantJson = Pick<
  MutantResult,
  'id' | 'role' | 'description' | 'clauses' | 'killed' | 'killedBy' | 'firstKillMs'
>;

/** The object `qrlink mutants --json` prints. */
export function matrixJson(matrices: readonly KillMatrix[]): { mutants: MutantJson[] } {
  return {
    mutants: matrices.flatMap((m) =>
      m.mutants.map((r) => ({
        id: r.id,
        role: r.role,
        description: r.description,
        clauses: [...r.clauses],
        killed: r.killed,
        killedBy: [...r.killedBy],
        firstKillMs: r.firstKillMs,
      })),
    ),
  };
}

/** Killed and total mutants over every matrix. */
export function mutationScore(matrices: readonly Pick<KillMatrix, 'mutants'>[]): { killed: number; total: number } {
  const all = matrices.flatMap((m) => m.mutants);
  return { killed: all.filter((r) => r.killed).length, total: all.length };
}

/** `qrlink mutants --list`: `id  role  description`, one mutant a line. */
export function listLines(mutants: readonly MutantInfo[]): string[] {
  const width = Math.max(0, ...mutants.map((m) => m.id.length));
  return mutants.map((m) => `${m.id.padEnd(width)}  ${m.role.padEnd(6)}  ${m.description}`);
}

function killersText(r: MutantResult): string {
  if (r.error !== undefined) return `error: ${r.error}`;
  if (!r.killed) return `none of ${r.casesRun} cases`;
  const first = r.killedBy.slice(0, shownKillers).join(', ');
  const more = r.killedBy.length > shownKillers ? `, +${r.killedBy.length - shownKillers}` : '';
  return `${r.killedBy.length}: ${first}${more}`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
    .join('  ')
    .trimEnd();
}

/** The human kill matrix of one role: a header line, the table, the survivors and the baseline. */
export function matrixLines(m: KillMatrix): string[] {
  const header = ['mutant', 'role', 'killed', 'first kill', 'shortest', 'reach', 'killed by (count: first cases)'];
  const rows = m.mutants.map((r) => [
    r.id,
    r.role,
    r.killed ? 'yes' : 'NO',
    r.firstKillMs === null ? '-' : formatDuration(r.firstKillMs),
    r.shortest === null ? '-' : `${r.shortest.steps} steps`,
    r.reach,
    replaceForbiddenChars(killersText(r)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const lines = [
    `${m.role} role: ${m.mutants.length} mutants, ${m.cases} cases, seed ${m.seed}, ${m.runs} runs per property${m.firstKill ? ', each mutant stopped at its first kill' : ''}`,
    pad(header, widths),
    ...rows.map((row) => pad(row, widths)),
  ];
  for (const r of m.mutants.filter((x) => !x.killed)) {
    lines.push(`  SURVIVED ${r.id} [${r.clauses.join(', ')}]: ${r.description}${r.error ? ` (${r.error})` : ''}`);
  }
  const b = m.baseline;
  const scope = b.scope === 'all' ? 'every case' : 'the killing cases';
  if (b.error !== undefined) lines.push(`  BASELINE ERROR: ${b.error}`);
  for (const f of b.failures) {
    lines.push(
      `  BASELINE ERROR: ${f.caseId} ${f.status} on the unmutated reference: ${replaceForbiddenChars(f.reason)}`,
    );
  }
  if (b.error === undefined && b.failures.length === 0) {
    lines.push(
      `baseline: ${scope} (${b.casesRun}) passed on the unmutated reference (${formatDuration(b.durationMs)})`,
    );
  }
  return lines;
}

/** The last line: the score, whether the matrix passed, and the time. */
export function scoreLine(matrices: readonly KillMatrix[], passed: boolean, durationMs: number): string {
  const { killed, total } = mutationScore(matrices);
  const baselineOk = matrices.every((m) => m.baseline.error === undefined && m.baseline.failures.length === 0);
  return (
    `qrlink mutants: ${killed} of ${total} killed (mutation score ${formatPercent(killed, total)}), ` +
    `baseline ${baselineOk ? 'passed' : 'FAILED'}: ${passed ? 'PASS' : 'FAIL'} (${formatDuration(durationMs)})`
  );
}
