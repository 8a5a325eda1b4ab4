/**
 * measure.ts — the fast pass: replays a trace with no checks and times the loop.
 * Exports `replayFast`, `measureThroughput`, `ThroughputReport`, `median`.
 *
 * Only the replay loop is timed (parsing, heap creation and the pointer table are outside the
 * clock). The loop reads the trace's typed arrays and a Float64Array of pointers: it allocates
 * nothing itself, so what is measured is the allocator. A refused request leaves the old pointer
 * (realloc) or NULL (malloc), as in the validated pass.
 */
import type { Allocator } from '../alloc/allocator.js';
import { OP_ALLOC, OP_REALLOC, type Trace } from './trace.js';

/** Replays `trace` on `heap` without validation; returns the loop's wall time in milliseconds. */
export function replayFast(trace: Trace, heap: Allocator): number {
  const { kind, id, size } = trace;
  const n = trace.length;
  const ptr = new Float64Array(trace.numIds + 1);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    const v = id[i]!;
    if (k === OP_ALLOC) {
      ptr[v] = heap.malloc(size[i]!);
    } else if (k === OP_REALLOC) {
      const bytes = size[i]!;
      const q = heap.realloc(ptr[v]!, bytes);
      if (q !== 0 || bytes === 0) ptr[v] = q;
    } else if (v >= 0) {
      heap.free(ptr[v]!);
      ptr[v] = 0;
    } else {
      heap.free(0);
    }
  }
  return performance.now() - t0;
}

/** Throughput over several runs, each on a fresh heap. */
export interface ThroughputReport {
  /** Ops per second of the median run (`trace.length / median time`); null for an empty trace. */
  opsPerSec: number | null;
  /** Wall time of each run's loop, in ms, in run order. */
  runsMs: number[];
}

/** Median of a non-empty list (mean of the middle two for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Most runs {@link measureThroughput} adds to reach `minTotalMs`. */
export const MAX_EXTRA_RUNS = 20;

/**
 * Runs {@link replayFast} `runs` times, each on `makeHeap()`'s fresh heap, and reports the median.
 * A short trace whose runs together take less than `minTotalMs` gets extra runs (at most
 * {@link MAX_EXTRA_RUNS}) until they do, so its median is not just JIT warm-up.
 */
export function measureThroughput(trace: Trace, makeHeap: () => Allocator, runs: number, minTotalMs = 0): ThroughputReport {
  const runsMs: number[] = [];
  let total = 0;
  for (let r = 0; r < Math.max(1, runs); r++) runsMs.push(replayFast(trace, makeHeap()));
  for (const t of runsMs) total += t;
  for (let extra = 0; total < minTotalMs && extra < MAX_EXTRA_RUNS; extra++) {
    const t = replayFast(trace, makeHeap());
    runsMs.push(t);
    total += t;
  }
  const t = median(runsMs);
  return { opsPerSec: trace.length === 0 ? null : trace.length / (Math.max(t, 1e-3) / 1000), runsMs };
}
