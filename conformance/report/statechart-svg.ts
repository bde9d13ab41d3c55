/**
 * A role's statechart drawn with what the run covered: Graphviz DOT from a `ChartCoverage`, laid
 * out and rendered to SVG by @viz-js/viz (Graphviz compiled to WebAssembly: no binary to install,
 * no network). Covered states and transitions are green and solid, missed ones red and dashed;
 * edge labels give the event and the clause IDs; final states are double circles; the initial
 * state has an arrow from a dot.
 *
 * DOT node names are synthetic (`s0`, `s1`...), so a state id can hold any character: the ids only
 * appear in labels and tooltips, escaped for DOT's escString (backslash, quote, newline).
 */
import type { ChartCoverage } from './run-report.js';

/** The colours of the drawing (the HTML legend uses the same). */
export const chartColours = { covered: '#1a7f37', missed: '#cf222e', initial: '#57606a' } as const;

/** The longest label line drawn; longer ones are cut with `…`. */
const maxLabel = 48;

/** A DOT double-quoted string whose content Graphviz shows as `text` (one `\n` per line break). */
export function dotString(text: string, max = maxLabel): string {
  const lines = text.split(/\r\n|\r|\n/).map((line) => {
    // Graphviz cannot draw control characters; a `\uXXXX` stand-in keeps them visible.
    const clean = line.replace(/\p{Cc}/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
    const cut = [...clean].length > max ? `${[...clean].slice(0, max - 1).join('')}…` : clean;
    return cut.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  });
  return `"${lines.join('\\n')}"`;
}

/** A token usable in an SVG id: the chart id with anything but `[A-Za-z0-9_-]` replaced. */
function idPrefix(chartId: string): string {
  return `chart-${chartId.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

function style(covered: boolean): string {
  const colour = covered ? chartColours.covered : chartColours.missed;
  return `color="${colour}", fontcolor="${colour}", style=${covered ? 'solid' : 'dashed'}`;
}

/** The chart as Graphviz DOT. */
export function chartToDot(chart: ChartCoverage): string {
  const prefix = idPrefix(chart.id);
  const names = new Map<string, string>();
  const lines: string[] = [
    `digraph ${dotString(chart.id)} {`,
    `  graph [id="${prefix}", rankdir=LR, tooltip=${dotString(`${chart.id} (${chart.role})`, 200)}, fontname="Helvetica,Arial,sans-serif", fontsize=14, bgcolor="transparent", nodesep=0.4, ranksep=0.6];`,
    '  node [fontname="Helvetica,Arial,sans-serif", fontsize=11, shape=ellipse, penwidth=1.5];',
    '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, penwidth=1.3, arrowsize=0.7];',
  ];
  const node = (stateId: string, attrs: string): string => {
    const known = names.get(stateId);
    if (known !== undefined) return known;
    const name = `s${names.size}`;
    names.set(stateId, name);
    lines.push(
      `  ${name} [id="${prefix}-${name}", label=${dotString(stateId)}, tooltip=${dotString(stateId, 200)}, ${attrs}];`,
    );
    return name;
  };
  for (const s of chart.states) {
    node(s.id, `${style(s.covered)}${s.final === true ? ', shape=doublecircle' : ''}`);
  }
  // A transition may name a state the chart's list lacks: draw it, grey, rather than fail.
  const unknown = `color="${chartColours.initial}", fontcolor="${chartColours.initial}", style=dotted`;
  const start = node(chart.initial, unknown);
  lines.push(`  start [id="${prefix}-start", shape=point, width=0.12, color="${chartColours.initial}", label=""];`);
  lines.push(`  start -> ${start} [id="${prefix}-initial", color="${chartColours.initial}"];`);
  chart.transitions.forEach((t, i) => {
    const from = node(t.from, unknown);
    const to = node(t.to, unknown);
    const label = t.clauses.length > 0 ? `${t.event}\n[${t.clauses.join(', ')}]` : t.event;
    lines.push(
      `  ${from} -> ${to} [id="${prefix}-t${i}", label=${dotString(label)}, tooltip=${dotString(t.id, 200)}, ${style(t.covered)}];`,
    );
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

type Viz = Awaited<ReturnType<typeof import('@viz-js/viz').instance>>;
let vizInstance: Promise<Viz> | undefined;

/** The one Graphviz instance of this process (compiling the WebAssembly takes ~0.2 s). */
function viz(): Promise<Viz> {
  vizInstance ??= import('@viz-js/viz').then((m) => m.instance());
  return vizInstance;
}

/**
 * The chart as an `<svg>` element ready to inline in HTML: Graphviz's XML declaration, DOCTYPE and
 * comments removed. Throws if Graphviz fails (the caller shows the chart as a list instead).
 */
export async function renderChartSvg(chart: ChartCoverage): Promise<string> {
  const svg = (await viz()).renderString(chartToDot(chart), { format: 'svg' });
  const start = svg.indexOf('<svg');
  if (start < 0) throw new Error(`Graphviz returned no <svg> element for chart ${chart.id}`);
  return svg
    .slice(start)
    .replace(/<!--[\s\S]*?-->\n?/g, '')
    .trim();
}
