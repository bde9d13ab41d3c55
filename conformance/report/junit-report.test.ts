import { describe, expect, it } from 'vitest';
import { convert } from 'xmlbuilder2';
import { toJUnitXml } from './junit-report.js';
import type { RunReport } from './run-report.js';
import { hostileReport, hostileText, sampleReport } from './sample-report.js';
import { xmlWellFormednessProblems } from './xml-well-formedness.js';

type XmlNode = Record<string, unknown>;

function asList(v: unknown): XmlNode[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as XmlNode[];
}

function parse(xml: string): { root: XmlNode; suites: XmlNode[]; cases: XmlNode[] } {
  const doc = convert(xml, { format: 'object' }) as XmlNode;
  const root = doc.testsuites as XmlNode;
  const suites = asList(root.testsuite);
  const cases = suites.flatMap((s) => asList(s.testcase));
  return { root, suites, cases };
}

function caseNamed(cases: XmlNode[], id: string): XmlNode {
  const found = cases.find((c) => String(c['@name']).startsWith(`${id} `));
  if (found === undefined) throw new Error(`no testcase ${id}`);
  return found;
}

describe('toJUnitXml', () => {
  const report = sampleReport();
  const xml = toJUnitXml(report);
  const { root, suites, cases } = parse(xml);

  it('is well-formed XML', () => {
    expect(xmlWellFormednessProblems(xml)).toEqual([]);
  });

  it('counts tests, failures and skips on <testsuites>', () => {
    // 10 cases: failed x2 -> failures; skipped + expected-failure -> skipped.
    expect(root).toMatchObject({ '@tests': '10', '@failures': '2', '@skipped': '2', '@errors': '0', '@time': '4.213' });
  });

  it('has one <testsuite> per spec section with its own counts', () => {
    const names = suites.map((s) => s['@name']);
    expect(names).toEqual([
      '7 Linking',
      '6 QR refs',
      '3 Transport',
      '8 Relay',
      '4 Control endpoint',
      '17 Security considerations',
      '9 Sessions',
    ]);
    const relay = suites.find((s) => s['@name'] === '8 Relay');
    expect(relay).toMatchObject({ '@tests': '2', '@failures': '1', '@skipped': '1', '@time': '0.434' });
    expect(suites.reduce((n, s) => n + Number(s['@tests']), 0)).toBe(10);
  });

  it('names each testcase `<id> <title>` in its section, time in seconds', () => {
    expect(caseNamed(cases, 'LINK-2/1')).toMatchObject({
      '@classname': '7 Linking',
      '@name': 'LINK-2/1 Claims a ref after its TTL',
      '@time': '0.009',
    });
  });

  it('gives a failed case a <failure> with requirement, step, expected and actual', () => {
    const failure = caseNamed(cases, 'LINK-2/1').failure as XmlNode;
    expect(failure['@type']).toBe('failed');
    expect(failure['@message']).toBe('step 4: expected link.error expired_ref, got link.claimed');
    const body = String(failure['#']);
    expect(body).toContain('Requirement: The server MUST answer link.claim');
    expect(body).toContain('Step: 4 (phone1: phone1 claims the expired ref)');
    expect(body).toContain('Expected: {');
    expect(body).toContain('expired_ref');
    expect(body).toContain('Actual: {');
  });

  it('puts clauses and the seed in <properties>', () => {
    const prop = caseNamed(cases, 'prop/relay-custody');
    const props = asList((prop.properties as XmlNode).property).map((p) => [p['@name'], p['@value']]);
    expect(props).toContainEqual(['clauses', 'RELAY-5 RELAY-9']);
    expect(props).toContainEqual(['seed', '1184273']);
    const firstSuite = suites[0];
    if (firstSuite === undefined) throw new Error('no testsuite');
    const suiteProps = asList((firstSuite.properties as XmlNode).property).map((p) => [p['@name'], p['@value']]);
    expect(suiteProps).toContainEqual(['seed', '1184273']);
  });

  it('maps skipped and expected-failure to <skipped message>', () => {
    expect((caseNamed(cases, 'CTL-4/1').skipped as XmlNode)['@message']).toContain('no control endpoint');
    expect((caseNamed(cases, 'RELAY-7/1').skipped as XmlNode)['@message']).toMatch(/^expected failure: queue bound/);
  });

  it('maps unexpected-pass to a passed testcase with a <system-out> note', () => {
    const c = caseNamed(cases, 'SESS-12/1');
    expect(c.failure).toBeUndefined();
    expect(c.skipped).toBeUndefined();
    expect(String(c['system-out'])).toContain('unexpected pass');
  });

  it('maps non-strict to a passed testcase with a warning, or to a failure under --strict', () => {
    const lenient = caseNamed(cases, 'SEC-2/1');
    expect(lenient.failure).toBeUndefined();
    expect(String(lenient['system-out'])).toContain('WARNING non-strict');
    const strict = parse(toJUnitXml({ ...report, strict: true }));
    expect(strict.root['@failures']).toBe('3');
    expect((caseNamed(strict.cases, 'SEC-2/1').failure as XmlNode)['@type']).toBe('non-strict');
  });

  it('stays well-formed with hostile text in frames, reasons, ids and sections', () => {
    const hostile: RunReport = hostileReport();
    const out = toJUnitXml(hostile);
    expect(xmlWellFormednessProblems(out)).toEqual([]);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('</script>');
    expect(out).toContain('\\u001b[31m');
    expect(out).toContain('\\ud800');
    expect(out).not.toContain('\u0000');
    expect(parse(out).root['@tests']).toBe('10');
    expect(hostileText).toContain(']]>');
  });
});

describe('toJUnitXml for an empty run', () => {
  it('writes an empty, well-formed <testsuites>', () => {
    const xml = toJUnitXml({ ...sampleReport(), cases: [] });
    expect(xmlWellFormednessProblems(xml)).toEqual([]);
    expect(parse(xml).root).toMatchObject({ '@tests': '0', '@failures': '0' });
  });
});
