/**
 * pool.ts — runs bench jobs in a pool of worker threads, stopping any job that exceeds its time limit.
 * Exports `runBenchPool`, `BenchPoolOptions`, `defaultWorkerCount`.
 *
 * Each worker runs one job at a time. A job still running `timeoutSeconds` after it was handed
 * over is stopped by terminating its worker (`worker.terminate()` interrupts even a tight JS loop),
 * reported `timedOut`, and a fresh worker takes the slot: a slow or stuck allocator never hangs the
 * bench. A worker that crashes fails only its current job. Jobs are handed out longest-first (by
 * file size) to shorten the total, and a worker prefers the next job on the trace it last parsed
 * (it keeps that trace in memory). Results come back in the order of `jobs`.
 * The worker is `bench-worker.js` next to this file in `dist/`, or `bench-worker.ts` when this file
 * runs from source under tsx (workers inherit the `--import tsx` of the process).
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { failedRecord, timedOutRecord, type BenchRecord } from '../trace/evaluate.js';
import { traceName } from '../trace/trace.js';
import type { BenchJob, WorkerReply } from './bench-job.js';

/** Options of {@link runBenchPool}. */
export interface BenchPoolOptions {
  /** Worker threads (default `os.availableParallelism()`, at most the number of jobs). */
  workers?: number;
  /** Time limit of one job (validated pass + fast runs), seconds. */
  timeoutSeconds: number;
  /** Called as each job finishes. */
  onRecord?: (record: BenchRecord, done: number, total: number) => void;
}

/** Workers the pool uses by default: one per available core. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './bench-worker.ts' : './bench-worker.js', import.meta.url);

/** A worker running bench-worker; from source, a small bootstrap registers tsx in the worker first (Node 20 does not carry `--import` hooks into workers). */
function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); });`;
  return new Worker(code, { eval: true });
}

interface Slot {
  worker: Worker | null;
  ready: boolean;
  job: number;
  header: number[] | null;
  timer: NodeJS.Timeout | null;
  timedOut: boolean;
  error: string;
  lastPath: string;
  started: number;
}

function cost(path: string): number {
  try {
    const s = statSync(path).size;
    return path.endsWith('.gz') ? s * 5 : s;
  } catch {
    return 0;
  }
}

/** Runs every job; resolves with one record per job, in job order. Never rejects for a job's failure. */
export function runBenchPool(jobs: readonly BenchJob[], opts: BenchPoolOptions): Promise<BenchRecord[]> {
  const total = jobs.length;
  const results: (BenchRecord | undefined)[] = new Array(total);
  if (total === 0) return Promise.resolve([]);
  const costs = new Map<string, number>();
  for (const j of jobs) if (!costs.has(j.path)) costs.set(j.path, cost(j.path));
  const pending = jobs.map((_, i) => i).sort((a, b) => costs.get(jobs[b]!.path)! - costs.get(jobs[a]!.path)! || a - b);
  const nWorkers = Math.max(1, Math.min(opts.workers ?? defaultWorkerCount(), total));
  const timeoutMs = Math.max(1, opts.timeoutSeconds * 1000);
  let done = 0;

  return new Promise((resolve) => {
    const slots: Slot[] = [];

    const finish = (slot: Slot, record: BenchRecord): void => {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      const i = slot.job;
      slot.job = -1;
      if (i < 0 || results[i] !== undefined) return;
      if (slot.started > 0 && !record.timedOut) record.seconds = (Date.now() - slot.started) / 1000;
      results[i] = record;
      done++;
      opts.onRecord?.(record, done, total);
      if (done === total) {
        for (const s of slots) if (s.worker) void s.worker.terminate();
        resolve(results as BenchRecord[]);
      }
    };

    const failAllPending = (message: string): void => {
      while (pending.length > 0) {
        const i = pending.shift()!;
        const j = jobs[i]!;
        const fake: Slot = { worker: null, ready: false, job: i, header: null, timer: null, timedOut: false, error: '', lastPath: '', started: 0 };
        finish(fake, failedRecord(traceName(j.path), j.path, j.allocator, j.align, null, message));
      }
    };

    const dispatch = (slot: Slot): void => {
      if (!slot.worker || !slot.ready || slot.job >= 0) return;
      if (pending.length === 0) {
        const w = slot.worker;
        slot.worker = null;
        void w.terminate();
        return;
      }
      let k = pending.findIndex((i) => jobs[i]!.path === slot.lastPath);
      if (k < 0) k = 0;
      const i = pending.splice(k, 1)[0]!;
      const job = jobs[i]!;
      slot.job = i;
      slot.header = null;
      slot.timedOut = false;
      slot.error = '';
      slot.lastPath = job.path;
      slot.started = Date.now();
      slot.timer = setTimeout(() => {
        slot.timedOut = true;
        void slot.worker?.terminate();
      }, timeoutMs);
      slot.worker.postMessage({ type: 'job', job });
    };

    const spawn = (slot: Slot): void => {
      const w = startWorker();
      slot.worker = w;
      slot.ready = false;
      slot.lastPath = '';
      w.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          slot.ready = true;
          dispatch(slot);
        } else if (m.type === 'parsed') {
          slot.header = m.header;
        } else if (m.type === 'done') {
          finish(slot, m.record);
          dispatch(slot);
        }
      });
      w.on('error', (err) => {
        slot.error = `${err.name}: ${err.message}`;
      });
      w.on('exit', (code) => {
        if (slot.worker !== w) return; // retired after the queue emptied
        slot.worker = null;
        const wasReady = slot.ready;
        if (slot.job >= 0) {
          const j = jobs[slot.job]!;
          const name = traceName(j.path);
          if (slot.timedOut) finish(slot, timedOutRecord(name, j.path, j.allocator, j.align, slot.header, opts.timeoutSeconds));
          else finish(slot, failedRecord(name, j.path, j.allocator, j.align, slot.header, `worker died (exit code ${code})${slot.error ? ': ' + slot.error : ''}`));
        }
        if (!wasReady) {
          failAllPending(`bench worker failed to start${slot.error ? ': ' + slot.error : ` (exit code ${code})`}`);
          return;
        }
        if (pending.length > 0) spawn(slot);
      });
    };

    for (let s = 0; s < nWorkers; s++) {
      const slot: Slot = { worker: null, ready: false, job: -1, header: null, timer: null, timedOut: false, error: '', lastPath: '', started: 0 };
      slots.push(slot);
      spawn(slot);
    }
  });
}
