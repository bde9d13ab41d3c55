/**
 * The built page: one self-contained HTML string (no external script, the bundle inlined once),
 * without the zod locales the page never uses (every browser-mode case loads it afresh, so its
 * size is paid per case), and still carrying the English messages zod shows.
 */
import { describe, expect, it } from 'vitest';
import { buildWebPage } from './build.js';

describe('buildWebPage', () => {
  it('inlines the bundle, English zod messages only, within 400 KB', async () => {
    const { html } = await buildWebPage();
    expect(html).not.toContain('/*QRLINK_BUNDLE*/');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toContain('Ungültige Eingabe'); // zod's German locale
    expect(html).toContain('Invalid input'); // zod's English locale
    expect(html.length).toBeLessThan(400_000);
  });
});
