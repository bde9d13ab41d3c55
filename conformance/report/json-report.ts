/**
 * `report.json`: the run as data, for CI scripts and for tools that compare runs. The shape is the
 * `RunReport` contract with its keys in a fixed order (whatever order the engine built its objects
 * in), 2-space indentation and a trailing newline, so two runs with the same results give the same
 * bytes apart from durations and the date. Optional fields are left out when absent, except a case's
 * `error`, which is always present (`null` when the case did not fail) as issue 6 lists it.
 *
 * Frames and expected/actual values are written as the engine recorded them (their own key order;
 * a bigint becomes a string, a cycle `"[Circular]"`).
 */
import { jsonText } from './json-text.js';
import type { CaseResult, ChartCoverage, ClauseCoverage, CoverageCount, RunReport } from './run-report.js';

/** Copies `value` with only the keys it has, in the order `keys` lists them (absent ones dropped). */
function ordered<T extends object>(value: T, keys: readonly (keyof T)[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (value[key] !== undefined) out[key as string] = value[key];
  }
  return out;
}

function countJson(count: CoverageCount): Record<string, unknown> {
  return ordered(count, ['covered', 'total', 'missed']);
}

function clausesJson(clauses: ClauseCoverage): Record<string, unknown> {
  return {
    ...countJson(clauses),
    items: clauses.items.map((item) => ordered(item, ['id', 'level', 'text', 'cases', 'status'])),
  };
}

function caseJson(c: CaseResult): Record<string, unknown> {
  return {
    ...ordered(c, [
      'id',
      'title',
      'section',
      'kind',
      'clauses',
      'requirement',
      'status',
      'reason',
      'durationMs',
      'seed',
      'steps',
    ]),
    trace: c.trace.map((s) => ordered(s, ['index', 'actor', 'action', 'frame', 'command'])),
    error: c.error === undefined ? null : ordered(c.error, ['message', 'step', 'expected', 'actual']),
    wireLog: c.wireLog.map((w) => ({
      ...ordered(w, ['step', 'peer', 'dir', 'frame', 'text']),
      ...(w.close === undefined ? {} : { close: ordered(w.close, ['code', 'reason']) }),
    })),
    ...ordered(c, ['replayFile']),
  };
}

function chartJson(chart: ChartCoverage): Record<string, unknown> {
  return {
    ...ordered(chart, ['role', 'id', 'initial']),
    states: chart.states.map((s) => ordered(s, ['id', 'final', 'covered'])),
    transitions: chart.transitions.map((t) => ordered(t, ['id', 'from', 'to', 'event', 'clauses', 'covered'])),
  };
}

/** `report.json`'s text: stable key order, 2-space indentation, trailing newline. */
export function toReportJson(report: RunReport): string {
  const doc = {
    summary: ordered(report.summary, [
      'passed',
      'failed',
      'skipped',
      'nonStrict',
      'expectedFailures',
      'unexpectedPasses',
      'durationMs',
      'steps',
      'stepsPerSec',
    ]),
    target: report.target,
    role: report.role,
    seed: report.seed,
    strict: report.strict,
    generatedAt: report.generatedAt,
    qrlinkVersion: report.qrlinkVersion,
    coverage: {
      states: countJson(report.coverage.states),
      transitions: countJson(report.coverage.transitions),
      transitionPairs: countJson(report.coverage.transitionPairs),
      clauses: clausesJson(report.coverage.clauses),
    },
    cases: report.cases.map(caseJson),
    charts: report.charts.map(chartJson),
  };
  return `${jsonText(doc, 2)}\n`;
}
