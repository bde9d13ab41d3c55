/**
 * The `qrlink` command line: one program, seven commands. Usage errors exit 2 with a message
 * naming what was wrong; `--help` works for the program and for every command.
 */
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { registerBench } from './commands/bench.js';
import { registerCheck } from './commands/check.js';
import { registerModel } from './commands/model.js';
import { registerMutants } from './commands/mutants.js';
import { registerPhone } from './commands/phone.js';
import { registerServe } from './commands/serve.js';
import { registerWeb } from './commands/web.js';
import type { CommandContext } from './context.js';
import { type CliIo, Exit, type ExitCode, processIo, UsageError } from './io.js';

function buildProgram(ctx: CommandContext): Command {
  const program = new Command('qrlink')
    .description(
      'Formal model and conformance suite for QR Link v1 (QR device linking), with a reference ' +
        'implementation of every role. Docs: docs/protocol.md, docs/conformance.md, docs/model.md.',
    )
    .version(pkg.version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: ctx.io.out, writeErr: ctx.io.err });
  for (const register of [
    registerServe,
    registerPhone,
    registerWeb,
    registerCheck,
    registerModel,
    registerMutants,
    registerBench,
  ]) {
    register(program, ctx);
  }
  return program;
}

/** Runs the CLI on `argv` (without the node and script paths) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  let code: ExitCode = Exit.ok;
  const ctx: CommandContext = {
    io,
    setExit: (c) => {
      code = c;
    },
  };
  const program = buildProgram(ctx);
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return Exit.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return Exit.ok;
      return Exit.usage;
    }
    if (err instanceof UsageError) {
      io.err(`qrlink: ${err.message}\n`);
      return Exit.usage;
    }
    throw err;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith('bin/qrlink.js')) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(
        `qrlink: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      process.exitCode = Exit.usage;
    },
  );
}
