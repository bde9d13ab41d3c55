/**
 * Where a command writes: stdout and stderr, injectable so that tests run the CLI in process.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (progress displays only then). */
  readonly isTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  isTTY: Boolean(process.stdout.isTTY),
};

/** Exit codes of every qrlink command. */
export const Exit = {
  ok: 0,
  /** A check failed, or the model found a violation. */
  failed: 1,
  /** Bad usage, an unreachable target, or a feature not available yet. */
  usage: 2,
} as const;
export type ExitCode = (typeof Exit)[keyof typeof Exit];

/** Thrown by a command to end with a usage error (exit 2) and a message naming what was wrong. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
