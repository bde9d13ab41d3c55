/**
 * What `qrlink check` shows while it runs, and the line it ends with. On a TTY: a live progress bar
 * (cli-progress) with the counts per verdict so far and the case running; elsewhere (CI logs,
 * pipes): nothing per case, so logs stay short, and the CLI prints `summaryLine` at the end.
 *
 * `summaryLine` always contains `<n> passed, <n> failed` literally: CI systems grep for it.
 */

import { Writable } from 'node:stream';
import cliProgress from 'cli-progress';
import { replaceForbiddenChars, truncate } from './markup-escape.js';
import { formatCount, formatDuration } from './number-format.js';
import type { RunReport, Verdict } from './run-report.js';

/** Where the display writes: stderr's text as is (no newline added), and whether it is a terminal. */
export interface ProgressIo {
  readonly isTTY: boolean;
  err(text: string): void;
  /** Terminal width in columns (default 80). */
  readonly columns?: number;
}

export interface Progress {
  /** One case finished with this verdict. */
  tick(caseId: string, verdict: Verdict): void;
  /** The run is over: draw the final state and release the terminal line. */
  done(): void;
}

type Tally = Record<Verdict, number>;

function emptyTally(): Tally {
  return { passed: 0, failed: 0, skipped: 0, 'non-strict': 0, 'expected-failure': 0, 'unexpected-pass': 0 };
}

/** A case id fit for a terminal: no control characters (no escape sequences from a hostile target). */
function terminalSafe(text: string): string {
  return truncate(replaceForbiddenChars(text).replace(/[\t\n\r]/g, ' '), 40);
}

function tallyText(t: Tally): string {
  const parts = [`${t.passed} passed`, `${t.failed} failed`];
  if (t.skipped > 0) parts.push(`${t.skipped} skipped`);
  if (t['non-strict'] > 0) parts.push(`${t['non-strict']} non-strict`);
  if (t['expected-failure'] > 0) parts.push(`${t['expected-failure']} expected`);
  if (t['unexpected-pass'] > 0) parts.push(`${t['unexpected-pass']} unexpected pass`);
  return parts.join(', ');
}

/** The live display (a no-op unless `io.isTTY`). */
export function createProgress(io: ProgressIo, total: number): Progress {
  if (!io.isTTY) return { tick() {}, done() {} };
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, callback) {
        io.err(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
        callback();
      },
      decodeStrings: false,
    }),
    { isTTY: true, columns: io.columns ?? 80 },
  );
  const tally = emptyTally();
  let last = '';
  const bar = new cliProgress.SingleBar({
    stream,
    format: (options, params) => {
      const size = options.barsize ?? 30;
      const filled = Math.round(Math.max(0, Math.min(1, params.progress)) * size);
      return `qrlink check [${'='.repeat(filled)}${'-'.repeat(size - filled)}] ${params.value}/${params.total} | ${tallyText(tally)}${
        last === '' ? '' : ` | ${last}`
      }`;
    },
    barsize: 24,
    hideCursor: true,
    clearOnComplete: false,
    linewrap: false,
    fps: 10,
  });
  bar.start(Math.max(0, total), 0);
  let finished = false;
  return {
    tick(caseId, verdict) {
      if (finished) return;
      tally[verdict]++;
      last = terminalSafe(caseId);
      bar.increment();
    },
    done() {
      if (finished) return;
      finished = true;
      last = '';
      bar.stop();
    },
  };
}

/**
 * The run's closing line, e.g. `qrlink check: 123 passed, 0 failed, 2 skipped, 1 non-strict (4.2 s,
 * 5,300 steps/s) -> reports/latest/index.html`. Zero counts beyond passed and failed are left out.
 */
export function summaryLine(report: Pick<RunReport, 'summary'>, reportPath?: string): string {
  const s = report.summary;
  const parts = [`${s.passed} passed`, `${s.failed} failed`];
  if (s.skipped > 0) parts.push(`${s.skipped} skipped`);
  if (s.nonStrict > 0) parts.push(`${s.nonStrict} non-strict`);
  if (s.expectedFailures > 0)
    parts.push(`${s.expectedFailures} expected ${s.expectedFailures === 1 ? 'failure' : 'failures'}`);
  if (s.unexpectedPasses > 0)
    parts.push(`${s.unexpectedPasses} unexpected ${s.unexpectedPasses === 1 ? 'pass' : 'passes'}`);
  const timing = `(${formatDuration(s.durationMs)}, ${formatCount(s.stepsPerSec)} steps/s)`;
  return `qrlink check: ${parts.join(', ')} ${timing}${reportPath === undefined ? '' : ` -> ${reportPath}`}`;
}
