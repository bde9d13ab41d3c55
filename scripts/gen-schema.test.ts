import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { channels } from '../model/protocol/catalog.js';
import { DEFAULT_DIR, driftedFiles, frameDescriptions, generateSchemas, INDEX_FILE, main } from './gen-schema.js';

interface FrameJson {
  title: string;
  description: string;
  type: string;
  properties: Record<string, { const?: unknown }>;
  required?: string[];
  additionalProperties?: unknown;
}
interface ChannelJson {
  $schema: string;
  title: string;
  oneOf: FrameJson[];
}

const files = generateSchemas();
const allChannels = Object.values(channels);
const channelJson = (id: string): ChannelJson => JSON.parse(files.get(`${id}.json`) ?? 'null') as ChannelJson;

describe('docs/schema', () => {
  it('the committed files equal what the generator writes now', () => {
    const drifted = driftedFiles(DEFAULT_DIR, files);
    expect(drifted, `docs/schema is out of date (${drifted.join(', ')}): run \`npm run schema\``).toEqual([]);
  });

  it('is deterministic: 2-space JSON with a trailing newline, the same on every run', () => {
    expect(generateSchemas()).toEqual(files);
    for (const [name, text] of files) {
      expect(text, name).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    }
  });

  it('has one file per channel and an index listing each with its frame types', () => {
    expect([...files.keys()].sort()).toEqual([INDEX_FILE, ...allChannels.map((ch) => `${ch.id}.json`)].sort());
    const index = JSON.parse(files.get(INDEX_FILE) ?? '{}') as {
      channels: { id: string; file: string; key: string | null; types: string[] }[];
    };
    expect(index.channels.map((c) => c.id)).toEqual(allChannels.map((ch) => ch.id));
    for (const entry of index.channels) {
      const ch = channels[entry.id as keyof typeof channels];
      expect(entry.file).toBe(`${ch.id}.json`);
      expect(entry.key).toBe(ch.id === 'driver-reply' ? null : ch.key);
      expect(entry.types).toEqual(ch.frames.map((f) => f.type));
    }
  });

  describe.each(allChannels.map((ch) => [ch.id, ch] as const))('%s', (id, ch) => {
    const doc = channelJson(id);

    it('is a JSON Schema 2020-12 document titled with the channel', () => {
      expect(doc.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(doc.title).toBe(ch.title);
    });

    it('has one oneOf branch per frame type of the catalogue, titled with the type and described', () => {
      expect(doc.oneOf.map((f) => f.title)).toEqual(ch.frames.map((f) => f.type));
      for (const frame of doc.oneOf) {
        expect(frame.description, frame.title).toMatch(/\S{3}/);
        expect(frame.type).toBe('object');
      }
    });

    it('lists as required exactly the non-optional fields of each zod shape, and every field', () => {
      ch.frames.forEach((f, i) => {
        const json = doc.oneOf[i] as FrameJson;
        const keys = Object.keys(f.schema.shape);
        const required = keys.filter((k) => !(f.schema.shape[k] instanceof z.ZodOptional));
        expect(json.required ?? [], f.type).toEqual(required);
        expect(Object.keys(json.properties), f.type).toEqual(keys);
      });
    });

    it('[TR-4] allows unknown fields in every frame', () => {
      for (const frame of doc.oneOf) expect(frame.additionalProperties, frame.title).toBeUndefined();
    });

    if (id !== 'driver-reply') {
      it(`pins the type field "${ch.key}" of each frame to its type`, () => {
        for (const frame of doc.oneOf) expect(frame.properties[ch.key]?.const, frame.title).toBe(frame.title);
      });
    }
  });

  it('has a description for every frame type and none for a type the catalogue lacks', () => {
    for (const ch of allChannels) {
      expect(Object.keys(frameDescriptions[ch.id]).sort(), ch.id).toEqual(ch.frames.map((f) => f.type).sort());
    }
  });
});

describe('gen-schema --check', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrlink-schema-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('passes right after writing, then names each changed, missing or stale file and exits 1', () => {
    const dir = tempDir();
    const lines: string[] = [];
    expect(main(['--out', dir], (l) => lines.push(l))).toBe(0);
    expect(main(['--check', '--out', dir], (l) => lines.push(l))).toBe(0);

    writeFileSync(join(dir, 'offer-typo.json'), '{}\n');
    unlinkSync(join(dir, 'control-reply.json'));
    const web = join(dir, 'server-to-web.json');
    writeFileSync(web, readFileSync(web, 'utf8').replace('"qr.exhausted"', '"qr.exhaustd"'));
    expect(driftedFiles(dir)).toEqual(['control-reply.json', 'offer-typo.json', 'server-to-web.json']);

    lines.length = 0;
    expect(main(['--check', '--out', dir], (l) => lines.push(l))).toBe(1);
    const said = lines.join('\n');
    for (const name of ['control-reply.json', 'offer-typo.json', 'server-to-web.json']) expect(said).toContain(name);
    expect(said).toContain('npm run schema');
  });

  it('refuses an unknown option with exit code 2', () => {
    const lines: string[] = [];
    expect(main(['--chek'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('--chek');
  });

  it('runs as a script: --check on a drifted directory exits 1 naming the file', () => {
    const dir = tempDir();
    main(['--out', dir], () => {});
    writeFileSync(join(dir, 'web-to-server.json'), '{}\n');
    const script = fileURLToPath(new URL('./gen-schema.ts', import.meta.url));
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', script, '--check', '--out', dir], { stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number; stderr: Buffer };
      status = err.status;
      stderr = err.stderr.toString();
    }
    expect(status).toBe(1);
    expect(stderr).toContain('web-to-server.json');
  });
});
