import { describe, expect, it } from 'vitest';
import type { WireEntry } from './run-report.js';
import { hostileReport, hostileText, sampleReport } from './sample-report.js';
import { frameLabel, traceToSequenceSvg } from './sequence-diagram.js';
import { xmlWellFormednessProblems } from './xml-well-formedness.js';

const sample = sampleReport();
function sampleCase(id: string) {
  const c = sample.cases.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no case ${id}`);
  return c;
}

/** The x of each lifeline head, by its label. */
function headX(svg: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of svg.matchAll(/<text x="([\d.]+)" y="22" [^>]*>([^<]*)<\/text>/g)) out.set(m[2] ?? '', Number(m[1]));
  return out;
}

describe('frameLabel', () => {
  it('gives the type then short field values', () => {
    expect(frameLabel({ t: 'qr', ref: 'kQ3vX9a2LmPz7RtY0bWc1g', ttlMs: 60000, n: 1, of: 6 })).toBe(
      'qr ref=kQ3vX9a2… ttlMs=60000 n=1 of=6',
    );
    expect(frameLabel({ t: 'auth.ok', sessions: [1, 2], device: { a: 1 }, x: null })).toBe(
      'auth.ok sessions=[2] device={…} x=null',
    );
    expect(frameLabel({ ref: 'a' })).toBe('(no t) ref=a');
    expect(frameLabel([1, 2])).toBe('[1,2]');
  });
});

describe('traceToSequenceSvg', () => {
  const failed = sampleCase('LINK-2/1');
  const svg = traceToSequenceSvg(failed.trace, failed.wireLog, { role: 'server', failingStep: 4, title: 'LINK-2/1' });

  it('is well-formed XML', () => {
    expect(xmlWellFormednessProblems(svg)).toEqual([]);
  });

  it('puts web clients left, the server in the middle and phones right', () => {
    const x = headX(svg);
    expect([...x.keys()]).toEqual(['web1', 'server', 'phone1']);
    expect(x.get('web1')).toBeLessThan(x.get('server') ?? 0);
    expect(x.get('server')).toBeLessThan(x.get('phone1') ?? 0);
  });

  it('draws one arrow per frame, labelled with its type', () => {
    expect(svg.match(/<polygon /g)).toHaveLength(failed.wireLog.length);
    expect(svg).toContain('>link.claimed ref=kQ3vX9a2… device=');
    expect(svg).toContain('>scanned ref=kQ3vX9a2…</text>');
  });

  it('separates steps with their action and marks the failing one', () => {
    expect(svg).toContain('>#3 clock: clock passes qrFirstTtl (60000 ms)</text>');
    expect(svg).toContain('✗ #4 phone1: phone1 claims the expired ref (failed here)');
    expect(svg).toContain('fill="#ffebe9"');
  });

  it('draws a close as a cross with its code', () => {
    const c = sampleCase('ERR-2/1');
    const out = traceToSequenceSvg(c.trace, c.wireLog, { role: 'server' });
    expect(out).toContain('<path d="M');
    expect(out).toContain('close 1007 by the target');
    expect(out).toContain('(not JSON) &quot;{\\&quot;t\\&quot;:\\&quot;hello\\&quot;,&quot;');
  });

  it('names the target after its role', () => {
    const c = sampleCase('ERR-2/1');
    expect([...headX(traceToSequenceSvg(c.trace, c.wireLog, { role: 'web' })).keys()]).toContain('web (target)');
  });

  it('stays bounded: at most maxArrows entries, then a note', () => {
    const wire: WireEntry[] = Array.from({ length: 5000 }, (_, i) => ({
      step: Math.floor(i / 10),
      peer: 'web1',
      dir: i % 2 === 0 ? 'out' : 'in',
      frame: { t: 'status', ref: 'x'.repeat(5000) },
    }));
    const out = traceToSequenceSvg([], wire, { maxArrows: 300 });
    expect(out.match(/<polygon /g)).toHaveLength(300);
    expect(out).toContain('… 4700 more wire entries not drawn');
    expect(out.length).toBeLessThan(200_000);
    const height = Number(/height="(\d+)"/.exec(out)?.[1]);
    expect(height).toBeLessThan(300 * 26 + 30 * 24 + 200);
  });

  it('shares one lifeline among peers past maxLanes', () => {
    const wire: WireEntry[] = Array.from({ length: 20 }, (_, i) => ({
      step: 0,
      peer: `phone${i}`,
      dir: 'out',
      frame: { t: 'auth' },
    }));
    const out = traceToSequenceSvg([], wire, { maxLanes: 4 });
    expect([...headX(out).keys()]).toEqual(['server', 'phone0', 'phone1', 'phone2', 'other peers']);
    expect(out).toContain('>phone19: auth</text>');
  });

  it('escapes hostile frames, peers, actions and close reasons', () => {
    const c = hostileReport().cases[4];
    if (c === undefined) throw new Error('hostile report has cases');
    const out = traceToSequenceSvg(c.trace, c.wireLog, { role: 'server', failingStep: 1, title: hostileText });
    expect(xmlWellFormednessProblems(out)).toEqual([]);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('</script>');
    expect(out).not.toContain('\u001b');
  });
});
