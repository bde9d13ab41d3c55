/**
 * Everything `qrlink check --role web` runs against a web client: the clause-targeted checks, the
 * model paths through the web chart and the property run, and the chart whose states and
 * transitions the coverage counts (model/web/web-chart.ts, fault-only transitions excluded by the
 * runner). Clauses no check can observe through the driver are in `webUnobservableClauses`.
 */
import { webChart } from '../../../model/web/web-chart.js';
import type { CaseSource, CatalogueOptions } from '../../engine/catalogue.js';
import type { AnyChart } from '../../engine/run-coverage.js';
import type { TraceFile } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import type { WebCase } from './web-check.js';
import { webChecks } from './web-checks.js';
import { webPathSource } from './web-paths.js';
import { webPropertySource } from './web-properties.js';

export { webUnobservableClauses } from './web-unobservable-clauses.js';

/** The clause-targeted web checks as a source (ids unique; a trace replays the check of its id). */
const webCheckSource: CaseSource<ClientTarget<'web'>> = {
  name: 'web checks',
  cases: (options: CatalogueOptions): WebCase[] => (options.role === 'web' ? [...webChecks] : []),
  fromTrace: (file: TraceFile) => (file.role === 'web' ? webChecks.find((c) => c.id === file.caseId) : undefined),
};

const sources: readonly CaseSource<ClientTarget<'web'>>[] = [webCheckSource, webPathSource, webPropertySource];

/** The case sources of the web client role, in the order their cases run. */
export function webSources(): readonly CaseSource<ClientTarget<'web'>>[] {
  return sources;
}

/** The web client's statechart, whose states and transitions a web run's coverage counts. */
export const webCharts: readonly AnyChart[] = [webChart as unknown as AnyChart];
