/**
 * The phone role for the kill matrix (conformance/mutation/): the mutants of impl/phone/mutants.ts,
 * the reference phone started in process with them on (behind its driver endpoint), the phone
 * catalogue, and one mutant run against a separate `qrlink phone` process.
 */
import { phoneMutants } from '../../../impl/phone/mutants.js';
import type { RoleSuite } from '../../mutation/role-suite.js';
import { clientProcessTarget } from '../client-process.js';
import type { ClientTarget } from '../client-target.js';
import { embeddedClientTarget } from '../driver-target.js';
import { phoneCharts, phoneSources } from './phone-catalogue.js';

export const phoneSuite: RoleSuite<ClientTarget<'phone'>> = {
  role: 'phone',
  mutants: phoneMutants,
  start: (mutants) => embeddedClientTarget('phone', { mutants }),
  sources: phoneSources,
  charts: phoneCharts,
  startOverWire: (mutant) => clientProcessTarget('phone', [mutant]),
  wireSample: ['phone.approves-without-user'],
};
