/**
 * Runs every clause-targeted check of the domain files (registration, QR refs, linking, E2E, relay,
 * sessions) against the embedded reference server, one target per file, resetting it and setting
 * the suite configuration before each case, and checks their metadata (check-list.harness.ts). A
 * failing case prints its CaseFailure (clause, what was expected, what came, and the trace tail).
 */
import type { Case } from '../engine/case.js';
import { describeCheckMetadata, describeChecksAgainstReference } from './check-list.harness.js';
import { e2eChecks } from './e2e.js';
import { linkChecks } from './link.js';
import { qrChecks } from './qr.js';
import { registrationChecks } from './registration.js';
import { relayChecks } from './relay.js';
import { sessionChecks } from './session.js';

/** Known defects of the reference server: case id -> the clause it breaks (see the report). */
const knownDefects: Readonly<Record<string, string>> = {};

const files: readonly (readonly [string, readonly Case[]])[] = [
  ['registration.ts', registrationChecks],
  ['qr.ts', qrChecks],
  ['link.ts', linkChecks],
  ['e2e.ts', e2eChecks],
  ['relay.ts', relayChecks],
  ['session.ts', sessionChecks],
];

describeCheckMetadata(
  files.flatMap(([, cases]) => cases),
  {
    title: 'the domain checks as cases',
    idPattern: /^check\.(reg|qr|link|e2e|relay|sess)\.[a-z0-9-]+$/,
    minCases: 45,
    requirementAsWritten: true,
  },
);

for (const [file, cases] of files) describeChecksAgainstReference(file, cases, { knownDefects });
