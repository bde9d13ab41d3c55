/**
 * `npm start` until the conformance engine lands (issue 6): it cannot run the suite, so it runs
 * what exists, says so plainly, and writes what it found to reports/latest/status.json. Exit 0 iff
 * every one of these checks passed. When `qrlink check` lands, `npm start` runs it instead.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeVectors } from '../impl/crypto/vectors.js';
import { extractVectorsBlock, renderVectorsBlock } from '../impl/crypto/vectors-markdown.js';
import { loadClauses, loadProtocolText } from '../model/protocol/clauses.js';
import { DEFAULT_DIR, driftedFiles } from './gen-schema.js';

interface Finding {
  readonly check: string;
  readonly passed: boolean;
  readonly detail: string;
}

async function findings(): Promise<Finding[]> {
  const clauses = loadClauses();
  const must = clauses.filter((c) => c.level === 'MUST').length;
  const ids = new Set(clauses.map((c) => c.id));
  const drifted = driftedFiles(DEFAULT_DIR);
  const vectorsMatch = extractVectorsBlock(loadProtocolText()) === renderVectorsBlock(await computeVectors());
  return [
    {
      check: 'spec clauses',
      passed: ids.size === clauses.length && clauses.length >= 60,
      detail: `${clauses.length} clause IDs in docs/protocol.md (${must} MUST, ${clauses.length - must} SHOULD), ${ids.size} unique`,
    },
    {
      check: 'JSON Schema',
      passed: drifted.length === 0,
      detail: drifted.length === 0 ? 'docs/schema/ matches the zod source' : `out of date: ${drifted.join(', ')}`,
    },
    {
      check: 'test vectors',
      passed: vectorsMatch,
      detail: vectorsMatch
        ? 'every value in docs/protocol.md section 18 recomputed by impl/crypto'
        : 'docs/protocol.md section 18 differs from impl/crypto: run `npm run vectors`',
    },
  ];
}

async function main(): Promise<number> {
  console.log(
    'qrlink: the conformance suite is not built yet (issue 6), so nothing was checked against an implementation.\n' +
      'npm start ran what exists instead:',
  );
  const results = await findings();
  for (const f of results) console.log(`  ${f.passed ? 'ok  ' : 'FAIL'} ${f.check}: ${f.detail}`);
  const out = fileURLToPath(new URL('../reports/latest/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const report = { suite: 'not built (issue 6)', generatedAt: new Date().toISOString(), findings: results };
  writeFileSync(`${out}status.json`, `${JSON.stringify(report, null, 2)}\n`);
  const failed = results.filter((f) => !f.passed).length;
  console.log(`${results.length - failed} passed, ${failed} failed -> reports/latest/status.json`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`qrlink start: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
