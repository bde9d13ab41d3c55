import { describe, expect, it } from 'vitest';
import { replayCommands, shellArg } from './replay-command.js';

describe('replayCommands', () => {
  const remote = { target: 'ws://127.0.0.1:9000', role: 'server' as const };

  it('replays a trace file against the same target', () => {
    expect(
      replayCommands(remote, { id: 'LINK-2/1', kind: 'check', replayFile: 'traces/LINK-2_1.json' }, 'out/run 1'),
    ).toEqual(["qrlink check --target ws://127.0.0.1:9000 --role server --replay 'out/run 1/traces/LINK-2_1.json'"]);
  });

  it('gives a property case its seed command too, and no --target for the embedded reference', () => {
    const c = { id: 'prop/relay', kind: 'property' as const, seed: 42, replayFile: 'traces/prop_relay.json' };
    expect(replayCommands({ target: 'embedded reference', role: 'server' }, c, 'reports/latest/')).toEqual([
      'qrlink check --replay reports/latest/traces/prop_relay.json',
      'qrlink check --seed 42 --filter prop/relay',
    ]);
  });

  it('names the role of an embedded client reference, without --target', () => {
    const c = { id: 'web-path-01', kind: 'transition-path' as const, replayFile: 'traces/web-path-01.json' };
    expect(replayCommands({ target: 'embedded reference web', role: 'web' }, c, 'out')).toEqual([
      'qrlink check --role web --replay out/traces/web-path-01.json',
    ]);
  });

  it('gives nothing for a case without trace file or seed', () => {
    expect(replayCommands(remote, { id: 'x', kind: 'check' })).toEqual([]);
  });
});

describe('shellArg', () => {
  it('quotes what the shell would split or expand', () => {
    expect(shellArg('a b')).toBe("'a b'");
    expect(shellArg("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(shellArg('LINK-2/1')).toBe('LINK-2/1');
  });
});
