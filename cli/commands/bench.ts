import type { Benchmark } from '../../bench/bench-result.js';
import { formatBenchTable } from '../../bench/bench-table.js';
import { allBenchmarks, runBenchmarks, selectBenchmarks, UnknownBenchmarkError } from '../../bench/run-benchmarks.js';
import type { CommandRegistrar } from '../context.js';
import { Exit, UsageError } from '../io.js';

export interface BenchOptions {
  json?: boolean;
  quick?: boolean;
  only?: string;
}

/** `registerBench` with the benchmarks it runs injectable (tests run tiny fake ones). */
export function benchCommand(benchmarks: readonly Benchmark[] = allBenchmarks): CommandRegistrar {
  return (program, ctx) => {
    program
      .command('bench')
      .summary('run the benchmarks, each as a ratio against a baseline measured in the same run')
      .description(
        'Run the benchmarks (relay, link, sessions, explorer, suite, load-faults). Each prints ' +
          'a ratio against a baseline measured in the same run (1 = as good as the baseline). ' +
          'Exit 1 when a benchmark fails or finds a correctness problem (a lost frame, a leak).',
      )
      .option(
        '--json',
        'print exactly one object {machine: {cpus, node}, benchmarks: [{id, metric, ours, baseline, ratio, unit, notes}]}',
      )
      .option('--quick', 'CI-sized runs (well under a minute)')
      .option('--only <ids>', `comma-separated benchmark ids (${benchmarks.map((b) => b.id).join(', ')})`)
      .action(async (opts: BenchOptions) => {
        let selected: Benchmark[];
        try {
          selected = selectBenchmarks(opts.only, benchmarks);
        } catch (err) {
          if (err instanceof UnknownBenchmarkError) throw new UsageError(`bench: ${err.message}`);
          throw err;
        }
        // With --json, stdout carries the JSON object only; progress goes to stderr.
        const say = (line: string) => ctx.io.err(`${line}\n`);
        const { report, problems } = await runBenchmarks(selected, { quick: opts.quick === true, say });
        ctx.io.out(opts.json ? `${JSON.stringify(report)}\n` : formatBenchTable(report));
        for (const p of problems) ctx.io.err(`qrlink bench: ${p}\n`);
        ctx.setExit(problems.length === 0 ? Exit.ok : Exit.failed);
      });
  };
}

export const registerBench: CommandRegistrar = benchCommand();
