import { explore } from '../../model/explorer/explore.js';
import { formatExploreResult } from '../../model/explorer/format.js';
import { parseBounds } from '../../model/system/bounds.js';
import { type FaultId, faultIds, parseFaultId, revealingRuns } from '../../model/system/faults.js';
import type { CommandRegistrar } from '../context.js';
import { Exit, UsageError } from '../io.js';

export interface ModelOptions {
  json?: boolean;
  bounds?: string;
  fault?: string[];
  reduce: boolean;
}

function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(`model: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export const registerModel: CommandRegistrar = (program, ctx) => {
  program
    .command('model')
    .summary('explore the composed model within its bounds and check every invariant')
    .description(
      'Explore the composed model (phone, web clients, server, FIFO channels, clock, adversary) breadth-first within ' +
        'its bounds, check every invariant in every state and the liveness checks on the graph. ' +
        'Exit 0 with no violation, 1 with one (its shortest trace is printed).',
    )
    .option('--json', 'print exactly one JSON object with states, transitions, invariants and violations')
    .option('--bounds <k=v,...>', 'exploration bounds, e.g. tabs=2,phones=2,refs=2,logout=1')
    .option(
      '--fault <id...>',
      `switch on a planted fault to see it found, at bounds that reveal it unless --bounds is given (${faultIds.join(', ')})`,
    )
    .option('--no-reduce', 'explore every interleaving (no partial-order reduction): slower, traces BFS-shortest')
    .action(async (opts: ModelOptions) => {
      const faults: FaultId[] = (opts.fault ?? []).map((f) => parseOrUsage(() => parseFaultId(f)));
      // A planted fault shows only at bounds that reach it: without --bounds, use those of the first fault.
      const revealing = faults[0] === undefined || opts.bounds !== undefined ? undefined : revealingRuns[faults[0]];
      const bounds =
        opts.bounds === undefined ? (revealing?.bounds ?? {}) : parseOrUsage(() => parseBounds(opts.bounds as string));
      const reduce = opts.reduce && (revealing?.reduce ?? true);
      const result = explore({ bounds, faults, reduce });
      ctx.io.out(opts.json ? `${JSON.stringify(result)}\n` : `${formatExploreResult(result)}\n`);
      ctx.setExit(result.violations.length === 0 ? Exit.ok : Exit.failed);
    });
};
