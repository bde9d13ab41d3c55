/**
 * The kill matrix: the conformance suite run against every mutant of a role (its reference
 * implementation with one deliberate fault on), recording which cases kill each one (fail on it),
 * how long the first kill took, and the shortest failing trace. A mutant no case kills is a gap in
 * the suite. A baseline run against the unmutated reference comes first: a case failing there would
 * "kill" every mutant for nothing, so it is reported as an error and the matrix does not pass.
 *
 * Each case goes through the conformance runner (`runSuite`, one case at a time), so a kill means
 * exactly what a failure means to `qrlink check`: the case failed (or, for a SHOULD case, was
 * non-strict), a case past its time limit failed, and a subject lost mid-case (`TargetError`: the
 * mutant made the implementation unreachable) is a kill too, after which that mutant's run stops.
 *
 * For each mutant, the cases citing one of its clauses run first, so that with `firstKill` (stop a
 * mutant at its first kill) most mutants need one or two cases. Several subjects of a mutant run
 * cases at once (`lanes`), and several mutants run at once (`parallel`).
 */
import type { MutantInfo } from '../../impl/server/mutants.js';
import type { Case } from '../engine/case.js';
import type { CatalogueOptions } from '../engine/catalogue.js';
import { type CaseTimers, runSuite } from '../engine/runner.js';
import type { CaseResult, Role, TraceStep, Verdict, WireEntry } from '../report/run-report.js';
import { type Subject, TargetError } from '../target/target.js';
import type { Reach, RoleSuite } from './role-suite.js';

export interface MatrixOptions<T extends Subject> {
  readonly suite: RoleSuite<T>;
  /** The run's seed (as `qrlink check --seed`); property cases derive theirs from it. */
  readonly seed: number;
  /** Sequences per property-based case. */
  readonly runs: number;
  /** Only these mutants (ids of the suite's catalogue); default all. */
  readonly only?: readonly string[];
  /** Stop each mutant at its first kill (the baseline then checks only the killing cases). */
  readonly firstKill?: boolean;
  /** Subjects per mutant running cases at once (default 4, or 1 with `firstKill`). */
  readonly lanes?: number;
  /** Mutants run at once (default 1, or 4 with `firstKill`). */
  readonly parallel?: number;
  /** Run the suite's `wireSample` over the wire (default true when the suite has one). */
  readonly wire?: boolean;
  /** A case running longer than this fails (default 60 s). */
  readonly caseTimeoutMs?: number;
  /** Timers of the per-case time limit (default real timers; tests inject their own). */
  readonly timers?: CaseTimers;
  /** Milliseconds (default `performance.now`). */
  readonly now?: () => number;
  /** Told about each mutant as it finishes (progress). */
  readonly onMutant?: (result: MutantResult) => void;
  /** The cases (default: built from the suite's sources with role, seed and runs). */
  readonly cases?: readonly Case<T>[];
}

/** The failing case with the fewest trace steps, as the shortest way to see the fault. */
export interface ShortestKill {
  readonly caseId: string;
  readonly title: string;
  readonly steps: number;
  readonly reason: string;
  /** The trace step at which the case failed, when it says. */
  readonly failingStep?: number;
  readonly trace: readonly TraceStep[];
  readonly wireLog: readonly WireEntry[];
}

export interface MutantResult {
  readonly id: string;
  readonly role: Role;
  readonly description: string;
  readonly clauses: readonly string[];
  readonly killed: boolean;
  /** The cases that failed on the mutant (all of them, or the first with `firstKill`), in run order. */
  readonly killedBy: readonly string[];
  /**
   * Milliseconds from the moment the mutant's subjects were up (started and connected) to the end of
   * the first failing case: how long the suite took to notice.
   */
  readonly firstKillMs: number | null;
  readonly shortest: ShortestKill | null;
  readonly reach: Reach;
  /** Cases run against the mutant. */
  readonly casesRun: number;
  /** The mutant's whole run, starting its subjects included. */
  readonly durationMs: number;
  /** What went wrong running the mutant (it could not start, ...); a mutant with an error is not killed. */
  readonly error?: string;
}

/** A case that failed against the unmutated reference. */
export interface BaselineFailure {
  readonly caseId: string;
  readonly status: Verdict;
  readonly reason: string;
}

export interface Baseline {
  /** `all`: every case ran on the reference; `killers`: only the cases that killed a mutant (firstKill). */
  readonly scope: 'all' | 'killers';
  readonly casesRun: number;
  readonly failures: readonly BaselineFailure[];
  readonly durationMs: number;
  /** The reference could not be started or was lost. */
  readonly error?: string;
}

export interface KillMatrix {
  readonly role: Role;
  readonly seed: number;
  readonly runs: number;
  readonly firstKill: boolean;
  readonly cases: number;
  readonly baseline: Baseline;
  readonly mutants: readonly MutantResult[];
  readonly durationMs: number;
}

/** Verdicts by which the suite noticed the fault. */
const killing: ReadonlySet<Verdict> = new Set<Verdict>(['failed', 'non-strict']);

