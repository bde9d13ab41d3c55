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
import { browserClientTarget } from '../../conformance/client/browser/browser-target.js';
import type { ClientRole, ClientTarget } from '../../conformance/client/client-target.js';
import { connectClientTarget, embeddedClientTarget } from '../../conformance/client/driver-target.js';
import { phoneCharts, phoneSources, phoneUnobservableClauses } from '../../conformance/client/phone/phone-catalogue.js';
import { webCharts, webSources, webUnobservableClauses } from '../../conformance/client/web/web-catalogue.js';
import type { Case } from '../../conformance/engine/case.js';
import { filterCases } from '../../conformance/engine/case-filter.js';
import type { CaseSource, CatalogueOptions } from '../../conformance/engine/catalogue.js';
import {
  type ExpectFailures,
  ExpectFailuresError,
  readExpectFailures,
} from '../../conformance/engine/expect-failures.js';
import type { AnyChart } from '../../conformance/engine/run-coverage.js';
import { NoCaseMatched, type RunOptions, runSuite } from '../../conformance/engine/runner.js';
import { serverCharts, serverSources } from '../../conformance/engine/server-catalogue.js';
import { unobservableClauses } from '../../conformance/engine/unobservable-clauses.js';
import { toReportJson } from '../../conformance/report/json-report.js';
import { jsonText } from '../../conformance/report/json-text.js';
import { createProgress, summaryLine } from '../../conformance/report/progress.js';
import { replayCommands } from '../../conformance/report/replay-command.js';
import { runPassed } from '../../conformance/report/run-outcome.js';
import type { CaseError, CaseResult, RunReport } from '../../conformance/report/run-report.js';
import { readTraceFile, TraceFileError, writeReport } from '../../conformance/report/write-report.js';
import { embeddedTarget } from '../../conformance/target/embedded-target.js';
import { remoteTarget } from '../../conformance/target/remote-target.js';
import { type Subject, type Target, TargetError } from '../../conformance/target/target.js';
import type { CommandRegistrar } from '../context.js';
import { type CliIo, Exit, type ExitCode } from '../io.js';
import { httpUrl, integer, wsUrl } from '../options.js';

