import { describe, expect, it } from 'vitest';
import type { ChartCoverage } from './run-report.js';
import { hostileReport, sampleReport } from './sample-report.js';
import { chartColours, chartToDot, dotString, renderChartSvg } from './statechart-svg.js';
import { xmlWellFormednessProblems } from './xml-well-formedness.js';

const [refChart] = sampleReport().charts as [ChartCoverage];

function edgeLine(dot: string, id: string): string {
  const line = dot.split('\n').find((l) => l.includes(`tooltip="${id}"`) && l.includes('->'));
  if (line === undefined) throw new Error(`no edge ${id}`);
  return line;
}

describe('dotString', () => {
  it('escapes quotes and backslashes and turns line breaks into \\n', () => {
    expect(dotString('a "b" \\ c\nd')).toBe('"a \\"b\\" \\\\ c\\nd"');
  });

  it('cannot be closed early by a trailing backslash', () => {
    expect(dotString('x\\')).toBe('"x\\\\"');
  });

  it('shows control characters as \\uXXXX and cuts long lines', () => {
    expect(dotString('a\u0001b')).toBe('"a\\\\u0001b"');
    expect(dotString('x'.repeat(100), 10)).toBe(`"${'x'.repeat(9)}…"`);
  });
});

describe('chartToDot', () => {
  const dot = chartToDot(refChart);

  it('draws covered transitions solid green and missed ones dashed red', () => {
    expect(edgeLine(dot, 'ref.claim')).toContain(`color="${chartColours.covered}"`);
    expect(edgeLine(dot, 'ref.claim')).toContain('style=solid');
    expect(edgeLine(dot, 'ref.lapse')).toContain(`color="${chartColours.missed}"`);
    expect(edgeLine(dot, 'ref.lapse')).toContain('style=dashed');
  });

  it('labels edges with the event and the clause IDs', () => {
    expect(edgeLine(dot, 'ref.finalize')).toContain('label="link.finalize\\n[LINK-9, LINK-11]"');
  });

  it('draws final states as double circles and marks the initial state', () => {
    const used = dot.split('\n').find((l) => l.includes('label="used"'));
    expect(used).toContain('shape=doublecircle');
    const pending = dot.split('\n').find((l) => l.includes('label="pending"'));
    expect(pending).not.toContain('doublecircle');
    const pendingName = pending?.trim().split(' ')[0];
    expect(dot).toContain(`start -> ${pendingName} `);
  });

  it('draws one edge per transition and one node per state', () => {
    expect(dot.match(/ -> s\d+ \[id="chart-server_ref-t/g)).toHaveLength(refChart.transitions.length);
    expect(dot.match(/^ {2}s\d+ \[/gm)).toHaveLength(refChart.states.length);
  });

  it('draws a state that only a transition names, instead of failing', () => {
    const odd: ChartCoverage = {
      ...refChart,
      transitions: [
        ...refChart.transitions,
        { id: 'x', from: 'pending', to: 'nowhere', event: 'e', clauses: [], covered: false },
      ],
    };
    expect(chartToDot(odd)).toContain('label="nowhere"');
  });
});

describe('renderChartSvg', () => {
  it('renders a bare, well-formed <svg> with every state and event drawn', async () => {
    const svg = await renderChartSvg(refChart);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).not.toContain('<?xml');
    expect(svg).not.toContain('<!DOCTYPE');
    expect(xmlWellFormednessProblems(svg)).toEqual([]);
    for (const s of refChart.states) expect(svg).toContain(`>${s.id}<`);
    expect(svg).toContain('link.claim');
    expect(svg).toContain('stroke-dasharray');
    expect(svg).toContain(`stroke="${chartColours.missed}"`);
  });

  it('renders hostile state ids and events as escaped text', async () => {
    const chart = hostileReport().charts[0];
    if (chart === undefined) throw new Error('hostile report has charts');
    const svg = await renderChartSvg(chart);
    expect(xmlWellFormednessProblems(svg)).toEqual([]);
    expect(svg).not.toContain('<img');
    expect(svg).not.toContain('</script>');
    expect(svg).toContain('&lt;/script&gt;');
  });
});
