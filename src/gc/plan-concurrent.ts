/**
 * plan-concurrent.ts — the concurrent mark-sweep plan: marking runs in a marker thread (worker_threads / Web Worker)
 * over the heap's SharedArrayBuffer while the mutator runs; sweeping is lazy, in allocation-paced steps on the
 * main thread. Exports `createConcurrentPlan`, `shutdownMarkers`, `markerThreadsStarted`; registers 'concurrent'.
 *
 * It is the incremental plan (plan-incremental.ts: SATB barrier, allocate black, side mark bitmap) with MARK
 * handed to a marker thread: the main thread's pauses are the start handshake (copy `sp` root words, post the
 * cycle), the remark (one comparison: the marker drained the SATB log up to our unchanged head with an empty
 * stack), sweep steps, and waits for room in the SATB log (none unless the marker falls 1 M entries behind).
 * Mark bits are set with `Atomics.or` on both sides; the barrier marks the old value and appends it to the
 * log only when it was white. When threads or shared memory are unavailable (a `memory` option that is not
 * shared, no Worker), or the marker dies, marking falls back to the main thread in bounded steps.
 */
import { SatbPlan } from './plan-incremental.js';
import { acquireMarker, prewarmMarker } from './concurrent/spawn.js';
import { registerCollector } from './registry.js';

export { shutdownMarkers, markerThreadsStarted, markerReady, markerKind, markerThreadsFailed } from './concurrent/spawn.js';
export type { MarkerKind } from './concurrent/spawn.js';

/** A fresh concurrent plan (one per heap). */
export function createConcurrentPlan(): SatbPlan {
  return new SatbPlan('concurrent', 'concurrent mark-sweep: SATB marking in a worker over a SharedArrayBuffer heap (Atomics mark bits, shared barrier log), lazy sweep; non-moving', acquireMarker, prewarmMarker);
}

registerCollector('concurrent', createConcurrentPlan);
