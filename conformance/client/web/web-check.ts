/**
 * How a clause-targeted web client check is declared: `webCheck` fills in kind, role and the
 * requirement (quoted from docs/protocol.md for the listed clauses), cites the clauses, and runs the
 * body with a `WebRig` over a fresh driver (reset, DRV-13) and a scripted server of its own.
 */
import { type Clause, loadClauses } from '../../../model/protocol/clauses.js';
import type { Capability, Case } from '../../engine/case.js';
import { withClient } from '../client-case.js';
import type { ClientTarget } from '../client-target.js';
import { type WebCtx, WebRig } from './web-rig.js';

export type WebCase = Case<ClientTarget<'web'>>;

export interface WebCheckSpec {
  readonly id: string;
  readonly title: string;
  readonly section: string;
  readonly clauses: readonly string[];
  readonly level?: 'MUST' | 'SHOULD';
  /** `driver`: a check of the driver protocol itself, skipped where the suite drives a page (browser mode). */
  readonly needs?: readonly Capability[];
  run(rig: WebRig): Promise<void>;
}

let clauseText: ReadonlyMap<string, Clause> | undefined;

/** The text of `ids` as docs/protocol.md states them (one line each). */
export function requirementOf(ids: readonly string[]): string {
  clauseText ??= new Map(loadClauses().map((c) => [c.id, c]));
  return ids
    .map((id) => {
      const c = clauseText?.get(id);
      return c ? `[${id}] ${c.text}` : `[${id}]`;
    })
    .join('\n');
}

/** Runs `body` with a rig over a fresh driver and scripted server. */
export function withRig(ctx: WebCtx, body: (rig: WebRig) => Promise<void>): Promise<void> {
  return withClient(ctx, ({ driver, server }) => body(new WebRig(ctx, driver, server)));
}

/** A clause-targeted check of a web client (kind 'check', role 'web'). */
export function webCheck(spec: WebCheckSpec): WebCase {
  return {
    id: spec.id,
    title: spec.title,
    section: spec.section,
    kind: 'check',
    role: 'web',
    clauses: spec.clauses,
    requirement: requirementOf(spec.clauses),
    level: spec.level ?? 'MUST',
    needs: spec.needs ?? [],
    async run(ctx) {
      ctx.cite(spec.clauses);
      await withRig(ctx, spec.run);
    },
  };
}
