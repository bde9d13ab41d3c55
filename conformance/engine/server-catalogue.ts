/**
 * Everything `qrlink check --role server` runs: the case sources and the statecharts its coverage
 * counts (the server's three per-entity charts). Adding a source is one import and one entry in
 * `sources`; adding a list of checks is one import and one entry in `checkLists`.
 */
import { phoneRegChart } from '../../model/server/phone-reg-chart.js';
import { sessionChart } from '../../model/server/session-chart.js';
import { webConnChart } from '../../model/server/web-conn-chart.js';
import { checkSource } from '../checks/check-source.js';
import { controlChecks } from '../checks/control.js';
import { e2eChecks } from '../checks/e2e.js';
import { errorChecks } from '../checks/errors.js';
import { linkChecks } from '../checks/link.js';
import { qrChecks } from '../checks/qr.js';
import { registrationChecks } from '../checks/registration.js';
import { relayChecks } from '../checks/relay.js';
import { sessionChecks } from '../checks/session.js';
import { transportChecks } from '../checks/transport.js';
import { modelPathSource } from '../paths/path-cases.js';
import { propertySource } from '../properties/server-properties.js';
import type { Case } from './case.js';
import type { CaseSource } from './catalogue.js';
import type { AnyChart } from './run-coverage.js';

/** The clause-targeted checks, one list per section of docs/protocol.md, in section order. */
const checkLists: readonly (readonly Case[])[] = [
  transportChecks,
  registrationChecks,
  qrChecks,
  linkChecks,
  e2eChecks,
  relayChecks,
  sessionChecks,
  errorChecks,
  controlChecks,
];

/** Every source of server cases, in the order their cases run. */
const sources: readonly CaseSource[] = [checkSource('checks', checkLists), modelPathSource, propertySource];

/** The case sources of the server role. */
export function serverSources(): readonly CaseSource[] {
  return sources;
}

/** The server's statecharts, whose states and transitions a server run's coverage counts. */
export const serverCharts: readonly AnyChart[] = [
  phoneRegChart as unknown as AnyChart,
  webConnChart as unknown as AnyChart,
  sessionChart as unknown as AnyChart,
];
