/**
 * The test graph of a server: the oracle world (model server + suite peers) explored breadth-first
 * from the initial world over the suite's honest commands by `xstate/graph`, with the adversarial commands tried as a
 * last step from every node. Nodes are merged by the world's coarse key (entity states and the few
 * facts that decide what can happen next), so the search stays small while every coverage goal it
 * meets (a chart state, a chart transition, two transitions of one entity in a row) gets the
 * shortest command path that reaches it.
 */

import { fromTransition } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import { phoneRegChart } from '../../model/server/phone-reg-chart.js';
import type { Fired } from '../../model/server/server.js';
import { sessionChart } from '../../model/server/session-chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import type { Command } from '../oracle/command.js';
import { chartOf, targetOf } from '../oracle/lockstep.js';
import {
  adversarialCommands,
  applyCommand,
  coarseKey,
  enabledCommands,
  initialWorld,
  type OracleConfig,
  type World,
} from '../oracle/world.js';

export type GoalKind = 'state' | 'transition' | 'pair';

/** A coverage goal and the shortest path found to it. */
export interface Goal {
  readonly kind: GoalKind;
  readonly chart: string;
  /** State name, transition name, or `first => second`. */
  readonly name: string;
  readonly path: readonly Command[];
  /** The clauses of every transition the path takes. */
  readonly clauses: readonly string[];
}

export interface TestGraph {
  readonly goals: readonly Goal[];
  readonly nodes: number;
  readonly edges: number;
  readonly durationMs: number;
}

export interface GraphLimits {
  /** Depth of the honest search. */
  readonly depth: number;
  /** Nodes at most (the search stops widening past it), in each phase. */
  readonly nodes: number;
  /** Steps past the breadth-first horizon, from the states holding a live session. */
  readonly deepen: number;
}

export const defaultGraphLimits: GraphLimits = { depth: 12, nodes: 3000, deepen: 6 };

interface Node {
  readonly world: World;
  readonly path: readonly Command[];
  readonly clauses: ReadonlySet<string>;
  /** The last transition each entity took on the path. */
  readonly last: ReadonlyMap<string, string>;
}

export const goalKey = (kind: GoalKind, chart: string, name: string): string => `${kind}:${chart}:${name}`;

/** A node of the honest graph as xstate/graph traverses it: the world, how it was entered, its depth. */
interface Snapshot {
  readonly world: World;
  readonly fired: readonly Fired[];
  readonly depth: number;
}

type CommandEvent = { readonly type: string; readonly cmd: Command };

/**
 * Explores the honest moves with `xstate/graph`'s `getAdjacencyMap` (breadth-first, nodes merged
 * by the coarse key, expansion stopped at the depth and node limits), then walks the adjacency map
 * in breadth-first order, giving every goal met on an edge the shortest path to it and trying the
 * adversarial moves as a last step from every node.
 */
export function buildTestGraph(cfg: OracleConfig, limits: GraphLimits = defaultGraphLimits): TestGraph {
  const t0 = performance.now();
  const logic = fromTransition(
    (s: Snapshot, e: CommandEvent): Snapshot => {
      const a = applyCommand(s.world, e.cmd, cfg);
      return { world: a.world, fired: a.fired, depth: s.depth + 1 };
    },
    { world: initialWorld(cfg), fired: [], depth: 0 } as Snapshot,
  );
  let expanded = 0;
  const key = (snapshot: { context: Snapshot }) => coarseKey(snapshot.context.world);
  const adj = getAdjacencyMap(logic, {
    events: (snapshot) =>
      snapshot.context.depth >= limits.depth
        ? []
        : enabledCommands(snapshot.context.world, cfg).map((cmd) => ({ type: cmd.c, cmd })),
    serializeState: key,
    serializeEvent: (e) => JSON.stringify((e as CommandEvent).cmd),
    stopWhen: () => ++expanded > limits.nodes,
  });

  const goals = new Map<string, Goal>();
  for (const chart of [phoneRegChart, webConnChart, sessionChart])
    goals.set(goalKey('state', chart.id, chart.initial.value), {
      kind: 'state',
      chart: chart.id,
      name: chart.initial.value,
      path: [],
      clauses: [],
    });
  const nodes = new Map<string, Node>();
  const rootKey = Object.keys(adj)[0] as string;
  nodes.set(rootKey, { world: initialWorld(cfg), path: [], clauses: new Set(), last: new Map() });
  let edges = 0;
  const tried = new Set<string>();
  const visit = (node: Node, cmd: Command, fired: readonly Fired[], child?: { key: string; world: World }) => {
    edges++;
    const enters = child !== undefined && !nodes.has(child.key);
    if (!enters && !reachesNewGoal(goals, fired, node.last)) return;
    const path = [...node.path, cmd];
    const clauses = new Set(node.clauses);
    for (const f of fired) for (const c of f.clauses) clauses.add(c);
    const last = new Map(node.last);
    record(goals, fired, last, path, clauses);
    if (enters) nodes.set(child.key, { world: child.world, path, clauses, last });
  };
  for (const [k, entry] of Object.entries(adj)) {
    const node = nodes.get(k);
    if (!node) continue;
    const steps = Object.values(entry.transitions) as { event: CommandEvent; state: { context: Snapshot } }[];
    for (const t of steps) {
      const next = t.state.context;
      visit(node, t.event.cmd, next.fired, { key: key(t.state), world: next.world });
    }
    // The adversarial moves' goals depend on the entities' states and last transitions: try them
    // once per combination (later nodes with the same combination would meet the same goals).
    const sig = adversarialKey(node);
    if (tried.has(sig)) continue;
    tried.add(sig);
    for (const cmd of adversarialCommands(node.world, cfg)) visit(node, cmd, applyCommand(node.world, cmd, cfg).fired);
  }
  // Deepen from the states holding a live session: the session chart's late transitions (a
  // replacement, a takeover, a re-registration of an attached or detached session) lie past the
  // breadth-first horizon. Nodes here are merged by a coarser key: the entity states alone.
  const deep = new Set<string>();
  let frontier = [...nodes.values()].filter((n) => {
    if (liveSessions(n.world) === 0) return false;
    const k = entityKey(n.world);
    if (deep.has(k)) return false;
    deep.add(k);
    return true;
  });
  let added = 0;
  for (let d = 0; d < limits.deepen && frontier.length > 0; d++) {
    const next: Node[] = [];
    for (const node of frontier) {
      for (const cmd of enabledCommands(node.world, cfg)) {
        const a = applyCommand(node.world, cmd, cfg);
        edges++;
        const child = deeperNode(node, cmd, a.world, a.fired);
        if (reachesNewGoal(goals, a.fired, node.last))
          record(goals, a.fired, new Map(node.last), child.path, child.clauses);
        const k = entityKey(child.world);
        if (deep.has(k) || added >= limits.nodes) continue;
        deep.add(k);
        added++;
        next.push(child);
        const sig = adversarialKey(child);
        if (!tried.has(sig)) {
          tried.add(sig);
          for (const adv of adversarialCommands(child.world, cfg))
            visit(child, adv, applyCommand(child.world, adv, cfg).fired);
        }
      }
    }
    frontier = next;
  }
  return { goals: [...goals.values()], nodes: nodes.size + added, edges, durationMs: performance.now() - t0 };
}

