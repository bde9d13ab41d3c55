/**
 * Runs a list of cases against a target and builds the `RunReport`. For each case, in order: a case
 * that needs the control endpoint is skipped with the reason when the target has none; otherwise,
 * when the target has a control endpoint, the runner resets it and sets the suite configuration
 * [CTL-3] [CTL-6] so that every case starts from a fresh server; then it runs the case with its own
 * trace, wire log, coverage sink and cited clauses.
 *
 * Verdicts: the case returned -> `passed`; `CaseFailure` -> `failed` (`non-strict` for a SHOULD
 * case); `CaseSkip` -> `skipped` with its message; a case past its time limit or any other exception
 * -> `failed` ("internal error: ..."). A `TargetError` (the target became unreachable) aborts the
 * whole run: it is rethrown, since no verdict after it would mean anything. Listed expected
 * failures turn `failed`/`non-strict` into `expected-failure` and `passed` into `unexpected-pass`.
 */

import { type Clause, loadClauses } from '../../model/protocol/clauses.js';
import { defaultConfig } from '../../model/protocol/config.js';
import pkg from '../../package.json' with { type: 'json' };
import { summarize } from '../report/run-outcome.js';
import type { CaseError, CaseResult, Role, RunReport, TraceStep, Verdict } from '../report/run-report.js';
import { type Subject, type Target, TargetError, type WireLog } from '../target/target.js';
import { type Case, type CaseContext, CaseFailure, CaseSkip } from './case.js';
import { filterCases } from './case-filter.js';
import { clausesOfRole } from './clause-roles.js';
import type { ExpectFailures } from './expect-failures.js';
import {
  type AnyChart,
  type ClauseEvidence,
  CoverageRecorder,
  chartCoverage,
  clauseCounts,
  pairCounts,
  stateTransitionCounts,
} from './run-coverage.js';
import { suiteConfig } from './suite-config.js';
import { unobservableClauses } from './unobservable-clauses.js';

/** Where the runner reports each finished case (the CLI's progress display). */
export interface ProgressSink {
  tick(caseId: string, verdict: Verdict): void;
}

