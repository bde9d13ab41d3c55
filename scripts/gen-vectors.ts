/**
 * Writes the QR Link v1 test vectors into docs/protocol.md between its marker lines.
 *
 *   npm run vectors                  rewrite the block
 *   npm run vectors -- --check       exit 1 if the block differs from what would be written
 *   npm run vectors -- --file <path> operate on another file (e.g. a temp copy)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { computeVectors } from '../impl/crypto/vectors.js';
import { extractVectorsBlock, renderVectorsBlock, replaceVectorsBlock } from '../impl/crypto/vectors-markdown.js';

const USAGE = 'usage: gen-vectors [--check] [--file <path to protocol.md>]';

function parseArgs(argv: string[]): { check: boolean; file: string } {
  let check = false;
  let file = fileURLToPath(new URL('../docs/protocol.md', import.meta.url));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--check') check = true;
    else if (arg === '--file' && argv[i + 1] !== undefined) file = argv[++i] ?? file;
    else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return { check, file };
}

async function main(): Promise<number> {
  const { check, file } = parseArgs(process.argv.slice(2));
  let doc: string;
  try {
    doc = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${file}: ${(err as Error).message}`);
  }
  const block = renderVectorsBlock(await computeVectors());
  const current = extractVectorsBlock(doc, file);
  if (check) {
    if (current === block) {
      console.log(`test vectors in ${file} are up to date`);
      return 0;
    }
    console.error(`test vectors in ${file} differ from the computed ones: run \`npm run vectors\``);
    return 1;
  }
  if (current === block) {
    console.log(`test vectors in ${file} already up to date`);
    return 0;
  }
  writeFileSync(file, replaceVectorsBlock(doc, block, file));
  console.log(`wrote test vectors into ${file}`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`gen-vectors: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 2;
  },
);
