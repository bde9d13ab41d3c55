/**
 * `qrlink mutants --out DIR`: `index.html`, the kill matrix for people, and `mutants.json`, the same
 * as data. The page is self-contained (inline CSS, no script, a Content-Security-Policy that forbids
 * loading anything): the mutation score with a PASS/FAIL banner, the baseline, the matrix (one row a
 * mutant: killed, cases that killed it, time to first kill, shortest failing trace), then per mutant
 * its shortest failing trace as steps and as a sequence diagram of its wire log. Every string goes
 * through `escapeMarkup`.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { jsonText } from '../report/json-text.js';
import { escapeMarkup as h, truncate } from '../report/markup-escape.js';
import { formatCount, formatDuration, formatPercent } from '../report/number-format.js';
import { baseCss, pageHead } from '../report/report-style.js';
import { traceToSequenceSvg } from '../report/sequence-diagram.js';
import { type KillMatrix, type MutantResult, matrixPassed } from './kill-matrix.js';
import { mutationScore } from './matrix-text.js';

/** Killing cases named per mutant in the matrix table (the card lists them all). */
const shownInTable = 5;
/** Characters of a frame shown per trace step. */
const maxFrame = 400;

const css = `
:root { --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --bg-soft: #f6f8fa; --pass: #1a7f37; --fail: #cf222e; }
${baseCss}
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
.banner { border-radius: 8px; padding: 14px 18px; font-size: 20px; font-weight: 600; color: #fff; margin: 12px 0; }
.banner.pass { background: var(--pass); } .banner.fail { background: var(--fail); }
.banner small { font-size: 14px; font-weight: 400; margin-left: 12px; }
.bar { height: 14px; background: #ffebe9; border-radius: 7px; overflow: hidden; border: 1px solid var(--border); max-width: 600px; }
.bar > div { height: 100%; background: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { border-bottom: 1px solid var(--border); padding: 5px 8px; text-align: left; vertical-align: top; }
th { background: var(--bg-soft); font-weight: 600; }
tr.survived td { background: #fff5f5; }
td.num { text-align: right; white-space: nowrap; } td.id { white-space: nowrap; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600; color: #fff; }
.badge.b-killed { background: var(--pass); } .badge.b-survived { background: var(--fail); }
.cases { word-break: break-all; }
.card { border: 1px solid var(--border); border-left: 5px solid var(--pass); border-radius: 6px; padding: 4px 14px 12px; margin: 14px 0; }
.card.c-survived { border-left-color: var(--fail); }
.seq { overflow: auto; border: 1px solid var(--border); border-radius: 6px; margin: 8px 0; max-height: 700px; }
.muted { color: var(--muted); }
footer { color: var(--muted); font-size: 12px; margin-top: 40px; }
`;

function anchor(id: string): string {
  return `mutant-${id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

function badge(killed: boolean): string {
  return killed ? '<span class="badge b-killed">killed</span>' : '<span class="badge b-survived">survived</span>';
}

function scoreSection(matrices: readonly KillMatrix[]): string {
  const { killed, total } = mutationScore(matrices);
  const passed = matrices.length > 0 && matrices.every(matrixPassed);
  const pct = total === 0 ? 0 : (killed / total) * 100;
  const baselines = matrices.map((m) => {
    const b = m.baseline;
    const scope = b.scope === 'all' ? 'every case' : 'the cases that killed a mutant';
    const problems = [
      ...(b.error === undefined ? [] : [b.error]),
      ...b.failures.map((f) => `${f.caseId} ${f.status}: ${f.reason}`),
    ];
    const verdict =
      problems.length === 0
        ? `passed: ${scope} (${formatCount(b.casesRun)}) on the unmutated reference, ${formatDuration(b.durationMs)}`
        : `FAILED on the unmutated reference (the matrix means nothing until this is fixed): ${problems.join('; ')}`;
    return `<dt>${h(`${m.role} baseline`)}</dt><dd>${h(verdict)}</dd>`;
  });
  const meta = matrices.map(
    (m) =>
      `<dt>${h(m.role)}</dt><dd>${h(
        `${m.mutants.length} mutants, ${formatCount(m.cases)} cases, seed ${m.seed}, ${m.runs} runs per property${
          m.firstKill ? ', each mutant stopped at its first kill' : ''
        }, ${formatDuration(m.durationMs)}`,
      )}</dd>`,
  );
  return `<section id="score">
<h2>Mutation score</h2>
<div class="banner ${passed ? 'pass' : 'fail'}">${passed ? 'PASS' : 'FAIL'}<small>${h(
    `${killed} of ${total} mutants killed (${formatPercent(killed, total)})`,
  )}</small></div>
<div class="bar"><div style="width:${pct.toFixed(1)}%"></div></div>
<dl class="meta">${meta.join('')}${baselines.join('')}</dl>
</section>`;
}

function matrixTable(matrices: readonly KillMatrix[]): string {
  const rows = matrices.flatMap((m) =>
    m.mutants.map((r) => {
      const more = r.killedBy.length > shownInTable ? `, +${r.killedBy.length - shownInTable} more` : '';
      const killers =
        r.killedBy.length === 0
          ? (r.error ?? `none of ${r.casesRun} cases`)
          : `${r.killedBy.slice(0, shownInTable).join(', ')}${more}`;
      return `<tr class="${r.killed ? '' : 'survived'}"><td>${badge(r.killed)}</td><td class="id"><a href="#${anchor(
        r.id,
      )}">${h(r.id)}</a></td><td>${h(r.role)}</td><td>${h(r.clauses.join(', '))}</td><td class="num">${formatCount(
        r.killedBy.length,
      )}</td><td class="num">${r.firstKillMs === null ? '-' : h(formatDuration(r.firstKillMs))}</td><td class="num">${
        r.shortest === null ? '-' : `${r.shortest.steps} steps`
      }</td><td>${h(r.reach)}</td><td class="mono cases">${h(killers)}</td></tr>`;
    }),
  );
  return `<section id="matrix">
