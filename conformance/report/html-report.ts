/**
 * `index.html`: the run for people. One self-contained file: inline CSS, no script, no network (no
 * CDN, no web fonts; a Content-Security-Policy meta tag forbids loading anything), so it opens from
 * a CI artifact or an e-mail attachment. Sections, in reading order: header (target, role, seed,
 * strict, date, version), summary with a PASS/FAIL banner, coverage bars, the clause table (every
 * clause of docs/protocol.md, unchecked ones highlighted), each role's statechart, the failures
 * (requirement, reason, expected vs actual with the lines that differ marked, sequence diagram,
 * replay commands), warnings (non-strict,
 * unexpected passes, expected failures), then every case with its trace and wire log.
 *
 * Every string from the report goes through `escapeMarkup`; the only markup taken as is are the
 * chart SVGs, which must come from `renderChartSvg` (Graphviz escapes what it draws).
 */

import { jsonText } from './json-text.js';
import { diffLines } from './line-diff.js';
import { escapeMarkup as h, truncate } from './markup-escape.js';
import { formatCount, formatDuration, formatPercent } from './number-format.js';
import { replayCommands } from './replay-command.js';
import { baseCss, pageHead } from './report-style.js';
import { failsRun, runPassed } from './run-outcome.js';
import type { CaseResult, ChartCoverage, CoverageCount, RunReport, Verdict, WireEntry } from './run-report.js';
import { traceToSequenceSvg } from './sequence-diagram.js';
import { chartColours } from './statechart-svg.js';

export interface HtmlSvgs {
  /** Rendered statecharts by chart id (from `renderChartSvg`); a missing one is shown as a list. */
  readonly charts: Readonly<Record<string, string>>;
}

export interface HtmlOptions {
  /** The report directory as the user named it, so replay commands give a path that works from there. */
  readonly reportDir?: string;
}

/** Wire log rows shown per case in the all-cases table; the rest is in report.json. */
const maxWireRows = 400;
/** Characters of pretty JSON shown for an expected or actual value. */
const maxJson = 20_000;

const verdictLabels: Record<Verdict, string> = {
  passed: 'passed',
  failed: 'failed',
  skipped: 'skipped',
  'non-strict': 'non-strict',
  'expected-failure': 'expected failure',
  'unexpected-pass': 'unexpected pass',
};

const css = `
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg-soft: #f6f8fa;
  --pass: #1a7f37; --fail: #cf222e; --skip: #6e7781; --warn: #9a6700; --xfail: #8250df; --xpass: #0969da; }
${baseCss}
nav { font-size: 13px; color: var(--muted); margin-bottom: 8px; } nav a { margin-right: 12px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; word-break: break-all; }
.banner { border-radius: 8px; padding: 14px 18px; font-size: 20px; font-weight: 600; color: #fff; margin: 12px 0; }
.banner.pass { background: var(--pass); } .banner.fail { background: var(--fail); }
.banner small { font-size: 14px; font-weight: 400; opacity: .95; margin-left: 12px; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.count { border: 1px solid var(--border); border-radius: 6px; padding: 6px 12px; min-width: 110px; }
.count b { display: block; font-size: 20px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; white-space: nowrap; }
.v-passed { background: var(--pass); } .v-failed { background: var(--fail); } .v-skipped { background: var(--skip); }
.v-non-strict { background: var(--warn); } .v-expected-failure { background: var(--xfail); } .v-unexpected-pass { background: var(--xpass); }
.v-unchecked { background: #bf8700; }
.bars { display: grid; grid-template-columns: 170px 1fr 150px; gap: 8px 14px; align-items: center; max-width: 900px; }
.bar { height: 14px; background: #ffebe9; border-radius: 7px; overflow: hidden; border: 1px solid var(--border); }
.bar > div { height: 100%; background: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--border); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; position: sticky; top: 0; }
tr.unchecked td { background: #fff8c5; } tr.failed td { background: #fff5f5; }
td.num { text-align: right; white-space: nowrap; } td.id { white-space: nowrap; }
.chart { border: 1px solid var(--border); border-radius: 8px; padding: 10px; margin: 12px 0; overflow: auto; }
.chart svg { max-width: 100%; height: auto; }
.legend { font-size: 12px; color: var(--muted); display: flex; flex-wrap: wrap; gap: 18px; margin-top: 6px; }
.legend span.line { display: inline-block; width: 28px; vertical-align: middle; margin-right: 6px; border-top-width: 2px; }
.legend span.dot { display: inline-block; width: 14px; height: 14px; border-radius: 50%; vertical-align: middle; margin-right: 6px; }
.card { border: 1px solid var(--border); border-left: 5px solid var(--fail); border-radius: 6px; padding: 4px 14px 12px; margin: 14px 0; }
.card.warn { border-left-color: var(--warn); } .card.xfail { border-left-color: var(--xfail); } .card.xpass { border-left-color: var(--xpass); }
.card > summary { cursor: pointer; padding: 8px 0; font-weight: 600; }
blockquote { margin: 6px 0; padding: 4px 12px; border-left: 3px solid var(--border); color: var(--muted); }
mark.only-expected { background: #dafbe1; color: inherit; } mark.only-actual { background: #ffd8d3; color: inherit; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; } .pair h4 { margin: 6px 0 0; font-size: 13px; }
.seq { overflow: auto; border: 1px solid var(--border); border-radius: 6px; margin: 8px 0; max-height: 900px; }
details.case > summary { cursor: pointer; }
.muted { color: var(--muted); }
.dir-out { color: #0969da; } .dir-in { color: #8250df; } .closed { color: var(--fail); font-weight: 600; }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
`;

