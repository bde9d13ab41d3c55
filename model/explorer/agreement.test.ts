import { describe, expect, test } from 'vitest';
import { type AnyStateMachine, transition } from 'xstate';
import { type ChartState, type ChartStep, observeSteps } from '../chart/chart.js';
import { explore } from './explore.js';

interface Seen {
  chart: { id: string; machine: AnyStateMachine };
  state: ChartState<unknown>;
  event: { type: string };
  result: ChartStep<unknown, unknown> | undefined;
}

describe('compiled step agrees with the XState charts', () => {
  test('every role-chart step of a small exploration gives the same state, context and emitted events under transition()', () => {
    const seen: Seen[] = [];
    observeSteps((chart, state, event, result) => {
      if (seen.length < 40_000) seen.push({ chart: chart as never, state, event, result });
    });
    try {
      explore({
        bounds: { tabs: 1, conns: 1, refs: 2, webMsgs: 1, phoneMsgs: 1, phoneCycles: 0, logout: 1 },
        maxStates: 3000,
      });
    } finally {
      observeSteps(null);
    }
    expect(seen.length).toBeGreaterThan(1000);
    const charts = new Set<string>();
    for (const s of seen) {
      charts.add(s.chart.id);
      const snap = s.chart.machine.resolveState({
        value: s.state.value,
        context: s.state.context as Record<string, unknown>,
      });
      const [next, actions] = transition(s.chart.machine, snap, s.event as never);
      const emitted = (actions as { type: string; params?: unknown }[])
        .filter((a) => a.type === 'xstate.emit')
        .map((a) => (a.params as { event: unknown }).event);
      if (s.result === undefined) {
        expect(next.value).toBe(s.state.value);
        expect(next.context).toEqual(s.state.context);
        expect(emitted).toEqual([]);
      } else {
        expect(next.value).toBe(s.result.state.value);
        expect(next.context).toEqual(s.result.state.context);
        expect(emitted).toEqual(s.result.out);
      }
    }
    expect([...charts].sort()).toEqual(['phone', 'server-phone', 'server-session', 'server-web-connection', 'web']);
  });
});
