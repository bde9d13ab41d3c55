/**
 * The phone role's catalogue for `qrlink check --role phone`: the clause-targeted checks, the model
 * paths through the phone chart and the property runs, with the chart coverage counts against.
 */
import type { Case } from '../../engine/case.js';
import type { CaseSource } from '../../engine/catalogue.js';
import type { TraceFile } from '../../report/trace-file.js';
import type { ClientTarget } from '../client-target.js';
import { phoneChecks } from './phone-checks.js';
import { phoneCharts, phonePathSource } from './phone-paths.js';
import { phonePropertySource } from './phone-property.js';

export { phoneUnobservableClauses } from './phone-unobservable-clauses.js';
export { phoneCharts };

const checkSource: CaseSource<ClientTarget<'phone'>> = {
  name: 'phone checks',
  cases: (options) => (options.role === 'phone' ? phoneChecks() : []),
  fromTrace: (file: TraceFile): Case<ClientTarget<'phone'>> | undefined =>
    file.role === 'phone' ? phoneChecks().find((c) => c.id === file.caseId) : undefined,
};

/** Every source of phone cases, in report order. */
export function phoneSources(): readonly CaseSource<ClientTarget<'phone'>>[] {
  return [checkSource, phonePathSource, phonePropertySource];
}
