/**
 * How the reports print figures: counts with thousands separators (en-US, whatever the machine's
 * locale, so CI logs and tests read the same everywhere), durations in seconds, coverage percents.
 */
const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** `5300` -> `5,300`. */
export function formatCount(n: number): string {
  return Number.isFinite(n) ? counts.format(n) : String(n);
}

/** `4213` -> `4.2 s`; under 100 ms -> `37 ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 100) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `covered/total` as a percent with one decimal, floored so that 99.96% never shows as 100.0%. */
export function formatPercent(covered: number, total: number): string {
  if (total <= 0) return 'n/a';
  return `${(Math.floor((covered / total) * 1000) / 10).toFixed(1)}%`;
}
