/**
 * `qrlink check`: runs the conformance suite against a server (the embedded reference, or
 * `--target URL`), shows progress on a terminal, writes report.json, junit.xml, index.html and a
 * trace file per failure into `--out`, and ends with one summary line. Exit 0 iff every check
 * passed, 1 if any failed, 2 on usage or connection errors and when no case would run.
 *
 * `--list` prints the catalogue without touching a target; `--replay FILE` re-runs the one case a
 * trace file was written for and says whether it fails the same way.
 */
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Case } from '../../conformance/engine/case.js';
import { filterCases } from '../../conformance/engine/case-filter.js';
import type { CaseSource, CatalogueOptions } from '../../conformance/engine/catalogue.js';
import {
  type ExpectFailures,
  ExpectFailuresError,
  readExpectFailures,
} from '../../conformance/engine/expect-failures.js';
import { NoCaseMatched, type RunOptions, runSuite } from '../../conformance/engine/runner.js';
import { serverCharts, serverSources } from '../../conformance/engine/server-catalogue.js';
import { toReportJson } from '../../conformance/report/json-report.js';
import { jsonText } from '../../conformance/report/json-text.js';
import { createProgress, summaryLine } from '../../conformance/report/progress.js';
import { replayCommands } from '../../conformance/report/replay-command.js';
import { runPassed } from '../../conformance/report/run-outcome.js';
import type { CaseError, CaseResult, RunReport } from '../../conformance/report/run-report.js';
import { readTraceFile, TraceFileError, writeReport } from '../../conformance/report/write-report.js';
import { embeddedTarget } from '../../conformance/target/embedded-target.js';
import { remoteTarget } from '../../conformance/target/remote-target.js';
import { type Target, TargetError } from '../../conformance/target/target.js';
import type { CommandRegistrar } from '../context.js';
import { type CliIo, Exit, type ExitCode } from '../io.js';
import { httpUrl, integer, wsUrl } from '../options.js';

export interface CheckOptions {
  target?: string;
  role: 'server' | 'web' | 'phone';
  controlToken?: string;
  browser?: string;
  seed?: number;
  runs?: number;
  filter?: string;
  strict?: boolean;
  list?: boolean;
  replay?: string;
  expectFailures?: string;
  out: string;
  json?: boolean;
}

/** Property-based runs per property when --runs is not given. */
export const defaultRuns = 100;
/** Failures listed before the summary line (all of them are in the report). */
const maxListedFailures = 20;

