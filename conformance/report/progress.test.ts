import { describe, expect, it, vi } from 'vitest';
import { createProgress, summaryLine } from './progress.js';
import { sampleReport } from './sample-report.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { io: { isTTY, err: (text: string) => chunks.push(text), columns: 160 }, text: () => chunks.join('') };
}

describe('createProgress', () => {
  it('prints nothing when stderr is not a terminal', () => {
    const { io, text } = capture(false);
    const p = createProgress(io, 3);
    p.tick('a', 'passed');
    p.tick('b', 'failed');
    p.done();
    expect(text()).toBe('');
  });

  it('draws a bar with counts per verdict on a terminal and ends on its own line', () => {
    const { io, text } = capture(true);
    const p = createProgress(io, 4);
    expect(text()).toContain('qrlink check [');
    expect(text()).toContain('0/4');
    p.tick('LINK-1/1', 'passed');
    p.tick('LINK-2/1', 'failed');
    p.tick('CTL-4/1', 'skipped');
    p.tick('SEC-2/1', 'non-strict');
    p.done();
    const out = text();
    expect(out).toContain('4/4 | 1 passed, 1 failed, 1 skipped, 1 non-strict');
    expect(out.endsWith('\n')).toBe(true);
    p.done();
    expect(text()).toBe(out);
  });

  it('shows the case running, without control characters from its id', () => {
    // cli-progress redraws on its own timer and throttles by Date.now: both faked, no real time passes.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    try {
      const { io, text } = capture(true);
      const p = createProgress(io, 2);
      p.tick('evil\u001b[2J\u0007id', 'passed');
      vi.advanceTimersByTime(250);
      const running = text();
      expect(running).toContain('1/2 | 1 passed, 0 failed | evil\\u001b[2J\\u0007id');
      expect(running).not.toContain('\u001b[2J');
      expect(running).not.toContain('\u0007');
      p.done();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('summaryLine', () => {
  it('says `<n> passed, <n> failed` literally, with duration, rate and report path', () => {
    expect(summaryLine(sampleReport(), 'reports/latest/index.html')).toBe(
      'qrlink check: 4 passed, 2 failed, 1 skipped, 1 non-strict, 1 expected failure, 1 unexpected pass (4.2 s, 5,300 steps/s) -> reports/latest/index.html',
    );
  });

  it('leaves out zero counts beyond passed and failed', () => {
    const base = sampleReport().summary;
    const clean = {
      ...base,
      passed: 1234,
      failed: 0,
      skipped: 0,
      nonStrict: 0,
      expectedFailures: 0,
      unexpectedPasses: 0,
    };
    expect(summaryLine({ summary: clean })).toBe('qrlink check: 1234 passed, 0 failed (4.2 s, 5,300 steps/s)');
    expect(summaryLine({ summary: clean })).toMatch(/\b\d+ passed, \d+ failed\b/);
  });
});