/** Unique, valid HTML ids for case and clause anchors. */
class Anchors {
  readonly #ids = new Map<string, string>();
  readonly #used = new Set<string>();
  get(kind: 'case' | 'clause' | 'failure', key: string): string {
    const mapKey = `${kind}\u0000${key}`;
    const known = this.#ids.get(mapKey);
    if (known !== undefined) return known;
    const base = `${kind}-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    let id = base;
    for (let n = 2; this.#used.has(id); n++) id = `${base}-${n}`;
    this.#used.add(id);
    this.#ids.set(mapKey, id);
    return id;
  }
}

function badge(status: Verdict | 'unchecked' | 'passed' | 'failed' | 'skipped'): string {
  const label = status === 'unchecked' ? 'unchecked' : verdictLabels[status];
  return `<span class="badge v-${status}">${h(label)}</span>`;
}

function header(report: RunReport): string {
  const rows: [string, string][] = [
    ['target', report.target],
    ['role', report.role],
    ['seed', String(report.seed)],
    ['strict', report.strict ? 'yes (non-strict verdicts fail the run)' : 'no'],
    ['date', report.generatedAt],
    ['qrlink', report.qrlinkVersion],
  ];
  return `<header>
<h1>qrlink conformance report</h1>
<nav><a href="#summary">Summary</a><a href="#coverage">Coverage</a><a href="#clauses">Clauses</a><a href="#charts">Statecharts</a><a href="#failures">Failures</a><a href="#warnings">Warnings</a><a href="#cases">All cases</a></nav>
<dl class="meta">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join('')}</dl>
</header>`;
}

function summary(report: RunReport): string {
  const s = report.summary;
  const passed = runPassed(report);
  const counts: [Verdict, number][] = [
    ['passed', s.passed],
    ['failed', s.failed],
    ['skipped', s.skipped],
    ['non-strict', s.nonStrict],
    ['expected-failure', s.expectedFailures],
    ['unexpected-pass', s.unexpectedPasses],
  ];
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  return `<section id="summary">
<h2>Summary</h2>
<div class="banner ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}<small>${h(
    `${formatCount(total)} cases: ${formatCount(s.passed)} passed, ${formatCount(s.failed)} failed${
      report.strict && s.nonStrict > 0 ? `, ${formatCount(s.nonStrict)} non-strict under --strict` : ''
    }`,
  )}</small></div>
<div class="counts">${counts
    .map(([v, n]) => `<div class="count"><b>${formatCount(n)}</b>${badge(v)}</div>`)
    .join(
      '',
    )}<div class="count"><b>${h(formatDuration(s.durationMs))}</b><span class="muted">duration</span></div><div class="count"><b>${formatCount(s.steps)}</b><span class="muted">protocol steps</span></div><div class="count"><b>${formatCount(s.stepsPerSec)}</b><span class="muted">steps/s</span></div></div>
</section>`;
}

function coverageRow(label: string, count: CoverageCount): string {
  const pct = count.total > 0 ? Math.min(100, (count.covered / count.total) * 100) : 0;
  const missed = count.missed ?? [];
  const shown = missed.slice(0, 300);
  const missedHtml =
    missed.length === 0
      ? ''
      : `<details><summary class="muted">${formatCount(missed.length)} missed</summary><p class="mono">${shown
          .map((m) => h(m))
          .join(
            ', ',
          )}${missed.length > shown.length ? ` … and ${formatCount(missed.length - shown.length)} more` : ''}</p></details>`;
  return `<div>${h(label)}</div><div class="bar" title="${h(formatPercent(count.covered, count.total))}"><div style="width:${pct.toFixed(
    2,
  )}%"></div></div><div class="mono">${formatCount(count.covered)}/${formatCount(count.total)} (${h(
    formatPercent(count.covered, count.total),
  )})</div>${missedHtml === '' ? '' : `<div></div><div style="grid-column: span 2">${missedHtml}</div>`}`;
}

function coverage(report: RunReport): string {
  const c = report.coverage;
  return `<section id="coverage">
