/**
 * workers-job.ts — what bench/workers.ts hands each bench worker (bench/workers-worker.ts), and the ring size they share.
 * Exports `WorkerJob`, `RING`.
 */

/** What workers.ts hands each worker. */
export interface WorkerJob {
  allocator: 'sharded' | 'locked' | 'locked-tlsf';
  workload: 'independent' | 'prodcons';
  heap: SharedArrayBuffer;
  /** [0] start flag, [1] lock word, [2] last lock holder + 1. */
  ctl: SharedArrayBuffer;
  /** prodcons rings: per worker RING + 2 words [head, tail, slots…] (the ring it receives on). */
  rings: SharedArrayBuffer;
  id: number;
  workers: number;
  /** malloc+free pairs this worker performs. */
  pairs: number;
}

/** Slots per prodcons ring. */
export const RING = 1024;
