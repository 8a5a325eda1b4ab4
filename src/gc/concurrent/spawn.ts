/**
 * spawn.ts — the glue that starts marker threads, and a pool so heaps reuse idle ones between cycles.
 * Exports `acquireMarker`, `prewarmMarker`, `shutdownMarkers`, `markerThreadsStarted`.
 *
 * Node: `worker_threads` reached through `process.getBuiltinModule` (Node ≥ 20.16), so nothing here imports a
 * Node built-in and the core stays loadable in browsers; from source (under tsx) a two-line bootstrap registers
 * tsx in the worker first, as src/node/pool.ts does. Browsers: a module `Worker` (needs cross-origin isolation
 * for SharedArrayBuffer). Threads are unref'd: an idle marker never keeps a process alive.
 * Without either, `acquireMarker` returns null and the concurrent plan marks on the main thread in steps.
 */
import type { MarkerThread } from '../plan-incremental.js';
import type { MarkMessage } from './marker.js';

interface NodeWorker {
  postMessage(m: MarkMessage): void;
  terminate(): Promise<number>;
  unref(): void;
  on(event: 'error' | 'exit', fn: () => void): void;
}
interface WorkerThreads {
  Worker: new (code: string | URL, opts?: { eval?: boolean }) => NodeWorker;
}

const idle: PooledMarker[] = [];
const all = new Set<PooledMarker>();
let started = 0;

class PooledMarker implements MarkerThread {
  dead = false;
  constructor(
    private readonly post: (m: MarkMessage) => void,
    readonly stop: () => void,
  ) {}
  run(heap: SharedArrayBuffer, side: SharedArrayBuffer, epoch: number): void {
    this.post({ heap, side, epoch });
  }
  release(): void {
    if (!this.dead && !idle.includes(this)) idle.push(this);
  }
}

function spawn(): PooledMarker | null {
  const fromSource = import.meta.url.endsWith('.ts');
  const url = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = proc?.getBuiltinModule?.('node:worker_threads') as WorkerThreads | undefined;
  if (wt !== undefined) {
    let w: NodeWorker;
    if (fromSource) {
      const api = typeof import.meta.resolve === 'function' ? import.meta.resolve('tsx/esm/api') : 'tsx/esm/api';
      w = new wt.Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`, { eval: true });
    } else {
      w = new wt.Worker(url);
    }
    w.unref();
    const pm = new PooledMarker((m) => w.postMessage(m), () => void w.terminate());
    const die = () => {
      pm.dead = true;
      all.delete(pm);
      const i = idle.indexOf(pm);
      if (i >= 0) idle.splice(i, 1);
    };
    w.on('error', die);
    w.on('exit', die);
    all.add(pm);
    started++;
    return pm;
  }
  const WebWorker = (globalThis as { Worker?: new (u: URL, o: { type: 'module' }) => { postMessage(m: unknown): void; terminate(): void; onerror: unknown } }).Worker;
  if (WebWorker !== undefined) {
    const w = new WebWorker(url, { type: 'module' });
    const pm = new PooledMarker((m) => w.postMessage(m), () => w.terminate());
    w.onerror = () => {
      pm.dead = true;
      all.delete(pm);
    };
    all.add(pm);
    started++;
    return pm;
  }
  return null;
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

/** Terminates every marker thread (idle or not); heaps still marking fall back to the main thread. */
export function shutdownMarkers(): void {
  for (const pm of all) {
    pm.dead = true;
    pm.stop();
  }
  all.clear();
  idle.length = 0;
}

/** Marker threads started so far in this process (tests check the pool reuses them). */
export function markerThreadsStarted(): number {
  return started;
}
