import { describe, expect, it } from 'vitest';
import { suiteConfig } from '../engine/suite-config.js';
import type { Command } from './command.js';
import { applyCommand, enabledCommands, initialWorld, oracleConfig, type World } from './world.js';

const cfg = oracleConfig(suiteConfig);
const run = (cmds: Command[]): World => cmds.reduce((w, c) => applyCommand(w, c, cfg).world, initialWorld(cfg));
const linked: Command[] = [
  { c: 'web.hello', conn: 'A1', keep: true },
  { c: 'phone.register', phone: 'P1' },
  { c: 'phone.verify', phone: 'P1', right: true },
  { c: 'phone.claim', phone: 'P1', ref: 'A1.1' },
  { c: 'phone.approve', phone: 'P1', ref: 'A1.1' },
  { c: 'web.confirm', conn: 'A1', ref: 'A1.1', forged: false },
  { c: 'phone.finalize', phone: 'P1', ref: 'A1.1' },
];

describe('the oracle world', () => {
  it('starts with a web connection to open and phones to register', () => {
    const cmds = enabledCommands(initialWorld(cfg), cfg).map((c) => c.c);
    expect(cmds).toContain('web.hello');
    expect(cmds).toContain('phone.register');
    expect(cmds).not.toContain('clock');
  });

  it('[LINK-9] predicts linked to the web client and link.ok to the phone on finalize', () => {
    const before = run(linked.slice(0, -1));
    const a = applyCommand(before, linked[6] as Command, cfg);
    const frames = a.out.map((d) => `${d.kind === 'web' ? d.conn : d.phone}:${d.frame.t}`);
    expect(frames).toContain('A1:linked');
    expect(frames).toContain('P1:link.ok');
    expect(a.fired.flatMap((f) => f.clauses)).toContain('LINK-9');
    expect(a.world.tokens).toEqual(['s1.t0']);
  });

  it('[QR-3] the clock advances to the earliest deadline: the first QR TTL from the configuration', () => {
    const w = run([{ c: 'web.hello', conn: 'A1', keep: false }]);
    expect(w.timers).toEqual([{ timer: 'QR_TTL', conn: 'A1', key: 'Q:A1:1', left: suiteConfig.qrFirstTtlMs }]);
    const a = applyCommand(w, { c: 'clock' }, cfg);
    expect(a.advanceMs).toBe(suiteConfig.qrFirstTtlMs);
    expect(a.out.map((d) => d.frame.t)).toEqual(['qr']);
    expect(a.world.timers[0]?.left).toBe(suiteConfig.qrTtlMs);
  });

  it('keeps the time left on a timer that did not fire', () => {
    const w = run([
      { c: 'web.hello', conn: 'A1', keep: false },
      { c: 'phone.register', phone: 'P1' },
      { c: 'phone.verify', phone: 'P1', right: true },
      { c: 'phone.claim', phone: 'P1', ref: 'A1.1' },
      { c: 'web.hello', conn: 'A2', keep: false },
    ]);
    expect(w.timers.map((t) => [t.timer, t.conn, t.left])).toEqual([
      ['CONSENT', 'A1', suiteConfig.consentMs],
      ['QR_TTL', 'A2', suiteConfig.qrFirstTtlMs],
    ]);
  });

  it('[CTL-4] timers due at the same instant fire in the order they were armed, not in connection order', () => {
    // Found by a property run: two claims at one instant lapse together; the one claimed first
    // (A2's) lapses first, as the target's clock fires them.
    const w = run([
      { c: 'web.hello', conn: 'A1', keep: true },
      { c: 'web.hello', conn: 'A2', keep: true },
      { c: 'phone.register', phone: 'P1' },
      { c: 'phone.verify', phone: 'P1', right: true },
      { c: 'phone.claim', phone: 'P1', ref: 'A2.1' },
      { c: 'phone.claim', phone: 'P1', ref: 'A1.1' },
    ]);
    expect(w.timers.map((t) => t.key)).toEqual(['C:A2:1', 'C:A1:1']);
    const a = applyCommand(w, { c: 'clock' }, cfg);
    const lapses = a.out.filter((d) => d.kind === 'phone' && d.frame.t === 'link.error');
    expect(lapses.map((d) => (d.frame as { ref: string }).ref)).toEqual(['A2.1', 'A1.1']);
  });

  it('offers the relay once attached, within the relay budget', () => {
    const attached = run([...linked, { c: 'web.attach', conn: 'A1' }]);
    expect(enabledCommands(attached, cfg)).toContainEqual({ c: 'web.toPhone', conn: 'A1' });
    const sent = run([...linked, { c: 'web.attach', conn: 'A1' }, { c: 'web.toPhone', conn: 'A1' }]);
    expect(enabledCommands(sent, cfg)).not.toContainEqual({ c: 'web.toPhone', conn: 'A1' });
  });
});
