/**
 * spawn.ts — the glue that starts marker threads, and a pool so heaps reuse idle ones between cycles.
 * Exports `acquireMarker`, `prewarmMarker`, `markerReady`, `markerKind`, `shutdownMarkers`, `markerThreadsStarted`, `markerThreadsFailed`, `MarkerKind`.
 *
 * Node: `worker_threads` reached through `process.getBuiltinModule` (Node ≥ 20.16), so nothing here imports a
 * Node built-in and the core stays loadable in browsers; from source (under tsx) a two-line bootstrap registers
 * tsx in the worker first, as src/node/pool.ts does. Threads are unref'd: an idle marker never keeps a process alive.
 *
 * Browsers: a module Web Worker (SharedArrayBuffer needs a cross-origin-isolated page: COOP same-origin + COEP
 * require-corp, as `heapkit ui` serves it). It is created with the literal
 * `new Worker(new URL('./worker.js', import.meta.url), { type: 'module' })`, the one form bundlers recognise
 * statically (Vite resolves `./worker.js` to worker.ts, bundles it and its imports into a worker chunk and rewrites
 * the URL); a URL computed at run time would be left alone and point at a file the bundle does not have. The
 * Node path keeps its URL computed (a variable, not a literal), so a bundler neither copies worker.ts as an asset
 * nor tries to follow it. A Web Worker boots only while the page's main thread returns to its event loop, and
 * Chromium holds the page's messages to it on the main thread until the page has heard that the worker's script
 * ran — a cycle posted before that would wait for the mutator to yield. So the page pings the new worker and
 * counts it ready only when the answer comes back (the round trip proves messages now go straight to it); a page
 * awaits `markerReady()` before a synchronous mutator runs, and from then on cycles are marked whatever the main
 * thread does. (A worker posting 'ready' from its top level was not enough: the page got it before Chromium let
 * messages through, and the first cycle of a run waited until the run's end.)
 *
 * Without either, `acquireMarker` returns null and the concurrent plan marks on the main thread in steps.
 */
import type { MarkerThread } from '../plan-incremental.js';
import type { MarkMessage } from './marker.js';

/** What kind of thread marks: Node's `worker_threads` or a browser's module Web Worker. */
export type MarkerKind = 'worker_threads' | 'web-worker';

interface NodeWorker {
  postMessage(m: MarkMessage): void;
  terminate(): Promise<number>;
  unref(): void;
  on(event: 'error' | 'exit' | 'online', fn: () => void): void;
}
interface WorkerThreads {
  Worker: new (code: string | URL, opts?: { eval?: boolean }) => NodeWorker;
}

const idle: PooledMarker[] = [];
const all = new Set<PooledMarker>();
let started = 0;
let failed = 0;
/** Callbacks waiting for some pooled marker to become ready (or for all to have failed). */
let waiters: (() => void)[] = [];

class PooledMarker implements MarkerThread {
  dead = false;
  /** The thread runs and gets our messages at once (Node: 'online'; browser: it answered our ping). */
  ready = false;
  constructor(
    readonly kind: MarkerKind,
    private readonly post: (m: MarkMessage) => void,
    readonly stop: () => void,
  ) {}
  run(heap: SharedArrayBuffer, side: SharedArrayBuffer, epoch: number): void {
    this.post({ heap, side, epoch });
  }
  release(): void {
    if (!this.dead && !idle.includes(this)) idle.push(this);
  }
  /** The thread is up: wake whoever awaits `markerReady`. */
  online(): void {
    this.ready = true;
    wake();
  }
  /** The thread failed or exited: out of the pool for good. */
  die(unexpected: boolean): void {
    if (this.dead) return;
    this.dead = true;
    if (unexpected) failed++;
    all.delete(this);
    const i = idle.indexOf(this);
    if (i >= 0) idle.splice(i, 1);
    wake();
  }
}

function wake(): void {
  const w = waiters;
  waiters = [];
  for (const fn of w) fn();
}

