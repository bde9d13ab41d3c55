/**
 * What a run covered, against the model and the spec: the states and transitions of the role's
 * statecharts (one `ChartCoverage` per chart, for the HTML drawing), the transition pairs the
 * sources set as goals, and the clauses of docs/protocol.md that bind the role.
 *
 * Transitions that exist only under a planted fault of the model (described `fault <ID>`) are not
 * counted: a conformant target never takes them.
 *
 * States, transitions and pairs count what any case that ran recorded through its coverage sink
 * (a failed case reached them too). A clause's status combines the verdicts of the cases that list
 * it or cited it: `failed` if the target misbehaved in any of them (failed, non-strict, expected
 * failure), else `passed` if one passed, else `skipped` if only skipped cases have it, else
 * `unchecked`. A clause counts as covered when a case checked it (passed or failed); skipped and
 * unchecked clauses are the missed ones.
 */
import { type Chart, isFaultOnly, transitionsOf } from '../../model/chart/chart.js';
import type { Clause } from '../../model/protocol/clauses.js';
import type { CaseResult, ChartCoverage, ClauseCoverage, CoverageCount, Role, Verdict } from '../report/run-report.js';
import type { CoverageSink } from './case.js';

/** Any statechart of the model, whatever its context and events. */
export type AnyChart = Chart<unknown, { type: string }, unknown>;

/** The key of a transition pair, as the sources' goals spell it: `chartId: first => second`. */
export function pairKey(chartId: string, first: string, second: string): string {
  return `${chartId}: ${first} => ${second}`;
}

/** Collects what cases reach, per chart (one recorder for the whole run). */
export class CoverageRecorder {
  readonly transitions = new Map<string, Set<string>>();
  readonly states = new Map<string, Set<string>>();
  readonly pairs = new Set<string>();

  /** A sink for one case: records into this recorder and reports each transition's clauses to `cite`. */
  sink(cite: (clauses: readonly string[]) => void): CoverageSink {
    const add = (map: Map<string, Set<string>>, chartId: string, item: string) => {
      let set = map.get(chartId);
      if (!set) {
        set = new Set();
        map.set(chartId, set);
      }
      set.add(item);
    };
    return {
      transition: (chartId, transition, clauses) => {
        add(this.transitions, chartId, transition);
        cite(clauses);
      },
      state: (chartId, state) => add(this.states, chartId, state),
      pair: (chartId, first, second) => this.pairs.add(pairKey(chartId, first, second)),
    };
  }
}

/** Each chart with its states and transitions marked covered or not. */
export function chartCoverage(role: Role, charts: readonly AnyChart[], rec: CoverageRecorder): ChartCoverage[] {
  return charts.map((chart) => {
    const states = rec.states.get(chart.id) ?? new Set<string>();
    const transitions = rec.transitions.get(chart.id) ?? new Set<string>();
    // Transitions that exist only to plant a fault in the model are no goal for a target.
    const list = transitionsOf(chart).filter((t) => !isFaultOnly(t));
    // A state is reached when it was recorded, or a covered transition enters or leaves it.
    const reached = new Set(states);
    for (const t of list) {
      if (transitions.has(t.name)) {
        reached.add(t.from);
        reached.add(t.to);
      }
    }
    return {
      role,
      id: chart.id,
      initial: chart.initial.value,
      states: [...chart.table.keys()].map((id) => ({
        id,
        ...(chart.finals.has(id) ? { final: true } : {}),
        covered: reached.has(id),
      })),
      transitions: list.map((t) => ({
        id: t.name,
        from: t.from,
        to: t.to,
        event: t.event,
        clauses: [...t.clauses],
        covered: transitions.has(t.name),
      })),
    };
  });
}

function count(items: readonly { id: string; covered: boolean }[]): CoverageCount {
  return {
    covered: items.filter((i) => i.covered).length,
    total: items.length,
    missed: items.filter((i) => !i.covered).map((i) => i.id),
  };
}

/** States and transitions over every chart, ids prefixed with the chart id. */
export function stateTransitionCounts(charts: readonly ChartCoverage[]): {
  states: CoverageCount;
  transitions: CoverageCount;
} {
  return {
    states: count(charts.flatMap((ch) => ch.states.map((s) => ({ id: `${ch.id}.${s.id}`, covered: s.covered })))),
    transitions: count(
      charts.flatMap((ch) => ch.transitions.map((t) => ({ id: `${ch.id}: ${t.id}`, covered: t.covered }))),
    ),
  };
}

/** The goal pairs (deduplicated) that some case took. */
export function pairCounts(goals: readonly string[], rec: CoverageRecorder): CoverageCount {
  return count([...new Set(goals)].map((id) => ({ id, covered: rec.pairs.has(id) })));
}

/** Verdicts where the target did not do what the clause requires. */
const misbehaved: ReadonlySet<Verdict> = new Set<Verdict>(['failed', 'non-strict', 'expected-failure']);

/** One case's result with every clause it touched (listed in the case, or cited while running). */
export interface ClauseEvidence {
  readonly result: Pick<CaseResult, 'id' | 'status'>;
  readonly clauses: ReadonlySet<string>;
}

/** Clause coverage of `clauses` (already restricted to the run's role) from the cases' evidence. */
export function clauseCounts(
  clauses: readonly Clause[],
  evidence: readonly ClauseEvidence[],
  unobservable: ReadonlyMap<string, string> = new Map(),
): ClauseCoverage {
  const items = clauses.map((clause) => {
    const cases = evidence.filter((e) => e.clauses.has(clause.id));
    const verdicts = cases.map((e) => e.result.status);
    const status: ClauseCoverage['items'][number]['status'] = verdicts.some((v) => misbehaved.has(v))
      ? 'failed'
      : verdicts.some((v) => v === 'passed' || v === 'unexpected-pass')
        ? 'passed'
        : verdicts.length > 0
          ? 'skipped'
          : 'unchecked';
    const note = unobservable.get(clause.id);
    return {
      id: clause.id,
      level: clause.level,
      text: clause.text,
      cases: cases.map((e) => e.result.id),
      status,
      ...(note === undefined ? {} : { note: `not checkable over the wire: ${note}` }),
    };
  });
  const checked = (s: string) => s === 'passed' || s === 'failed';
  const goals = items.filter((i) => !('note' in i) || checked(i.status));
  return {
    covered: goals.filter((i) => checked(i.status)).length,
    total: goals.length,
    missed: goals.filter((i) => !checked(i.status)).map((i) => i.id),
    items,
  };
}
