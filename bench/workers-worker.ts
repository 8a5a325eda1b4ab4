/**
 * workers-worker.ts — one worker of `npm run bench:workers` (bench/workers.ts): runs a workload against a heap shared by all workers.
 * Exports nothing: started by workers.ts with `WorkerJob` as workerData; posts `{ ops, t0, t1 }` when done.
 *
 * Allocators: 'sharded' = its own slot of the shared heap (no lock); 'locked' = every worker on slot 0
 * of the same shared heap, each call under one global futex mutex; 'locked-tlsf' = heapkit's plain
 * default allocator (createHeap in the same SharedArrayBuffer) under the global mutex.
 * Workloads: 'independent' = each worker mallocs and frees its own blocks (a random-replacement
 * pool of 1000 live blocks); 'prodcons' = worker i allocates blocks and passes them through a
 * single-producer ring to worker (i+1) mod n, which frees them (with one worker: to itself).
 */
import { workerData, parentPort } from 'node:worker_threads';
import { attachHeap } from '../src/alloc/create.js';
import { H_BRK } from '../src/alloc/layout.js';
import { attachSharedHeap } from '../src/alloc/shared/index.js';
import { mutexLock, mutexUnlock } from '../src/alloc/shared/mutex.js';
import type { Allocator } from '../src/alloc/allocator.js';
import { RING, type WorkerJob } from './workers-job.js';

const job = workerData as WorkerJob;
const ctl = new Int32Array(job.ctl);
const rings = new Uint32Array(job.rings);
const locked = job.allocator !== 'sharded';
const heap: Allocator =
  job.allocator === 'sharded'
    ? attachSharedHeap(job.heap)
    : job.allocator === 'locked'
      ? attachSharedHeap(job.heap, { slot: 0 })
      : attachHeap(job.heap);

// after taking the lock from another worker: a plain heap keeps its break in its control block (another
// handle may have moved it); both may find blocks where another worker grew the buffer
const sync =
  job.allocator === 'locked-tlsf'
    ? (): void => {
        if (Atomics.load(ctl, 2) !== job.id + 1) {
          heap.memory.refresh();
          heap.memory.setBrk(heap.memory.u32[(heap.memory.base >>> 2) + H_BRK]!);
          Atomics.store(ctl, 2, job.id + 1);
        }
      }
    : job.allocator === 'locked'
      ? (): void => {
          // workers share slot 0: its spans may lie where another worker grew the buffer
          if (Atomics.load(ctl, 2) !== job.id + 1) {
            heap.memory.refresh();
            Atomics.store(ctl, 2, job.id + 1);
          }
        }
      : (): void => {};

function malloc(n: number): number {
  if (!locked) return heap.malloc(n);
  mutexLock(ctl, 1);
  sync();
  const p = heap.malloc(n);
  mutexUnlock(ctl, 1);
  return p;
}

function free(p: number): void {
  if (!locked) return heap.free(p);
  mutexLock(ctl, 1);
  sync();
  heap.free(p);
  mutexUnlock(ctl, 1);
}

let rng = (job.id + 1) * 0x9e3779b1;
function rand(): number {
  rng ^= rng << 13;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  return rng >>> 0;
}
/** Sizes: mostly small (16..256), some medium (to 4 KiB). */
function size(): number {
  const r = rand();
  return (r & 7) === 0 ? 256 + ((r >>> 3) & 4095) : 16 + ((r >>> 3) & 255);
}

function independent(): void {
  const pool = new Float64Array(1000);
  for (let i = 0; i < job.pairs; i++) {
    const k = rand() % 1000;
    if (pool[k] !== 0) free(pool[k]!);
    pool[k] = malloc(size());
  }
  for (let k = 0; k < 1000; k++) if (pool[k] !== 0) free(pool[k]!);
}

function prodcons(): void {
  const out = ((job.id + 1) % job.workers) * (RING + 2);
  const inn = job.id * (RING + 2);
  let produced = 0;
  let consumed = 0;
  let idle = 0;
  while (produced < job.pairs || consumed < job.pairs) {
    let progress = false;
    // produce a burst
    const head = Atomics.load(rings, out);
    let tail = rings[out + 1]!;
    let burst = 0;
    while (produced < job.pairs && tail - head < RING && burst < 64) {
      rings[out + 2 + (tail % RING)] = malloc(size());
      tail++;
      produced++;
      burst++;
    }
    if (burst > 0) {
      Atomics.store(rings, out + 1, tail);
      progress = true;
    }
    // consume what arrived
    let h = rings[inn]!;
    const t = Atomics.load(rings, inn + 1);
    if (h !== t) {
      while (h !== t) {
        free(rings[inn + 2 + (h % RING)]!);
        h++;
        consumed++;
      }
      Atomics.store(rings, inn, h);
      progress = true;
    }
    if (progress) idle = 0;
    else if (++idle > 200) Atomics.wait(ctl, 3, 0, 0.05); // nothing to do: yield the core briefly
  }
}

// warm up (JIT) on this worker's own blocks before the clock starts
{
  const pool = new Float64Array(256);
  for (let i = 0; i < 200_000; i++) {
    const k = rand() & 255;
    if (pool[k] !== 0) free(pool[k]!);
    pool[k] = malloc(size());
  }
  for (let k = 0; k < 256; k++) if (pool[k] !== 0) free(pool[k]!);
}
parentPort!.postMessage({ type: 'ready' });
while (Atomics.load(ctl, 0) === 0) Atomics.wait(ctl, 0, 0, 100);
const t0 = performance.timeOrigin + performance.now();
if (job.workload === 'independent') independent();
else prodcons();
const t1 = performance.timeOrigin + performance.now();
parentPort!.postMessage({ type: 'done', ops: 2 * job.pairs, t0, t1 });
