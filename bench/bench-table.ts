/** The readable form of a benchmark report: one aligned table, then each row's notes. */
import type { BenchReport } from './bench-result.js';

function num(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(x);
}

/** Formats `report` as a plain-text table (columns: id, ours, baseline, unit, ratio, metric). */
export function formatBenchTable(report: BenchReport): string {
  const head = ['benchmark', 'ours', 'baseline', 'unit', 'ratio', 'metric'];
  const rows = report.benchmarks.map((b) => [b.id, num(b.ours), num(b.baseline), b.unit, num(b.ratio), b.metric]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const right = new Set([1, 2, 4]);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right.has(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [
    `machine: ${report.machine.cpus} cpus, node ${report.machine.node}`,
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    'notes:',
    ...report.benchmarks.map((b) => `  ${b.id}: ${b.notes}`),
  ];
  return `${out.join('\n')}\n`;
}
