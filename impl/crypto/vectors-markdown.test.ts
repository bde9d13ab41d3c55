import { describe, expect, it } from 'vitest';
import { computeVectors } from './vectors.js';
import {
  BEGIN_MARKER,
  END_MARKER,
  extractVectorsBlock,
  parseVectorsBlock,
  renderVectorsBlock,
  replaceVectorsBlock,
  VectorsMarkerError,
  vectorLines,
} from './vectors-markdown.js';

const doc = (inner = '\n') => `# Spec\n\ntext before\n\n${BEGIN_MARKER}${inner}${END_MARKER}\n\ntext after\n`;

describe('test-vector block in docs/protocol.md', () => {
  it('replaces only the text between the markers, idempotently', async () => {
    const block = renderVectorsBlock(await computeVectors());
    const once = replaceVectorsBlock(doc('\nold stuff\n'), block);
    expect(once).toBe(doc(block));
    expect(replaceVectorsBlock(once, block)).toBe(once);
    expect(extractVectorsBlock(once)).toBe(block);
  });

  it('parses back every rendered line', async () => {
    const v = await computeVectors();
    const parsed = parseVectorsBlock(renderVectorsBlock(v));
    const lines = vectorLines(v).filter(([, value]) => value !== undefined);
    expect(parsed.size).toBe(lines.length);
    for (const [name, value] of lines) expect(parsed.get(name)).toBe(value);
    expect(parsed.get('n')).toBe('1');
  });

  it.each([
    ['no markers', '# Spec\n'],
    ['only BEGIN', `${BEGIN_MARKER}\n`],
    ['only END', `${END_MARKER}\n`],
    ['END before BEGIN', `${END_MARKER}\n${BEGIN_MARKER}\n`],
    ['two BEGIN', `${BEGIN_MARKER}\n${BEGIN_MARKER}\n${END_MARKER}\n`],
  ])('fails with a message naming both markers: %s', (_label, text) => {
    expect(() => extractVectorsBlock(text, 'docs/protocol.md')).toThrow(VectorsMarkerError);
    expect(() => replaceVectorsBlock(text, 'x', 'docs/protocol.md')).toThrow(
      /docs\/protocol\.md must contain exactly one line[\s\S]*BEGIN TEST VECTORS[\s\S]*END TEST VECTORS/,
    );
  });
});
