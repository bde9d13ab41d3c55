import { describe, expect, it } from 'vitest';
import { toHtml } from './html-report.js';
import { summarize } from './run-outcome.js';
import type { RunReport } from './run-report.js';
import { hostileReport, sampleReport } from './sample-report.js';
import { renderChartSvg } from './statechart-svg.js';

const report = sampleReport();
const fakeCharts = {
  'server.ref': '<svg id="fake-ref-chart"></svg>',
  'server.session': '<svg id="fake-session-chart"></svg>',
};

/** The HTML between `<section id="id">` and its `</section>`. */
function section(html: string, id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  if (start < 0) throw new Error(`no section ${id}`);
  return html.slice(start, html.indexOf('</section>', start));
}

function withCases(r: RunReport, keep: (status: string) => boolean): RunReport {
  const cases = r.cases.filter((c) => keep(c.status));
  return { ...r, cases, summary: summarize(cases, { durationMs: 1000, steps: 10 }) };
}

describe('toHtml', () => {
  const html = toHtml(report, { charts: fakeCharts });

  it('has the sections in reading order', () => {
    const order = ['summary', 'coverage', 'clauses', 'charts', 'failures', 'warnings', 'cases'].map((id) =>
      html.indexOf(`<section id="${id}">`),
    );
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html.indexOf('<header>')).toBeLessThan(order[0] ?? 0);
  });

  it('gives target, role, seed, strict, date and version in the header', () => {
    const head = html.slice(html.indexOf('<header>'), html.indexOf('</header>'));
    for (const text of [
      'ws://127.0.0.1:8080',
      '>server<',
      '>1184273<',
      '>no<',
      '2026-11-25T20:00:00.000Z',
      '>0.1.0<',
    ]) {
      expect(head).toContain(text);
    }
  });

  it('shows a FAIL banner with the counts when a case failed, PASS otherwise', () => {
    expect(section(html, 'summary')).toContain('<div class="banner fail">FAIL');
    expect(section(html, 'summary')).toContain('4 passed, 2 failed');
    expect(section(html, 'summary')).toContain('5,300');
    const clean = toHtml(
      withCases(report, (s) => s !== 'failed'),
      { charts: fakeCharts },
    );
    expect(section(clean, 'summary')).toContain('<div class="banner pass">PASS');
    const strict = toHtml({ ...withCases(report, (s) => s !== 'failed'), strict: true }, { charts: fakeCharts });
    expect(section(strict, 'summary')).toContain('<div class="banner fail">FAIL');
  });

  it('draws a coverage bar for states, transitions, pairs and clauses', () => {
    const cov = section(html, 'coverage');
    expect(cov.match(/class="bar"/g)).toHaveLength(4);
    expect(cov).toContain('12/13 (92.3%)');
    expect(cov).toContain('31/44 (70.4%)');
    expect(cov).toContain('server.ref.lapsed');
  });

  it('lists every clause, with unchecked ones highlighted and checking cases linked', () => {
    const table = section(html, 'clauses');
    const items = report.coverage.clauses.items;
    expect(table.match(/<tr[^>]* id="clause-/g)).toHaveLength(items.length);
    expect(table.match(/<tr class="unchecked"/g)).toHaveLength(items.filter((i) => i.status === 'unchecked').length);
    expect(table).toMatch(/<tr class="unchecked" id="clause-LINK-3">/);
    expect(table).toContain('<a href="#case-LINK-2-1">LINK-2/1</a>');
  });

  it('inlines each statechart with a legend, and lists missed transitions when a drawing is missing', () => {
    const charts = section(html, 'charts');
    expect(charts).toContain('<svg id="fake-ref-chart"></svg>');
    expect(charts).toContain('<svg id="fake-session-chart"></svg>');
    expect(charts.match(/class="legend"/g)).toHaveLength(2);
    const partial = section(toHtml(report, { charts: {} }), 'charts');
    expect(partial).toContain('could not be rendered');
    expect(partial).toContain('claimed --clock consentMs--&gt; lapsed');
  });

  it('details each failure: requirement, reason, expected vs actual (differences marked), sequence diagram, replay commands', () => {
    const failures = section(toHtml(report, { charts: fakeCharts }, { reportDir: 'reports/latest' }), 'failures');
    expect(failures.match(/<details class="card"/g)).toHaveLength(2);
    expect(failures).toContain('The server MUST answer link.claim for an expired ref');
    expect(failures).toContain(
      '<h4>Expected (model)</h4><pre>{\n<mark class="only-expected">  &quot;t&quot;: &quot;link.error&quot;,</mark>',
    );
    expect(failures).toContain(
      '<h4>Actual (target)</h4><pre>{\n<mark class="only-actual">  &quot;t&quot;: &quot;link.claimed&quot;,</mark>',
    );
    // The ref is the same on both sides: not marked.
    expect(failures).toContain('\n  &quot;ref&quot;: &quot;kQ3vX9a2LmPz7RtY0bWc1g&quot;,\n');
    expect(failures.match(/<svg xmlns="http:\/\/www.w3.org\/2000\/svg" class="sequence"/g)).toHaveLength(2);
    expect(failures).toContain('(failed here)');
    expect(failures).toContain(
      'qrlink check --target ws://127.0.0.1:8080 --role server --seed 1184273 --filter prop/relay-custody',
    );
    const replayable = {
      ...report,
      cases: report.cases.map((c) => (c.id === 'LINK-2/1' ? { ...c, replayFile: 'traces/LINK-2_1.json' } : c)),
    };
    expect(section(toHtml(replayable, { charts: {} }, { reportDir: 'reports/latest' }), 'failures')).toContain(
      'qrlink check --target ws://127.0.0.1:8080 --role server --replay reports/latest/traces/LINK-2_1.json',
    );
  });

  it('puts non-strict cases with the failures only under --strict', () => {
    expect(section(html, 'failures')).not.toContain('SEC-2/1');
    expect(section(html, 'warnings')).toContain('SEC-2/1');
    const strict = toHtml({ ...report, strict: true }, { charts: fakeCharts });
    expect(section(strict, 'failures')).toContain('SEC-2/1');
    expect(section(strict, 'warnings')).not.toContain('SEC-2/1');
  });

  it('lists every case with a verdict badge and a collapsible trace and wire log', () => {
    const cases = section(html, 'cases');
    expect(cases.match(/<tr id="case-/g)).toHaveLength(report.cases.length);
    expect(cases.match(/<details class="case">/g)).toHaveLength(report.cases.length);
    for (const v of ['passed', 'failed', 'skipped', 'non-strict', 'expected-failure', 'unexpected-pass']) {
      expect(cases).toContain(`<span class="badge v-${v}">`);
    }
    expect(cases).toContain('<span class="closed">close 1007</span>');
  });

  it('has a target for every in-page link and unique ids', () => {
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const m of html.matchAll(/href="#([^"]+)"/g)) expect(ids).toContain(m[1]);
  });

  it('is self-contained: no script, no external resource', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/\ssrc=/i);
    expect(html).not.toMatch(/url\(/i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/href="(?!#)/);
    expect(html).toContain('Content-Security-Policy" content="default-src \'none\'');
  });
});

describe('toHtml with hostile text', () => {
  it('escapes every string: no tag, no control character gets through', async () => {
    const hostile = hostileReport();
    const charts: Record<string, string> = {};
    for (const chart of hostile.charts) charts[chart.id] = await renderChartSvg(chart);
    const html = toHtml(hostile, { charts });
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toContain('<!-- -->');
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for raw control characters
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(html).toContain('\\u001b[31m');
  });
});

describe('toHtml for an empty run', () => {
  it('renders without cases, charts or clauses', () => {
    const empty: RunReport = {
      ...report,
      cases: [],
      charts: [],
      summary: summarize([], { durationMs: 0, steps: 0 }),
      coverage: {
        states: { covered: 0, total: 0 },
        transitions: { covered: 0, total: 0 },
        transitionPairs: { covered: 0, total: 0 },
        clauses: { covered: 0, total: 0, items: [] },
      },
    };
    const html = toHtml(empty, { charts: {} });
    expect(section(html, 'cases')).toContain('All cases (0)');
    expect(section(html, 'charts')).toContain('No statechart in this run.');
    expect(section(html, 'coverage')).toContain('0/0 (n/a)');
  });
});
