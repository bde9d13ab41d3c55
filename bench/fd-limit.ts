/** The open-file limit of this process (`ulimit -n`), which bounds how many sockets a benchmark can hold. */
import { execFileSync } from 'node:child_process';

/** The soft limit on open files, or undefined when it cannot be read. */
export function openFileLimit(): number | undefined {
  try {
    const text = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    if (text === 'unlimited') return Number.POSITIVE_INFINITY;
    const n = Number(text);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** The limit is too low for a benchmark: says how many are needed, instead of silently shrinking it. */
export class FdLimitError extends Error {
  override name = 'FdLimitError';
}

/** Throws FdLimitError unless `needed` files fit under `limit` (undefined: unreadable, not checked). */
export function requireOpenFiles(needed: number, what: string, limit: number | undefined): void {
  if (limit !== undefined && limit < needed) {
    throw new FdLimitError(
      `${what} needs about ${needed} open files per process but ulimit -n is ${limit}: raise it (ulimit -n ${needed}) and run again`,
    );
  }
}
