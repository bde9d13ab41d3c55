/**
 * A disk cache for the server's test graph. Building it explores the oracle world (about 7 s of
 * CPU), and it depends only on the source of the model and the suite, the lockfile (the xstate
 * version) and the oracle configuration: its key is a SHA-256 over all of them, so any change to
 * the model or the suite builds it again. It lives in `node_modules/.cache/qrlink/` (where build
 * tools keep caches; never committed). A missing, unreadable or malformed entry is rebuilt; a
 * cache that cannot be written is skipped. `QRLINK_CACHE=0` turns it off.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Command } from '../oracle/command.js';
import type { Goal, TestGraph } from './test-graph.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The sources the graph is built from: the model and the suite (tests left out). */
const sourceDirs = ['model', 'conformance'];

const cachedGraph = z.object({
  goals: z.array(
    z.object({
      kind: z.enum(['state', 'transition', 'pair']),
      chart: z.string(),
      name: z.string(),
      path: z.array(z.object({ c: z.string() }).loose()),
      clauses: z.array(z.string()),
    }),
  ),
  nodes: z.number(),
  edges: z.number(),
  durationMs: z.number(),
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The cache key: the sources (path and text, in a fixed order), the lockfile and `config`. */
export function graphCacheKey(config: unknown, base: string = root): string {
  const hash = createHash('sha256');
  const files = sourceDirs.flatMap((d) => sourceFiles(join(base, d))).sort();
  for (const file of [...files, join(base, 'package-lock.json')]) {
    hash.update(relative(base, file));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  hash.update(JSON.stringify(config));
  return hash.digest('hex').slice(0, 32);
}

export interface GraphCacheOptions {
  /** The cache directory; default `node_modules/.cache/qrlink` of the package. */
  readonly dir?: string;
  /** Default: on unless `QRLINK_CACHE=0`. */
  readonly enabled?: boolean;
}

/** The graph stored under `key`, or the one `build` makes (then stored). */
export function cachedTestGraph(key: string, build: () => TestGraph, options: GraphCacheOptions = {}): TestGraph {
  const enabled = options.enabled ?? process.env.QRLINK_CACHE !== '0';
  if (!enabled) return build();
  const dir = options.dir ?? join(root, 'node_modules', '.cache', 'qrlink');
  const file = join(dir, `test-graph-${key}.json`);
  try {
    const parsed = cachedGraph.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (parsed.success) {
      const goals = parsed.data.goals.map((g) => ({ ...g, path: g.path as unknown as Command[] }) satisfies Goal);
      return { ...parsed.data, goals };
    }
  } catch {
    // no entry yet, or not JSON: build it
  }
  const graph = build();
  try {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(graph));
    renameSync(tmp, file); // atomic: a concurrent reader sees the old entry or the whole new one
  } catch {
    // a read-only install: run without the cache
  }
  return graph;
}
