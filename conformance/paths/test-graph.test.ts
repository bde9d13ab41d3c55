import { describe, expect, it } from 'vitest';
import { phoneRegChart } from '../../model/server/phone-reg-chart.js';
import { sessionChart } from '../../model/server/session-chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import { suiteConfig } from '../engine/suite-config.js';
import { chartOf, targetOf } from '../oracle/lockstep.js';
import { applyCommand, initialWorld, oracleConfig } from '../oracle/world.js';
import { modelPathCases, serverTestGraph } from './path-cases.js';

describe('the server test graph', () => {
  const graph = serverTestGraph();

  it('reaches every state of the three server charts', () => {
    const reached = new Set(graph.goals.filter((g) => g.kind === 'state').map((g) => `${g.chart}:${g.name}`));
    for (const chart of [phoneRegChart, webConnChart, sessionChart]) {
      for (const state of Object.keys(chart.machine.config.states ?? {}))
        expect(reached).toContain(`${chart.id}:${state}`);
    }
  });

  it('gives each goal a path that really takes it in the model', () => {
    const cfg = oracleConfig(suiteConfig);
    for (const goal of graph.goals.filter((_, i) => i % 7 === 0)) {
      let w = initialWorld(cfg);
      const taken = new Set<string>();
      const last = new Map<string, string>();
      for (const cmd of goal.path) {
        const a = applyCommand(w, cmd, cfg);
        for (const f of a.fired) {
          const chart = chartOf(f.entity);
          taken.add(`transition:${chart}:${f.transition}`);
          taken.add(`state:${chart}:${targetOf(f.transition)}`);
          const prev = last.get(f.entity);
          if (prev !== undefined) taken.add(`pair:${chart}:${prev} => ${f.transition}`);
          last.set(f.entity, f.transition);
        }
        w = a.world;
      }
      if (goal.path.length > 0) expect(taken).toContain(`${goal.kind}:${goal.chart}:${goal.name}`);
    }
  });

  it('makes one case per distinct path, with stable unique ids', () => {
    const cases = modelPathCases(graph);
    expect(cases.length).toBeGreaterThan(100);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(cases.map((c) => c.id)).toEqual(modelPathCases(graph).map((c) => c.id));
    expect(cases.every((c) => c.clauses.length > 0)).toBe(true);
  });
});
