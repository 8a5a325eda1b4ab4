/**
 * run.ts — runs one collector on one workload and reports time, collections, pauses, copying and footprint (shared by the CLI and bench/).
 * Exports `runGcWorkload`, `gcWorkloadNames`, `GcRunRecord`, `GcWorkloadName`.
 */
import { createManagedHeap } from './create.js';
import type { ManagedHeapOptions } from './heap.js';
import { runBinaryTrees, runGcBench } from './workloads.js';
import { runRandomGraph } from './random-graph.js';

/** The built-in workloads. */
export const gcWorkloadNames = ['binary-trees', 'gcbench', 'random-graph'] as const;
/** A built-in workload's name. */
export type GcWorkloadName = (typeof gcWorkloadNames)[number];

/** One collector × workload result (times in milliseconds, sizes in bytes). */
export interface GcRunRecord {
  collector: string;
  workload: string;
  size: number;
  /** Wall time of the whole workload, heap creation excluded. */
  timeMs: number;
  collections: number;
  minorCollections: number;
  majorCollections: number;
  maxPauseMs: number;
  p99PauseMs: number;
  p50PauseMs: number;
  totalPauseMs: number;
  bytesAllocated: number;
  bytesCopied: number;
  bytesPromoted: number;
  heapHighWater: number;
  checksumOk: boolean;
  detail: string;
}

/**
 * Runs `workload` at `size` on a fresh heap managed by `collector`. `size` is binary-trees' maximum depth,
 * GCBench's stretch depth, and thousands of steps ÷ 2 of the random graph (steps = 2000 × size).
 */
export function runGcWorkload(collector: string, workload: string, size: number, heapOptions: Partial<ManagedHeapOptions> = {}): GcRunRecord {
  const base: Partial<ManagedHeapOptions> =
    workload === 'random-graph' ? { maxBytes: 64 << 20, initialBytes: 64 * 1024, nurseryBytes: 64 * 1024, largeObjectBytes: 4096 } : {};
  const h = createManagedHeap({ ...base, ...heapOptions, collector });
  const t0 = performance.now();
  let ok: boolean;
  let detail: string;
  if (workload === 'binary-trees') ({ checksumOk: ok, detail } = runBinaryTrees(h, size));
  else if (workload === 'gcbench') ({ checksumOk: ok, detail } = runGcBench(h, size));
  else if (workload === 'random-graph') ({ checksumOk: ok, detail } = runRandomGraph(h, { steps: 2000 * size, seed: size }));
  else throw new RangeError(`unknown workload '${workload}' (known: ${gcWorkloadNames.join(', ')})`);
  const timeMs = performance.now() - t0;
  const s = h.stats();
  return {
    collector,
    workload,
    size,
    timeMs,
    collections: s.collections,
    minorCollections: s.minorCollections,
    majorCollections: s.majorCollections,
    maxPauseMs: s.maxPauseMs,
    p99PauseMs: s.p99PauseMs,
    p50PauseMs: s.p50PauseMs,
    totalPauseMs: s.totalPauseMs,
    bytesAllocated: s.bytesAllocated,
    bytesCopied: s.bytesCopied,
    bytesPromoted: s.bytesPromoted,
    heapHighWater: s.heapHighWater,
    checksumOk: ok,
    detail,
  };
}
