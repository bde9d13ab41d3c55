/**
 * Model-based cases of a server: one case per coverage goal of the test graph (every state of the
 * server's charts, every transition, every transition pair found), each the shortest command path
 * to its goal, run in lockstep with the model against a freshly reset target. Paths that are equal
 * make one case (named for the first goal they reach). The graph is built once per process, or read
 * from the disk cache.
 */
import { phoneRegChart } from '../../model/server/phone-reg-chart.js';
import { sessionChart } from '../../model/server/session-chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import type { Case } from '../engine/case.js';
import type { CaseSource, CoverageGoals } from '../engine/catalogue.js';
import { suiteConfig } from '../engine/suite-config.js';
import type { Command } from '../oracle/command.js';
import { Lockstep } from '../oracle/lockstep.js';
import { oracleConfig } from '../oracle/world.js';
import type { CaseKind } from '../report/run-report.js';
import type { TraceFile } from '../report/trace-file.js';
import { cachedTestGraph, graphCacheKey } from './graph-cache.js';
import { buildTestGraph, type Goal, type GoalKind, type TestGraph } from './test-graph.js';

const sections: Readonly<Record<string, string>> = {
  [phoneRegChart.id]: '14.1 Server: registration, per phone number',
  [webConnChart.id]: '14.3 Server: web connection',
  [sessionChart.id]: '14.5 Server: session, per account',
};

const kinds: Readonly<Record<GoalKind, CaseKind>> = {
  state: 'state-path',
  transition: 'transition-path',
  pair: 'transition-pair',
};

let graph: TestGraph | undefined;

/**
 * The server's test graph, built on first use (about 7 s) and kept; stored on disk between runs
 * under a key of the sources it is built from (graph-cache.ts).
 */
export function serverTestGraph(): TestGraph {
  if (graph === undefined) {
    const cfg = oracleConfig(suiteConfig);
    graph = cachedTestGraph(graphCacheKey(cfg), () => buildTestGraph(cfg));
  }
  return graph;
}

/** A stable, readable case id for a goal. */
export function goalCaseId(goal: Goal): string {
  const slug = goal.name
    .replace(/\s*=>\s*/g, '.then.')
    .replace(/\s*--(\S+?)(?: \[([^\]]*)\])?-->\s*/g, (_m, ev: string, g?: string) => `.${ev}${g ? `.${g}` : ''}.`)
    .replace(/[^A-Za-z0-9._$&-]+/g, '-')
    .replace(/\.{2,}/g, '.')
    .replace(/^[.-]+|[.-]+$/g, '');
  return `model.${goal.kind}.${goal.chart.replace(/^server-/, '')}.${slug}`;
}

function goalTitle(goal: Goal): string {
  const chart = goal.chart.replace(/^server-/, 'server ');
  if (goal.kind === 'state') return `${chart} reaches state ${goal.name}`;
  if (goal.kind === 'transition') return `${chart} takes ${goal.name}`;
  return `${chart} takes ${goal.name.replace(' => ', ', then ')}`;
}

/** A model case that runs `path` in lockstep. */
export function pathCase(
  id: string,
  title: string,
  kind: CaseKind,
  section: string,
  path: readonly Command[],
  clauses: readonly string[],
): Case {
  return {
    id,
    title,
    section,
    kind,
    role: 'server',
    clauses,
    level: 'MUST',
    needs: ['control'],
    async run(ctx) {
      const lockstep = new Lockstep(ctx, oracleConfig(ctx.config));
      try {
        await lockstep.run(path);
      } finally {
        await lockstep.close();
      }
    },
  };
}

export function modelPathCases(g: TestGraph = serverTestGraph()): Case[] {
  const byPath = new Map<string, Case>();
  const order: GoalKind[] = ['state', 'transition', 'pair'];
  for (const kind of order) {
    for (const goal of g.goals) {
      if (goal.kind !== kind || goal.path.length === 0) continue;
      const key = JSON.stringify(goal.path);
      if (byPath.has(key)) continue;
      const section = sections[goal.chart] ?? '14 State tables';
      byPath.set(key, pathCase(goalCaseId(goal), goalTitle(goal), kinds[kind], section, goal.path, goal.clauses));
    }
  }
  return [...byPath.values()];
}

/** Commands saved in a trace file (`TraceStep.command`), for `--replay`. */
export function commandsOf(file: TraceFile): Command[] {
  return file.trace.flatMap((s) => (s.command === undefined ? [] : [s.command as Command]));
}

export const modelPathSource: CaseSource = {
  name: 'model paths',
  cases: () => modelPathCases(),
  fromTrace(file: TraceFile): Case | undefined {
    if (!file.caseId.startsWith('model.')) return undefined;
    const commands = commandsOf(file);
    const kind = file.kind ?? 'transition-path';
    return pathCase(file.caseId, file.title, kind, '14 State tables', commands, file.clauses ?? []);
  },
  goals(): CoverageGoals {
    return {
      transitionPairs: serverTestGraph()
        .goals.filter((g) => g.kind === 'pair')
        .map((g) => `${g.chart}: ${g.name}`),
    };
  },
};
