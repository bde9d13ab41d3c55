import { type CommandRegistrar, notAvailable } from '../context.js';
import { port, wsUrl } from '../options.js';

export interface WebOptions {
  server?: string;
  driverPort?: number;
  keep?: boolean;
  storage?: string;
}

export const registerWeb: CommandRegistrar = (program, ctx) => {
  program
    .command('web')
    .summary('run the reference web client in the terminal (or driven through its driver endpoint)')
    .description(
      'Run the reference web client as a Node process: shows the QR (as text too), then the chats. ' +
        'With --driver-port, a test suite can act as its user over the driver protocol.',
    )
    .option('--server <url>', 'ws:// URL of the server', wsUrl)
    .option('--driver-port <n>', 'open the driver endpoint on 127.0.0.1 at this port (0: any)', port)
    .option('--keep', 'keep me signed in (store a resume token)')
    .option('--storage <file>', 'where a kept resume token is stored')
    .action(async (_opts: WebOptions) => {
      ctx.setExit(notAvailable(ctx, 'web', 'the reference web client', 4));
    });
};
