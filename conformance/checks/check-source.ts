/**
 * The clause-targeted checks as a case source: lists of `Case`s written by hand, one file per
 * section of docs/protocol.md (`transport.ts`, `errors.ts`, `registration.ts`, ...). A check does
 * not depend on the run's seed or runs at build time (a check that draws values takes them from
 * `ctx.seed`), so replaying a trace file is finding the check by its id and running it again with
 * the file's seed.
 */
import type { Case } from '../engine/case.js';
import type { CaseSource, CatalogueOptions } from '../engine/catalogue.js';
import type { TraceFile } from '../report/trace-file.js';

/** A duplicate case id across the lists: ids must be unique (reports and --filter key on them). */
export class DuplicateCaseId extends Error {
  override readonly name = 'DuplicateCaseId';
  constructor(readonly caseId: string) {
    super(`two checks share the id ${caseId}`);
  }
}

/** A source named `name` over the given lists of checks (in list order). */
export function checkSource(name: string, lists: readonly (readonly Case[])[]): CaseSource {
  const all = (): Case[] => {
    const seen = new Set<string>();
    const out: Case[] = [];
    for (const c of lists.flat()) {
      if (seen.has(c.id)) throw new DuplicateCaseId(c.id);
      seen.add(c.id);
      out.push(c);
    }
    return out;
  };
  return {
    name,
    cases: (options: CatalogueOptions) => all().filter((c) => c.role === options.role),
    fromTrace: (file: TraceFile) => all().find((c) => c.id === file.caseId && c.role === file.role),
  };
}