const defaultCaseTimeoutMs = 60_000;

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The cases citing one of `clauses` first, then the others, each group in catalogue order. */
export function prioritized<C extends Pick<Case, 'clauses'>>(cases: readonly C[], clauses: readonly string[]): C[] {
  const wanted = new Set(clauses);
  const first: C[] = [];
  const rest: C[] = [];
  for (const c of cases) (c.clauses.some((k) => wanted.has(k)) ? first : rest).push(c);
  return [...first, ...rest];
}

/** Runs one case on `subject` through the conformance runner and returns its result. */
async function runCase<T extends Subject>(
  subject: T,
  c: Case<T>,
  o: MatrixOptions<T>,
  now: () => number,
): Promise<CaseResult> {
  const report = await runSuite<T>({
    target: subject,
    role: o.suite.role,
    cases: [c],
    seed: o.seed,
    clauses: [],
    charts: [],
    now,
    caseTimeoutMs: o.caseTimeoutMs ?? defaultCaseTimeoutMs,
    ...(o.timers === undefined ? {} : { timers: o.timers }),
  });
  const result = report.cases[0];
  if (result === undefined) throw new Error(`case ${c.id} produced no result`);
  return result;
}

interface Pass {
  readonly results: (CaseResult | undefined)[];
  /** The case during which a subject became unreachable, and why (the pass stopped there). */
  readonly lost?: { readonly caseId: string; readonly message: string };
}

/**
 * Runs `cases` on `subjects` (one lane each), in order, until done or until `stop()` says so
 * (checked before each case is taken). A lost subject ends the pass.
 */
async function pass<T extends Subject>(
  subjects: readonly T[],
  cases: readonly Case<T>[],
  o: MatrixOptions<T>,
  now: () => number,
  stop: (r: CaseResult) => boolean,
): Promise<Pass> {
  const results: (CaseResult | undefined)[] = [];
  let next = 0;
  let halted = false;
  let lost: Pass['lost'];
  const lane = async (subject: T) => {
    while (!halted && next < cases.length) {
      const i = next++;
      const c = cases[i] as Case<T>;
      try {
        const r = await runCase(subject, c, o, now);
        results[i] = r;
        if (stop(r)) halted = true;
      } catch (err) {
        if (!(err instanceof TargetError)) throw err;
        halted = true;
        lost ??= { caseId: c.id, message: err.message };
      }
    }
  };
  await Promise.all(subjects.map(lane));
  return lost === undefined ? { results } : { results, lost };
}

/** Starts `count` subjects with `start`; if one fails, closes the others and rethrows. */
async function startMany<T extends Subject>(count: number, start: () => Promise<T>): Promise<T[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, start));
  const ok = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const bad = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (bad !== undefined) {
    await Promise.all(ok.map((s) => s.close()));
    throw bad.reason;
  }
  return ok;
}

async function closeAll(subjects: readonly Subject[]): Promise<void> {
  await Promise.allSettled(subjects.map((s) => s.close()));
}

/** The kill with the fewest trace steps; a kill with no step (a case that timed out) only when no other. */
function shortestOf(kills: readonly CaseResult[]): ShortestKill | null {
  const weight = (r: CaseResult) => (r.trace.length === 0 ? Number.POSITIVE_INFINITY : r.trace.length);
  let best: CaseResult | undefined;
  for (const r of kills) if (best === undefined || weight(r) < weight(best)) best = r;
  if (best === undefined) return null;
  return {
    caseId: best.id,
    title: best.title,
    steps: best.trace.length,
    reason: best.reason ?? best.error?.message ?? best.status,
    ...(best.error?.step === undefined ? {} : { failingStep: best.error.step }),
    trace: best.trace,
    wireLog: best.wireLog,
  };
}

/** Runs the suite against one mutant. */
async function runMutant<T extends Subject>(
  m: MutantInfo,
  cases: readonly Case<T>[],
  o: MatrixOptions<T>,
  now: () => number,
  lanes: number,
  reach: Reach,
): Promise<MutantResult> {
  const base = { id: m.id, role: m.role, description: m.description, clauses: [...m.clauses], reach };
  const started = now();
  let subjects: T[];
  try {
    const start =
      reach === 'over-the-wire' && o.suite.startOverWire !== undefined
        ? (o.suite.startOverWire.bind(o.suite, m.id) as () => Promise<T>)
        : () => o.suite.start([m.id]);
    subjects = await startMany(lanes, start);
  } catch (err) {
    return {
      ...base,
      killed: false,
      killedBy: [],
      firstKillMs: null,
      shortest: null,
      casesRun: 0,
      durationMs: Math.round(now() - started),
      error: `could not start the mutant: ${messageOf(err)}`,
    };
  }
  const kills: CaseResult[] = [];
  const ready = now();
  let firstKillMs: number | null = null;
  let outcome: Pass;
  try {
    outcome = await pass(subjects, prioritized(cases, m.clauses), o, now, (r) => {
      if (!killing.has(r.status)) return false;
      kills.push(r);
      firstKillMs ??= now() - ready;
      return o.firstKill === true;
    });
  } finally {
    await closeAll(subjects);
  }
  const killedBy = kills.map((r) => r.id);
  if (outcome.lost !== undefined) {
    // the mutant made the implementation unreachable: the suite noticed
    killedBy.push(outcome.lost.caseId);
    firstKillMs ??= now() - ready;
  }
  const shortest =
    shortestOf(kills) ??
    (outcome.lost === undefined
      ? null
      : {
          caseId: outcome.lost.caseId,
          title: `${outcome.lost.caseId} (the subject became unreachable)`,
          steps: 0,
          reason: outcome.lost.message,
          trace: [],
          wireLog: [],
        });
  return {
    ...base,
    killed: killedBy.length > 0,
    killedBy,
    firstKillMs: firstKillMs === null ? null : Math.round(firstKillMs),
    shortest,
    casesRun: outcome.results.filter((r) => r !== undefined).length,
    durationMs: Math.round(now() - started),
  };
}

