/**
 * The QR code as SVG markup, made synchronously from the QR matrix (black modules on white, a
 * 4-module quiet zone, error correction M), so that the page updates its QR and its DOM hooks in
 * one task: the suite's browser mode never sees a state `qr` without its code.
 */
import QRCode from 'qrcode';

const QUIET = 4;

export function qrSvg(text: string): string {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const full = size + 2 * QUIET;
  let path = '';
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (modules.get(row, col)) path += `M${col + QUIET} ${row + QUIET}h1v1h-1z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${full} ${full}" shape-rendering="crispEdges">` +
    `<rect width="${full}" height="${full}" fill="#ffffff"/><path d="${path}" fill="#000000"/></svg>`
  );
}
