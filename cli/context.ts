/**
 * What every command receives: its output streams. A command's action returns its exit code.
 */
import type { Command } from 'commander';
import type { CliIo, ExitCode } from './io.js';

export interface CommandContext {
  readonly io: CliIo;
  /** Records the exit code of the command that ran. */
  setExit(code: ExitCode): void;
}

export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;
