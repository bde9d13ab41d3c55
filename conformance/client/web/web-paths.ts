/**
 * Model paths through the web chart: a breadth-first exploration of the chart together with the
 * suite's commands (web-world.ts) finds, for every transition of the chart except those that only
 * plant a model fault, the shortest command sequence whose last step takes it. Each becomes one
 * case that plays the sequence on a fresh client (web-exec.ts), the chart predicting every frame the
 * client sends, its storage and its state.
 */
import { isFaultOnly, transitionsOf } from '../../../model/chart/chart.js';
import { webChart } from '../../../model/web/web-chart.js';
import type { CaseSource } from '../../engine/catalogue.js';
import type { TraceFile } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import type { WebCase } from './web-check.js';
import { withRig } from './web-check.js';
import { playAll } from './web-exec.js';
import { advance, commandsFor, initialWorld, type WebCmd, type WebWorld, worldKey } from './web-world.js';

const SECTION = '14.6 Web client';
/** Deep enough for the longest goal (a logout-pending record finished at the next open). */
const MAX_DEPTH = 12;

/** The chart's transitions a conformant client can take (fault-only ones excluded). */
export function webGoals(): string[] {
  return transitionsOf(webChart as never)
    .filter((t) => !isFaultOnly(t))
    .map((t) => t.name);
}

/** For each goal transition, the shortest command sequence whose last command takes it. */
export function explorePaths(): Map<string, readonly WebCmd[]> {
  const goals = new Set(webGoals());
  const found = new Map<string, readonly WebCmd[]>();
  const seen = new Set<string>([worldKey(initialWorld)]);
  let frontier: { world: WebWorld; path: readonly WebCmd[] }[] = [{ world: initialWorld, path: [] }];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length > 0 && found.size < goals.size; depth++) {
    const next: typeof frontier = [];
    for (const { world, path } of frontier) {
      for (const cmd of commandsFor(world)) {
        const adv = advance(world, cmd);
        if (!adv) continue;
        const route = [...path, cmd];
        for (const f of adv.fired) {
          if (goals.has(f.step.transition) && !found.has(f.step.transition)) found.set(f.step.transition, route);
        }
        const key = worldKey(adv.world);
        if (!seen.has(key)) {
          seen.add(key);
          next.push({ world: adv.world, path: route });
        }
      }
    }
    frontier = next;
  }
  return found;
}

/** One path case: plays `cmds` on a fresh client. */
export function webPathCase(id: string, title: string, cmds: readonly WebCmd[], clauses: readonly string[]): WebCase {
  return {
    id,
    title,
    section: SECTION,
    kind: 'transition-path',
    role: 'web',
    clauses,
    level: 'MUST',
    needs: [],
    async run(ctx) {
      await withRig(ctx, async (rig) => {
        await playAll(rig, cmds);
      });
    },
  };
}

let cached: WebCase[] | undefined;

/** The path cases, in the chart's transition order. */
export function webPathCases(): WebCase[] {
  if (cached) return cached;
  const paths = explorePaths();
  const byName = new Map(transitionsOf(webChart as never).map((t) => [t.name, t]));
  cached = webGoals().flatMap((goal, i) => {
    const cmds = paths.get(goal);
    if (!cmds) return [];
    const clauses = [...(byName.get(goal)?.clauses ?? [])];
    return [webPathCase(`web-path-${String(i + 1).padStart(2, '0')}`, `path to ${goal}`, cmds, clauses)];
  });
  return cached;
}

/** The commands recorded in a trace file (model steps carry them). */
export function commandsOf(file: TraceFile): WebCmd[] {
  return file.trace.flatMap((s) => (s.command === undefined ? [] : [s.command as WebCmd]));
}

export const webPathSource: CaseSource<ClientTarget<'web'>> = {
  name: 'web model paths',
  cases: ({ role }) => (role === 'web' ? webPathCases() : []),
  fromTrace(file) {
    if (file.role !== 'web' || !file.caseId.startsWith('web-path-')) return undefined;
    return webPathCase(file.caseId, file.title, commandsOf(file), file.clauses ?? []);
  },
};
