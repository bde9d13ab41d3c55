/**
 * Writes docs/model.md from the model's machines. `--check`: exit 1 when the committed file differs.
 * Usage: node --import tsx scripts/gen-model-doc.ts [--check]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderModelDoc } from '../model/doc/model-doc.js';

const target = fileURLToPath(new URL('../docs/model.md', import.meta.url));
const text = renderModelDoc();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    current = '';
  }
  if (current !== text) {
    console.error('docs/model.md is out of date: run npm run docs:model');
    process.exit(1);
  }
  console.log('docs/model.md is up to date');
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