<h2>Kill matrix</h2>
<table><thead><tr><th>Verdict</th><th>Mutant</th><th>Role</th><th>Clauses</th><th>Kills</th><th>First kill</th><th>Shortest trace</th><th>Reached</th><th>Killed by</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</section>`;
}

function traceList(r: MutantResult): string {
  const s = r.shortest;
  if (s === null || s.trace.length === 0) return '';
  const items = s.trace.map((step) => {
    const frame = step.frame === undefined ? '' : ` <code>${h(truncate(jsonText(step.frame), maxFrame))}</code>`;
    const failing = step.index === s.failingStep ? ' <b>(fails here)</b>' : '';
    return `<li>${h(`${step.actor}: ${step.action}`)}${frame}${failing}</li>`;
  });
  return `<ol start="0">${items.join('')}</ol>`;
}

function mutantCard(r: MutantResult): string {
  const s = r.shortest;
  const body =
    s === null
      ? `<p>${h(r.error ?? `No case of the ${r.role} suite failed on this mutant (${r.casesRun} ran): a gap in the suite.`)}</p>`
      : `<p>Shortest failing trace: <b>${h(s.caseId)}</b> ${h(s.title)} (${s.steps} steps)</p>
<pre>${h(s.reason)}</pre>
${traceList(r)}
${
  s.wireLog.length === 0
    ? ''
    : `<div class="seq">${traceToSequenceSvg(s.trace, s.wireLog, {
        role: r.role,
        ...(s.failingStep === undefined ? {} : { failingStep: s.failingStep }),
        title: `${r.id}: ${s.caseId}`,
      })}</div>`
}`;
  const killers =
    r.killedBy.length === 0
      ? ''
      : `<details><summary>Killed by ${formatCount(r.killedBy.length)} cases${
          r.firstKillMs === null ? '' : `, the first after ${h(formatDuration(r.firstKillMs))}`
        }</summary><p class="mono cases">${h(r.killedBy.join(', '))}</p></details>`;
  return `<div class="card ${r.killed ? '' : 'c-survived'}" id="${anchor(r.id)}">
<h3>${badge(r.killed)} ${h(r.id)} <span class="muted">(${h(r.role)}, ${h(r.reach)})</span></h3>
<p>${h(r.description)} <span class="muted">Breaks ${h(r.clauses.join(', '))}.</span></p>
${killers}
${body}
</div>`;
}

/** `index.html`'s text. */
export function mutationHtml(matrices: readonly KillMatrix[], generatedAt: string): string {
  const { killed, total } = mutationScore(matrices);
  return `${pageHead(h(`qrlink mutants: ${killed} of ${total} killed`), css)}
<body>
<main>
<h1>qrlink mutation report</h1>
<p class="muted">The conformance suite run against deliberately broken reference implementations (mutants). A mutant
no case kills is a gap in the suite.</p>
${scoreSection(matrices)}
${matrixTable(matrices)}
<section id="mutants">
<h2>Mutants</h2>
${matrices.flatMap((m) => m.mutants.map(mutantCard)).join('\n')}
</section>
<footer>Written by qrlink ${h(pkg.version)} on ${h(generatedAt)}. The same run as data: mutants.json.</footer>
</main>
</body>
</html>
`;
}

/** What mutants.json holds: every matrix in full (baseline, results, shortest traces). */
export function mutationJson(matrices: readonly KillMatrix[], generatedAt: string): string {
  const score = mutationScore(matrices);
  return `${jsonText(
    {
      score,
      passed: matrices.length > 0 && matrices.every(matrixPassed),
      generatedAt,
      qrlinkVersion: pkg.version,
      matrices,
    },
    2,
  )}\n`;
}

/** Writes index.html and mutants.json into `dir` (created if needed). */
export async function writeMutationReport(
  dir: string,
  matrices: readonly KillMatrix[],
  date = new Date(),
): Promise<void> {
  const at = date.toISOString();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'index.html'), mutationHtml(matrices, at));
  await writeFile(join(dir, 'mutants.json'), mutationJson(matrices, at));
}
