/**
 * A case's wire log drawn as a sequence diagram (hand-written SVG text, no library): one lifeline
 * per simulated peer (web clients on the left, the rest on the right) and the target in the middle;
 * an arrow per frame, labelled with its type `t` and a short summary of its fields; a close as a
 * cross on the peer's lifeline with its code; a separator per trace step with the step's action;
 * the failing step shaded red. Bounded: labels are cut to fit between lifelines, at most
 * `maxArrows` wire entries are drawn (then a "… N more" note), at most `maxLanes` peer lifelines.
 *
 * Every piece of text comes from the target or the trace, so all of it goes through `escapeMarkup`;
 * arrowheads are plain polygons (no `<defs>` ids that would clash between diagrams on one page).
 */
import { jsonText } from './json-text.js';
import { escapeMarkup, truncate } from './markup-escape.js';
import type { Role, TraceStep, WireEntry } from './run-report.js';

export interface SequenceOptions {
  /** The target's role: its lifeline is `server` for a server, `<role> (target)` otherwise. */
  readonly role?: Role;
  /** The trace step at which the case failed: shaded and marked. */
  readonly failingStep?: number;
  /** Wire entries drawn at most (default 300). */
  readonly maxArrows?: number;
  /** Peer lifelines at most (default 12); further peers share one `other peers` lifeline. */
  readonly maxLanes?: number;
  /** Title for screen readers and the tooltip of the drawing. */
  readonly title?: string;
}

const laneWidth = 230;
const margin = 16;
const headerHeight = 44;
const stepRow = 24;
const arrowRow = 26;
const closeRow = 26;
const charWidth = 6.2;
const colours = {
  out: '#0969da',
  in: '#8250df',
  text: '#24292f',
  muted: '#57606a',
  lifeline: '#8c959f',
  close: '#cf222e',
  failBand: '#ffebe9',
  targetHead: '#ddf4ff',
  peerHead: '#f6f8fa',
};

/** A frame's one-line label: its `t`, then `key=value` for its other fields, values shortened. */
export function frameLabel(frame: unknown): string {
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return jsonText(frame);
  const record = frame as Record<string, unknown>;
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (key === 't') continue;
    let shown: string;
    if (typeof value === 'string') shown = truncate(value, 9);
    else if (typeof value === 'number' || typeof value === 'boolean' || value === null) shown = String(value);
    else if (Array.isArray(value)) shown = `[${value.length}]`;
    else if (typeof value === 'object') shown = '{…}';
    else shown = String(value);
    parts.push(`${key}=${shown}`);
  }
  const t = typeof record.t === 'string' ? record.t : '(no t)';
  return parts.length === 0 ? t : `${t} ${parts.join(' ')}`;
}

function entryLabel(entry: WireEntry): string {
  if (entry.frame !== undefined) return frameLabel(entry.frame);
  if (entry.text !== undefined) return `(not JSON) ${JSON.stringify(entry.text)}`;
  return '(empty)';
}

type Row =
  | { kind: 'step'; index: number; text: string; failing: boolean }
  | { kind: 'arrow'; entry: WireEntry; lane: number; prefix: string }
  | { kind: 'close'; entry: WireEntry; lane: number; prefix: string }
  | { kind: 'note'; text: string };

interface Lanes {
  readonly names: string[];
  readonly target: number;
  /** Lane index and label prefix of a peer (a prefix only on the shared overflow lane). */
  laneOf(peer: string): { lane: number; prefix: string };
}

function lanesFor(wireLog: readonly WireEntry[], role: Role, maxLanes: number): Lanes {
  const seen: string[] = [];
  for (const w of wireLog) if (!seen.includes(w.peer)) seen.push(w.peer);
  const kept = seen.length > maxLanes ? seen.slice(0, maxLanes - 1) : seen;
  const overflow = seen.length > maxLanes ? 'other peers' : undefined;
  const left = kept.filter((p) => p.startsWith('web'));
  const right = kept.filter((p) => !p.startsWith('web'));
  if (overflow !== undefined) right.push(overflow);
  const targetName = role === 'server' ? 'server' : `${role} (target)`;
  const names = [...left, targetName, ...right];
  const target = left.length;
  return {
    names,
    target,
    laneOf(peer) {
      const i = kept.indexOf(peer);
      if (i >= 0)
        return { lane: left.includes(peer) ? left.indexOf(peer) : target + 1 + right.indexOf(peer), prefix: '' };
      return { lane: names.length - 1, prefix: `${peer}: ` };
    },
  };
}