<h2>Coverage</h2>
<div class="bars">${coverageRow('Model states', c.states)}${coverageRow('Model transitions', c.transitions)}${coverageRow(
    'Transition pairs',
    c.transitionPairs,
  )}${coverageRow('Spec clauses', c.clauses)}</div>
</section>`;
}

function clauseTable(report: RunReport, anchors: Anchors): string {
  const known = new Set(report.cases.map((c) => c.id));
  const rows = report.coverage.clauses.items.map((item) => {
    const cases = item.cases
      .map((id) =>
        known.has(id) ? `<a href="#${anchors.get('case', id)}">${h(id)}</a>` : `<span class="mono">${h(id)}</span>`,
      )
      .join(', ');
    const cls = item.status === 'unchecked' ? ' class="unchecked"' : item.status === 'failed' ? ' class="failed"' : '';
    return `<tr${cls} id="${anchors.get('clause', item.id)}"><td class="id mono">${h(item.id)}</td><td>${h(item.level)}</td><td>${h(
      item.text,
    )}</td><td class="mono">${
      cases === '' ? `<span class="muted">${item.note ? h(item.note) : 'none'}</span>` : cases
    }</td><td>${badge(item.status)}</td></tr>`;
  });
  const unchecked = report.coverage.clauses.items.filter((i) => i.status === 'unchecked' && !i.note).length;
  const unobservable = report.coverage.clauses.items.filter((i) => i.status === 'unchecked' && i.note).length;
  return `<section id="clauses">
<h2>Clause coverage</h2>
<p class="muted">Every clause of docs/protocol.md, the cases that check it and their combined verdict. ${
    unchecked === 0 ? 'Every clause is checked.' : `${formatCount(unchecked)} unchecked (highlighted).`
  }${unobservable === 0 ? '' : ` ${formatCount(unobservable)} cannot be checked over the wire (the reason is given); they are not counted.`}</p>
<table><thead><tr><th>Clause</th><th>Level</th><th>Requirement</th><th>Checked by</th><th>Status</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</section>`;
}

function chartLegend(): string {
  return `<div class="legend"><span><span class="line" style="border-top: 2px solid ${chartColours.covered}"></span>covered</span><span><span class="line" style="border-top: 2px dashed ${chartColours.missed}"></span>missed</span><span><span class="dot" style="border: 3px double ${chartColours.covered}"></span>final state</span><span><span class="dot" style="width:8px;height:8px;background:${chartColours.initial}"></span>initial state</span><span>edge label: event [clauses]</span></div>`;
}

function chartSection(report: RunReport, svgs: HtmlSvgs): string {
  const one = (chart: ChartCoverage): string => {
    const states = chart.states.filter((s) => s.covered).length;
    const transitions = chart.transitions.filter((t) => t.covered).length;
    const svg = svgs.charts[chart.id];
    const missed = chart.transitions.filter((t) => !t.covered);
    const body =
      svg !== undefined
        ? svg
        : `<p class="muted">The drawing could not be rendered. Missed transitions: ${
            missed.length === 0
              ? 'none'
              : missed.map((t) => `<code>${h(`${t.from} --${t.event}--> ${t.to}`)}</code>`).join(', ')
          }</p>`;
    return `<div class="chart"><h3>${h(chart.id)} <span class="muted">(${h(chart.role)}: states ${formatCount(states)}/${formatCount(
      chart.states.length,
    )}, transitions ${formatCount(transitions)}/${formatCount(chart.transitions.length)})</span></h3>${body}${chartLegend()}</div>`;
  };
  return `<section id="charts">
