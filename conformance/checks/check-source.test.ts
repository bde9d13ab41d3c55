import { describe, expect, it } from 'vitest';
import type { Case } from '../engine/case.js';
import type { TraceFile } from '../report/trace-file.js';
import { checkSource, DuplicateCaseId } from './check-source.js';

function check(id: string, role: Case['role'] = 'server'): Case {
  return {
    id,
    title: `check ${id}`,
    section: '6 QR refs',
    kind: 'check',
    role,
    clauses: ['QR-1'],
    level: 'MUST',
    needs: [],
    run: async () => {},
  };
}

function traceFor(caseId: string, role: TraceFile['role'] = 'server'): TraceFile {
  return { version: 1, caseId, title: '', role, target: 'embedded reference', seed: 1, trace: [], expected: null };
}

const options = { role: 'server', seed: 1, runs: 1 } as const;

describe('checkSource', () => {
  it("lists the role's checks of every list, in list order", () => {
    const source = checkSource('checks', [[check('A'), check('W', 'web')], [check('B')]]);
    expect(source.name).toBe('checks');
    expect(source.cases(options).map((c) => c.id)).toEqual(['A', 'B']);
    expect(source.cases({ ...options, role: 'web' }).map((c) => c.id)).toEqual(['W']);
  });

  it('finds the check a trace file was written for by its id and role, and nothing else', () => {
    const source = checkSource('checks', [[check('A')], [check('B')]]);
    expect(source.fromTrace?.(traceFor('B'))?.id).toBe('B');
    expect(source.fromTrace?.(traceFor('B', 'web'))).toBeUndefined();
    expect(source.fromTrace?.(traceFor('path/state/x'))).toBeUndefined();
  });

  it('refuses two checks with one id, naming it', () => {
    const source = checkSource('checks', [[check('A')], [check('A')]]);
    expect(() => source.cases(options)).toThrow(DuplicateCaseId);
    expect(() => source.cases(options)).toThrow('two checks share the id A');
  });
});
