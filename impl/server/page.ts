/** The page served at GET / when no web client bundle is given. */
export const MISSING_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>qrlink</title></head>
<body>
<h1>qrlink server</h1>
<p>The web client bundle is not built, so there is no page to show here.
The WebSocket endpoints are <code>/v1/web</code> and <code>/v1/phone</code> (subprotocol <code>qrlink.v1</code>).</p>
</body>
</html>
`;