function nodeThreads(): WorkerThreads | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  return proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
}

function spawnNode(wt: WorkerThreads): PooledMarker {
  const fromSource = import.meta.url.endsWith('.ts');
  // computed on purpose (see the file comment): only the Web Worker below uses the static literal
  const file = fromSource ? './worker.ts' : './worker.js';
  const url = new URL(file, import.meta.url);
  let w: NodeWorker;
  if (fromSource) {
    const api = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
    w = new wt.Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true });
  } else {
    w = new wt.Worker(url);
  }
  w.unref();
  const pm = new PooledMarker('worker_threads', (m) => w.postMessage(m), () => void w.terminate());
  w.on('online', () => pm.online());
  w.on('error', () => pm.die(true));
  w.on('exit', () => pm.die(false));
  return pm;
}

function spawnWeb(): PooledMarker | null {
  let w: Worker;
  try {
    // Keep this expression exactly in this form: bundlers match it statically (see the file comment).
    w = new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });
  } catch {
    return null; // e.g. a Content-Security-Policy that forbids workers
  }
  const pm = new PooledMarker('web-worker', (m) => w.postMessage(m), () => w.terminate());
  w.onmessage = (e: MessageEvent) => {
    if (e.data === 'ready') pm.online();
  };
  w.postMessage('ping');
  w.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    pm.die(true);
  };
  w.onmessageerror = () => pm.die(true);
  return pm;
}

/** The kind of marker thread this runtime can start, or null (no `worker_threads`, no `Worker`, or no SharedArrayBuffer). */
export function markerKind(): MarkerKind | null {
  if (typeof SharedArrayBuffer === 'undefined') return null;
  if (nodeThreads() !== undefined) return 'worker_threads';
  if (typeof Worker === 'function') return 'web-worker';
  return null;
}

function spawn(): PooledMarker | null {
  const kind = markerKind();
  const wt = kind === 'worker_threads' ? nodeThreads() : undefined;
  const pm = wt !== undefined ? spawnNode(wt) : kind === 'web-worker' ? spawnWeb() : null;
  if (pm === null) return null;
  all.add(pm);
  started++;
  return pm;
}

/** An idle marker thread from the pool, or a new one; null where threads cannot be started. */
export function acquireMarker(): MarkerThread | null {
  return idle.pop() ?? spawn();
}

/** Starts a marker thread into the pool unless one is idle already (so a heap's first cycle need not wait for a thread to boot). */
export function prewarmMarker(): void {
  if (idle.length === 0) {
    const pm = spawn();
    if (pm !== null) idle.push(pm);
  }
}

/**
 * Resolves true once an idle marker thread in the pool is running (starting one if none is idle), false where
 * none can start, when it fails, or after `timeoutMs`. A page awaits it before running a synchronous mutator on
 * the concurrent collector: a Web Worker cannot boot while the main thread is busy.
 */
export function markerReady(timeoutMs = 10_000): Promise<boolean> {
  prewarmMarker();
  const ok = (): boolean => idle.some((pm) => pm.ready && !pm.dead);
  if (ok()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const check = (): void => {
      if (ok()) {
        clearTimeout(timer);
        resolve(true);
      } else if (!idle.some((pm) => !pm.dead)) {
        clearTimeout(timer);
        resolve(false);
      } else {
        waiters.push(check);
      }
    };
    check();
  });
}

/** Terminates every marker thread (idle or not); heaps still marking fall back to the main thread. */
export function shutdownMarkers(): void {
  for (const pm of all) {
    pm.dead = true;
    pm.stop();
  }
  all.clear();
  idle.length = 0;
  wake();
}

/** Marker threads started so far in this process (tests check the pool reuses them). */
export function markerThreadsStarted(): number {
  return started;
}

/** Marker threads that failed (an error, a script that did not load) rather than being shut down. */
export function markerThreadsFailed(): number {
  return failed;
}
