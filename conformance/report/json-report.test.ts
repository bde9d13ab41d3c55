import { describe, expect, it } from 'vitest';
import { toReportJson } from './json-report.js';
import type { RunReport } from './run-report.js';
import { sampleReport } from './sample-report.js';

/** Recorded values (frames, expected, actual) are written as recorded: their key order is theirs. */
const recorded = new Set(['frame', 'expected', 'actual']);

/** Rebuilds every object of the report's own structure with its keys in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, recorded.has(k) ? v : reverseKeys(v)]),
  );
}

describe('toReportJson', () => {
  const report = sampleReport();
  const text = toReportJson(report);
  const doc = JSON.parse(text);

  it("has at least issue 6's shape", () => {
    expect(Object.keys(doc.summary)).toEqual(expect.arrayContaining(['passed', 'failed', 'skipped', 'durationMs']));
    expect(doc).toMatchObject({ target: report.target, role: 'server', seed: report.seed });
    for (const key of ['states', 'transitions', 'transitionPairs', 'clauses']) {
      expect(typeof doc.coverage[key].covered).toBe('number');
      expect(typeof doc.coverage[key].total).toBe('number');
    }
    expect(doc.cases).toHaveLength(report.cases.length);
    for (const c of doc.cases) {
      for (const key of ['id', 'title', 'clauses', 'status', 'durationMs', 'trace', 'error'])
        expect(c).toHaveProperty(key);
    }
  });

  it('writes error: null for a case that did not fail, and the error for one that did', () => {
    const passed = doc.cases.find((c: { status: string }) => c.status === 'passed');
    expect(passed.error).toBeNull();
    const failed = doc.cases.find((c: { id: string }) => c.id === 'LINK-2/1');
    expect(failed.error).toMatchObject({
      step: 4,
      expected: { t: 'link.error', reason: 'expired_ref' },
      actual: { t: 'link.claimed' },
    });
  });

  it('is 2-space indented JSON ending with a newline', () => {
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "summary": {');
  });

  it('is the same text whatever order the engine built its objects in', () => {
    expect(toReportJson(reverseKeys(report) as RunReport)).toBe(text);
  });

  it('keeps every field of the RunReport (nothing lost on the way)', () => {
    const back = JSON.parse(toReportJson(report));
    for (const c of back.cases) if (c.error === null) delete c.error;
    expect(back).toEqual(JSON.parse(JSON.stringify(report)));
  });

  it('does not throw on a frame holding a bigint', () => {
    const first = report.cases[0];
    if (first === undefined) throw new Error('sample has cases');
    const odd = {
      ...report,
      cases: [{ ...first, trace: [{ index: 0, actor: 'web1', action: 'x', frame: { n: 10n } }] }],
    };
    expect(JSON.parse(toReportJson(odd)).cases[0].trace[0].frame).toEqual({ n: '10' });
  });
});