function rowsFor(
  trace: readonly TraceStep[],
  wireLog: readonly WireEntry[],
  lanes: Lanes,
  failingStep: number | undefined,
  maxArrows: number,
): Row[] {
  const byStep = new Map<number, WireEntry[]>();
  for (const w of wireLog) {
    const list = byStep.get(w.step);
    if (list === undefined) byStep.set(w.step, [w]);
    else list.push(w);
  }
  const steps = new Map<number, TraceStep>();
  for (const s of trace) if (!steps.has(s.index)) steps.set(s.index, s);
  const indices = [...new Set([...steps.keys(), ...byStep.keys()])].sort((a, b) => a - b);
  const rows: Row[] = [];
  let drawn = 0;
  for (const index of indices) {
    if (drawn >= maxArrows) break;
    const s = steps.get(index);
    rows.push({
      kind: 'step',
      index,
      text: s === undefined ? `#${index}` : `#${index} ${s.actor}: ${s.action}`,
      failing: index === failingStep,
    });
    for (const entry of byStep.get(index) ?? []) {
      if (drawn >= maxArrows) break;
      drawn++;
      const { lane, prefix } = lanes.laneOf(entry.peer);
      if (entry.close !== undefined && entry.frame === undefined && entry.text === undefined) {
        rows.push({ kind: 'close', entry, lane, prefix });
      } else {
        rows.push({ kind: 'arrow', entry, lane, prefix });
      }
    }
  }
  const more = wireLog.length - drawn;
  if (more > 0) rows.push({ kind: 'note', text: `… ${more} more wire ${more === 1 ? 'entry' : 'entries'} not drawn` });
  return rows;
}

function rowHeight(row: Row): number {
  return row.kind === 'step' ? stepRow : row.kind === 'close' ? closeRow : arrowRow;
}

function text(x: number, y: number, content: string, attrs: string): string {
  return `<text x="${x}" y="${y}" ${attrs}>${escapeMarkup(content)}</text>`;
}

