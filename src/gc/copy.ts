/**
 * copy.ts — copying collection: Cheney's breadth-first evacuation with forwarding pointers, for the
 * semispace plan (whole heap) and the generational plan's minor collections (nursery → survivor / old).
 * Exports `Evacuator`.
 *
 * ```
 *  from-space (one or two ranges)         to-space (young destination)      old space (promotion)
 *  ┌────┬────┬────┬────┐                  ┌────┬────┬──────── … ┐           ┌── … ─┬────┬─────── … ┐
 *  │ A→ │ B  │ C→ │ D  │   forward(A)     │ A' │ C' │            │           │      │ P' │           │
 *  └────┴────┴────┴────┘  ────────────▶   └────┴────┴──────── … ┘           └── … ─┴────┴─────── … ┘
 *   A→: F bit set, word 1 = A'             scan ─▶ yTop                     oScan ─▶ oTop
 * ```
 * The scan pointers chase the copy pointers: objects between scan and top are grey (copied, fields not
 * yet forwarded). Invariant at the end: scan == top in both destinations, every root and every field of a
 * copied or remembered object points outside the from-ranges.
 * Generational extras: an object whose age reaches `promoteAge`, or that does not fit the survivor space,
 * is copied to the old space; a promoted object (or a remembered one) still holding a young reference is
 * logged in the remembered set again.
 */
import type { ManagedHeap } from './heap.js';
import { AGE_MASK, AGE_ONE, BLACK, COLOR_MASK, FORWARDED, KIND_RECORD, KIND_REF_ARRAY, LOGGED, TYPE_MASK } from './object-model.js';

/** One copying collection's state (created per collection; fields are numbers so the loops stay monomorphic). */
export class Evacuator {
  readonly u32: Uint32Array;
  readonly kindOf: Int32Array;
  readonly refCount: Int32Array;
  /** From-ranges [aLo, aLo + aSize) and [bLo, bLo + bSize). */
  aLo = 0;
  aSize = 0;
  bLo = 0;
  bSize = 0;
  /** Young destination: copy pointer, end, and range (for "still young" tests). */
  yLo = 0;
  yTop = 0;
  yEnd = 0;
  /** Old destination (promotion); oEnd = 0 when there is none. */
  oTop = 0;
  oEnd = 0;
  /** Age (in header units) at which an object is promoted; 0 = never age. */
  promoteAt = 0;
  /** Whole-heap collection: objects outside the from-ranges (large objects) are marked black and scanned. */
  traceOthers = false;
  /** Grey non-moving objects (large objects) waiting to be scanned. */
  private others: Int32Array;
  private othersLen = 0;
  /** Bytes copied to the young destination and promoted. */
  copied = 0;
  promoted = 0;
  /** Set when a copy did not fit anywhere (the caller checked room beforehand, so this means a bug or OOM). */
  failed = false;

  constructor(heap: ManagedHeap, maxOthers: number) {
    this.u32 = heap.u32;
    this.kindOf = heap.kindOf;
    this.refCount = heap.refCount;
    this.others = new Int32Array(Math.max(16, maxOthers));
  }

