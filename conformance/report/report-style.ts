/**
 * The style rules every HTML page qrlink writes shares (the run report, the mutation report): type,
 * headings, links and code blocks. Each page adds its own rules and the `:root` colours it uses.
 * `pageHead` is the head both pages open with.
 */
export const baseCss = `* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg); margin: 0; }
main { max-width: 1280px; margin: 0 auto; padding: 0 24px 48px; }
h1 { font-size: 24px; margin: 24px 0 4px; }
h2 { font-size: 19px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--border); }
h3 { font-size: 15px; margin: 20px 0 8px; }
a { color: #0969da; text-decoration: none; } a:hover { text-decoration: underline; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--bg-soft); border: 1px solid var(--border); border-radius: 6px; padding: 8px 10px;
  overflow: auto; max-height: 420px; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }`;

/**
 * A self-contained page's opening up to `<body>`: no script, no outside resource (the policy allows
 * inline styles and data: images only). `title` is HTML-escaped by the caller.
 */
export function pageHead(title: string, css: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${title}</title>
<style>${css}</style>
</head>`;
}
