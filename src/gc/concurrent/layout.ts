/**
 * layout.ts — the side buffer shared by a short-pause collector and its marker: control words, the root
 * snapshot, the SATB log ring and the mark bitmap. Exports the word offsets (`C_*`), commands, states and `SideLayout`.
 *
 * One buffer per heap (a SharedArrayBuffer when a worker marks, a plain ArrayBuffer otherwise), as 32-bit words:
 * ```
 *  word 0 ┌──────────────────────────────────────────────────────────────┐
 *         │ control (CTL_WORDS): CMD EPOCH HEAD TAIL DONE_AT W_STATE …   │  Atomics only
 *  roots  ├──────────────────────────────────────────────────────────────┤
 *         │ root snapshot: NROOTS object addresses copied at the start   │  written by main before MARK
 *         │ handshake (rootSlots words)                                  │
 *  log    ├──────────────────────────────────────────────────────────────┤
 *         │ SATB log ring: LOG_CAP (power of two) addresses the barrier  │  main writes [HEAD], publishes
 *         │ marked; entry k at log + (k & (LOG_CAP − 1))                 │  HEAD; worker consumes to TAIL
 *  bits   ├──────────────────────────────────────────────────────────────┤
 *         │ mark bitmap: bit i ⇔ the object at LO + 8·i is marked;       │  Atomics.or while marking
 *         │ word i >>> 5, bit 1 << (i & 31); covers [LO, HI)             │
 *         └──────────────────────────────────────────────────────────────┘
 * ```
 * Colours (tri-colour abstraction over the bitmap): white = bit clear; grey = bit set and the object is on
 * a mark stack, in the log ring, or (overflow) in the rescan range; black = bit set and scanned. Headers are
 * never written, so the heap stays white in the header's sense and the core verifier works mid-cycle.
 *
 * Protocol of one concurrent marking cycle (M = main thread, W = worker):
 *  1. M (start handshake): waits for W_STATE = IDLE, copies the roots, sets HEAD = TAIL = 0, DONE_AT = −1,
 *     EPOCH += 1, CMD = MARK, then posts {heap, side, epoch} to W.
 *  2. W: W_STATE = MARKING, checks EPOCH and CMD (else returns), shades the snapshot, then loops: consume the
 *     log to HEAD, scan a chunk, and when its stack is empty with TAIL == HEAD store DONE_AT = TAIL and wait.
 *  3. M, at safepoints: when DONE_AT == HEAD (its own, unchanged head), marking is complete — nobody else can
 *     produce grey objects — so the remark is one comparison: CMD = FINISH, notify, sweep.
 *  4. W sees FINISH (or ABORT, or a new EPOCH), stores its counters and W_STATE = IDLE.
 */

/** Control word: command from main (`CMD_*`). */
export const C_CMD = 0;
/** Control word: cycle number. */
export const C_EPOCH = 1;
/** Control word: log entries published by main. */
export const C_HEAD = 2;
/** Control word: log entries consumed by the worker. */
export const C_TAIL = 3;
/** Control word: HEAD at which the worker last found nothing to do (−1 while it has not). */
export const C_DONE_AT = 4;
/** Control word: worker state (`W_*`). */
export const C_W_STATE = 5;
/** Control word: roots in the snapshot. */
export const C_NROOTS = 6;
/** Control word: objects the worker marked (shaded or consumed from the log) in the last cycle. */
export const C_MARKED_OBJECTS = 7;
/** Control word: words the worker marked in the last cycle. */
export const C_MARKED_WORDS = 8;
/** Layout words: LO, HI (byte addresses, as u32). */
export const C_LO = 9;
export const C_HI = 10;
/** Layout word: word index of the heap's type table, and its capacity. */
export const C_TYPE_BASE_WORD = 11;
export const C_MAX_TYPES = 12;
/** Layout words: word offsets of the roots, the log and the bitmap in the side buffer; log capacity. */
export const C_ROOTS_OFF = 13;
export const C_LOG_OFF = 14;
export const C_LOG_CAP = 15;
export const C_BITS_OFF = 16;
/** Control word: worker's marking time in the last cycle, microseconds. */
export const C_WORK_US = 17;
/** Control word: initial mark-stack entries for the worker. */
export const C_STACK_INIT = 18;
/** Words of control block. */
export const CTL_WORDS = 32;

/** Commands. */
export const CMD_NONE = 0;
export const CMD_MARK = 1;
export const CMD_FINISH = 2;
export const CMD_ABORT = 3;

/** Worker states. */
export const W_IDLE = 0;
export const W_MARKING = 1;

/** Where things are in a side buffer (word offsets) and what the bitmap covers. */
export interface SideLayout {
  lo: number;
  hi: number;
  rootsOff: number;
  logOff: number;
  logCap: number;
  bitsOff: number;
  bitsWords: number;
  totalWords: number;
}

/** Computes the layout for a bitmap over [lo, hi), `rootSlots` roots and a log of `logCap` entries (rounded up to a power of two). */
export function sideLayout(lo: number, hi: number, rootSlots: number, logCap: number): SideLayout {
  let cap = 1024;
  while (cap < logCap) cap *= 2;
  const rootsOff = CTL_WORDS;
  const logOff = rootsOff + rootSlots;
  const bitsOff = logOff + cap;
  const bitsWords = (((hi - lo) >>> 3) + 31) >>> 5;
  return { lo, hi, rootsOff, logOff, logCap: cap, bitsOff, bitsWords, totalWords: bitsOff + bitsWords + 1 };
}

/** Writes the layout into a side buffer's control words. */
export function writeLayout(ctl: Int32Array, l: SideLayout, typeBaseWord: number, maxTypes: number, stackInit: number): void {
  ctl[C_LO] = l.lo | 0;
  ctl[C_HI] = l.hi | 0;
  ctl[C_TYPE_BASE_WORD] = typeBaseWord;
  ctl[C_MAX_TYPES] = maxTypes;
  ctl[C_ROOTS_OFF] = l.rootsOff;
  ctl[C_LOG_OFF] = l.logOff;
  ctl[C_LOG_CAP] = l.logCap;
  ctl[C_BITS_OFF] = l.bitsOff;
  ctl[C_STACK_INIT] = stackInit;
  ctl[C_DONE_AT] = -1;
}

/** Reads the layout back (the worker's side). */
export function readLayout(ctl: Int32Array, totalWords: number): SideLayout {
  const lo = ctl[C_LO]! >>> 0;
  const hi = ctl[C_HI]! >>> 0;
  const bitsOff = ctl[C_BITS_OFF]!;
  return { lo, hi, rootsOff: ctl[C_ROOTS_OFF]!, logOff: ctl[C_LOG_OFF]!, logCap: ctl[C_LOG_CAP]!, bitsOff, bitsWords: totalWords - bitsOff - 1, totalWords };
}
