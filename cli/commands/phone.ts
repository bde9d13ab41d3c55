import { createInterface } from 'node:readline';
import { InvalidArgumentError } from 'commander';
import {
  isPhoneMutantId,
  type PhoneMutantId,
  phoneMutants,
  runPhoneTerminal,
  startPhone,
  UnknownPhoneMutantError,
} from '../../impl/phone/index.js';
import type { CommandRegistrar } from '../context.js';
import { Exit, UsageError } from '../io.js';
import { E164, port, wsUrl } from '../options.js';
import { untilStopped } from '../signals.js';

export interface PhoneOptions {
  server?: string;
  driverPort?: number;
  phone?: string;
  name?: string;
  state?: string;
  mutant?: PhoneMutantId[];
}

/** `--mutant a,b --mutant c`: collects phone mutant ids; an unknown one is a usage error listing the valid ones. */
export function phoneMutantIds(value: string, previous: PhoneMutantId[] = []): PhoneMutantId[] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const id = part.trim();
    if (!isPhoneMutantId(id)) throw new InvalidArgumentError(new UnknownPhoneMutantError([id]).message);
    if (!out.includes(id)) out.push(id);
  }
  return out;
}

export const registerPhone: CommandRegistrar = (program, ctx) => {
  program
    .command('phone')
    .summary('run the reference phone (interactive, or driven through its driver endpoint)')
    .description(
      'Run the reference phone: register, scan a QR text (paste it), approve or decline, serve the chat history. ' +
        'With --driver-port, a test suite can act as its user over the driver protocol (docs/protocol.md section 16).',
    )
    .option('--server <url>', 'ws:// base URL of the server, e.g. ws://127.0.0.1:8080', wsUrl)
    .option('--driver-port <n>', 'open the driver endpoint on 127.0.0.1 at this port (0: any)', port)
    .option('--phone <e164>', 'phone number to register at start', E164)
    .option('--name <name>', "the owner's display name, shown to linked browsers")
    .option('--state <file>', 'keep the device token and linked sessions in this file across restarts')
    .option(
      '--mutant <id[,id...]>',
      'switch on a deliberate fault (repeatable; see impl/phone/mutants.ts), for testing test suites',
      phoneMutantIds,
    )
    .action(async (opts: PhoneOptions) => {
      const { io } = ctx;
      if (!opts.server && opts.driverPort === undefined) {
        throw new UsageError('phone: give --server URL (interactive) or --driver-port N (driven by a suite)');
      }
      const phone = await startPhone({
        server: opts.server,
        driverPort: opts.driverPort,
        phone: opts.phone,
        name: opts.name,
        stateFile: opts.state,
        mutants: opts.mutant ?? [],
        log: (line) => io.out(`${line}\n`),
      }).catch((err: unknown) => {
        throw new UsageError(`phone: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      });
      for (const id of opts.mutant ?? []) {
        const m = phoneMutants.find((x) => x.id === id);
        io.err(
          `qrlink phone: WARNING: deliberately broken phone: mutant ${id} breaks ${m?.clauses.join(', ')}: ${m?.description}\n`,
        );
      }
      if (phone.driverPort !== undefined) io.out(`qrlink phone: driver endpoint ws://127.0.0.1:${phone.driverPort}/\n`);
      if (phone.driverPort === undefined || process.stdin.isTTY) {
        const lines = createInterface({ input: process.stdin, terminal: false });
        const typed = runPhoneTerminal(phone.core, { lines, out: io.out });
        await (phone.driverPort === undefined ? Promise.race([typed, untilStopped()]) : untilStopped());
        lines.close();
      } else {
        await untilStopped();
      }
      await phone.close();
      ctx.setExit(Exit.ok);
    });
};
