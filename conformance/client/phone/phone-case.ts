/**
 * How a phone case is built: identity, clauses and the requirement quoted from docs/protocol.md,
 * and a body that runs with a `PhoneRig` over a driver reset to a fresh installation and a scripted
 * server of its own (conformance/client/client-case.ts).
 */
import { type Clause, loadClauses } from '../../../model/protocol/clauses.js';
import type { Case } from '../../engine/case.js';
import type { CaseKind } from '../../report/run-report.js';
import { withClient } from '../client-case.js';
import type { ClientTarget } from '../client-target.js';
import { PhoneRig } from './phone-rig.js';

export type PhoneCase = Case<ClientTarget<'phone'>>;

let clauseIndex: Map<string, Clause> | undefined;

/** The clause's text (undefined for an id docs/protocol.md does not have). */
export function clauseText(id: string): Clause | undefined {
  clauseIndex ??= new Map(loadClauses().map((c) => [c.id, c]));
  return clauseIndex.get(id);
}

export interface PhoneCaseSpec {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly clauses: readonly string[];
  readonly kind?: CaseKind;
  readonly seed?: number;
  readonly body: (rig: PhoneRig) => Promise<void>;
}

/** A phone case; its requirement quotes the first clause, its level is the strongest of its clauses. */
export function phoneCase(spec: PhoneCaseSpec): PhoneCase {
  const first = spec.clauses[0] === undefined ? undefined : clauseText(spec.clauses[0]);
  const level = spec.clauses.some((id) => clauseText(id)?.level === 'MUST') ? 'MUST' : 'SHOULD';
  return {
    id: spec.id,
    title: spec.title,
    section: spec.section,
    kind: spec.kind ?? 'check',
    role: 'phone',
    clauses: spec.clauses,
    ...(first ? { requirement: first.text } : {}),
    ...(spec.seed === undefined ? {} : { seed: spec.seed }),
    level,
    needs: [],
    run: (ctx) => withClient(ctx, ({ driver, server }) => spec.body(new PhoneRig(ctx, driver, server))),
  };
}
