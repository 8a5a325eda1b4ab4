/**
 * bench-job.ts — one (trace, allocator) bench job as run inside a worker, and the messages of the protocol.
 * Exports `BenchJob`, `WorkerRequest`, `WorkerReply`, `runBenchJob`, `DEFAULT_BENCH_MAX_BYTES`.
 *
 * Protocol (main → worker → main):
 * ```
 *   worker starts ──► { type: 'ready' }
 *   { type: 'job', job } ──► { type: 'parsed', header } ──► { type: 'done', record }
 * ```
 * `parsed` lets the pool label a job that later times out with its trace's header (for scoring).
 */
import type { Allocator } from '../alloc/allocator.js';
import type { HeapOptions } from '../alloc/options.js';
import { evaluateTrace, failedRecord, type BenchRecord } from '../trace/evaluate.js';
import { traceName, type Trace } from '../trace/trace.js';
import { readTraceFileSync } from './read-trace.js';

/** Heap limit the lab gives each heap unless told otherwise: 256 MiB (syn-giant* traces fill any cap). */
export const DEFAULT_BENCH_MAX_BYTES = 256 * 1024 * 1024;

/** What to measure. */
export interface BenchJob {
  /** Trace file (.rep or .rep.gz). */
  path: string;
  /** Preset name passed to `createHeap`. */
  allocator: string;
  /** Payload alignment. */
  align: 8 | 16;
  /** Fast runs (median). */
  runs: number;
  /** `checkHeap()` every N ops in the validated pass (0 = only at the end). */
  checkEvery: number;
  /** Heap limit in bytes (`HeapOptions.maxBytes`). */
  maxBytes: number;
  /** Extra fast runs for short traces until the runs total this many ms. Default 0. */
  minTotalMs?: number;
  /** Module (file URL or specifier) exporting `createHeap(opts)`; default heapkit's main entry. For tests and experiments. */
  factoryModule?: string;
}

/** Messages to a worker. */
export type WorkerRequest = { type: 'job'; job: BenchJob };
/** Messages from a worker. */
export type WorkerReply = { type: 'ready' } | { type: 'parsed'; header: number[] } | { type: 'done'; record: BenchRecord };

type CreateHeap = (opts: HeapOptions) => Allocator;
const factories = new Map<string, Promise<CreateHeap>>();

function loadFactory(module: string | undefined): Promise<CreateHeap> {
  const key = module ?? '';
  let f = factories.get(key);
  if (!f) {
    const spec = module ?? new URL(import.meta.url.endsWith('.ts') ? '../index.ts' : '../index.js', import.meta.url).href;
    f = import(spec).then((m: { createHeap?: CreateHeap }) => {
      if (typeof m.createHeap !== 'function') throw new TypeError(`${spec} exports no createHeap function`);
      return m.createHeap;
    });
    factories.set(key, f);
  }
  return f;
}

// Parsed traces, most recent last; the pool sends the jobs of one trace to the same worker when it can.
const cache = new Map<string, Trace>();
const CACHE_SIZE = 2;

function load(path: string): Trace {
  const hit = cache.get(path);
  if (hit) {
    cache.delete(path);
    cache.set(path, hit);
    return hit;
  }
  const t = readTraceFileSync(path);
  cache.set(path, t);
  while (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return t;
}

/**
 * Runs one job: reads (or reuses) the trace, validates, times. Never throws: a trace that cannot
 * be read, an unknown allocator or an exception outside the replay become a failed record.
 * `onParsed` is called with the header once the trace is read.
 */
export async function runBenchJob(job: BenchJob, onParsed?: (header: number[]) => void): Promise<BenchRecord> {
  let header: number[] | null = null;
  try {
    const trace = load(job.path);
    header = [...trace.header];
    onParsed?.(header);
    const createHeap = await loadFactory(job.factoryModule);
    const makeHeap = (): Allocator => createHeap({ allocator: job.allocator, align: job.align, maxBytes: job.maxBytes });
    return evaluateTrace(trace, makeHeap, { allocator: job.allocator, path: job.path, runs: job.runs, checkEvery: job.checkEvery, minTotalMs: job.minTotalMs ?? 0 });
  } catch (e) {
    const x = e as Error;
    const msg = x && x.name && x.message ? `${x.name}: ${x.message}` : String(e);
    return failedRecord(traceName(job.path), job.path, job.allocator, job.align, header, msg);
  }
}