/** The wire log of a case as an SVG sequence diagram (a bare `<svg>` element, well-formed XML). */
export function traceToSequenceSvg(
  trace: readonly TraceStep[],
  wireLog: readonly WireEntry[],
  opts: SequenceOptions = {},
): string {
  const lanes = lanesFor(wireLog, opts.role ?? 'server', Math.max(2, opts.maxLanes ?? 12));
  const rows = rowsFor(trace, wireLog, lanes, opts.failingStep, Math.max(0, opts.maxArrows ?? 300));
  const width = margin * 2 + lanes.names.length * laneWidth;
  const laneX = (lane: number) => margin + lane * laneWidth + laneWidth / 2;
  const bodyHeight = rows.reduce((sum, r) => sum + rowHeight(r), 0);
  const height = headerHeight + bodyHeight + margin;
  const out: string[] = [];
  const title = opts.title ?? 'sequence diagram';
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="sequence" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica,Arial,sans-serif" font-size="11" role="img" aria-label="${escapeMarkup(title)}">`,
  );
  out.push(`<title>${escapeMarkup(title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);

  // Shade the failing step's rows first, so lines and text draw over it.
  let y = headerHeight;
  let band: { from: number; to: number } | undefined;
  for (const row of rows) {
    if (row.kind === 'step') {
      if (band !== undefined && band.to < 0) band.to = y;
      if (row.failing) band = { from: y, to: -1 };
    }
    y += rowHeight(row);
  }
  if (band !== undefined) {
    const to = band.to < 0 ? y : band.to;
    out.push(`<rect x="0" y="${band.from}" width="${width}" height="${to - band.from}" fill="${colours.failBand}"/>`);
  }

  // Lifelines and their heads.
  lanes.names.forEach((name, lane) => {
    const x = laneX(lane);
    const isTarget = lane === lanes.target;
    out.push(
      `<line x1="${x}" y1="${headerHeight - 8}" x2="${x}" y2="${height - margin / 2}" stroke="${colours.lifeline}" stroke-dasharray="${isTarget ? 'none' : '4,3'}" stroke-width="${isTarget ? 2 : 1}"/>`,
    );
    out.push(
      `<rect x="${x - laneWidth / 2 + 12}" y="6" width="${laneWidth - 24}" height="24" rx="4" fill="${isTarget ? colours.targetHead : colours.peerHead}" stroke="${colours.lifeline}"/>`,
    );
    out.push(text(x, 22, truncate(name, 26), `text-anchor="middle" font-weight="bold" fill="${colours.text}"`));
  });

  y = headerHeight;
  const stepChars = Math.floor((width - 2 * margin) / charWidth);
  for (const row of rows) {
    const h = rowHeight(row);
    if (row.kind === 'step') {
      const colour = row.failing ? colours.close : colours.muted;
      out.push(
        `<line x1="${margin}" y1="${y + 4}" x2="${width - margin}" y2="${y + 4}" stroke="${colour}" stroke-dasharray="2,3" stroke-width="0.8"/>`,
      );
      const label = truncate(row.failing ? `✗ ${row.text} (failed here)` : row.text, stepChars);
      // A backing strip so the action stays readable where it crosses lifelines.
      const backing = row.failing ? colours.failBand : '#ffffff';
      out.push(
        `<rect x="${margin - 2}" y="${y + 7}" width="${Math.ceil([...label].length * charWidth) + 6}" height="14" fill="${backing}" fill-opacity="0.9"/>`,
      );
      out.push(text(margin, y + 17, label, `fill="${colour}"${row.failing ? ' font-weight="bold"' : ''}`));
    } else if (row.kind === 'arrow') {
      const peerX = laneX(row.lane);
      const targetX = laneX(lanes.target);
      const [x1, x2] = row.entry.dir === 'out' ? [peerX, targetX] : [targetX, peerX];
      const colour = row.entry.dir === 'out' ? colours.out : colours.in;
      const lineY = y + 18;
      const dirSign = x2 >= x1 ? 1 : -1;
      out.push(
        `<line x1="${x1}" y1="${lineY}" x2="${x2 - dirSign * 7}" y2="${lineY}" stroke="${colour}" stroke-width="1.3"${row.entry.frame === undefined ? ' stroke-dasharray="3,2"' : ''}/>`,
      );
      out.push(
        `<polygon points="${x2},${lineY} ${x2 - dirSign * 8},${lineY - 4} ${x2 - dirSign * 8},${lineY + 4}" fill="${colour}"/>`,
      );
      const chars = Math.max(16, Math.floor(Math.abs(x2 - x1) / charWidth) - 2);
      const label = truncate(row.prefix + entryLabel(row.entry), chars);
      out.push(text((x1 + x2) / 2, lineY - 5, label, `text-anchor="middle" fill="${colours.text}"`));
    } else if (row.kind === 'close') {
      const x = laneX(row.lane);
      const cy = y + 13;
      const close = row.entry.close ?? { code: 0, reason: '' };
      out.push(
        `<path d="M${x - 6},${cy - 6} L${x + 6},${cy + 6} M${x - 6},${cy + 6} L${x + 6},${cy - 6}" stroke="${colours.close}" stroke-width="2.2"/>`,
      );
      const by = row.entry.dir === 'in' ? 'by the target' : 'by the suite';
      const reason = close.reason === '' ? '' : ` ${JSON.stringify(truncate(close.reason, 40))}`;
      const room = Math.max(1, Math.abs(row.lane - lanes.target)) * laneWidth;
      const label = truncate(`${row.prefix}close ${close.code} ${by}${reason}`, Math.floor(room / charWidth) - 3);
      const toLeft = row.lane > lanes.target;
      out.push(
        text(
          toLeft ? x - 10 : x + 10,
          cy + 4,
          label,
          `text-anchor="${toLeft ? 'end' : 'start'}" fill="${colours.close}" font-weight="bold"`,
        ),
      );
    } else {
      out.push(text(width / 2, y + 16, row.text, `text-anchor="middle" fill="${colours.muted}" font-style="italic"`));
    }
    y += h;
  }
  out.push('</svg>');
  return out.join('\n');
}
