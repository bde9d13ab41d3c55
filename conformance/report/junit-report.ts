/**
 * `junit.xml`: the run for CI test dashboards (Jenkins, GitLab, GitHub test reporters), built with
 * xmlbuilder2 (never by string concatenation). One `<testsuite>` per spec section, as h2spec's JUnit
 * reporter does; one `<testcase>` per case, named `<id> <title>`, with times in seconds.
 *
 * Mapping of the six verdicts (JUnit knows only pass, failure, error and skipped):
 * - `failed`: `<failure message type="failed">` whose text gives the requirement, the step,
 *   expected and actual, and the replay command.
 * - `non-strict` (a SHOULD missed): a passed testcase with a `<system-out>` warning; with
 *   `report.strict` a `<failure type="non-strict">` instead, since the run fails then.
 * - `expected-failure`: `<skipped message="expected failure: <reason>">`: the target still fails it,
 *   as listed, and the run does not fail on it.
 * - `unexpected-pass`: NOT a failure: a passed testcase with a `<system-out>` note saying the
 *   expect-failures entry can go (the run passes; the HTML report lists it too).
 * - `skipped`: `<skipped message="<reason>">`.
 * Counts follow: `failures` = failed (+ non-strict under strict), `skipped` = skipped + expected
 * failures, `errors` = 0.
 *
 * `<properties>`: the run's seed, target, role, strict flag and version on every testsuite; each
 * testcase carries its own `<properties>` (clauses, kind, verdict, and seed for property cases), as
 * the Jenkins and GitLab JUnit readers accept.
 *
 * Text from the target (frames, reasons) may hold anything: xmlbuilder2 escapes `<`, `&`, `>` (so
 * `]]>` cannot end anything), and every character XML 1.0 forbids becomes a visible `\uXXXX`.
 * Attribute values (`message`) are folded onto one line.
 */
import { create } from 'xmlbuilder2';
import { jsonText } from './json-text.js';
import { truncate, visibleCodeUnit } from './markup-escape.js';
import { replayCommands } from './replay-command.js';
import type { CaseResult, RunReport } from './run-report.js';

/** An element under construction (xmlbuilder2 does not export the type from its main entry). */
type XMLBuilder = ReturnType<typeof create>;

/** The longest `message` attribute written; the text body has the whole story. */
const maxMessage = 400;

function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function oneLine(text: string): string {
  return truncate(text.replace(/\s+/g, ' ').trim(), maxMessage);
}

function failureMessage(c: CaseResult): string {
  return oneLine(c.error?.message ?? c.reason ?? c.status);
}

/** The failure text: what was required, where it went wrong, expected vs actual, how to replay. */
function failureBody(report: RunReport, c: CaseResult): string {
  const lines: string[] = [];
  if (c.requirement !== undefined) lines.push(`Requirement: ${c.requirement}`);
  if (c.clauses.length > 0) lines.push(`Clauses: ${c.clauses.join(', ')}`);
  if (c.reason !== undefined) lines.push(`Reason: ${c.reason}`);
  if (c.error !== undefined) {
    lines.push(`Error: ${c.error.message}`);
    if (c.error.step !== undefined) {
      const step = c.trace.find((s) => s.index === c.error?.step);
      lines.push(`Step: ${c.error.step}${step === undefined ? '' : ` (${step.actor}: ${step.action})`}`);
    }
    if (c.error.expected !== undefined) lines.push(`Expected: ${jsonText(c.error.expected)}`);
    if (c.error.actual !== undefined) lines.push(`Actual: ${jsonText(c.error.actual)}`);
  }
  if (c.seed !== undefined) lines.push(`Seed: ${c.seed}`);
  for (const cmd of replayCommands(report, c)) lines.push(`Replay: ${cmd}`);
  return lines.join('\n');
}

