/**
 * gc-pauses.ts — runs the managed-heap workloads under each collector and collects every pause, for the
 * report's histograms. Exports `collectGcPauses`, `pauseTimes`, `GC_WORKLOADS`.
 */
import { createManagedHeap } from '../gc/create.js';
import type { ManagedHeap } from '../gc/heap.js';
import { runBinaryTrees, runGcBench } from '../gc/workloads.js';
import type { GcPauseSet } from './build-report.js';

/** Workloads by name, each with a size that keeps a report run short. */
export const GC_WORKLOADS: Record<string, (h: ManagedHeap, scale: number) => void> = {
  'binary-trees': (h, scale) => void runBinaryTrees(h, scale),
  gcbench: (h, scale) => void runGcBench(h, scale),
};

/**
 * Every pause of `heap` so far, in ms. Uses `heap.pauseTimes()` when the heap offers it; until then reads
 * the heap's own pause log (the `pauses` / `pauseCount` fields behind `stats()`'s percentiles).
 */
export function pauseTimes(heap: ManagedHeap): number[] {
  const h = heap as unknown as { pauseTimes?: () => ArrayLike<number>; pauses?: Float64Array; pauseCount?: number };
  if (typeof h.pauseTimes === 'function') return Array.from(h.pauseTimes());
  if (h.pauses instanceof Float64Array && typeof h.pauseCount === 'number') return Array.from(h.pauses.subarray(0, h.pauseCount));
  return [];
}

/** Runs each workload under each collector on a fresh small heap (so it collects often) and returns the pauses. */
export function collectGcPauses(collectors: string[], workloads: string[] = ['binary-trees'], scale = 12, heapBytes = 1 << 20): GcPauseSet[] {
  const out: GcPauseSet[] = [];
  for (const w of workloads) {
    const run = GC_WORKLOADS[w];
    if (!run) throw new RangeError(`unknown GC workload '${w}'; known: ${Object.keys(GC_WORKLOADS).join(', ')}`);
    for (const c of collectors) {
      const heap = createManagedHeap({ collector: c as never, initialBytes: heapBytes, nurseryBytes: heapBytes / 2, maxBytes: 64 << 20 });
      run(heap, scale);
      out.push({ collector: c, workload: `${w} (scale ${scale})`, pausesMs: pauseTimes(heap) });
    }
  }
  return out;
}
