/**
 * What every command receives: its output streams. A command's action returns its exit code.
 */
import type { Command } from 'commander';
import { type CliIo, Exit, type ExitCode } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  /** Records the exit code of the command that ran. */
  setExit(code: ExitCode): void;
}

export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;

/**
 * Ends a command whose engine lands in a later issue: says so plainly and exits 2, so that no
 * caller can mistake "not built yet" for "passed".
 */
export function notAvailable(ctx: CommandContext, command: string, engine: string, issue: number): ExitCode {
  ctx.io.err(
    `qrlink ${command}: ${engine} is not available yet (tracked in issue ${issue}); nothing was run, nothing passed.\n`,
  );
  return Exit.usage;
}