<h2>Statecharts</h2>
${report.charts.length === 0 ? '<p class="muted">No statechart in this run.</p>' : report.charts.map(one).join('\n')}
</section>`;
}

function clauseLinks(c: CaseResult, anchors: Anchors, knownClauses: ReadonlySet<string>): string {
  if (c.clauses.length === 0) return '<span class="muted">none</span>';
  return c.clauses
    .map((id) =>
      knownClauses.has(id)
        ? `<a class="mono" href="#${anchors.get('clause', id)}">${h(id)}</a>`
        : `<span class="mono">${h(id)}</span>`,
    )
    .join(' ');
}

/** Pretty JSON lines, cut to `maxJson` characters. */
function jsonLines(value: unknown): string[] {
  return truncate(jsonText(value, 2), maxJson).split('\n');
}

/** Lines in a `<pre>`, those marked wrapped in `<mark class>` (the lines only one side has). */
function markedPre(lines: readonly string[], marks: readonly boolean[], cls: string): string {
  return `<pre>${lines.map((line, i) => (marks[i] === true ? `<mark class="${cls}">${h(line)}</mark>` : h(line))).join('\n')}</pre>`;
}

function detailCard(
  report: RunReport,
  c: CaseResult,
  anchors: Anchors,
  knownClauses: ReadonlySet<string>,
  opts: HtmlOptions,
  open: boolean,
): string {
  const cls =
    c.status === 'failed' || failsRun(c.status, report.strict)
      ? 'card'
      : c.status === 'expected-failure'
        ? 'card xfail'
        : c.status === 'unexpected-pass'
          ? 'card xpass'
          : 'card warn';
  const parts: string[] = [];
  parts.push(
    `<p>Clauses: ${clauseLinks(c, anchors, knownClauses)} · section ${h(c.section)} · ${h(c.kind)} · ${h(
      formatDuration(c.durationMs),
    )} · <a href="#${anchors.get('case', c.id)}">in the case table</a></p>`,
  );
  if (c.requirement !== undefined) parts.push(`<blockquote>${h(c.requirement)}</blockquote>`);
  if (c.reason !== undefined) parts.push(`<p><b>Reason:</b> ${h(c.reason)}</p>`);
  if (c.error !== undefined) {
    const step = c.error.step === undefined ? undefined : c.trace.find((s) => s.index === c.error?.step);
    parts.push(
      `<p><b>Error:</b> ${h(c.error.message)}${
        c.error.step === undefined
          ? ''
          : ` <span class="muted">(step ${c.error.step}${step === undefined ? '' : `: ${h(step.actor)}: ${h(step.action)}`})</span>`
      }</p>`,
    );
    if (c.error.expected !== undefined || c.error.actual !== undefined) {
      const expected = jsonLines(c.error.expected ?? null);
      const actual = jsonLines(c.error.actual ?? null);
      const marks = diffLines(expected, actual);
      parts.push(
        `<div class="pair"><div><h4>Expected (model)</h4>${markedPre(expected, marks.onlyA, 'only-expected')}</div><div><h4>Actual (target)</h4>${markedPre(
          actual,
          marks.onlyB,
          'only-actual',
        )}</div></div>`,
      );
    }
  }
  if (c.wireLog.length > 0) {
    parts.push(
      `<div class="seq">${traceToSequenceSvg(c.trace, c.wireLog, {
        role: report.role,
        ...(c.error?.step === undefined ? {} : { failingStep: c.error.step }),
        title: `${c.id} wire log`,
      })}</div>`,
    );
  }
  const commands = replayCommands(report, c, opts.reportDir);
  if (c.seed !== undefined) parts.push(`<p><b>Seed:</b> <code>${c.seed}</code></p>`);
  if (commands.length > 0) parts.push(`<p><b>Replay:</b></p><pre>${commands.map(h).join('\n')}</pre>`);
  return `<details class="${cls}" id="${anchors.get('failure', c.id)}"${open ? ' open' : ''}><summary>${badge(c.status)} <span class="mono">${h(
    c.id,
  )}</span> ${h(c.title)}</summary>${parts.join('\n')}</details>`;
}

function failureSections(report: RunReport, anchors: Anchors, opts: HtmlOptions): string {
  const knownClauses = new Set(report.coverage.clauses.items.map((i) => i.id));
  const failures = report.cases.filter((c) => failsRun(c.status, report.strict));
  const warnings = report.cases.filter(
    (c) =>
      !failsRun(c.status, report.strict) &&
      (c.status === 'non-strict' || c.status === 'unexpected-pass' || c.status === 'expected-failure'),
  );
  return `<section id="failures">
