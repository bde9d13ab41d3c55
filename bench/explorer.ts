/**
 * Benchmark `explorer`: model states per second of `qrlink model` (the bounded explorer of the composed
 * system) at the default bounds and at larger ones, against raw XState `transition()` calls per
 * second on one role machine (the web client's chart, a link sequence replayed from its initial
 * snapshot): what one explored state costs in units of one plain machine step.
 */
import { initialTransition, transition } from 'xstate';
import { explore } from '../model/explorer/explore.js';
import type { Bounds } from '../model/system/bounds.js';
import { type WebChartEvent, webChart } from '../model/web/web-chart.js';
import { type Benchmark, type BenchOptions, type BenchRow, row } from './bench-result.js';
import { FlowError } from './protocol-flow.js';

const box = { k: 'K(A1.1,wA1.1,pP1A1.1,sA1.1)', account: 'acct1' };
/** open -> qr -> scanned -> offer -> linked: every event a transition of the web chart. */
const linkEvents: readonly WebChartEvent[] = [
  { type: 'USER.OPEN', keep: true, stored: null },
  { type: 'qr', t: 'qr', ref: 'A1.1', ttlMs: 60000, n: 1, of: 6 },
  { type: 'scanned', t: 'scanned', ref: 'A1.1' },
  { type: 'offer', t: 'offer', ref: 'A1.1', pub: 'pP1A1.1', box },
  { type: 'linked', t: 'linked', sessionId: 's1', accountId: 'acct1', token: 's1.t0' },
] as WebChartEvent[];

/** Raw `transition()` calls per second on the web chart, for about `ms` milliseconds. */
export function rawTransitionsPerSec(ms: number): number {
  const machine = webChart.machine;
  const [initial] = initialTransition(machine);
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    let snap = initial;
    for (const ev of linkEvents) {
      [snap] = transition(machine, snap, ev as never);
      calls++;
    }
    if (snap.value !== 'linked') throw new FlowError(`web chart ended in ${String(snap.value)}, not linked`);
    now = performance.now();
  }
  return calls / ((now - start) / 1000);
}

export interface ExploreRun {
  readonly statesPerSec: number;
  readonly states: number;
  readonly complete: boolean;
  readonly violations: number;
}

export function exploreRun(bounds: Partial<Bounds>, maxStates?: number): ExploreRun {
  const r = explore({ bounds, ...(maxStates === undefined ? {} : { maxStates }) });
  return { statesPerSec: r.statesPerSec, states: r.states, complete: r.complete, violations: r.violations.length };
}

const larger: Partial<Bounds> = { phones: 2 };

export const explorerBenchmark: Benchmark = {
  id: 'explorer',
  title: 'model explorer states/s',
  async run(options: BenchOptions): Promise<BenchRow[]> {
    rawTransitionsPerSec(300); // warm-up
    // the baseline in three slices around the explorations, median: load on the machine drifts
    const slice = options.quick ? 300 : 1000;
    const slices = [rawTransitionsPerSec(slice)];
    const def = exploreRun({}, options.quick ? 15_000 : undefined);
    slices.push(rawTransitionsPerSec(slice));
    const big = exploreRun(larger, options.quick ? 15_000 : undefined);
    slices.push(rawTransitionsPerSec(slice));
    const base = [...slices].sort((a, b) => a - b)[1] as number;
    options.say(`explorer: ${Math.round(def.statesPerSec)} states/s (default), raw transition() ${Math.round(base)}/s`);
    const base_ = `baseline: raw xstate transition() on the web chart (${Math.round(base)} calls/s)`;
    const what = (r: ExploreRun) =>
      `${r.states} states${r.complete ? ', complete' : ', cut at the state cap'}, ${r.violations} violations`;
    return [
      row({
        id: 'explorer.default',
        metric: 'qrlink model states/s, default bounds',
        ours: def.statesPerSec,
        baseline: base,
        unit: 'states/s',
        better: 'higher',
        notes: `${what(def)}; ${base_}`,
      }),
      row({
        id: 'explorer.larger',
        metric: 'qrlink model states/s, bounds phones=2 (the adversary phone)',
        ours: big.statesPerSec,
        baseline: base,
        unit: 'states/s',
        better: 'higher',
        notes: `${what(big)}; ${base_}`,
      }),
    ];
  },
};
