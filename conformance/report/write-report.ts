/**
 * Writes a run's reports into a directory (`--out DIR`, default `reports/latest/`): `report.json`,
 * `junit.xml`, `index.html`, and one replayable trace file per failure in `traces/`. The case
 * verdicts that get a trace file are those where the target misbehaved: `failed`, `non-strict` and
 * `expected-failure`; their `replayFile` (relative to DIR) is set in the report written and
 * returned. Trace files of an earlier run in the same DIR that this run did not write are removed,
 * so `traces/` always matches `report.json`.
 *
 * Each file is written to a temporary name in DIR and renamed into place, so a reader never sees a
 * half-written report. A statechart Graphviz cannot render is listed in `warnings` and shown as a
 * list in the HTML instead of failing the whole report.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHtml } from './html-report.js';
import { toReportJson } from './json-report.js';
import { jsonText } from './json-text.js';
import { toJUnitXml } from './junit-report.js';
import type { CaseResult, RunReport, Verdict } from './run-report.js';
import { renderChartSvg } from './statechart-svg.js';
import { traceFileFor } from './trace-file.js';

export { readTraceFile, TraceFileError } from './trace-file.js';

export interface WrittenReport {
  /** Every file written, as `join(dir, name)`. */
  readonly files: string[];
  /** The report as written: failures carry their `replayFile`. */
  readonly report: RunReport;
  /** What could not be drawn (the report is complete otherwise). */
  readonly warnings: string[];
}

/** Verdicts whose case gets a replayable trace file. */
export const replayableVerdicts: ReadonlySet<Verdict> = new Set<Verdict>(['failed', 'non-strict', 'expected-failure']);

const tracesDir = 'traces';

/** A file name for a case id: `[A-Za-z0-9._-]` kept, the rest `_`, no leading dot, at most 80 chars. */
export function traceFileName(caseId: string): string {
  const base = caseId
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[.]+/, '_')
    .slice(0, 80);
  return base === '' ? 'case' : base;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Assigns each replayable case a distinct trace file name (case-insensitively distinct). */
function assignTraceFiles(cases: readonly CaseResult[]): Map<string, string> {
  const byCase = new Map<string, string>();
  const taken = new Set<string>();
  for (const c of cases) {
    if (!replayableVerdicts.has(c.status) || byCase.has(c.id)) continue;
    const base = traceFileName(c.id);
    let name = `${base}.json`;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}.json`;
    taken.add(name.toLowerCase());
    byCase.set(c.id, name);
  }
  return byCase;
}

/** Writes every report file of `report` into `dir` (created if needed). */
export async function writeReport(dir: string, report: RunReport): Promise<WrittenReport> {
  await mkdir(join(dir, tracesDir), { recursive: true });
  const names = assignTraceFiles(report.cases);
  const cases = report.cases.map((c) => {
    const name = names.get(c.id);
    return name === undefined ? c : { ...c, replayFile: `${tracesDir}/${name}` };
  });
  const written: RunReport = { ...report, cases };
  const files: string[] = [];
  const warnings: string[] = [];

  for (const c of cases) {
    const name = names.get(c.id);
    if (name === undefined || c.replayFile === undefined) continue;
    const path = join(dir, tracesDir, name);
    await writeAtomic(path, `${jsonText(traceFileFor(written, c), 2)}\n`);
    files.push(path);
  }
  const current = new Set(names.values());
  for (const entry of await readdir(join(dir, tracesDir), { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith('.json') && !current.has(entry.name)) {
      await rm(join(dir, tracesDir, entry.name), { force: true });
    }
  }

  const charts: Record<string, string> = {};
  for (const chart of written.charts) {
    try {
      charts[chart.id] = await renderChartSvg(chart);
    } catch (err) {
      warnings.push(`statechart ${chart.id} could not be drawn: ${(err as Error).message}`);
    }
  }

  const outputs: [string, string][] = [
    ['report.json', toReportJson(written)],
    ['junit.xml', toJUnitXml(written)],
    ['index.html', toHtml(written, { charts }, { reportDir: dir })],
  ];
  for (const [name, text] of outputs) {
    const path = join(dir, name);
    await writeAtomic(path, text);
    files.push(path);
  }
  return { files, report: written, warnings };
}