  /** Returns the current address of the object `r` refers to, copying it on first sight. */
  forward(r: number): number {
    const u32 = this.u32;
    if ((r - this.aLo) >>> 0 < this.aSize || (r - this.bLo) >>> 0 < this.bSize) {
      const w = r >>> 2;
      const h = u32[w]!;
      if ((h & FORWARDED) !== 0) return u32[w + 1]!;
      const size = u32[w + 1]!;
      let dst: number;
      let nh = h;
      if (this.promoteAt !== 0 && ((h & AGE_MASK) + AGE_ONE >= this.promoteAt || this.yTop + size > this.yEnd)) {
        dst = this.oTop;
        if (dst + size > this.oEnd) {
          this.failed = true;
          return r;
        }
        this.oTop = dst + size;
        this.promoted += size;
      } else {
        dst = this.yTop;
        if (dst + size > this.yEnd) {
          this.failed = true;
          return r;
        }
        this.yTop = dst + size;
        if (this.promoteAt !== 0 && (h & AGE_MASK) !== AGE_MASK) nh = h + AGE_ONE;
      }
      const dw = dst >>> 2;
      const nw = size >>> 2;
      u32[dw] = nh;
      u32[dw + 1] = size;
      if (nw <= 8) for (let i = 2; i < nw; i++) u32[dw + i] = u32[w + i]!;
      else u32.copyWithin(dw + 2, w + 2, w + nw);
      u32[w] = h | FORWARDED;
      u32[w + 1] = dst;
      this.copied += size;
      return dst;
    }
    if (this.traceOthers && r !== 0) {
      const w = r >>> 2;
      const h = u32[w]!;
      if ((h & COLOR_MASK) === 0) {
        u32[w] = h | BLACK;
        if (this.othersLen === this.others.length) {
          const next = new Int32Array(this.others.length * 2);
          next.set(this.others);
          this.others = next;
        }
        this.others[this.othersLen++] = r;
      }
    }
    return r;
  }

  /** Forwards every ref field of the object at word `w`; returns true when one of them is in the young destination afterwards. */
  scanFields(w: number): boolean {
    const u32 = this.u32;
    const h = u32[w]!;
    const t = h & TYPE_MASK;
    const k = this.kindOf[t]!;
    let first: number;
    let n: number;
    if (k === KIND_RECORD) {
      first = w + 2;
      n = this.refCount[t]!;
    } else if (k === KIND_REF_ARRAY) {
      first = w + 4;
      n = u32[w + 2]!;
    } else {
      return false;
    }
    const end = first + n;
    const yLo = this.yLo;
    const ySize = this.yEnd - yLo;
    let young = false;
    for (let f = first; f < end; f++) {
      const r = u32[f]!;
      if (r === 0) continue;
      const nr = this.forward(r);
      u32[f] = nr;
      if ((nr - yLo) >>> 0 < ySize) young = true;
    }
    return young;
  }

  /** Forwards every root slot. */
  scanRoots(heap: ManagedHeap): void {
    const u32 = this.u32;
    const rb = heap.rootBase;
    const rend = rb + heap.sp;
    for (let i = rb; i < rend; i++) {
      const r = u32[i]!;
      if (r !== 0) u32[i] = this.forward(r);
    }
  }

  /** Scans the remembered set (generational): each logged object is un-logged, scanned, and logged again if still pointing young. */
  scanRemembered(heap: ManagedHeap): void {
    const u32 = this.u32;
    const n = heap.ssbLen;
    heap.ssbLen = 0;
    for (let j = 0; j < n; j++) {
      const obj = heap.ssb[j]!;
      const w = obj >>> 2;
      u32[w] = u32[w]! & ~LOGGED;
      if (this.scanFields(w)) {
        u32[w] = u32[w]! | LOGGED;
        heap.remember(obj);
      }
    }
  }

  /** Cheney's loop: scans copied objects (young from `yScan`, promoted from `oScan`) and grey large objects until none is left. */
  drain(heap: ManagedHeap, yScan: number, oScan: number): void {
    const u32 = this.u32;
    for (;;) {
      while (yScan < this.yTop) {
        const w = yScan >>> 2;
        yScan += u32[w + 1]!;
        this.scanFields(w);
      }
      if (oScan < this.oTop) {
        while (oScan < this.oTop) {
          const w = oScan >>> 2;
          const p = oScan;
          oScan += u32[w + 1]!;
          if (this.scanFields(w)) {
            u32[w] = u32[w]! | LOGGED;
            heap.remember(p);
          }
        }
        continue;
      }
      if (this.othersLen > 0) {
        while (this.othersLen > 0) this.scanFields(this.others[--this.othersLen]! >>> 2);
        continue;
      }
      if (yScan >= this.yTop) break;
    }
  }
}
