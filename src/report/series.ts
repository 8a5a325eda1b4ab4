/**
 * series.ts — heap figures over the course of a trace, sampled at evenly spaced ops, for the plots.
 * Exports `sampleSeries`, `SeriesPoint`, `Series`, `fragmentation`. Browser-safe (no Node built-ins).
 *
 * Figures at a sample after op i:
 *   heapBytes      = stats().heapBytes (base … break, metadata included)
 *   liveRequested  = Σ requested bytes of live blocks        liveBytes = stats().liveBytes (usable)
 *   utilization    = peak liveRequested so far / highWater so far         (the malloc-lab score, running)
 *   fragmentation  = 1 − largestFree / freeBytes (external: 0 = all free space in one block; 0 when none free)
 */
import type { Allocator, HeapStats } from '../alloc/allocator.js';
import type { Trace } from '../trace/trace.js';
import { HeapStepper } from './stepper.js';

/** One sample. */
export interface SeriesPoint {
  /** Ops applied. */
  op: number;
  heapBytes: number;
  highWater: number;
  liveRequested: number;
  liveBytes: number;
  freeBytes: number;
  freeBlocks: number;
  utilization: number;
  fragmentation: number;
}

/** A trace's figures on one allocator. */
export interface Series {
  trace: string;
  allocator: string;
  points: SeriesPoint[];
  /** Requests refused over the whole trace. */
  refused: number;
  /** Peak requested live bytes / final high-water (the trace's utilization); null when nothing was allocated. */
  utilization: number | null;
}

/** External fragmentation of a heap's free space: 1 − largest free block / free bytes (0 when nothing is free). */
export function fragmentation(s: HeapStats): number {
  return s.freeBytes > 0 ? 1 - s.largestFree / s.freeBytes : 0;
}

/**
 * Replays `trace` on `makeHeap()` and samples its figures at about `samples` evenly spaced ops
 * (and at op 0 and the end). Cost: one replay plus `samples` calls of `stats()`.
 */
export function sampleSeries(trace: Trace, makeHeap: () => Allocator, allocator: string, samples = 200): Series {
  const st = new HeapStepper(trace, makeHeap);
  const n = trace.length;
  const every = Math.max(1, Math.ceil(n / Math.max(1, samples)));
  const points: SeriesPoint[] = [];
  let hw = 0;
  const sample = (): void => {
    const s = st.heap.stats();
    hw = Math.max(hw, s.highWater, s.heapBytes);
    points.push({
      op: st.pos,
      heapBytes: s.heapBytes,
      highWater: hw,
      liveRequested: st.liveRequested,
      liveBytes: s.liveBytes,
      freeBytes: s.freeBytes,
      freeBlocks: s.freeBlocks,
      utilization: hw > 0 ? st.peakRequested / hw : 0,
      fragmentation: fragmentation(s),
    });
  };
  sample();
  while (st.pos < n) {
    st.seek(Math.min(n, st.pos + every));
    sample();
  }
  const last = points[points.length - 1]!;
  return {
    trace: trace.name,
    allocator,
    points,
    refused: st.refused,
    utilization: st.peakRequested > 0 && last.highWater > 0 ? st.peakRequested / last.highWater : null,
  };
}
