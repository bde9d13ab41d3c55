import { describe, expect, it } from 'vitest';
import { runSuite } from '../../engine/runner.js';
import { clientProcessTarget } from '../client-process.js';
import { webChecks } from './web-checks.js';
import { webSuite } from './web-role-suite.js';

describe('the web checks against a separate qrlink web process (over the driver only)', () => {
  it('a forged offer accepted by `qrlink web --mutant web.accepts-forged-offer` fails E2E-6; the honest check of the same run passes', async () => {
    const target = await clientProcessTarget('web', ['web.accepts-forged-offer']);
    try {
      const picked = webChecks.filter((c) => c.id === 'web-E2E-6-bad-box' || c.id === 'web-link-happy');
      const r = await runSuite({ target, role: 'web', cases: picked, seed: 1 });
      const byId = new Map(r.cases.map((c) => [c.id, c]));
      expect(byId.get('web-link-happy')?.status).toBe('passed');
      expect(byId.get('web-E2E-6-bad-box')?.status).toBe('failed');
      expect(byId.get('web-E2E-6-bad-box')?.reason).toMatch(/\[E2E-6\].*confirm/);
    } finally {
      await target.close();
    }
  }, 40_000);

  it('the role suite for the kill matrix lists every web mutant and samples one over the wire', () => {
    expect(webSuite.mutants.every((m) => m.role === 'web')).toBe(true);
    expect(webSuite.wireSample?.every((id) => webSuite.mutants.some((m) => m.id === id))).toBe(true);
  });
});
