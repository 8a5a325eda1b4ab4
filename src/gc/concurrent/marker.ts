/**
 * marker.ts — one concurrent marking cycle as the marker thread runs it, over the heap's and the side buffer's memory.
 * Exports `runMarkingCycle`, `MarkMessage`. Pure: no Node built-ins, no DOM (a browser Web Worker runs it unchanged).
 *
 * Protocol (see layout.ts): state MARKING first, then check EPOCH/CMD (so an ABORT sent meanwhile is seen —
 * the main thread sets CMD before it waits for IDLE); shade the root snapshot; then loop: adopt log entries up
 * to HEAD (the mutator already set their mark bits), publish TAIL, scan a chunk; with nothing grey and nothing
 * new in the log, publish DONE_AT = TAIL and wait on HEAD (timeouts back off from 1 to 4 ms). Leaves on FINISH,
 * ABORT or a newer EPOCH, after storing its counters, with state IDLE.
 * The stack grows instead of overflowing: an overflow rescan would read objects the mutator may be writing.
 */
import { Tracer } from './tracer.js';
import {
  C_CMD,
  C_DONE_AT,
  C_EPOCH,
  C_HEAD,
  C_MARKED_OBJECTS,
  C_MARKED_WORDS,
  C_MAX_TYPES,
  C_NROOTS,
  C_STACK_INIT,
  C_TAIL,
  C_TYPE_BASE_WORD,
  C_W_STATE,
  C_WORK_US,
  CMD_MARK,
  CTL_WORDS,
  W_IDLE,
  W_MARKING,
  readLayout,
} from './layout.js';

/** What the main thread posts to start a cycle. */
export interface MarkMessage {
  heap: SharedArrayBuffer;
  side: SharedArrayBuffer;
  epoch: number;
}

/** Objects' worth of work scanned between two looks at the log and the command word. */
const CHUNK_WORK = 4096;

/** Runs marking cycle `m.epoch` to its end (returns at once if that cycle was already finished or aborted). */
export function runMarkingCycle(m: MarkMessage): void {
  const ctl = new Int32Array(m.side, 0, CTL_WORDS);
  Atomics.store(ctl, C_W_STATE, W_MARKING);
  try {
    if (Atomics.load(ctl, C_EPOCH) !== m.epoch || Atomics.load(ctl, C_CMD) !== CMD_MARK) return;
    const l = readLayout(ctl, m.side.byteLength >>> 2);
    const bits = new Int32Array(m.side, l.bitsOff * 4, l.bitsWords + 1);
    const roots = new Uint32Array(m.side, l.rootsOff * 4, l.logOff - l.rootsOff);
    const log = new Uint32Array(m.side, l.logOff * 4, l.logCap);
    const mask = l.logCap - 1;
    const tracer = new Tracer({
      u32: new Uint32Array(m.heap),
      bits,
      lo: l.lo,
      hi: l.hi,
      typeBaseWord: ctl[C_TYPE_BASE_WORD]!,
      maxTypes: ctl[C_MAX_TYPES]!,
      atomic: true,
      growable: true,
      stack: new Uint32Array(Math.max(1024, ctl[C_STACK_INIT]!)),
    });
    const t0 = performance.now();
    const n = ctl[C_NROOTS]!;
    for (let i = 0; i < n; i++) tracer.shade(roots[i]!);
    let tail = 0;
    let idleWaits = 0;
    for (;;) {
      if (Atomics.load(ctl, C_CMD) !== CMD_MARK || Atomics.load(ctl, C_EPOCH) !== m.epoch) break;
      const head = Atomics.load(ctl, C_HEAD);
      if (head !== tail) {
        while (tail !== head) {
          tracer.adopt(log[tail & mask]!);
          tail++;
        }
        Atomics.store(ctl, C_TAIL, tail);
        idleWaits = 0;
      }
      tracer.drain(CHUNK_WORK, Infinity);
      if (tracer.isEmpty() && Atomics.load(ctl, C_HEAD) === tail) {
        // counters first: DONE_AT publishes them (the remark reads them once DONE_AT equals its head)
        ctl[C_MARKED_OBJECTS] = tracer.markedObjects;
        ctl[C_MARKED_WORDS] = tracer.markedWords;
        Atomics.store(ctl, C_DONE_AT, tail);
        Atomics.wait(ctl, C_HEAD, tail, Math.min(4, 1 + (idleWaits >> 4)));
        idleWaits++;
      }
    }
    ctl[C_MARKED_OBJECTS] = tracer.markedObjects;
    ctl[C_MARKED_WORDS] = tracer.markedWords;
    ctl[C_WORK_US] = Math.round((performance.now() - t0) * 1000);
  } finally {
    Atomics.store(ctl, C_W_STATE, W_IDLE);
  }
}
