/**
 * Model paths through the phone chart (model/phone/phone-chart.ts): a breadth-first search over
 * the chart's transitions from its initial state, each step feasible for the suite (phone-steps.ts),
 * gives the shortest path to every transition the chart has (fault-only ones excluded, as the
 * coverage does); a path that is a prefix of another is dropped. Each path is one case: every step
 * is driven concretely and checked, the driver state must be one the chart's target stands for, and
 * the chart's transitions and states are recorded for coverage.
 */
import { isFaultOnly, transitionsOf } from '../../../model/chart/chart.js';
import { phoneChart } from '../../../model/phone/phone-chart.js';
import type { CaseSource } from '../../engine/catalogue.js';
import type { AnyChart } from '../../engine/run-coverage.js';
import type { TraceFile } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import { type PhoneCase, phoneCase } from './phone-case.js';
import { type Abstract, abstractKey, driverStatesOf, initialAbstract, nextAbstract, perform } from './phone-steps.js';

const chart = phoneChart as unknown as AnyChart;

/**
 * The frames each effect of the phone chart sends up the connection, whatever its context. Effects
 * whose frames depend on the chart's context (re-sealing on web.attached, sealing while detached)
 * require none here; the rig checks those frames against the relay rules instead.
 */
const framesOfEffect: Readonly<Record<string, readonly string[]>> = {
  register: ['register'],
  verify: ['register.verify'],
  reregister: ['register', 'register.verify'],
  auth: ['auth'],
  goOffline: ['$close'],
  claim: ['link.claim'],
  approve: ['link.approve'],
  decline: ['link.decline'],
  finalize: ['link.finalize'],
  acceptRelay: ['ack'],
  unlink: ['unlink'],
};

/** The frames the chart says transition `name` sends, from its effects (machine config). */
export function chartFrames(name: string): string[] {
  const config = chart.machine.config as {
    states: Record<string, { on?: Record<string, { target?: string; guard?: string; actions?: string[] }[]> }>;
  };
  for (const [from, node] of Object.entries(config.states)) {
    for (const [event, ts] of Object.entries(node.on ?? {})) {
      for (const t of ts) {
        const n = `${from} --${event}${t.guard ? ` [${t.guard}]` : ''}--> ${t.target ?? from}`;
        if (n === name) return (t.actions ?? []).flatMap((a) => framesOfEffect[a] ?? []);
      }
    }
  }
  return [];
}

/** Whether `want` occurs in `got` in order (other frames may come between: probes, answers). */
function inOrder(want: readonly string[], got: readonly string[]): boolean {
  let i = 0;
  for (const g of got) if (g === want[i]) i++;
  return i === want.length;
}
const CHART_ID = chart.id;
const MAX_DEPTH = 16;

/** The transitions coverage counts (every one not planted for a model fault). */
export function phoneGoals(): ReturnType<typeof transitionsOf> {
  return transitionsOf(chart).filter((t) => !isFaultOnly(t));
}

/** One path: the transitions in order, ending with its goal. */
export interface PhonePath {
  readonly goal: string;
  readonly steps: readonly string[];
}

/** Shortest feasible path to every goal (BFS), prefixes of longer paths dropped; goals no path reaches are listed. */
export function phonePaths(): { paths: PhonePath[]; unreachable: string[] } {
  const goals = phoneGoals();
  const first = new Map<string, string[]>();
  const seen = new Set<string>([abstractKey(initialAbstract)]);
  let frontier: { a: Abstract; path: string[] }[] = [{ a: initialAbstract, path: [] }];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0 && first.size < goals.length; depth++) {
    const next: typeof frontier = [];
    for (const { a, path } of frontier) {
      for (const t of goals) {
        const b = nextAbstract(t, a);
        if (!b) continue;
        const p = [...path, t.name];
        if (!first.has(t.name)) first.set(t.name, p);
        const key = abstractKey(b);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push({ a: b, path: p });
      }
    }
    frontier = next;
  }
  const all = [...first.entries()].map(([goal, steps]) => ({ goal, steps }));
  const isPrefix = (p: PhonePath, q: PhonePath) =>
    p !== q && p.steps.length < q.steps.length && p.steps.every((s, i) => q.steps[i] === s);
  const paths = all.filter((p) => !all.some((q) => isPrefix(p, q)));
  const unreachable = goals.map((g) => g.name).filter((g) => !first.has(g));
  return { paths, unreachable };
}

function pathCase(id: string, path: PhonePath): PhoneCase {
  const byName = new Map(phoneGoals().map((t) => [t.name, t]));
  const transitions = path.steps.map((s) => {
    const t = byName.get(s);
    if (!t) throw new Error(`unknown phone chart transition ${s}`);
    return t;
  });
  return phoneCase({
    id,
    title: `phone chart path to ${path.goal} (${path.steps.length} steps)`,
    section: '14.7 Phone',
    kind: 'transition-path',
    clauses: [...new Set(transitions.flatMap((t) => t.clauses))],
    body: async (rig) => {
      let a = initialAbstract;
      rig.ctx.coverage.state(CHART_ID, a.cs);
      for (const t of transitions) {
        const b = nextAbstract(t, a);
        if (!b) throw new Error(`path step ${t.name} is not feasible from ${abstractKey(a)}`);
        rig.step('model', t.name);
        rig.consumed = [];
        await perform(rig, t, a);
        rig.expectState(driverStatesOf[t.to] ?? [], 'DRV-9');
        const want = chartFrames(t.name);
        if (!inOrder(want, rig.consumed)) {
          rig.fail(
            t.clauses[0] ?? 'DRV-3',
            `on ${t.name} the chart sends ${want.join(', ')}; the phone sent ${rig.consumed.join(', ') || 'nothing'}`,
            want,
            rig.consumed,
          );
        }
        rig.ctx.coverage.transition(CHART_ID, t.name, t.clauses);
        rig.ctx.coverage.state(CHART_ID, t.to);
        a = b;
      }
    },
  });
}

const pathId = (i: number) => `phone-path-${String(i + 1).padStart(3, '0')}`;

/** The model paths as a case source (ids in BFS order; a trace is replayed by its id). */
export const phonePathSource: CaseSource<ClientTarget<'phone'>> = {
  name: 'phone chart paths',
  cases: () => phonePaths().paths.map((p, i) => pathCase(pathId(i), p)),
  fromTrace(file: TraceFile) {
    const { paths } = phonePaths();
    const i = paths.findIndex((_, j) => pathId(j) === file.caseId);
    const p = paths[i];
    return p ? pathCase(file.caseId, p) : undefined;
  },
};

export const phoneCharts: readonly AnyChart[] = [chart];
