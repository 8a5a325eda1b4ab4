/**
 * ui.ts — `heapkit ui [--port N] [--host H]`: serves the prebuilt web visualizer (web-dist/) with node:http.
 * Exports `registerUi`, `startUiServer`, `webDistDir`, `UiServer`.
 *
 * Every response carries the cross-origin-isolation headers (COOP same-origin, COEP require-corp, and
 * CORP same-origin) so `SharedArrayBuffer` works in the page. Binds 127.0.0.1 unless told otherwise.
 */
import type { Command } from 'commander';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built app: `web-dist/` at the package root (same depth from src/ and dist/). */
export function webDistDir(): string {
  return fileURLToPath(new URL('../../../web-dist/', import.meta.url));
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.rep': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
  '.map': 'application/json',
};

/** A running visualizer server. */
export interface UiServer {
  /** `http://host:port/`. */
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/**
 * Serves `dir` (default `webDistDir()`) on `host:port` (default 127.0.0.1, port 0 = any free one).
 * Throws an Error naming the build command when the app has not been built.
 */
export function startUiServer(opts: { port?: number; host?: string; dir?: string } = {}): Promise<UiServer> {
  const dir = opts.dir ?? webDistDir();
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the web app is not built (no ${join(dir, 'index.html')}): run 'npm run build:web'`);
  }
  const root = normalize(dir + sep);
  const server = createServer((req, res) => {
    const headers: Record<string, string> = {
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
      'Cross-Origin-Resource-Policy': 'same-origin',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-cache',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, headers).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400, headers).end();
      return;
    }
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
      res.writeHead(403, headers).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      const host = opts.host ?? '127.0.0.1';
      resolve({
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
        port,
        server,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

/** Adds `heapkit ui` to the program. */
export function registerUi(program: Command): void {
  program
    .command('ui')
    .description('serve the web visualizer on localhost and print its address')
    .option('-p, --port <n>', 'port (0 = any free one)', '8173')
    .option('--host <addr>', 'address to bind', '127.0.0.1')
    .action(async (o: { port: string; host: string }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`--port must be 0..65535, not '${o.port}'`);
      const s = await startUiServer({ port, host: o.host });
      process.stdout.write(`heapkit ui: serving the visualizer at ${s.url}  (Ctrl-C to stop)\n`);
      const stop = (): void => void s.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
