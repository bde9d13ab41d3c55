/**
 * Reads a QR code from rendered pixels, as a phone camera would: a PNG screenshot decoded with
 * pngjs, the code located and read with jsqr (a real decoder: a code that does not scan is not
 * read). Dark modules on a light background, as the hooks spec requires (no inverted attempt: it
 * doubles the decoding time). Returns the text, or null when no code is found.
 */
import jsqrImport from 'jsqr';
import { PNG } from 'pngjs';

type JsQr = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: 'dontInvert' | 'onlyInvert' | 'attemptBoth' | 'invertFirst' },
) => { data: string } | null;

/** jsqr is CommonJS with `export default` types: take the function from whichever shape loads. */
const jsQR = ((jsqrImport as unknown as { default?: unknown }).default ?? jsqrImport) as JsQr;

/** The text of the QR code in `png`, or null when there is none to read. */
export function decodeQrPng(png: Uint8Array): string | null {
  const image = PNG.sync.read(Buffer.from(png.buffer, png.byteOffset, png.byteLength));
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  const found = jsQR(pixels, image.width, image.height, { inversionAttempts: 'dontInvert' });
  return found === null ? null : found.data;
}
