import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { invariants } from '../invariants/invariants.js';
import { renderModelDoc, roleCharts } from './model-doc.js';

describe('docs/model.md', () => {
  test('the committed file is what the machines generate (run npm run docs:model)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../docs/model.md', import.meta.url)), 'utf8');
    expect(committed).toBe(renderModelDoc());
  });
  test('one Mermaid diagram per role chart and every invariant in the table', () => {
    const text = renderModelDoc();
    expect(text.match(/stateDiagram-v2/g)?.length).toBe(roleCharts.length);
    for (const i of invariants) expect(text).toContain(`| ${i.id} |`);
  });
});
