/**
 * `qrlink check --expect-failures FILE`: the cases an implementer knows their target fails, each
 * with the reason, as a JSON list `[{"id": "LINK-2/1", "reason": "claims on expired refs not checked yet"}]`.
 * A listed case that fails is reported `expected-failure` (the run still passes); one that passes is
 * reported `unexpected-pass`, so the list shrinks as the target improves. Reading validates the file
 * with zod and fails with an `ExpectFailuresError` naming the entry and the problem, never a crash.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const EntrySchema = z.object({
  id: z.string().min(1, 'id must be a non-empty string'),
  reason: z.string().min(1, 'reason must be a non-empty string'),
});

export const ExpectFailuresSchema = z.array(EntrySchema);

/** Expected failures: case id -> the reason the file gives. */
export type ExpectFailures = ReadonlyMap<string, string>;

/** An expect-failures file that cannot be used; the message names the file, the entry and the problem. */
export class ExpectFailuresError extends Error {
  override readonly name = 'ExpectFailuresError';
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`expect-failures file ${path}: ${detail}`);
  }
}

function issueWhere(path: readonly PropertyKey[]): string {
  const [index, field] = path;
  if (typeof index !== 'number') return 'the file';
  return field === undefined ? `entry ${index}` : `entry ${index} (${String(field)})`;
}

/** Validates parsed JSON as an expect-failures list (throws `ExpectFailuresError`). */
export function parseExpectFailures(data: unknown, path: string): ExpectFailures {
  const result = ExpectFailuresSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const what =
      issue === undefined
        ? 'not a list of {"id", "reason"} entries'
        : issue.path.length === 0
          ? `expected a JSON list of {"id", "reason"} entries (${issue.message})`
          : `${issueWhere(issue.path)}: ${issue.message}`;
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more problems)` : '';
    throw new ExpectFailuresError(path, `${what}${more}`);
  }
  const map = new Map<string, string>();
  result.data.forEach((entry, i) => {
    if (map.has(entry.id)) throw new ExpectFailuresError(path, `entry ${i}: case ${entry.id} is listed twice`);
    map.set(entry.id, entry.reason);
  });
  return map;
}

/** Reads and validates an expect-failures file. */
export async function readExpectFailures(path: string): Promise<ExpectFailures> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ExpectFailuresError(path, code === 'ENOENT' ? 'no such file' : `cannot read it (${code ?? String(err)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ExpectFailuresError(path, `not JSON (${(err as Error).message})`);
  }
  return parseExpectFailures(data, path);
}
