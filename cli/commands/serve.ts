import { type CommandRegistrar, notAvailable } from '../context.js';
import { keyValues, port } from '../options.js';

export interface ServeOptions {
  port: number;
  host: string;
  conformance?: boolean;
  controlToken?: string;
  db?: string;
  config?: Record<string, number>;
}

export const registerServe: CommandRegistrar = (program, ctx) => {
  program
    .command('serve')
    .summary('run the reference server and the browser web client page')
    .description(
      'Run the reference QR Link v1 server (/v1/phone, /v1/web) and serve the browser web client at /. ' +
        'With --conformance, also open the control endpoint /v1/control (token required).',
    )
    .option('--port <n>', 'TCP port (0: any free port)', port, 8080)
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--conformance', 'open /v1/control and run every timer on a manual clock')
    .option('--control-token <token>', 'control endpoint token (default: $QRLINK_CONTROL_TOKEN, else random)')
    .option('--db <file>', 'keep accounts, device tokens and kept sessions in this SQLite file')
    .option('--config <k=v,...>', 'timers and limits, e.g. qrTtlMs=20000,sessionLimit=1', keyValues)
    .action(async (_opts: ServeOptions) => {
      ctx.setExit(notAvailable(ctx, 'serve', 'the reference server', 4));
    });
};
