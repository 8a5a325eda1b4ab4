/**
 * workers.ts — `npm run bench:workers`: one heap, 1/2/4 worker_threads; the sharded shared heap against one global lock.
 * Exports nothing (a script). Options: --pairs N (malloc+free pairs per worker, default 1000000), --reps N (default 3, median kept),
 * --workloads prodcons,independent  --allocators sharded,locked,locked-tlsf  --workers 1,2,4 (the first count is the scaling base), --json.
 *
 * Rows: workload × allocator × workers, with ops/s (malloc + free calls per second of wall time,
 * all workers together), scaling against the same allocator with one worker, and the heap's
 * high water. Allocators (see workers-worker.ts): 'sharded' (createSharedHeap, a slot per worker,
 * no lock on the fast path), 'locked' (the same shared heap on one slot behind one futex mutex:
 * the same code, without sharding), 'locked-tlsf' (heapkit's plain TLSF heap in the same
 * SharedArrayBuffer behind the mutex; independent workload only — a plain heap validates frees
 * against a per-handle JS bitmap, so it cannot free a block another worker's handle allocated).
 * The machine may have fewer cores than workers: 4 workers on 2 cores shows whether it collapses.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism, loadavg } from 'node:os';
import { createHeap } from '../src/alloc/create.js';
import { H_BRK } from '../src/alloc/layout.js';
import { createSharedHeap } from '../src/alloc/shared/index.js';
import { RING, type WorkerJob } from './workers-job.js';

const argv = process.argv.slice(2);
function arg(name: string, def: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : def;
}
const pairs = arg('--pairs', 1_000_000);
const reps = arg('--reps', 3);
const json = argv.includes('--json');
function list(name: string, def: string): string[] {
  const i = argv.indexOf(name);
  return (i >= 0 ? argv[i + 1]! : def).split(',');
}

/** Starts a .ts worker under tsx (Node 20 ignores execArgv --import for a worker's entry). */
function spawn(job: WorkerJob): Worker {
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./workers-worker.ts', import.meta.url).href;
  const code = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: job });
}

interface Run {
  ops: number;
  seconds: number;
  highWater: number;
}

async function runOnce(allocator: WorkerJob['allocator'], workload: WorkerJob['workload'], workers: number): Promise<Run> {
  const SAB = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
  let highWater: () => number;
  let buffer: SharedArrayBuffer;
  if (allocator === 'locked-tlsf') {
    buffer = new SAB(1 << 20, { maxByteLength: 1 << 30 });
    const h = createHeap({ allocator: 'tlsf', memory: buffer });
    // its break lives in its control block (the workers' handles moved it, not this one); it never shrinks
    highWater = () => new Uint32Array(buffer)[(h.memory.base >>> 2) + H_BRK]! - h.memory.base;
  } else {
    const h = createSharedHeap({ maxBytes: 1 << 30, maxWorkers: 8 });
    buffer = h.buffer as SharedArrayBuffer;
    highWater = () => h.stats().highWater;
  }
  const ctl = new SharedArrayBuffer(16);
  const ctl32 = new Int32Array(ctl);
  const rings = new SharedArrayBuffer(workers * (RING + 2) * 4);
  const ws: Worker[] = [];
  const ready: Promise<void>[] = [];
  const done: Promise<{ ops: number; t0: number; t1: number }>[] = [];
  for (let id = 0; id < workers; id++) {
    const w = spawn({ allocator, workload, heap: buffer, ctl, rings, id, workers, pairs });
    ws.push(w);
    let onReady: () => void = () => {};
    ready.push(new Promise((r) => (onReady = r)));
    done.push(
      new Promise((resolve, reject) => {
        w.on('message', (m: { type: string; ops: number; t0: number; t1: number }) => {
          if (m.type === 'ready') onReady();
          else resolve(m);
        });
        w.on('error', reject);
      }),
    );
  }
  await Promise.all(ready);
  Atomics.store(ctl32, 0, 1);
  Atomics.notify(ctl32, 0);
  const res = await Promise.all(done);
  await Promise.all(ws.map((w) => w.terminate()));
  const t0 = Math.min(...res.map((r) => r.t0));
  const t1 = Math.max(...res.map((r) => r.t1));
  return { ops: res.reduce((s, r) => s + r.ops, 0), seconds: (t1 - t0) / 1000, highWater: highWater() };
}

interface Row {
  workload: string;
  allocator: string;
  workers: number;
  opsPerSec: number;
  scaling: number;
  highWaterMiB: number;
}

const rows: Row[] = [];
const loadBefore = loadavg()[0]!;
const workloads = list('--workloads', 'prodcons,independent') as WorkerJob['workload'][];
const allocators = list('--allocators', 'sharded,locked,locked-tlsf') as WorkerJob['allocator'][];
const workerCounts = list('--workers', '1,2,4').map(Number);
for (const workload of workloads) {
  for (const allocator of allocators) {
    if (allocator === 'locked-tlsf' && workload === 'prodcons') continue;
    let base = 0;
    for (const workers of workerCounts) {
      const runs: Run[] = [];
      for (let r = 0; r < reps; r++) runs.push(await runOnce(allocator, workload, workers));
      runs.sort((a, b) => a.ops / a.seconds - b.ops / b.seconds);
      const med = runs[Math.floor(runs.length / 2)]!;
      const opsPerSec = med.ops / med.seconds;
      if (base === 0) base = opsPerSec;
      const row = { workload, allocator, workers, opsPerSec, scaling: opsPerSec / base, highWaterMiB: med.highWater / 2 ** 20 };
      rows.push(row);
      if (!json) process.stderr.write(`  ${workload} ${allocator} ×${workers}: ${(opsPerSec / 1e6).toFixed(2)} M ops/s\n`);
    }
  }
}

if (json) {
  console.log(JSON.stringify({ cores: availableParallelism(), loadAverage: [loadBefore, loadavg()[0]], pairsPerWorker: pairs, reps, rows }, null, 2));
} else {
  console.log(`\nOne heap, many workers — ${pairs} malloc+free pairs per worker, median of ${reps}, ${availableParallelism()} cores`);
  console.log(`load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after (other processes share the cores: scaling needs an idle machine)\n`);
  const head = ['workload', 'allocator', 'workers', 'M ops/s', 'vs 1 worker', 'high water MiB'];
  const body = rows.map((r) => [r.workload, r.allocator, String(r.workers), (r.opsPerSec / 1e6).toFixed(2), r.scaling.toFixed(2) + '×', r.highWaterMiB.toFixed(1)]);
  const width = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(width[i]!) : c.padStart(width[i]!))).join('  ');
  console.log(line(head));
  console.log(width.map((w) => '─'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  const pick = (w: string, a: string, n: number): number => rows.find((r) => r.workload === w && r.allocator === a && r.workers === n)?.opsPerSec ?? NaN;
  console.log('');
  for (const w of workloads) {
    for (const n of workerCounts) if (allocators.includes('sharded') && allocators.includes('locked')) console.log(`${w}, ${n} worker(s): sharded is ${(pick(w, 'sharded', n) / pick(w, 'locked', n)).toFixed(2)}× the global lock`);
  }
}
