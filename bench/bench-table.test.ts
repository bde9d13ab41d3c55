import { describe, expect, test } from 'vitest';
import { row } from './bench-result.js';
import { formatBenchTable } from './bench-table.js';

describe('benchmark table', () => {
  test('one aligned line per row with id, ours, baseline, unit and ratio, then the notes', () => {
    const text = formatBenchTable({
      machine: { cpus: 2, node: 'v20.20.2' },
      benchmarks: [
        row({
          id: 'relay.1k.throughput',
          metric: 'msg/s',
          ours: 45000,
          baseline: 58000,
          unit: 'msg/s',
          better: 'higher',
        }),
        row({ id: 'link.p99', metric: 'p99', ours: 12, baseline: 6, unit: 'ms', better: 'lower', notes: 'n1' }),
      ],
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('machine: 2 cpus, node v20.20.2');
    const relay = lines.find((l) => l.startsWith('relay.1k.throughput')) ?? '';
    expect(relay).toMatch(/45,000\s+58,000\s+msg\/s\s+0\.776/);
    const link = lines.find((l) => l.startsWith('link.p99')) ?? '';
    expect(link).toMatch(/12\s+6\s+ms\s+0\.5\s/);
    expect(relay.indexOf('msg/s')).toBe(link.indexOf('ms')); // columns line up
    expect(text).toContain('  link.p99: lower is better, ratio = baseline/ours; n1');
  });
});