/** Runs `cases` against the unmutated reference; every case must pass (or be skipped). */
async function runBaseline<T extends Subject>(
  cases: readonly Case<T>[],
  o: MatrixOptions<T>,
  now: () => number,
  lanes: number,
  scope: Baseline['scope'],
): Promise<Baseline> {
  const started = now();
  const took = () => Math.round(now() - started);
  if (cases.length === 0) return { scope, casesRun: 0, failures: [], durationMs: 0 };
  let subjects: T[];
  try {
    subjects = await startMany(Math.min(lanes, cases.length), () => o.suite.start([]));
  } catch (err) {
    return { scope, casesRun: 0, failures: [], durationMs: took(), error: `could not start: ${messageOf(err)}` };
  }
  let outcome: Pass;
  try {
    outcome = await pass(subjects, cases, o, now, () => false);
  } finally {
    await closeAll(subjects);
  }
  const done = outcome.results.filter((r): r is CaseResult => r !== undefined);
  const failures = done
    .filter((r) => killing.has(r.status))
    .map((r) => ({ caseId: r.id, status: r.status, reason: r.reason ?? r.status }));
  return {
    scope,
    casesRun: done.length,
    failures,
    durationMs: took(),
    ...(outcome.lost === undefined
      ? {}
      : { error: `the reference became unreachable during ${outcome.lost.caseId}: ${outcome.lost.message}` }),
  };
}

/** Mutant ids of `only` that the catalogue lacks. */
export function unknownMutants(suite: Pick<RoleSuite<Subject>, 'mutants'>, only: readonly string[]): string[] {
  const known = new Set(suite.mutants.map((m) => m.id));
  return only.filter((id) => !known.has(id));
}

/** Runs `items` through `work`, at most `limit` at a time, keeping their order in the result. */
async function pooled<I, R>(items: readonly I[], limit: number, work: (item: I) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as I);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Builds the kill matrix of one role. */
export async function killMatrix<T extends Subject>(o: MatrixOptions<T>): Promise<KillMatrix> {
  const now = o.now ?? (() => performance.now());
  const started = now();
  const firstKill = o.firstKill === true;
  const lanes = Math.max(1, o.lanes ?? (firstKill ? 1 : 4));
  const parallel = Math.max(1, o.parallel ?? (firstKill ? 4 : 1));
  const catalogueOptions: CatalogueOptions = { role: o.suite.role, seed: o.seed, runs: o.runs };
  const cases = o.cases ?? o.suite.sources().flatMap((s) => s.cases(catalogueOptions));
  const only = o.only === undefined ? undefined : new Set(o.only);
  const mutants = o.suite.mutants.filter((m) => only === undefined || only.has(m.id));
  const overWire = new Set(o.wire === false || o.suite.startOverWire === undefined ? [] : (o.suite.wireSample ?? []));

  let baseline: Baseline | undefined;
  if (!firstKill) baseline = await runBaseline(cases, o, now, lanes, 'all');
  const results = await pooled(mutants, parallel, async (m) => {
    const r = await runMutant(m, cases, o, now, lanes, overWire.has(m.id) ? 'over-the-wire' : 'in-process');
    o.onMutant?.(r);
    return r;
  });
  if (baseline === undefined) {
    const killers = new Set(results.flatMap((r) => r.killedBy));
    baseline = await runBaseline(
      cases.filter((c) => killers.has(c.id)),
      o,
      now,
      Math.max(lanes, parallel),
      'killers',
    );
  }
  return {
    role: o.suite.role,
    seed: o.seed,
    runs: o.runs,
    firstKill,
    cases: cases.length,
    baseline,
    mutants: results,
    durationMs: Math.round(now() - started),
  };
}

/** Whether the matrix proves the suite: the baseline passed and every mutant was killed. */
export function matrixPassed(matrix: Pick<KillMatrix, 'baseline' | 'mutants'>): boolean {
  return (
    matrix.baseline.error === undefined &&
    matrix.baseline.failures.length === 0 &&
    matrix.mutants.length > 0 &&
    matrix.mutants.every((m) => m.killed)
  );
}
