import { type CommandRegistrar, notAvailable } from '../context.js';
import { E164, port, wsUrl } from '../options.js';

export interface PhoneOptions {
  server?: string;
  driverPort?: number;
  phone?: string;
}

export const registerPhone: CommandRegistrar = (program, ctx) => {
  program
    .command('phone')
    .summary('run the reference phone (interactive, or driven through its driver endpoint)')
    .description(
      'Run the reference phone: register, scan a QR text, approve or decline, serve the chat history. ' +
        'With --driver-port, a test suite can act as its user over the driver protocol.',
    )
    .option('--server <url>', 'ws:// URL of the server', wsUrl)
    .option('--driver-port <n>', 'open the driver endpoint on 127.0.0.1 at this port (0: any)', port)
    .option('--phone <e164>', 'phone number to register', E164)
    .action(async (_opts: PhoneOptions) => {
      ctx.setExit(notAvailable(ctx, 'phone', 'the reference phone', 4));
    });
};