/** The entity states of a world and its budgets' use, nothing finer. */
function entityKey(w: World): string {
  const s = w.server;
  return JSON.stringify([
    s.phones.map((p) => [p.value, p.context.code !== null]),
    s.conns.map((c) => [c.state.value, c.state.context.keep]),
    s.sessions.map((x) => [x.value, x.context.keep]),
    w.webs.length,
    w.tokens.length,
  ]);
}

function liveSessions(w: World): number {
  return w.server.sessions.filter((s) => s.value !== 'ended' && s.value !== 'new').length;
}

function deeperNode(node: Node, cmd: Command, world: World, fired: readonly Fired[]): Node {
  const clauses = new Set(node.clauses);
  for (const f of fired) for (const c of f.clauses) clauses.add(c);
  const last = new Map(node.last);
  for (const f of fired) last.set(f.entity, f.transition);
  return { world, path: [...node.path, cmd], clauses, last };
}

/** What decides the goals an adversarial last step can meet from a node. */
function adversarialKey(node: Node): string {
  const s = node.world.server;
  return JSON.stringify([
    s.phones.map((p) => [p.value, p.context.attemptsLeft]),
    s.conns.map((c) => [c.id, c.state.value, c.state.context.n, c.state.context.attempt, c.state.context.claimer]),
    s.sessions.map((x) => [x.value, x.context.keep, x.context.epoch !== null]),
    node.world.webs.length,
    node.world.tokens.length,
    [...node.last.entries()].sort(),
  ]);
}

/** Whether taking `fired` after a path ending in `last` meets a goal not met yet (no allocation). */
function reachesNewGoal(goals: Map<string, Goal>, fired: readonly Fired[], last: ReadonlyMap<string, string>): boolean {
  for (let i = 0; i < fired.length; i++) {
    const f = fired[i] as Fired;
    const chart = chartOf(f.entity);
    if (!goals.has(goalKey('transition', chart, f.transition))) return true;
    if (!goals.has(goalKey('state', chart, targetOf(f.transition)))) return true;
    let prev = last.get(f.entity);
    for (let j = i - 1; j >= 0; j--) {
      if (fired[j]?.entity === f.entity) {
        prev = fired[j]?.transition;
        break;
      }
    }
    if (prev !== undefined && !goals.has(goalKey('pair', chart, `${prev} => ${f.transition}`))) return true;
  }
  return false;
}

function record(
  goals: Map<string, Goal>,
  fired: readonly Fired[],
  last: Map<string, string>,
  path: readonly Command[],
  clauses: ReadonlySet<string>,
): void {
  const add = (kind: GoalKind, chart: string, name: string) => {
    const k = goalKey(kind, chart, name);
    if (!goals.has(k)) goals.set(k, { kind, chart, name, path, clauses: [...clauses].sort() });
  };
  for (const f of fired) {
    const chart = chartOf(f.entity);
    add('transition', chart, f.transition);
    add('state', chart, targetOf(f.transition));
    const prev = last.get(f.entity);
    if (prev !== undefined) add('pair', chart, `${prev} => ${f.transition}`);
    last.set(f.entity, f.transition);
  }
}
