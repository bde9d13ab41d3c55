import { type CommandRegistrar, notAvailable } from '../context.js';

export interface BenchOptions {
  json?: boolean;
  quick?: boolean;
  only?: string;
}

export const registerBench: CommandRegistrar = (program, ctx) => {
  program
    .command('bench')
    .summary('run the benchmarks, each as a ratio against a baseline measured in the same run')
    .description(
      'Run the benchmarks (relay, link, sessions, explorer, suite, load with faults). Each prints ' +
        'a ratio against a baseline measured in the same run.',
    )
    .option('--json', 'print {machine: {cpus, node}, benchmarks: [{id, metric, ours, baseline, ratio, unit, notes}]}')
    .option('--quick', 'CI-sized runs')
    .option('--only <ids>', 'comma-separated benchmark ids')
    .action(async (_opts: BenchOptions) => {
      ctx.setExit(notAvailable(ctx, 'bench', 'the benchmark suite', 9));
    });
};
