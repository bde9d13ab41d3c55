import { describe, expect, test } from 'vitest';
import { defaultBounds } from '../system/bounds.js';
import { faultMask } from '../system/faults.js';
import type { SystemState } from '../system/state.js';
import { applyEvent, enabledEvents, initialState, systemConfig } from '../system/step.js';
import { stateKey } from './explore.js';
import { StateKeyEncoder } from './state-key.js';

describe('StateKeyEncoder', () => {
  test('two reached states get the same compact key exactly when their JSON is equal', () => {
    const cfg = systemConfig({ ...defaultBounds, tabs: 2, logout: 1 }, faultMask([]));
    const keys = new StateKeyEncoder();
    const byJson = new Map<string, string>();
    const byKey = new Map<string, string>();
    const queue: SystemState[] = [initialState(cfg)];
    let successors = 0;
    for (let i = 0; i < queue.length && queue.length < 3000; i++) {
      for (const ev of enabledEvents(queue[i] as SystemState, cfg)) {
        const r = applyEvent(queue[i] as SystemState, ev, cfg);
        if (!r) continue;
        successors++;
        const json = stateKey(r.state);
        const key = keys.key(r.state);
        const knownKey = byJson.get(json);
        if (knownKey === undefined) {
          // a new JSON text must not reuse another text's compact key.
          expect(byKey.has(key)).toBe(false);
          byJson.set(json, key);
          byKey.set(key, json);
          queue.push(r.state);
        } else expect(key).toBe(knownKey);
      }
    }
    expect(byJson.size).toBeGreaterThan(1000);
    // many successors are states already seen (built as new objects), so the equal case is exercised.
    expect(successors).toBeGreaterThan(byJson.size * 2);
  });
});
