/**
 * The registry of role suites the kill matrix runs: per role, its mutant catalogue, how to start its
 * reference implementation with mutants on, and its cases. The client roles' entries live with their
 * suites (conformance/client/web/web-role-suite.ts, conformance/client/phone/phone-role-suite.ts).
 */
import { serverMutants } from '../../impl/server/mutants.js';
import type { ClientTarget } from '../client/client-target.js';
import { phoneSuite } from '../client/phone/phone-role-suite.js';
import { webSuite } from '../client/web/web-role-suite.js';
import { serverCharts, serverSources } from '../engine/server-catalogue.js';
import type { Role } from '../report/run-report.js';
import { embeddedTarget } from '../target/embedded-target.js';
import type { Target } from '../target/target.js';
import type { RoleSuite } from './role-suite.js';
import { serverProcessTarget } from './server-process.js';

/** The server role: every mutant of impl/server/mutants.ts against the whole `qrlink check` catalogue. */
export const serverSuite: RoleSuite<Target> = {
  role: 'server',
  mutants: serverMutants,
  start: embeddedTarget,
  sources: serverSources,
  charts: serverCharts,
  startOverWire: (mutant) => serverProcessTarget([mutant]),
  // the acceptance test of issue 8: `qrlink serve --mutant server.accepts-expired-ref --conformance`
  // is caught by the suite over WebSocket
  wireSample: ['server.accepts-expired-ref'],
};

/** The role suites by role. */
export interface RoleSuites {
  readonly server: RoleSuite<Target>;
  readonly web: RoleSuite<ClientTarget<'web'>>;
  readonly phone: RoleSuite<ClientTarget<'phone'>>;
}

export const roleSuites: RoleSuites = { server: serverSuite, web: webSuite, phone: phoneSuite };

/** A role suite of any role (the matrix engine is generic over the subject). */
export type AnyRoleSuite = RoleSuites[keyof RoleSuites];

/** The suite of `role`. */
export function roleSuite(role: Role): AnyRoleSuite {
  return roleSuites[role];
}
