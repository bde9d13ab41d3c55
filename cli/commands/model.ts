import { type CommandRegistrar, notAvailable } from '../context.js';
import { keyValues } from '../options.js';

export interface ModelOptions {
  json?: boolean;
  bounds?: Record<string, number>;
  fault?: string[];
}

export const registerModel: CommandRegistrar = (program, ctx) => {
  program
    .command('model')
    .summary('explore the composed model within its bounds and check every invariant')
    .description(
      'Explore the composed model (phone, web, server, network, clock, adversary) breadth-first within ' +
        'its bounds, check every invariant in every state and the liveness checks on the graph. ' +
        'Exit 0 with no violation, 1 with one (its shortest trace is printed).',
    )
    .option('--json', 'print exactly one JSON object with states, transitions, invariants and violations')
    .option('--bounds <k=v,...>', 'exploration bounds, e.g. webClients=2,phones=2,refs=3', keyValues)
    .option('--fault <id...>', 'switch on a planted fault (to see the explorer find it)')
    .action(async (_opts: ModelOptions) => {
      ctx.setExit(notAvailable(ctx, 'model', 'the model explorer', 5));
    });
};