function addProperties(parent: XMLBuilder, props: readonly (readonly [string, string])[]): void {
  const el = parent.ele('properties');
  for (const [name, value] of props) el.ele('property', { name, value: oneLine(value) });
}

function addCase(suite: XMLBuilder, report: RunReport, c: CaseResult): void {
  const tc = suite.ele('testcase', { classname: c.section, name: `${c.id} ${c.title}`, time: seconds(c.durationMs) });
  const props: [string, string][] = [
    ['clauses', c.clauses.join(' ')],
    ['kind', c.kind],
    ['verdict', c.status],
  ];
  if (c.seed !== undefined) props.push(['seed', String(c.seed)]);
  addProperties(tc, props);
  switch (c.status) {
    case 'passed':
      break;
    case 'failed':
      tc.ele('failure', { message: failureMessage(c), type: 'failed' }).txt(failureBody(report, c));
      break;
    case 'non-strict':
      if (report.strict) {
        tc.ele('failure', { message: failureMessage(c), type: 'non-strict' }).txt(failureBody(report, c));
      } else {
        tc.ele('system-out').txt(
          `WARNING non-strict (a SHOULD was missed; fails only with --strict)\n${failureBody(report, c)}`,
        );
      }
      break;
    case 'expected-failure':
      tc.ele('skipped', { message: oneLine(`expected failure: ${c.reason ?? c.error?.message ?? ''}`) });
      break;
    case 'unexpected-pass':
      tc.ele('system-out').txt(
        `NOTE unexpected pass: listed in --expect-failures but passed; remove it from the list.${c.reason === undefined ? '' : `\n${c.reason}`}`,
      );
      break;
    case 'skipped':
      tc.ele('skipped', { message: oneLine(c.reason ?? 'skipped') });
      break;
  }
}

interface Counts {
  tests: number;
  failures: number;
  skipped: number;
  timeMs: number;
}

function countCases(cases: readonly CaseResult[], strict: boolean): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'failed' || (strict && c.status === 'non-strict')).length,
    skipped: cases.filter((c) => c.status === 'skipped' || c.status === 'expected-failure').length,
    timeMs: cases.reduce((sum, c) => sum + c.durationMs, 0),
  };
}

/** The cases grouped by section, sections in order of first appearance. */
function bySection(cases: readonly CaseResult[]): Map<string, CaseResult[]> {
  const sections = new Map<string, CaseResult[]>();
  for (const c of cases) {
    const list = sections.get(c.section);
    if (list === undefined) sections.set(c.section, [c]);
    else list.push(c);
  }
  return sections;
}

/** `junit.xml`'s text (UTF-8, pretty-printed, trailing newline). */
export function toJUnitXml(report: RunReport): string {
  const doc = create({
    version: '1.0',
    encoding: 'UTF-8',
    invalidCharReplacement: (char: string) => visibleCodeUnit(char),
  });
  const all = countCases(report.cases, report.strict);
  const root = doc.ele('testsuites', {
    name: 'qrlink check',
    tests: String(all.tests),
    failures: String(all.failures),
    errors: '0',
    skipped: String(all.skipped),
    time: seconds(report.summary.durationMs),
    timestamp: report.generatedAt,
  });
  const runProps: [string, string][] = [
    ['seed', String(report.seed)],
    ['target', report.target],
    ['role', report.role],
    ['strict', String(report.strict)],
    ['qrlinkVersion', report.qrlinkVersion],
  ];
  for (const [section, cases] of bySection(report.cases)) {
    const counts = countCases(cases, report.strict);
    const suite = root.ele('testsuite', {
      name: section,
      tests: String(counts.tests),
      failures: String(counts.failures),
      errors: '0',
      skipped: String(counts.skipped),
      time: seconds(counts.timeMs),
      timestamp: report.generatedAt,
    });
    addProperties(suite, runProps);
    for (const c of cases) addCase(suite, report, c);
  }
  return `${doc.end({ prettyPrint: true })}\n`;
}
