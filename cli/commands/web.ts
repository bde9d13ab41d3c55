import { InvalidArgumentError } from 'commander';
import { startWeb } from '../../impl/web/index.js';
import { isWebMutantId, UnknownWebMutantError, type WebMutantId, webMutant } from '../../impl/web/mutants.js';
import type { CommandRegistrar } from '../context.js';
import { Exit, UsageError } from '../io.js';
import { port, wsUrl } from '../options.js';
import { untilStopped } from '../signals.js';

export interface WebOptions {
  server?: string;
  driverPort?: number;
  keep?: boolean;
  storage?: string;
  mutant?: WebMutantId[];
}

/** `--mutant a,b --mutant c`: collects web mutant ids; an unknown one is a usage error listing the valid ones. */
export function webMutantIdsOption(value: string, previous: WebMutantId[] = []): WebMutantId[] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const id = part.trim();
    if (!isWebMutantId(id)) throw new InvalidArgumentError(new UnknownWebMutantError([id]).message);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export const registerWeb: CommandRegistrar = (program, ctx) => {
  program
    .command('web')
    .summary('run the reference web client in the terminal (or driven through its driver endpoint)')
    .description(
      'Run the reference web client as a Node process: shows the QR (as a drawing and as text to paste into the phone), then the chats. ' +
        'With --driver-port, a test suite can act as its user over the driver protocol (docs/protocol.md section 16).',
    )
    .option('--server <url>', 'ws:// base URL of the server, e.g. ws://127.0.0.1:8080', wsUrl)
    .option('--driver-port <n>', 'open the driver endpoint on 127.0.0.1 at this port (0: any)', port)
    .option('--keep', 'keep me signed in (store the kept session, see --storage)')
    .option('--storage <file>', 'where a kept session is stored (resumed at the next start)')
    .option(
      '--mutant <id[,id...]>',
      'switch on a deliberate fault (repeatable; see impl/web/mutants.ts), for testing test suites',
      webMutantIdsOption,
    )
    .action(async (opts: WebOptions) => {
      const { io } = ctx;
      if (!opts.server && opts.driverPort === undefined) {
        throw new UsageError('web: give --server URL or --driver-port N (driven by a suite)');
      }
      const web = await startWeb({
        server: opts.server,
        driverPort: opts.driverPort,
        keep: opts.keep === true,
        storageFile: opts.storage,
        mutants: opts.mutant ?? [],
        log: (line) => io.out(`${line}\n`),
      }).catch((err: unknown) => {
        throw new UsageError(`web: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      });
      for (const id of opts.mutant ?? []) {
        const m = webMutant(id);
        io.err(
          `qrlink web: WARNING: deliberately broken web client: mutant ${id} breaks ${m.clauses.join(', ')}: ${m.description}\n`,
        );
      }
      if (web.driverPort !== undefined) io.out(`qrlink web: driver endpoint ws://127.0.0.1:${web.driverPort}/\n`);
      await untilStopped();
      await web.close();
      ctx.setExit(Exit.ok);
    });
};
