/**
 * The replayable trace file written next to a report for each failure (`traces/<case>.json`) and
 * read back by `qrlink check --replay FILE`: the case's identity, the run it came from, the exact
 * steps the engine drove and how the target failed then (`expected`: the case's error, so a replay
 * can say whether it fails the same way). Reading validates the file with zod and fails with a
 * `TraceFileError` naming what is wrong (the field path and the problem), never a crash.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { CaseResult, RunReport } from './run-report.js';

const roles = ['server', 'web', 'phone'] as const;
const verdicts = ['passed', 'failed', 'skipped', 'non-strict', 'expected-failure', 'unexpected-pass'] as const;
const kinds = ['state-path', 'transition-path', 'transition-pair', 'property', 'check'] as const;

const TraceStepSchema = z.object({
  index: z.number().int().min(0),
  actor: z.string(),
  action: z.string(),
  frame: z.unknown().optional(),
  command: z.unknown().optional(),
});

const CaseErrorSchema = z.object({
  message: z.string(),
  step: z.number().int().min(0).optional(),
  expected: z.unknown().optional(),
  actual: z.unknown().optional(),
});

export const TraceFileSchema = z.object({
  version: z.literal(1),
  caseId: z.string().min(1),
  title: z.string(),
  kind: z.enum(kinds).optional(),
  clauses: z.array(z.string()).optional(),
  /** The verdict the case had when the file was written. */
  verdict: z.enum(verdicts).optional(),
  reason: z.string().optional(),
  role: z.enum(roles),
  target: z.string(),
  /** The seed that replays the case: a property case's own seed, else the run's. */
  seed: z.number().int(),
  trace: z.array(TraceStepSchema),
  /** How the case failed when the file was written (its error), or null if it had none. */
  expected: CaseErrorSchema.nullable(),
});
export type TraceFile = z.infer<typeof TraceFileSchema>;

/** The trace file of one case of `report`. */
export function traceFileFor(report: Pick<RunReport, 'role' | 'target' | 'seed'>, c: CaseResult): TraceFile {
  return {
    version: 1,
    caseId: c.id,
    title: c.title,
    kind: c.kind,
    clauses: [...c.clauses],
    verdict: c.status,
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    role: report.role,
    target: report.target,
    seed: c.seed ?? report.seed,
    trace: c.trace.map((s) => ({ ...s })),
    expected: c.error === undefined ? null : { ...c.error },
  };
}

export type TraceFileProblem = 'unreadable' | 'too_large' | 'not_json' | 'unsupported_version' | 'bad_shape';

/** A trace file that cannot be replayed: `problem` says why, the message names the field. */
export class TraceFileError extends Error {
  override readonly name = 'TraceFileError';
  constructor(
    readonly problem: TraceFileProblem,
    readonly path: string,
    detail: string,
  ) {
    super(`trace file ${path}: ${detail}`);
  }
}

/** Trace files larger than this are refused (a real one is a few KiB to a few MiB). */
export const maxTraceFileBytes = 64 * 1024 * 1024;

function issuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out === '' ? String(key) : `.${String(key)}`;
  return out === '' ? '(the file)' : out;
}

/** Validates parsed JSON as a trace file (throws `TraceFileError` naming what is wrong). */
export function parseTraceFile(data: unknown, path: string): TraceFile {
  if (typeof data === 'object' && data !== null && 'version' in data && data.version !== 1) {
    throw new TraceFileError(
      'unsupported_version',
      path,
      `version ${JSON.stringify(data.version)} is not supported (this qrlink reads version 1)`,
    );
  }
  const result = TraceFileSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues;
    const shown = issues.slice(0, 5).map((i) => `${issuePath(i.path)}: ${i.message}`);
    const more = issues.length > shown.length ? ` (and ${issues.length - shown.length} more)` : '';
    throw new TraceFileError('bad_shape', path, `not a qrlink trace file: ${shown.join('; ')}${more}`);
  }
  return result.data;
}

/** Reads and validates a trace file (for `qrlink check --replay FILE`). */
export async function readTraceFile(path: string): Promise<TraceFile> {
  let text: string;
  try {
    const bytes = await readFile(path);
    if (bytes.length > maxTraceFileBytes) {
      throw new TraceFileError('too_large', path, `${bytes.length} bytes is over the ${maxTraceFileBytes}-byte limit`);
    }
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof TraceFileError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new TraceFileError(
      'unreadable',
      path,
      code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(err)})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new TraceFileError('not_json', path, `not JSON (${(err as Error).message})`);
  }
  return parseTraceFile(data, path);
}
