/**
 * Where a command writes: stdout and stderr, injectable so that tests run the CLI in process.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Whether stdout is an interactive terminal (progress displays only then). */
  readonly isTTY: boolean;
}

/** A reader that went away (`qrlink check --list | head`) ends the output, not the program. */
function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
}
quietOnEpipe(process.stdout);
quietOnEpipe(process.stderr);

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
