/**
 * The web client role for the kill matrix (conformance/mutation/): the mutants of
 * impl/web/mutants.ts, the reference web client started in process with them on (behind its driver
 * endpoint), the web catalogue, and one mutant run against a separate `qrlink web` process. To
 * register it, conformance/mutation/role-suites.ts adds `web: webSuite` to `roleSuites`.
 */
import { webMutants } from '../../../impl/web/mutants.js';
import type { RoleSuite } from '../../mutation/role-suite.js';
import { clientProcessTarget } from '../client-process.js';
import type { ClientTarget } from '../client-target.js';
import { embeddedClientTarget } from '../driver-target.js';
import { webCharts, webSources } from './web-catalogue.js';

export const webSuite: RoleSuite<ClientTarget<'web'>> = {
  role: 'web',
  mutants: webMutants,
  start: (mutants) => embeddedClientTarget('web', { mutants }),
  sources: webSources,
  charts: webCharts,
  startOverWire: (mutant) => clientProcessTarget('web', [mutant]),
  wireSample: ['web.accepts-forged-offer'],
};
