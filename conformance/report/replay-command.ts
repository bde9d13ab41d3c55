/**
 * The commands that re-run a case, as the reports print them: `qrlink check --replay <trace file>`
 * for any case with a saved trace, and `qrlink check --seed N --filter <id>` for a property case
 * (the same seed and number of runs generate the same runs again, the failing one among them; a
 * run made with another `--runs` than the default needs it added). Against a remote target the commands carry `--target` and `--role` too (a target
 * that needs a control token still needs `--control-token` or QRLINK_CONTROL_TOKEN: never printed).
 */
import type { CaseResult, RunReport } from './run-report.js';

/** `arg` as one POSIX shell word: as is when safe, else single-quoted. */
export function shellArg(arg: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * The commands that re-run a case: the trace file, and the seed for a property case. `reportDir`: the
 * report directory as the user named it (the trace file path is relative to it).
 */
export function replayCommands(
  report: Pick<RunReport, 'target' | 'role'>,
  c: Pick<CaseResult, 'id' | 'kind' | 'seed' | 'replayFile'>,
  reportDir?: string,
): string[] {
  // The embedded reference of a role is named `embedded reference[ <role>]`: no --target then.
  const embedded = report.target.startsWith('embedded reference');
  const roleArg = report.role === 'server' ? '' : ` --role ${report.role}`;
  const targetArgs = embedded ? roleArg : ` --target ${shellArg(report.target)} --role ${report.role}`;
  const out: string[] = [];
  if (c.replayFile !== undefined) {
    const file = reportDir === undefined ? c.replayFile : `${reportDir.replace(/\/+$/, '')}/${c.replayFile}`;
    out.push(`qrlink check${targetArgs} --replay ${shellArg(file)}`);
  }
  if (c.kind === 'property' && c.seed !== undefined) {
    out.push(`qrlink check${targetArgs} --seed ${c.seed} --filter ${shellArg(c.id)}`);
  }
  return out;
}
