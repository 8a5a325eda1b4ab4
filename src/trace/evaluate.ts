/**
 * evaluate.ts — one (trace, allocator) measurement: the validated pass, then the timed fast passes.
 * Exports `evaluateTrace`, `EvaluateOptions`, `BenchRecord`, `timedOutRecord`, `failedRecord`.
 */
import type { Allocator } from '../alloc/allocator.js';
import { measureThroughput } from './measure.js';
import { scoring } from './sets.js';
import type { Trace } from './trace.js';
import { replayValidated } from './validate.js';

/**
 * The result of one (trace, allocator) job: the record `heapkit bench --json` prints.
 * The first eleven fields are the stable interface; the rest are extras.
 */
export interface BenchRecord {
  /** File name without `.rep` / `.rep.gz`. */
  trace: string;
  /** The trace file as given (or found). */
  path: string;
  /** Preset name (or the label of a custom configuration). */
  allocator: string;
  /** Every check passed, nothing refused, not timed out. */
  valid: boolean;
  /** At least one request was refused (no heap within `maxBytes` could hold it). */
  refused: boolean;
  /** The job was stopped at the time limit. */
  timedOut: boolean;
  /** Peak live requested bytes / heap high-water, 0..1; null when nothing was allocated or not measured. */
  utilization: number | null;
  /** Ops per second of the fast replay loop (median run); 0 when not measured (invalid or timed out). */
  opsPerSec: number;
  /** `stats().highWater` after the validated pass (0 when not measured). */
  heapHighWater: number;
  /** Peak live requested bytes (0 when not measured). */
  peakLive: number;
  /** What went wrong (empty for valid and for cleanly refused runs). */
  errors: string[];
  /** Requests refused. */
  refusedCount: number;
  /** Times the heap's break moved up during the validated pass. */
  growths: number;
  /** Times the backing buffer grew during the validated pass. */
  backingGrowths: number;
  /** Ops in the trace. */
  ops: number;
  /** Payload alignment used. */
  align: number;
  /** Loop time of each fast run, ms. */
  runsMs: number[];
  /** Counts toward the set's utilization score (the trace's weight; see sets.ts). */
  scoredUtilization: boolean;
  /** Counts toward the set's throughput score. */
  scoredThroughput: boolean;
  /** The trace's four header numbers (empty when the trace could not be read). */
  header: number[];
  /** Wall time of the whole job (validated pass, fast runs, and parsing when not cached), seconds. */
  seconds: number;
}

/** Options of {@link evaluateTrace}. */
export interface EvaluateOptions {
  /** Label of the allocator in the record. */
  allocator: string;
  /** Path for the record (default `trace.file`). */
  path?: string;
  /** Fast runs (median taken). Default 3. */
  runs?: number;
  /** `checkHeap()` every N ops during the validated pass (0 = at the end only). */
  checkEvery?: number;
  /** Extra fast runs for short traces until the runs total this many ms (see `measureThroughput`). Default 0. */
  minTotalMs?: number;
}

/**
 * Validates `trace` on one fresh heap, then (when valid or only refused) times `runs` fast replays,
 * each on another fresh heap from `makeHeap`.
 */
export function evaluateTrace(trace: Trace, makeHeap: () => Allocator, opts: EvaluateOptions): BenchRecord {
  const t0 = performance.now();
  const heap = makeHeap();
  const v = replayValidated(trace, heap, { checkEvery: opts.checkEvery ?? 0 });
  const tp = v.ok ? measureThroughput(trace, makeHeap, opts.runs ?? 3, opts.minTotalMs ?? 0) : { opsPerSec: null, runsMs: [] };
  const s = scoring(opts.path ?? trace.file, trace.header);
  return {
    trace: trace.name,
    path: opts.path ?? trace.file,
    allocator: opts.allocator,
    valid: v.ok && v.refused === 0,
    refused: v.refused > 0,
    timedOut: false,
    utilization: v.utilization,
    opsPerSec: tp.opsPerSec ?? 0,
    heapHighWater: v.heapHighWater,
    peakLive: v.peakLive,
    errors: v.errors,
    refusedCount: v.refused,
    growths: v.growths,
    backingGrowths: v.backingGrowths,
    ops: trace.length,
    align: heap.align,
    runsMs: tp.runsMs,
    scoredUtilization: s.utilization,
    scoredThroughput: s.throughput,
    header: [...trace.header],
    seconds: (performance.now() - t0) / 1000,
  };
}

function emptyRecord(trace: string, path: string, allocator: string, align: number, header: readonly number[] | null): BenchRecord {
  const s = header ? scoring(path, header) : { utilization: false, throughput: false };
  return {
    trace,
    path,
    allocator,
    valid: false,
    refused: false,
    timedOut: false,
    utilization: null,
    opsPerSec: 0,
    heapHighWater: 0,
    peakLive: 0,
    errors: [],
    refusedCount: 0,
    growths: 0,
    backingGrowths: 0,
    ops: header ? header[2]! : 0,
    align,
    runsMs: [],
    scoredUtilization: s.utilization,
    scoredThroughput: s.throughput,
    header: header ? [...header] : [],
    seconds: 0,
  };
}

/** The record of a job stopped at its time limit. */
export function timedOutRecord(trace: string, path: string, allocator: string, align: number, header: readonly number[] | null, seconds: number): BenchRecord {
  const r = emptyRecord(trace, path, allocator, align, header);
  r.timedOut = true;
  r.seconds = seconds;
  r.errors = [`timed out after ${seconds} s`];
  return r;
}

/** The record of a job that could not run (unreadable trace, unknown allocator, crashed worker). */
export function failedRecord(trace: string, path: string, allocator: string, align: number, header: readonly number[] | null, message: string): BenchRecord {
  const r = emptyRecord(trace, path, allocator, align, header);
  r.errors = [message];
  return r;
}
