import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

const placeholder = `<!doctype html><meta charset="utf-8"><title>Port-Yard</title>
<body style="font-family:system-ui;margin:3rem">
<h1>Port-Yard agent</h1><p>The API runs at <code>/api/trpc</code>; health at <code>/healthz</code>.
The web console is not built here (<code>npm run build:web</code>).</p></body>`;

/**
 * Serves the web console bundle: files under `root` only (no path escapes), `index.html` for
 * every other path (client-side routes). Content-Security-Policy: same origin only.
 */
export function createStaticFiles(root: string | undefined) {
  const base = root ? resolve(root) : undefined;
  const headers = {
    'content-security-policy':
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
  return async function serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let path: string;
    try {
      path = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    } catch {
      // A malformed %-escape is the client's mistake: no server error, no error log line.
      response.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('malformed URL path');
      return;
    }
    if (!base) {
      response.writeHead(200, { 'content-type': types['.html']!, ...headers }).end(placeholder);
      return;
    }
    let file = resolve(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      response.writeHead(404).end();
      return;
    }
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) file = join(base, 'index.html');
    const found = await stat(file).catch(() => undefined);
    if (!found?.isFile()) {
      response.writeHead(200, { 'content-type': types['.html']!, ...headers }).end(placeholder);
      return;
    }
    const immutable = file.includes(`${sep}assets${sep}`);
    response.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-length': found.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...headers,
    });
    // A read error (a file that vanished or cannot be read) breaks this response off; with a bare
    // pipe() it would be an unhandled 'error' event, which ends the whole agent.
    await pipeline(createReadStream(file), response).catch(() => undefined);
  };
}
