import { createInterface } from 'node:readline';
import { runPhoneTerminal, startPhone } from '../../impl/phone/index.js';
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
        log: (line) => io.out(`${line}\n`),
      }).catch((err: unknown) => {
        throw new UsageError(`phone: cannot start: ${err instanceof Error ? err.message : String(err)}`);
      });
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
