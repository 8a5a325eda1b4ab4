/**
 * gc-pause-lab.ts — the collector view's pause lab: runs a small workload (binary-trees or the checked random graph)
 * on the short-pause collectors in this page and reports their main-thread pause log. DOM-free.
 * Exports `runPauseLab`, `pauseLabWorkloads`, `PAUSE_LAB_HEAP`, `PauseLabRun`, `PauseLabWorkload`, `MarkedIn`.
 *
 * The mutator runs on the page's main thread, synchronously, as a program would. For `concurrent` the lab first
 * awaits a booted marker (`markerReady`: a Web Worker cannot start while the main thread is busy), then the plan
 * hands each marking cycle to it over the heap's SharedArrayBuffer; the main thread's pauses are the start
 * handshake, the remark and the lazy sweep steps. Where marking ran is observed, not inferred: cycles posted to
 * the marker (`remoteCycles`), marker threads that failed during the run, and every cycle in which a collector
 * step found the plan marking locally (phase MARK, not remote) — seen through the heap's `onCollect` hook, kept
 * in place while the random graph installs its own (the plan marks locally when it has no marker, when its marker
 * died, or when its marker had not yet gone idle after the previous cycle; stop-the-world full collections mark
 * locally by definition and are counted apart). Correctness is the workload's own checks (binary-trees: every tree's node
 * count; random graph: reachability checksum against a model before and after every collection step, and a final
 * full collection retaining exactly the model's reachable bytes) plus `heap.verify()` at the end.
 */
import { createManagedHeap, runBinaryTrees, runRandomGraph, type ManagedHeap, type ManagedHeapOptions } from '../gc/index.js';
import { pauseLogOf, summarizePauses, PAUSE_NAMES, type PauseSummary } from '../gc/pauses.js';
import { markerKind, markerReady, markerThreadsFailed } from '../gc/concurrent/spawn.js';
import { PHASE_IDLE, PHASE_MARK, type SatbPlan } from '../gc/plan-incremental.js';
import { C_W_STATE, W_IDLE } from '../gc/concurrent/layout.js';

/** The lab's workloads. */
export const pauseLabWorkloads = ['binary-trees', 'random-graph'] as const;
/** A lab workload: binary-trees of depth `size`, or the random graph with 1000 × `size` checked steps. */
export type PauseLabWorkload = (typeof pauseLabWorkloads)[number];
/** Where a run's marking ran. */
export type MarkedIn = 'web-worker' | 'worker_threads' | 'main-thread' | 'mixed';

/** Heap options of the lab: a 64 MiB reservation, a small starting size so even small workloads run several cycles. */
export const PAUSE_LAB_HEAP: Partial<ManagedHeapOptions> = {
  maxBytes: 64 << 20,
  initialBytes: 256 * 1024,
  largeObjectBytes: 4096,
};

/** One collector × workload run in the page. Times in ms. */
export interface PauseLabRun {
  collector: string;
  workload: PauseLabWorkload;
  size: number;
  /** Wall time of the workload (heap creation and the marker's boot excluded). */
  timeMs: number;
  /** Collection cycles completed. */
  cycles: number;
  /** Cycles started by allocation or a step, not by a stop-the-world full collection (completed ones + one in progress). */
  startedCycles: number;
  /** Cycles whose marking was posted to a marker thread. */
  workerCycles: number;
  /** Cycles (other than full collections) whose marking advanced on the main thread (incremental: all of them). */
  mainThreadCycles: number;
  /** Of those, the ones whose marker was still busy with the previous cycle when the first local step ran. */
  mainThreadCyclesMarkerBusy: number;
  /** Stop-the-world full collections (the reservation ran out, or the workload asked for one). */
  fullCollections: number;
  /** Marker threads that failed during the run. */
  markerFailures: number;
  /** Where marking ran: a Web Worker, Node's worker_threads, the main thread, or both. */
  markedIn: MarkedIn;
  /** Why marking ran where it did, in a sentence. */
  markerNote: string;
  /** The pause distribution and MMU (1 ms, 10 ms windows) over the whole run. */
  pauses: PauseSummary;
  /** Count and longest pause per kind (start, remark, step, sweep-on-demand, full …). */
  kinds: Record<string, { count: number; maxMs: number; totalMs: number }>;
  /** Every pause: start (ms from the run's start), duration and kind. */
  timeline: { t: number; ms: number; kind: string }[];
  /** The workload's own checks held. */
  checksumOk: boolean;
  /** Random graph: collection steps at which the reachability checksum was compared (binary-trees: 0). */
  checkedCollections: number;
  detail: string;
  /** `heap.verify()` after the run: violated invariants, empty when the heap is sound. */
  violations: string[];
  /** Objects the last completed marking found live. */
  lastMarkedObjects: number;
  bytesAllocated: number;
  heapHighWater: number;
}

const now = (): number => performance.now();

type CollectHook = ManagedHeap['onCollect'];

/**
 * Watches `h` for collector steps taken while `plan` marks on the main thread, one count per cycle. The hook stays
 * first in line when a workload sets `h.onCollect` (the workload's hook is called after it, and restoring what
 * the workload read back puts the watcher alone again).
 */
