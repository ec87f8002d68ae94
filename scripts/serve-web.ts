/**
 * @file A tiny static file server for the demo page (node:http, no dependency): serves a folder
 * (default web/dist) on localhost. `npm run web` builds the page and serves it on port 8080 (or
 * PORT); test/web.chromium.test.ts calls `serveStatic` on an ephemeral port. Every response carries
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`: the
 * page is then cross-origin isolated, the condition for SharedArrayBuffer, so the kernel layer's
 * worker pool runs on Web Workers there (`{ isolate: false }` serves without them: one thread).
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png' };

/** Options of {@link serveStatic}. */
export interface ServeOptions {
  /** Send the COOP / COEP headers that make the page cross-origin isolated (default true). */
  isolate?: boolean;
}

/**
 * Serves `dir` on 127.0.0.1:`port` (0 = an ephemeral port); resolves with the server and its URL.
 * Paths outside `dir` are refused (403), missing files are 404.
 *
 * @example
 * const { server, url } = await serveStatic('web/dist', 0); // … server.close()
 */
export function serveStatic(dir: string, port = 0, opts: ServeOptions = {}): Promise<{ server: Server; url: string }> {
  const root = resolve(dir);
  const isolation: Record<string, string> = opts.isolate === false ? {} : { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, isolation).end('forbidden');
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store', ...isolation }).end(body);
    } catch {
      res.writeHead(404, isolation).end('not found');
    }
  });
  return new Promise<{ server: Server; url: string }>((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      const addr = server.address();
      ok({ server, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}/` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? fileURLToPath(new URL('../web/dist/', import.meta.url));
  const { url } = await serveStatic(dir, Number(process.env.PORT ?? 8080));
  console.log(`serving ${dir} at ${url} (Ctrl-C to stop)`);
}
