import { Option } from 'commander';
import { type CommandRegistrar, notAvailable } from '../context.js';
import { httpUrl, integer, wsUrl } from '../options.js';

export interface CheckOptions {
  target?: string;
  role: 'server' | 'web' | 'phone';
  controlToken?: string;
  browser?: string;
  seed?: number;
  runs?: number;
  filter?: string;
  strict?: boolean;
  list?: boolean;
  replay?: string;
  expectFailures?: string;
  out: string;
  json?: boolean;
}

export const registerCheck: CommandRegistrar = (program, ctx) => {
  program
    .command('check')
    .summary('run the conformance suite against a target (default: the embedded reference)')
    .description(
      'Run the conformance suite. With no --target, against the embedded reference implementation. ' +
        'Exit 0 iff every check passed, 1 if any failed, 2 on usage or connection errors.',
    )
    .option('--target <url>', 'ws:// URL of the implementation under test (a server, or a client driver)', wsUrl)
    .addOption(new Option('--role <role>', 'role of the target').choices(['server', 'web', 'phone']).default('server'))
    .option('--control-token <token>', 'control endpoint token of the target (default: $QRLINK_CONTROL_TOKEN)')
    .option('--browser <url>', 'check a browser web client page at this http(s) URL in chromium', httpUrl)
    .option('--seed <n>', 'seed of the property-based runs (replays a printed failure)', integer(0, 2 ** 31 - 1))
    .option('--runs <n>', 'number of property-based runs', integer(1, 1_000_000))
    .option('--filter <text>', 'run only the cases whose id or title contains this text')
    .option('--strict', 'fail the run on missed SHOULD requirements too (non-strict verdicts)')
    .option('--list', 'print the case catalogue (id, title, clauses) and run nothing')
    .option('--replay <file>', 're-run exactly the trace saved in this file')
    .option('--expect-failures <file>', 'JSON list of {id, reason} cases expected to fail')
    .option('--out <dir>', 'where to write report.json, junit.xml and index.html', 'reports/latest')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (_opts: CheckOptions) => {
      ctx.setExit(notAvailable(ctx, 'check', 'the conformance engine', 6));
    });
};
