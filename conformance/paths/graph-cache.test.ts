import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Command } from '../oracle/command.js';
import { cachedTestGraph, graphCacheKey } from './graph-cache.js';
import type { TestGraph } from './test-graph.js';

const graph: TestGraph = {
  goals: [
    {
      kind: 'state',
      chart: 'server-web',
      name: 'pending',
      path: [{ c: 'open' } as unknown as Command],
      clauses: ['QR-1'],
    },
  ],
  nodes: 3,
  edges: 4,
  durationMs: 12.5,
};

function sources(): string {
  const base = mkdtempSync(join(tmpdir(), 'qrlink-src-'));
  mkdirSync(join(base, 'model', 'server'), { recursive: true });
  mkdirSync(join(base, 'conformance'), { recursive: true });
  writeFileSync(join(base, 'model', 'server', 'chart.ts'), 'export const a = 1;');
  writeFileSync(join(base, 'model', 'server', 'chart.test.ts'), 'test');
  writeFileSync(join(base, 'conformance', 'world.ts'), 'export const w = 1;');
  writeFileSync(join(base, 'package-lock.json'), '{}');
  return base;
}

describe('test graph disk cache', () => {
  test('the key changes with any model or suite source, the lockfile or the config; not with tests', () => {
    const base = sources();
    const key = graphCacheKey({ refs: 6 }, base);
    expect(graphCacheKey({ refs: 6 }, base)).toBe(key);
    expect(graphCacheKey({ refs: 5 }, base)).not.toBe(key);
    writeFileSync(join(base, 'model', 'server', 'chart.test.ts'), 'another test');
    expect(graphCacheKey({ refs: 6 }, base)).toBe(key);
    writeFileSync(join(base, 'model', 'server', 'chart.ts'), 'export const a = 2;');
    const edited = graphCacheKey({ refs: 6 }, base);
    expect(edited).not.toBe(key);
    writeFileSync(join(base, 'conformance', 'new.ts'), '');
    expect(graphCacheKey({ refs: 6 }, base)).not.toBe(edited);
    writeFileSync(join(base, 'package-lock.json'), '{"v":2}');
    expect(graphCacheKey({ refs: 6 }, base)).not.toBe(edited);
  });
  test('built once, then read back equal; a malformed entry is rebuilt; QRLINK_CACHE=0 always builds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlink-cache-'));
    let builds = 0;
    const build = () => {
      builds++;
      return graph;
    };
    expect(cachedTestGraph('k1', build, { dir })).toEqual(graph);
    expect(cachedTestGraph('k1', build, { dir })).toEqual(graph);
    expect(builds).toBe(1);
    expect(readdirSync(dir)).toEqual(['test-graph-k1.json']);
    writeFileSync(join(dir, 'test-graph-k1.json'), '{"goals": "not a list"}');
    expect(cachedTestGraph('k1', build, { dir })).toEqual(graph);
    writeFileSync(join(dir, 'test-graph-k2.json'), 'not json');
    expect(cachedTestGraph('k2', build, { dir })).toEqual(graph);
    expect(builds).toBe(3);
    cachedTestGraph('k1', build, { dir, enabled: false });
    expect(builds).toBe(4);
  });
  test('an unwritable cache directory is skipped: the graph is built and returned', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'qrlink-cache-')), 'a-file');
    writeFileSync(file, '');
    expect(cachedTestGraph('k', () => graph, { dir: join(file, 'sub') })).toEqual(graph);
  });
});