export interface CheckOptions {
  target?: string;
  role: 'server' | 'web' | 'phone' | 'all';
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
/**
 * Property-based runs per property in browser mode, where every run loads a page (about a second):
 * 100 would not fit the runner's 120 s case limit. `--runs` still asks for more.
 */
export const defaultBrowserRuns = 20;
/** Failures listed before the summary line (all of them are in the report). */
const maxListedFailures = 20;

/** Ends the command with exit 2 and a message naming what was wrong. */
class CheckStop extends Error {
  override readonly name = 'CheckStop';
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Opens the server target: the embedded reference, or the server at --target [exit 2 when unreachable]. */
async function openServerTarget(opts: CheckOptions): Promise<Target> {
  if (opts.target === undefined) return embeddedTarget();
  const controlToken = opts.controlToken ?? process.env.QRLINK_CONTROL_TOKEN;
  return remoteTarget(opts.target, controlToken === undefined ? {} : { controlToken });
}

/** Opens a target, turning every way it can fail into exit 2 with the reason. */
async function opened<T>(open: () => Promise<T>): Promise<T> {
  try {
    return await open();
  } catch (err) {
    if (err instanceof TargetError) throw new CheckStop(err.message);
    throw new CheckStop(`cannot open the target: ${messageOf(err)}`);
  }
}

/** What a run needs of its role: where its cases come from, the charts its coverage counts, its targets. */
interface RoleRun<T extends Subject> {
  readonly sources: readonly CaseSource<T>[];
  readonly charts: readonly AnyChart[];
  /** The role's clauses no check can observe, with the reason (listed, left out of the figure). */
  readonly unobservable: ReadonlyMap<string, string>;
  open(): Promise<T>;
  /** How many targets run cases at once (each lane its own target). */
  readonly lanes: number;
}

/**
 * The embedded reference runs cases on this many servers at once (each case resets its own): the
 * run waits on round trips far more than it computes, so the waits overlap. A remote target is
 * one server, so it runs one case at a time.
 */
export const embeddedLanes = 4;

function serverRun(opts: CheckOptions): RoleRun<Target> {
  return {
    sources: serverSources(),
    charts: serverCharts,
    unobservable: unobservableClauses,
    open: () => opened(() => openServerTarget(opts)),
    lanes: opts.target === undefined ? embeddedLanes : 1,
  };
}

/**
 * A client role: the driver at --target, the page at --browser (web only) in chromium, or else the
 * reference client started in this process (several at once, one per lane). The suite plays the
 * server itself, on a port of its own for every case.
 */
function clientRun<R extends ClientRole>(
  opts: CheckOptions,
  role: R,
  catalogue: Pick<RoleRun<ClientTarget<R>>, 'sources' | 'charts' | 'unobservable'>,
): RoleRun<ClientTarget<R>> {
  const { target, browser } = opts;
  const open = (): Promise<ClientTarget<R>> => {
    if (browser !== undefined) return browserClientTarget(browser) as Promise<ClientTarget<R>>;
    if (target !== undefined) return connectClientTarget(target, role);
    return embeddedClientTarget(role);
  };
  return {
    ...catalogue,
    open: () => opened(open),
    lanes: target === undefined && browser === undefined ? embeddedLanes : 1,
  };
}

/** The run of the role --role names, after the options that only some roles take are checked. */
function roleRun(
  opts: OneRoleOptions,
): RoleRun<Target> | RoleRun<ClientTarget<'web'>> | RoleRun<ClientTarget<'phone'>> {
  if (opts.browser !== undefined && opts.role !== 'web') {
    throw new CheckStop(`--browser checks a web client page; it does not go with --role ${opts.role}`);
  }
  if (opts.browser !== undefined && opts.target !== undefined) {
    throw new CheckStop('give --target (a driver endpoint) or --browser (a page), not both');
  }
  if (opts.role !== 'server' && opts.controlToken !== undefined) {
    throw new CheckStop(`--control-token is for a server's control endpoint; a ${opts.role} target has none`);
  }
  switch (opts.role) {
    case 'server':
      return serverRun(opts);
    case 'web':
      return clientRun(opts, 'web', { sources: webSources(), charts: webCharts, unobservable: webUnobservableClauses });
    case 'phone':
      return clientRun(opts, 'phone', {
        sources: phoneSources(),
        charts: phoneCharts,
        unobservable: phoneUnobservableClauses,
      });
  }
}

/** Every case of `sources` for this run (a source that cannot build its cases is a usage error). */
function catalogue<T extends Subject>(sources: readonly CaseSource<T>[], options: CatalogueOptions): Case<T>[] {
  try {
    return sources.flatMap((s) => s.cases(options));
  } catch (err) {
    throw new CheckStop(`cannot build the case catalogue: ${messageOf(err)}`);
  }
}

function pairGoals<T extends Subject>(sources: readonly CaseSource<T>[], options: CatalogueOptions): string[] {
  return [...new Set(sources.flatMap((s) => s.goals?.(options).transitionPairs ?? []))];
}

/** Runs the suite with the targets closed afterwards; a target lost mid-run is exit 2. */
async function runAgainst<T extends Subject>(
  target: T,
  lanes: readonly T[],
  options: Omit<RunOptions<T>, 'target' | 'lanes'>,
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

function listCatalogue(cases: readonly Omit<Case<Subject>, 'run'>[], io: CliIo, json: boolean): void {
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

/**
 * A failure's message with the values each run makes up masked (refs, tokens, keys and other
 * base64url values the target or the suite drew; clock readings), and without the note a property
 * case adds about its search (seed, shrinking, replay command: a replay runs the shrunk run alone),
 * so that two runs failing at the same step for the same reason compare equal.
 */
function failureShape(message: string): string {
  return message
    .replace(/ \(fast-check seed \d+, shrunk [^()]*(?:\([^()]*\)[^()]*)*\)$/, '')
    .replace(/[A-Za-z0-9_-]{16,}/g, '<value>')
    .replace(/\d{10,}/g, '<time>');
}

/** Whether a replayed case failed as the trace file recorded (same message at the same step). */
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

async function replay<T extends Subject>(
  opts: CheckOptions,
  io: CliIo,
  run: RoleRun<T>,
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
  let found: Case<T> | undefined;
  for (const source of run.sources) {
    found = source.fromTrace?.(file);
    if (found !== undefined) break;
  }
  if (found === undefined) throw new CheckStop(`no case source can replay case ${file.caseId} (trace file ${path})`);
  const target = await run.open();
  const report = await runAgainst(target, [], {
    role: opts.role,
    cases: [found],
    seed: file.seed,
    strict: opts.strict === true,
    charts: run.charts,
    unobservable: run.unobservable,
  });
  const result = report.cases[0];
  if (result === undefined) throw new CheckStop(`case ${file.caseId} did not run`);
  if (opts.json) io.out(`${jsonText(result, 2)}\n`);
  say(replayVerdict(result, file.expected));
  if (result.status === 'passed') return Exit.ok;
  if (result.status === 'skipped') return Exit.usage;
  return Exit.failed;
}

/** The roles `--role all` runs, in this order, each into its own subdirectory of --out. */
const everyRole = ['server', 'web', 'phone'] as const;

/**
 * `--role all`: the embedded reference of every role, one after the other, each report in
 * `<out>/<role>/`. Exit 0 iff every role passed; the worst exit code otherwise.
 */
async function checkEveryRole(opts: CheckOptions, io: CliIo): Promise<ExitCode> {
  for (const [given, name] of [
    [opts.target, '--target'],
    [opts.browser, '--browser'],
    [opts.replay, '--replay'],
    [opts.controlToken, '--control-token'],
  ] as const) {
    if (given !== undefined) {
      throw new CheckStop(`--role all checks the embedded reference of every role; ${name} names one role's target`);
    }
  }
  let worst: ExitCode = Exit.ok;
  for (const role of everyRole) {
    const code = await check({ ...opts, role, out: join(opts.out, role) }, io);
    if (code > worst) worst = code;
  }
  return worst;
}

async function check(opts: CheckOptions, io: CliIo): Promise<ExitCode> {
  const { role } = opts;
  if (role === 'all') return checkEveryRole(opts, io);
  const one = { ...opts, role };
  // Each role's run is typed by its subject; checkRole is generic over it.
  return checkRole(one, io, roleRun(one) as RoleRun<Subject>);
}

/** The options of a run of one role. */
type OneRoleOptions = CheckOptions & { readonly role: ClientRole | 'server' };

async function checkRole<T extends Subject>(opts: OneRoleOptions, io: CliIo, run: RoleRun<T>): Promise<ExitCode> {
  // With --json, stdout carries the JSON only; every line for people goes to stderr.
  const say = (line: string) => (opts.json ? io.err : io.out)(`${line}\n`);
  const seed = opts.seed ?? randomInt(0, 2 ** 31 - 1);
  const runs = opts.runs ?? (opts.browser === undefined ? defaultRuns : defaultBrowserRuns);
  const options: CatalogueOptions = { role: opts.role, seed, runs };
  let expectFailures: ExpectFailures | undefined;
  if (opts.expectFailures !== undefined) {
    try {
      expectFailures = await readExpectFailures(opts.expectFailures);
    } catch (err) {
      if (err instanceof ExpectFailuresError) throw new CheckStop(err.message);
      throw err;
    }
  }
  const sources = run.sources;
  if (opts.replay !== undefined) return replay(opts, io, run, say);
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

  const target = await run.open();
  if (target.control === undefined && cases.some((c) => c.needs.includes('control'))) {
    io.err(`qrlink check: ${target.controlMissing ?? 'no control endpoint'}: cases that need it are skipped\n`);
  }
  const lanes = await Promise.all(
    Array.from({ length: Math.min(run.lanes, cases.length) - 1 }, () => run.open()),
  ).catch(async (err: unknown) => {
    await target.close();
    throw err;
  });
  const progress = createProgress({ isTTY: io.isTTY, err: io.err, columns: process.stderr.columns }, cases.length);
  let report: RunReport;
  try {
    report = await runAgainst(target, lanes, {
      role: opts.role,
      cases,
      seed,
      strict: opts.strict === true,
      ...(expectFailures === undefined ? {} : { expectFailures }),
      progress,
      charts: run.charts,
      unobservable: run.unobservable,
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
    .addOption(
      new Option('--role <role>', 'role of the target (all: the embedded reference of every role, in turn)')
        .choices(['server', 'web', 'phone', 'all'])
        .default('server'),
    )
    .option('--control-token <token>', 'control endpoint token of the target (default: $QRLINK_CONTROL_TOKEN)')
    .option('--browser <url>', 'check a browser web client page at this http(s) URL in chromium', httpUrl)
    .option('--seed <n>', 'seed of the property-based runs (replays a printed failure)', integer(0, 2 ** 31 - 1))
    .option(
      '--runs <n>',
      `number of property-based runs (default ${defaultRuns}; ${defaultBrowserRuns} with --browser)`,
      integer(1, 1_000_000),
    )
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
