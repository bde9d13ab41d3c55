import { InvalidArgumentError } from 'commander';
import { startServer } from '../../impl/server/index.js';
import { isServerMutantId, type ServerMutantId, serverMutant, UnknownMutantError } from '../../impl/server/mutants.js';
import { buildWebPage } from '../../impl/web/page/build.js';
import type { CommandRegistrar } from '../context.js';
import { Exit, UsageError } from '../io.js';
import { keyValues, port } from '../options.js';
import { untilStopped } from '../signals.js';

export interface ServeOptions {
  port: number;
  host: string;
  conformance?: boolean;
  controlToken?: string;
  db?: string;
  config?: Record<string, number>;
  mutant?: ServerMutantId[];
}

/** `--mutant a,b --mutant c`: collects catalogue ids; an unknown one is a usage error listing the valid ones. */
export function mutantIds(value: string, previous: ServerMutantId[] = []): ServerMutantId[] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const id = part.trim();
    if (!isServerMutantId(id)) throw new InvalidArgumentError(new UnknownMutantError(id).message);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export const registerServe: CommandRegistrar = (program, ctx) => {
  program
    .command('serve')
    .summary('run the reference server and the browser web client page')
    .description(
      'Run the reference QR Link v1 server (/v1/phone, /v1/web) and serve the browser web client at /. ' +
        'With --conformance, also open the control endpoint /v1/control (token required) and run every timer on a manual clock.',
    )
    .option('--port <n>', 'TCP port (0: any free port)', port, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--conformance', 'open /v1/control and run every timer on a manual clock')
    .option('--control-token <token>', 'control endpoint token (default: $QRLINK_CONTROL_TOKEN, else random)')
    .option('--db <file>', 'keep accounts, device tokens and kept sessions in this SQLite file')
    .option('--config <k=v,...>', 'timers and limits, e.g. qrTtlMs=20000,sessionLimit=1', keyValues)
    .option(
      '--mutant <id[,id...]>',
      'switch on a deliberate fault (repeatable; see impl/server/mutants.ts), for testing test suites',
      mutantIds,
    )
    .action(async (opts: ServeOptions) => {
      const { io } = ctx;
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          port: opts.port,
          host: opts.host,
          conformance: opts.conformance === true,
          controlToken: opts.controlToken ?? process.env.QRLINK_CONTROL_TOKEN,
          db: opts.db,
          config: opts.config,
          mutants: opts.mutant ?? [],
          page: async () => (await buildWebPage()).html,
          log: (line) => io.out(`${line}\n`),
        });
      } catch (err) {
        throw new UsageError(`serve: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      }
      const lines = [
        `qrlink serve: web client page at ${server.url}/`,
        `qrlink serve: phones connect to ${server.wsUrl}/v1/phone, web clients to ${server.wsUrl}/v1/web`,
      ];
      if (opts.conformance) {
        // The server logs a token it generated [CTL-2]; a token the user gave is not echoed.
        lines.push(`qrlink serve: control endpoint ${server.wsUrl}/v1/control (Authorization: Bearer <token>)`);
      }
      for (const id of opts.mutant ?? []) {
        const m = serverMutant(id);
        io.err(
          `qrlink serve: WARNING: deliberately broken server: mutant ${id} breaks ${m.clauses.join(', ')}: ${m.description}\n`,
        );
      }
      io.out(`${lines.join('\n')}\n`);
      await untilStopped();
      await server.close();
      ctx.setExit(Exit.ok);
    });
};
