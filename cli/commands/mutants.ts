import { Option } from 'commander';
import { type CommandRegistrar, notAvailable } from '../context.js';

export interface MutantsOptions {
  json?: boolean;
  list?: boolean;
  role?: 'server' | 'web' | 'phone';
  out?: string;
}

export const registerMutants: CommandRegistrar = (program, ctx) => {
  program
    .command('mutants')
    .summary('run the suite against every built-in faulty implementation and print the kill matrix')
    .description(
      'Run the conformance suite against each built-in mutant (a realistic fault switched on in the ' +
        'reference implementation). Exit 0 iff every mutant is killed.',
    )
    .option('--json', 'print {mutants: [{id, role, description, clauses, killed, killedBy, firstKillMs}]}')
    .option('--list', 'print one mutant a line (id, role, description) and run nothing')
    .addOption(new Option('--role <role>', 'only the mutants of this role').choices(['server', 'web', 'phone']))
    .option('--out <dir>', 'also write an HTML report with the mutation score')
    .action(async (_opts: MutantsOptions) => {
      ctx.setExit(notAvailable(ctx, 'mutants', 'the mutant catalogue', 8));
    });
};