function watchLocalMarking(h: ManagedHeap, plan: Partial<SatbPlan>): { cycles: number; busy: number } {
  const seen = { cycles: 0, busy: 0 };
  let last = -1;
  let inner: CollectHook = null;
  const watcher = (phase: 'before' | 'after', major: boolean): void => {
    if (phase === 'before' && !major && plan.phase === PHASE_MARK && plan.remote === false && plan.cycles !== last) {
      last = plan.cycles ?? 0;
      seen.cycles++;
      if (plan.ctl !== undefined && Atomics.load(plan.ctl, C_W_STATE) !== W_IDLE) seen.busy++;
    }
    inner?.(phase, major);
  };
  Object.defineProperty(h, 'onCollect', {
    configurable: true,
    enumerable: true,
    get: () => watcher,
    set: (fn: CollectHook) => {
      inner = fn === watcher ? null : fn;
    },
  });
  return seen;
}

/**
 * Runs `workload` at `size` on a fresh heap managed by `collector` ('incremental' or 'concurrent'; any registered
 * collector with a pause log works) and reports its pauses. For 'concurrent' a marker thread is booted first.
 */
export async function runPauseLab(collector: string, workload: PauseLabWorkload, size: number): Promise<PauseLabRun> {
  const kind = collector === 'concurrent' ? markerKind() : null;
  const booted = kind !== null ? await markerReady() : false;
  const failed0 = markerThreadsFailed();
  const h = createManagedHeap({ ...PAUSE_LAB_HEAP, collector });
  const plan = h.plan as unknown as Partial<SatbPlan>;
  const log = pauseLogOf(h);
  if (log === null) throw new TypeError(`collector '${collector}' keeps no pause log (the lab runs the short-pause collectors)`);
  let checksumOk: boolean;
  let detail: string;
  let checked = 0;
  const local = watchLocalMarking(h, plan);
  const t0 = now();
  if (workload === 'binary-trees') {
    ({ checksumOk, detail } = runBinaryTrees(h, size));
  } else {
    const r = runRandomGraph(h, { steps: 1000 * size, seed: size });
    ({ checksumOk, detail } = r);
    checked = r.checkedCollections;
  }
  const t1 = now();
  const violations = h.verify().map((v) => `0x${v.address.toString(16)}: ${v.message}`);
  const kinds = log.byKind();
  const timeline: PauseLabRun['timeline'] = [];
  for (let i = 0; i < log.count; i++) timeline.push({ t: log.starts[i]! - t0, ms: log.durations[i]!, kind: PAUSE_NAMES[log.kinds[i]!] ?? 'other' });
  const full = kinds['full']?.count ?? 0;
  const cycles = plan.cycles ?? h.stats().collections;
  const started = Math.max(0, cycles - full) + (plan.phase !== undefined && plan.phase !== PHASE_IDLE ? 1 : 0);
  const workerCycles = plan.remoteCycles ?? 0;
  const markerFailures = markerThreadsFailed() - failed0;
  const mainThreadCycles = local.cycles;
  let markedIn: MarkedIn;
  let markerNote: string;
  if (collector !== 'concurrent') {
    markedIn = 'main-thread';
    markerNote = 'incremental: marking and sweeping advance in bounded steps on the main thread, paced by allocation';
  } else if (workerCycles === 0) {
    markedIn = 'main-thread';
    markerNote =
      kind === null
        ? typeof SharedArrayBuffer === 'undefined'
          ? 'fell back to the main thread: no SharedArrayBuffer (the page is not cross-origin isolated; serve it with heapkit ui)'
          : 'fell back to the main thread: this runtime cannot start a worker'
        : !booted
          ? 'fell back to the main thread: the marker worker did not start'
          : 'no marking cycle was handed to the worker';
  } else if (mainThreadCycles === 0 && markerFailures === 0) {
    markedIn = kind ?? 'mixed';
    markerNote =
      `every cycle it started marked in a ${kind === 'web-worker' ? 'Web Worker' : 'worker thread'} over the shared heap; the main thread only ran the handshakes and the lazy sweep` +
      (full > 0 ? ` (and the ${full} stop-the-world full collections, which mark on the main thread by definition)` : '');
  } else {
    markedIn = 'mixed';
    markerNote =
      `${workerCycles} cycles marked in the worker, ${mainThreadCycles} on the main thread` +
      (markerFailures > 0
        ? ` (${markerFailures} marker threads failed)`
        : ` (the plan marks locally when its marker has not yet gone idle after the previous cycle${local.busy > 0 ? `: still busy at ${local.busy} of them` : ''})`);
  }
  const s = h.stats();
  const run: PauseLabRun = {
    collector,
    workload,
    size,
    timeMs: t1 - t0,
    cycles,
    startedCycles: started,
    workerCycles,
    mainThreadCycles,
    mainThreadCyclesMarkerBusy: local.busy,
    fullCollections: full,
    markerFailures,
    markedIn,
    markerNote,
    pauses: summarizePauses(log, { from: t0, to: t1, windowsMs: [1, 10] }),
    kinds,
    timeline,
    checksumOk,
    checkedCollections: checked,
    detail,
    violations,
    lastMarkedObjects: plan.lastMarkedObjects ?? 0,
    bytesAllocated: s.bytesAllocated,
    heapHighWater: s.heapHighWater,
  };
  plan.dispose?.(); // hands the marker back to the pool
  return run;
}