<h2>Failures (${formatCount(failures.length)})</h2>
${failures.length === 0 ? '<p>No case failed.</p>' : failures.map((c) => detailCard(report, c, anchors, knownClauses, opts, true)).join('\n')}
</section>
<section id="warnings">
<h2>Warnings (${formatCount(warnings.length)})</h2>
<p class="muted">Non-strict verdicts (a SHOULD missed: fails the run only with --strict), unexpected passes (listed in --expect-failures but passed: update the list) and expected failures.</p>
${warnings.map((c) => detailCard(report, c, anchors, knownClauses, opts, false)).join('\n')}
</section>`;
}

function wireRow(w: WireEntry): string {
  const arrow =
    w.dir === 'out' ? `<span class="dir-out">suite → target</span>` : `<span class="dir-in">target → suite</span>`;
  let what: string;
  if (w.frame !== undefined) what = `<code>${h(truncate(jsonText(w.frame), 2000))}</code>`;
  else if (w.text !== undefined)
    what = `<span class="muted">not JSON:</span> <code>${h(truncate(JSON.stringify(w.text), 2000))}</code>`;
  else what = '';
  if (w.close !== undefined)
    what += `${what === '' ? '' : ' '}<span class="closed">close ${w.close.code}${w.close.reason === '' ? '' : ` ${h(JSON.stringify(w.close.reason))}`}</span>`;
  return `<tr><td class="num">${w.step}</td><td class="mono">${h(w.peer)}</td><td>${arrow}</td><td>${what}</td></tr>`;
}

function caseDetails(c: CaseResult): string {
  const trace =
    c.trace.length === 0
      ? '<p class="muted">No steps.</p>'
      : `<table><thead><tr><th>#</th><th>Actor</th><th>Action</th><th>Frame</th></tr></thead><tbody>${c.trace
          .map(
            (s) =>
              `<tr><td class="num">${s.index}</td><td class="mono">${h(s.actor)}</td><td>${h(s.action)}</td><td>${
                s.frame === undefined ? '' : `<code>${h(truncate(jsonText(s.frame), 2000))}</code>`
              }</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const shown = c.wireLog.slice(0, maxWireRows);
  const wire =
    c.wireLog.length === 0
      ? '<p class="muted">No frames.</p>'
      : `<table><thead><tr><th>Step</th><th>Peer</th><th>Direction</th><th>Frame</th></tr></thead><tbody>${shown.map(wireRow).join('')}</tbody></table>${
          c.wireLog.length > shown.length
            ? `<p class="muted">… ${formatCount(c.wireLog.length - shown.length)} more entries in report.json</p>`
            : ''
        }`;
  return `<h4>Trace</h4>${trace}<h4>Wire log</h4>${wire}`;
}

function caseTable(report: RunReport, anchors: Anchors): string {
  const knownClauses = new Set(report.coverage.clauses.items.map((i) => i.id));
  const detailed = new Set<Verdict>(['failed', 'non-strict', 'unexpected-pass', 'expected-failure']);
  const rows = report.cases.map((c) => {
    const more = c.reason === undefined ? '' : `<div class="muted">${h(c.reason)}</div>`;
    const link = detailed.has(c.status) ? ` <a href="#${anchors.get('failure', c.id)}">details</a>` : '';
    return `<tr id="${anchors.get('case', c.id)}"${c.status === 'failed' ? ' class="failed"' : ''}><td>${badge(c.status)}</td><td class="id mono">${h(
      c.id,
    )}</td><td><details class="case"><summary>${h(c.title)}</summary>${caseDetails(c)}</details>${more}${link}</td><td>${h(
      c.section,
    )}</td><td>${clauseLinks(c, anchors, knownClauses)}</td><td>${h(c.kind)}</td><td class="num">${h(formatDuration(c.durationMs))}</td></tr>`;
  });
  return `<section id="cases">
<h2>All cases (${formatCount(report.cases.length)})</h2>
<table><thead><tr><th>Verdict</th><th>ID</th><th>Title (click for trace and wire log)</th><th>Section</th><th>Clauses</th><th>Kind</th><th>Time</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</section>`;
}

/** `index.html`'s text: one self-contained page. */
export function toHtml(report: RunReport, svgs: HtmlSvgs, opts: HtmlOptions = {}): string {
  const anchors = new Anchors();
  const verdict = runPassed(report) ? 'PASS' : 'FAIL';
  return `${pageHead(h(`qrlink check ${verdict}: ${report.target} (${report.role})`), css)}
<body>
<main>
${header(report)}
${summary(report)}
${coverage(report)}
${clauseTable(report, anchors)}
${chartSection(report, svgs)}
${failureSections(report, anchors, opts)}
${caseTable(report, anchors)}
<footer>Written by qrlink ${h(report.qrlinkVersion)} on ${h(report.generatedAt)}. The same run as data: report.json, junit.xml.</footer>
</main>
</body>
</html>
`;
}