/** Timers for the per-case time limit (injectable, so tests use no real timer). */
export interface CaseTimers {
  set(fire: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

// Not unref'd: while a case waits on something that never comes, its time limit is what keeps the
// process alive to report the failure (an empty event loop would end the run silently).
const realTimers: CaseTimers = {
  set: (fire, ms) => setTimeout(fire, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface RunOptions<T extends Subject = Target> {
  readonly target: T;
  /**
   * More targets of the same implementation (separate servers) to run cases on at the same time:
   * every case resets its own target first, so cases are independent. Results keep catalogue order.
   */
  readonly lanes?: readonly T[];
  readonly role: Role;
  /** The cases, already built by the role's sources. */
  readonly cases: readonly Case<T>[];
  readonly seed: number;
  /** With --strict a non-strict verdict fails the run. */
  readonly strict?: boolean;
  /** --filter: only cases whose id or title contains it (case-insensitive). */
  readonly filter?: string;
  readonly expectFailures?: ExpectFailures;
  readonly progress?: ProgressSink;
  /** Milliseconds for durations (default `performance.now`). */
  readonly now?: () => number;
  /** The report's `generatedAt` (default: the current date). */
  readonly date?: () => Date;
  /** The statecharts the role's coverage counts (none: states and transitions count 0 of 0). */
  readonly charts?: readonly AnyChart[];
  /** Transition pairs the sources set as goals (`chartId: first => second`). */
  readonly pairGoals?: readonly string[];
  /** The spec's clauses (default: docs/protocol.md); the run counts those of its role. */
  readonly clauses?: readonly Clause[];
  /**
   * Clauses of the role no check can observe from outside, with the reason: listed in the clause
   * coverage and left out of its figure (default: the server's, conformance/engine/unobservable-clauses.ts).
   */
  readonly unobservable?: ReadonlyMap<string, string>;
  /** A case running longer than this fails (default 120 s; 0: no limit). */
  readonly caseTimeoutMs?: number;
  readonly timers?: CaseTimers;
}

/** A run that would execute no case: an error, never a silent pass. */
export class NoCaseMatched extends Error {
  override readonly name = 'NoCaseMatched';
  constructor(readonly filter: string | undefined) {
    super(filter === undefined ? 'no case matched (the catalogue is empty)' : `no case matched --filter ${filter}`);
  }
}

const defaultCaseTimeoutMs = 120_000;

/** The message of anything thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A case's thrown error as the report records it. */
function caseError(err: CaseFailure): CaseError {
  return {
    message: err.message,
    ...(err.step === undefined ? {} : { step: err.step }),
    ...(err.expected === undefined ? {} : { expected: err.expected }),
    ...(err.actual === undefined ? {} : { actual: err.actual }),
  };
}

class CaseTimeout extends Error {
  override readonly name = 'CaseTimeout';
}

/** Runs `run` with a time limit; the limit's failure is a `CaseTimeout`. */
async function withinLimit(run: Promise<void>, ms: number, timers: CaseTimers): Promise<void> {
  if (ms <= 0) return run;
  let handle: unknown;
  const limit = new Promise<never>((_, reject) => {
    handle = timers.set(() => reject(new CaseTimeout(`the case did not finish within ${ms} ms`)), ms);
  });
  // A case abandoned at its limit may still reject later: nobody waits for it any more.
  run.catch(() => {});
  try {
    await Promise.race([run, limit]);
  } finally {
    timers.clear(handle);
  }
}

interface Outcome {
  readonly result: CaseResult;
  readonly evidence: ClauseEvidence;
}

async function runOne<T extends Subject>(
  c: Case<T>,
  o: RunOptions<T>,
  recorder: CoverageRecorder,
  now: () => number,
): Promise<Outcome> {
  const trace: TraceStep[] = [];
  const wire: WireLog = { step: 0, entries: [] };
  const cited = new Set<string>(c.clauses);
  let extraSteps = 0;
  const started = now();
  const base = {
    id: c.id,
    title: c.title,
    section: c.section,
    kind: c.kind,
    clauses: [...c.clauses],
    ...(c.requirement === undefined ? {} : { requirement: c.requirement }),
    ...(c.seed === undefined ? {} : { seed: c.seed }),
  };
  const finish = (status: Verdict, extra: { reason?: string; error?: CaseError } = {}): Outcome => ({
    result: {
      ...base,
      status,
      ...extra,
      durationMs: Math.max(0, now() - started),
      trace: [...trace],
      wireLog: [...wire.entries],
      ...(extraSteps > 0 ? { steps: trace.length + extraSteps } : {}),
    },
    evidence: { result: { id: c.id, status }, clauses: cited },
  });

  const control = o.target.control;
  if (c.needs.includes('control') && control === undefined) {
    return finish('skipped', {
      reason: `needs the control endpoint: ${o.target.controlMissing ?? 'the target has none'}`,
    });
  }
  const driverMissing = c.needs.includes('driver') ? o.target.missing?.('driver') : undefined;
  if (driverMissing !== undefined) return finish('skipped', { reason: `needs the driver endpoint: ${driverMissing}` });
  try {
    let config = { ...defaultConfig };
    if (control !== undefined) {
      await control.reset();
      config = await control.config(suiteConfig);
    }
    const ctx: CaseContext<T> = {
      target: o.target,
      control: c.needs.includes('control') ? control : undefined,
      config,
      wire,
      seed: c.seed ?? o.seed,
      step(actor, action, frame, command) {
        const index = trace.length;
        trace.push({
          index,
          actor,
          action,
          ...(frame === undefined ? {} : { frame }),
          ...(command === undefined ? {} : { command }),
        });
        wire.step = index;
        return index;
      },
      trace,
      coverage: recorder.sink((clauses) => {
        for (const id of clauses) cited.add(id);
      }),
      countSteps(n) {
        extraSteps += n;
      },
      cite(clauses) {
        for (const id of clauses) cited.add(id);
      },
    };
    await withinLimit(c.run(ctx), o.caseTimeoutMs ?? defaultCaseTimeoutMs, o.timers ?? realTimers);
    return finish('passed');
  } catch (err) {
    if (err instanceof TargetError) throw err;
    if (err instanceof CaseFailure) {
      return finish(c.level === 'SHOULD' ? 'non-strict' : 'failed', { reason: err.message, error: caseError(err) });
    }
    if (err instanceof CaseSkip) return finish('skipped', { reason: err.message });
    const message = err instanceof CaseTimeout ? err.message : `internal error: ${messageOf(err)}`;
    return finish('failed', { reason: message, error: { message } });
  }
}

/** Applies the --expect-failures list to one result. */
function expectation(result: CaseResult, expected: ExpectFailures | undefined): CaseResult {
  const why = expected?.get(result.id);
  if (why === undefined) return result;
  if (result.status === 'failed' || result.status === 'non-strict') {
    return { ...result, status: 'expected-failure', reason: `${result.reason ?? 'failed'} (expected: ${why})` };
  }
  if (result.status === 'passed') {
    return { ...result, status: 'unexpected-pass', reason: `listed in --expect-failures ("${why}") but passed` };
  }
  return result;
}

/** Runs the cases (after --filter) and returns the run's report. Throws `NoCaseMatched` and `TargetError`. */
export async function runSuite<T extends Subject>(o: RunOptions<T>): Promise<RunReport> {
  const now = o.now ?? (() => performance.now());
  const cases = filterCases(o.cases, o.filter);
  if (cases.length === 0) throw new NoCaseMatched(o.filter);
  const recorder = new CoverageRecorder();
  const results: CaseResult[] = [];
  const evidence: ClauseEvidence[] = [];
  const started = now();
  const done: { result: CaseResult; clauses: ReadonlySet<string> }[] = [];
  let next = 0;
  let lost = false;
  const lane = async (target: T) => {
    while (!lost && next < cases.length) {
      const i = next++;
      try {
        const outcome = await runOne(cases[i] as Case<T>, { ...o, target }, recorder, now);
        const result = expectation(outcome.result, o.expectFailures);
        done[i] = { result, clauses: outcome.evidence.clauses };
        o.progress?.tick(result.id, result.status);
      } catch (err) {
        lost = true; // a lost target ends every lane: no verdict after it would mean anything
        throw err;
      }
    }
  };
  await Promise.all([o.target, ...(o.lanes ?? [])].map(lane));
  for (const d of done) {
    results.push(d.result);
    evidence.push({ result: d.result, clauses: d.clauses });
  }
  const durationMs = Math.max(0, now() - started);
  const steps = results.reduce((n, r) => n + (r.steps ?? r.trace.length), 0);
  const charts = chartCoverage(o.role, o.charts ?? [], recorder);
  return {
    summary: summarize(results, { durationMs, steps }),
    target: o.target.description,
    role: o.role,
    seed: o.seed,
    strict: o.strict === true,
    coverage: {
      ...stateTransitionCounts(charts),
      transitionPairs: pairCounts(o.pairGoals ?? [], recorder),
      clauses: clauseCounts(
        clausesOfRole(o.clauses ?? loadClauses(), o.role),
        evidence,
        o.unobservable ?? unobservableClauses,
      ),
    },
    cases: results,
    charts,
    generatedAt: (o.date?.() ?? new Date()).toISOString(),
    qrlinkVersion: pkg.version,
  };
}