/** Ends the command with exit 2 and a message naming what was wrong. */
class CheckStop extends Error {
  override readonly name = 'CheckStop';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Opens the target: the embedded reference, or the server at --target [exit 2 when unreachable]. */
async function openTarget(opts: CheckOptions): Promise<Target> {
  try {
    if (opts.target === undefined) return await embeddedTarget();
    const controlToken = opts.controlToken ?? process.env.QRLINK_CONTROL_TOKEN;
    return await remoteTarget(opts.target, controlToken === undefined ? {} : { controlToken });
  } catch (err) {
    if (err instanceof TargetError) throw new CheckStop(err.message);
    throw new CheckStop(`cannot open the target: ${messageOf(err)}`);
  }
}

/** Every case of `sources` for this run (a source that cannot build its cases is a usage error). */
function catalogue(sources: readonly CaseSource[], options: CatalogueOptions): Case[] {
  try {
    return sources.flatMap((s) => s.cases(options));
  } catch (err) {
    throw new CheckStop(`cannot build the case catalogue: ${messageOf(err)}`);
  }
}

function pairGoals(sources: readonly CaseSource[], options: CatalogueOptions): string[] {
  return [...new Set(sources.flatMap((s) => s.goals?.(options).transitionPairs ?? []))];
}

/**
 * The embedded reference runs cases on this many servers at once (each case resets its own): the
 * run waits on round trips far more than it computes, so the waits overlap. A remote target is
 * one server, so it runs one case at a time.
 */
export const embeddedLanes = 4;

async function openLanes(opts: CheckOptions, count: number): Promise<Target[]> {
  if (opts.target !== undefined || count <= 1) return [];
  return Promise.all(Array.from({ length: count - 1 }, () => openTarget(opts)));
}

/** Runs the suite with the targets closed afterwards; a target lost mid-run is exit 2. */
async function runAgainst(
  target: Target,
  lanes: readonly Target[],
  options: Omit<RunOptions, 'target' | 'lanes'>,
): Promise<RunReport> {
  try {
    return await runSuite({ ...options, target, lanes });
  } catch (err) {
    if (err instanceof TargetError) throw new CheckStop(`lost the target during the run: ${err.message}`);
    if (err instanceof NoCaseMatched) throw new CheckStop(err.message);
    throw err;
  } finally {
    await Promise.all([target, ...lanes].map((t) => t.close()));
  }
}

function listCatalogue(cases: readonly Case[], io: CliIo, json: boolean): void {
  if (json) {
    const rows = cases.map((c) => ({
      id: c.id,
      title: c.title,
      section: c.section,
      kind: c.kind,
      level: c.level,
      clauses: [...c.clauses],
      needs: [...c.needs],
    }));
    io.out(`${jsonText(rows, 2)}\n`);
    return;
  }
  for (const c of cases) io.out(`${c.id}  ${c.title}  [${c.clauses.join(', ')}]\n`);
}

function failureLines(report: RunReport, out: string): string[] {
  const failed = report.cases.filter((c) => c.status === 'failed' || c.status === 'non-strict');
  const lines: string[] = [];
  for (const c of failed.slice(0, maxListedFailures)) {
    lines.push(`  ${c.status === 'failed' ? 'FAILED' : 'NON-STRICT'} ${c.id}  ${c.title}: ${c.reason ?? ''}`);
    for (const cmd of replayCommands(report, c, out)) lines.push(`    ${cmd}`);
  }
  if (failed.length > maxListedFailures) {
    lines.push(`  ... and ${failed.length - maxListedFailures} more in ${join(out, 'index.html')}`);
  }
  return lines;
}

/** Whether a replayed case failed as the trace file recorded (same message at the same step). */
/**
 * A failure's message with the values each run makes up masked (refs, tokens, keys and other
 * base64url values the target or the suite drew; clock readings), so that two runs failing at the
 * same step for the same reason compare equal.
 */
function failureShape(message: string): string {
  return message.replace(/[A-Za-z0-9_-]{16,}/g, '<value>').replace(/\d{10,}/g, '<time>');
}

function sameFailure(then: CaseError | null, now: CaseError | undefined): boolean {
  return (
    then !== null &&
    now !== undefined &&
    then.step === now.step &&
    failureShape(then.message) === failureShape(now.message)
  );
}

function replayVerdict(result: CaseResult, then: CaseError | null): string {
  const id = result.id;
  if (result.status === 'passed') {
    return then === null
      ? `replay ${id}: passed (the trace file recorded no failure)`
      : `replay ${id}: passed; the recorded failure no longer happens (then: ${then.message})`;
  }
  if (result.status === 'skipped') return `replay ${id}: skipped: ${result.reason ?? ''}`;
  if (sameFailure(then, result.error)) {
    return `replay ${id}: ${result.status}, the same way as recorded: ${result.error?.message ?? ''}`;
  }
  return [
    `replay ${id}: ${result.status}, differently from the trace file:`,
    `  now:  ${result.error?.message ?? result.reason ?? ''}`,
    `  then: ${then?.message ?? '(no failure recorded)'}`,
  ].join('\n');
}

async function replay(
  opts: CheckOptions,
  io: CliIo,
  sources: readonly CaseSource[],
  say: (line: string) => void,
): Promise<ExitCode> {
  const path = opts.replay ?? '';
  let file: Awaited<ReturnType<typeof readTraceFile>>;
  try {
    file = await readTraceFile(path);
  } catch (err) {
    if (err instanceof TraceFileError) throw new CheckStop(err.message);
    throw err;
  }
  if (file.role !== opts.role) {
    throw new CheckStop(`trace file ${path} is a ${file.role} case; run it with --role ${file.role}`);
  }
  let found: Case | undefined;
  for (const source of sources) {
    found = source.fromTrace?.(file);
    if (found !== undefined) break;
  }
  if (found === undefined) throw new CheckStop(`no case source can replay case ${file.caseId} (trace file ${path})`);
  const target = await openTarget(opts);
  const report = await runAgainst(target, [], {
    role: opts.role,
    cases: [found],
    seed: file.seed,
    strict: opts.strict === true,
    charts: serverCharts,
  });
  const result = report.cases[0];
  if (result === undefined) throw new CheckStop(`case ${file.caseId} did not run`);
  if (opts.json) io.out(`${jsonText(result, 2)}\n`);
  say(replayVerdict(result, file.expected));
  if (result.status === 'passed') return Exit.ok;
  if (result.status === 'skipped') return Exit.usage;
  return Exit.failed;
}

async function check(opts: CheckOptions, io: CliIo): Promise<ExitCode> {
  // With --json, stdout carries the JSON only; every line for people goes to stderr.
  const say = (line: string) => (opts.json ? io.err : io.out)(`${line}\n`);
  if (opts.role !== 'server') {
    throw new CheckStop(`--role ${opts.role} is not available yet: client roles land in issue 7; nothing was run.`);
  }
  if (opts.browser !== undefined) {
    throw new CheckStop('--browser is not available yet: client roles land in issue 7; nothing was run.');
  }
  const seed = opts.seed ?? randomInt(0, 2 ** 31 - 1);
  const options: CatalogueOptions = { role: opts.role, seed, runs: opts.runs ?? defaultRuns };
  let expectFailures: ExpectFailures | undefined;
  if (opts.expectFailures !== undefined) {
    try {
      expectFailures = await readExpectFailures(opts.expectFailures);
    } catch (err) {
      if (err instanceof ExpectFailuresError) throw new CheckStop(err.message);
      throw err;
    }
  }
  const sources = serverSources();
  if (opts.replay !== undefined) return replay(opts, io, sources, say);
  const all = catalogue(sources, options);

  const cases = filterCases(all, opts.filter);
  if (cases.length === 0) {
    throw new CheckStop(
      opts.filter === undefined
        ? `no case matched: the ${opts.role} catalogue is empty; nothing was run`
        : `no case matched --filter ${opts.filter}; nothing was run`,
    );
  }
  if (opts.list) {
    listCatalogue(cases, io, opts.json === true);
    return Exit.ok;
  }
  const known = new Set(all.map((c) => c.id));
  for (const id of expectFailures?.keys() ?? []) {
    if (!known.has(id)) io.err(`qrlink check: --expect-failures lists ${id}, which is no case of the catalogue\n`);
  }

  const target = await openTarget(opts);
  if (target.control === undefined) {
    io.err(`qrlink check: ${target.controlMissing ?? 'no control endpoint'}: cases that need it are skipped\n`);
  }
  const progress = createProgress({ isTTY: io.isTTY, err: io.err, columns: process.stderr.columns }, cases.length);
  let report: RunReport;
  try {
    report = await runAgainst(target, await openLanes(opts, Math.min(embeddedLanes, cases.length)), {
      role: opts.role,
      cases,
      seed,
      strict: opts.strict === true,
      ...(expectFailures === undefined ? {} : { expectFailures }),
      progress,
      charts: serverCharts,
      pairGoals: pairGoals(sources, options),
    });
  } finally {
    progress.done();
  }

  let written: Awaited<ReturnType<typeof writeReport>>;
  try {
    written = await writeReport(opts.out, report);
  } catch (err) {
    throw new CheckStop(`cannot write the report to ${opts.out}: ${messageOf(err)}`);
  }
  for (const warning of written.warnings) io.err(`qrlink check: ${warning}\n`);
  if (opts.json) io.out(toReportJson(written.report));
  for (const line of failureLines(written.report, opts.out)) say(line);
  const summary = summaryLine(written.report);
  say(`${summary}, seed ${seed} -> ${join(opts.out, 'index.html')}`);
  return runPassed(written.report) ? Exit.ok : Exit.failed;
}

export const registerCheck: CommandRegistrar = (program, ctx) => {
  program
    .command('check')
    .summary('run the conformance suite against a target (default: the embedded reference)')
    .description(
      'Run the conformance suite. With no --target, against the embedded reference implementation. ' +
        'Exit 0 iff every check passed, 1 if any failed, 2 on usage or connection errors.',
    )
    .option('--target <url>', 'ws:// URL of the implementation under test (a server, or a client driver)', wsUrl)
    .addOption(new Option('--role <role>', 'role of the target').choices(['server', 'web', 'phone']).default('server'))
    .option('--control-token <token>', 'control endpoint token of the target (default: $QRLINK_CONTROL_TOKEN)')
    .option('--browser <url>', 'check a browser web client page at this http(s) URL in chromium', httpUrl)
    .option('--seed <n>', 'seed of the property-based runs (replays a printed failure)', integer(0, 2 ** 31 - 1))
    .option('--runs <n>', 'number of property-based runs', integer(1, 1_000_000))
    .option('--filter <text>', 'run only the cases whose id or title contains this text')
    .option('--strict', 'fail the run on missed SHOULD requirements too (non-strict verdicts)')
    .option('--list', 'print the case catalogue (id, title, clauses) and run nothing')
    .option('--replay <file>', 're-run exactly the trace saved in this file')
    .option('--expect-failures <file>', 'JSON list of {id, reason} cases expected to fail')
    .option('--out <dir>', 'where to write report.json, junit.xml and index.html', 'reports/latest')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (opts: CheckOptions) => {
      try {
        ctx.setExit(await check(opts, ctx.io));
      } catch (err) {
        if (!(err instanceof CheckStop)) throw err;
        ctx.io.err(`qrlink check: ${err.message}\n`);
        ctx.setExit(Exit.usage);
      }
    });
};
