/**
 * torture-run.ts — drives a multi-worker torture run of one shared heap and checks it at every quiescent point.
 * Exports `runTorture`, `TortureOptions`, `TortureResult`, `TortureSetup`, `RING_SLOTS`, `RING_WORDS` (used by torture-worker.ts and scripts/shared-soak.ts).
 *
 * The main thread creates the heap, starts the workers (torture-worker.ts under tsx), and after each
 * round, while all workers wait, runs `checkHeap()` and compares the heap's live block count with
 * the blocks the workers hold plus the blocks in flight in the rings: nothing may be lost or leaked.
 * At the end every block has been freed, so the heap must report no live block.
 */
import type { Worker } from 'node:worker_threads';
import { createSharedHeap } from '../../src/alloc/shared/index.js';
import { spawnTsWorker } from './spawn.js';

/** What the main thread hands each worker. */
export interface TortureSetup {
  heap: SharedArrayBuffer;
  /** Rings: for each (from, to) pair, RING_WORDS words: [head, tail, slots…] (pairs pointer, size). */
  rings: SharedArrayBuffer;
  /** One byte per 16-byte granule of the heap: 0 free, else holder id + 1. */
  claims: SharedArrayBuffer;
  /** [0] = rounds released by the main thread. */
  ctl: SharedArrayBuffer;
  id: number;
  workers: number;
  rounds: number;
  opsPerRound: number;
  seed: number;
  /** Blocks a worker holds at most before it frees instead of allocating. */
  maxHeld: number;
}

/** Words of slots per ring (each message takes two). */
export const RING_SLOTS = 256;
/** Words per ring: head, tail, then the slots. */
export const RING_WORDS = RING_SLOTS + 2;

/** Shape of a torture run. */
export interface TortureOptions {
  workers: number;
  rounds: number;
  opsPerRound: number;
  seed?: number;
  maxBytes?: number;
  maxHeld?: number;
  /** Fail (and stop the workers) when the run takes longer than this. Default 45 s. */
  timeoutMs?: number;
  /** Called after each quiescent check. */
  onRound?: (round: number, liveBlocks: number, heapBytes: number) => void;
}

/** What a finished run measured. */
export interface TortureResult {
  ops: number;
  /** Allocations that failed with ENOMEM. */
  enomem: number;
  checks: number;
  heapBytes: number;
  highWater: number;
  ms: number;
}

interface Msg {
  type: 'paused' | 'error';
  id: number;
  round: number;
  held: number;
  ops: number;
  enomem: number;
  last: boolean;
  message: string;
}

/** Runs the torture; resolves with figures, rejects with the first violation found. */
export async function runTorture(o: TortureOptions): Promise<TortureResult> {
  const maxBytes = o.maxBytes ?? 64 << 20;
  const heap = createSharedHeap({ maxBytes, maxWorkers: o.workers + 1 });
  const rings = new SharedArrayBuffer(o.workers * o.workers * RING_WORDS * 4);
  const claims = new SharedArrayBuffer(maxBytes / 16);
  const ctl = new SharedArrayBuffer(16);
  const ctl32 = new Int32Array(ctl);
  const ringWords = new Uint32Array(rings);
  const t0 = performance.now();
  const workers: Worker[] = [];
  let checks = 0;
  const done = new Promise<TortureResult>((resolve, reject) => {
    let settled = false;
    const failWith = (msg: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      for (const w of workers) void w.terminate();
      reject(new Error(msg));
    };
    const watchdog = setTimeout(() => failWith(`timed out after ${o.timeoutMs ?? 45000} ms (a worker hangs or livelocks)`), o.timeoutMs ?? 45000);
    const paused = new Map<number, Msg>();
    let exited = 0;
    let finished = false;
    let result: TortureResult | null = null;
    const quiescent = (): void => {
      const msgs = [...paused.values()];
      paused.clear();
      const round = msgs[0]!.round;
      let inFlight = 0;
      for (let r = 0; r < o.workers * o.workers; r++) inFlight += ringWords[r * RING_WORDS + 1]! - ringWords[r * RING_WORDS]!;
      const held = msgs.reduce((s, m) => s + m.held, 0);
      const v = heap.checkHeap();
      checks++;
      if (v.length > 0) return failWith(`round ${round}: checkHeap found ${v.length} violations:\n${v.slice(0, 8).map((x) => `  ${x.address}: ${x.message}`).join('\n')}`);
      const st = heap.stats();
      if (st.liveBlocks !== held + inFlight) return failWith(`round ${round}: heap has ${st.liveBlocks} live blocks, workers hold ${held} and ${inFlight} are in flight`);
      o.onRound?.(round, st.liveBlocks, st.heapBytes);
      if (msgs[0]!.last) {
        if (st.liveBlocks !== 0) return failWith(`end: ${st.liveBlocks} blocks still live`);
        finished = true;
        result = { ops: msgs.reduce((s, m) => s + m.ops, 0), enomem: msgs.reduce((s, m) => s + m.enomem, 0), checks, heapBytes: st.heapBytes, highWater: st.highWater, ms: performance.now() - t0 };
        return;
      }
      Atomics.store(ctl32, 0, round + 1);
      Atomics.notify(ctl32, 0);
    };
    for (let id = 0; id < o.workers; id++) {
      const setup: TortureSetup = {
        heap: heap.buffer as SharedArrayBuffer,
        rings,
        claims,
        ctl,
        id,
        workers: o.workers,
        rounds: o.rounds,
        opsPerRound: o.opsPerRound,
        seed: o.seed ?? 12345,
        maxHeld: o.maxHeld ?? 2000,
      };
      const w = spawnTsWorker(new URL('./torture-worker.ts', import.meta.url), setup);
      workers.push(w);
      w.on('message', (m: Msg) => {
        if (m.type === 'error') return failWith(m.message);
        paused.set(m.id, m);
        if (paused.size === o.workers) quiescent();
      });
      w.on('error', (e) => failWith(`worker ${id} crashed: ${e.stack ?? e.message}`));
      w.on('exit', (code) => {
        exited++;
        if (code !== 0 && !settled) failWith(`worker ${id} exited with code ${code}`);
        if (exited === o.workers && !settled) {
          if (finished && result) {
            settled = true;
            clearTimeout(watchdog);
            resolve(result);
          } else failWith('workers exited before the run finished');
        }
      });
    }
  });
  return done;
}
