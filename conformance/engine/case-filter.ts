/**
 * `qrlink check --filter TEXT`: the cases whose id or title contains TEXT, ignoring case, in
 * catalogue order. An empty or blank filter keeps every case.
 */
import type { Case } from './case.js';

/** Whether `c` matches the filter text. */
export function caseMatches(c: Pick<Case, 'id' | 'title'>, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  return needle === '' || c.id.toLowerCase().includes(needle) || c.title.toLowerCase().includes(needle);
}

/** The cases matching `filter` (all of them when it is undefined). */
export function filterCases<C extends Pick<Case, 'id' | 'title'>>(
  cases: readonly C[],
  filter: string | undefined,
): C[] {
  return filter === undefined ? [...cases] : cases.filter((c) => caseMatches(c, filter));
}
