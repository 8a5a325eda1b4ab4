/**
 * compact.ts — sliding compaction (Lisp-2) of one bump space, after marking: order-preserving, leaves the space contiguous.
 * Exports `compactSpace`.
 *
 * Phases (the space is walked three times, object by object, sizes read from type and length):
 *  1. (caller) mark everything reachable;
 *  2. forward: each marked object's word 1 (its size) is replaced by its new address, assigned in address
 *     order from the space's start — so objects keep their relative order (locality preserved); each run
 *     of dead objects is collapsed into one skip record (header DEAD_RUN, word 1 = next live address);
 *  3. update: every root, every ref field of a marked object (in this space and in `others`, which do not
 *     move) that points into the space is replaced by the target's forwarding word; the remembered set is
 *     rebuilt here when `youngSize > 0` (old objects holding young refs are logged again at their new address);
 *  4. move: marked objects slide down (`copyWithin`, memmove semantics), get their size word back and
 *     turn white; the top drops to the end of the last moved object and the rest is scrubbed.
 * Invariant after: `top = start + Σ live sizes`, every object in [start, top) is live and white.
 */
import type { ManagedHeap } from './heap.js';
import { COLOR_MASK, KIND_RECORD, KIND_REF_ARRAY, LOGGED, TYPE_MASK, arraySize } from './object-model.js';
import { forEachObject } from './mark.js';
import type { Space } from './space.js';

/** Header of the first object of a run of dead objects during compaction (type id 0: never a real object). */
const DEAD_RUN = 0x00f0_0000 | 0;

/**
 * Compacts `space` (already marked). `others` are non-moving spaces whose marked objects may point into it.
 * Returns live bytes in the space after compaction.
 */
export function compactSpace(heap: ManagedHeap, space: Space, others: Space[]): number {
  const u32 = heap.u32;
  const kindOf = heap.kindOf;
  const recSize = heap.recSize;
  const refCount = heap.refCount;
  const start = space.start;
  const top = space.top;
  const youngLo = heap.youngLo;
  const youngSize = heap.youngSize;
  const remember = youngSize > 0;

  // Phase 2: forwarding addresses in word 1 of marked objects. Each run of dead objects becomes one
  // "dead run" (header DEAD_RUN, word 1 = address of the next live object or top), so phases 3 and 4
  // step over garbage in one move instead of object by object.
  let free = start;
  let runStart = 0;
  for (let p = start; p < top; ) {
    const w = p >>> 2;
    const h = u32[w]!;
    const t = h & TYPE_MASK;
    const k = kindOf[t]!;
    const size = k === KIND_RECORD ? recSize[t]! : arraySize(k, u32[w + 2]!);
    if ((h & COLOR_MASK) !== 0) {
      if (runStart !== 0) {
        u32[(runStart >>> 2) + 1] = p;
        runStart = 0;
      }
      u32[w + 1] = free;
      free += size;
    } else if (runStart === 0) {
      runStart = p;
      u32[w] = DEAD_RUN;
    }
    p += size;
  }
  if (runStart !== 0) u32[(runStart >>> 2) + 1] = top;

  // Phase 3: update references. Returns true when the object at w holds a young ref after updating.
  const updateFields = (w: number, h: number): boolean => {
    const t = h & TYPE_MASK;
    const k = kindOf[t]!;
    let first: number;
    let n: number;
    if (k === KIND_RECORD) {
      first = w + 2;
      n = refCount[t]!;
    } else if (k === KIND_REF_ARRAY) {
      first = w + 4;
      n = u32[w + 2]!;
    } else {
      return false;
    }
    let young = false;
    const end = first + n;
    for (let f = first; f < end; f++) {
      const r = u32[f]!;
      if (r >= start && r < top) u32[f] = u32[(r >>> 2) + 1]!;
      else if (remember && r !== 0 && (r - youngLo) >>> 0 < youngSize) young = true;
    }
    return young;
  };
  const rb = heap.rootBase;
  const rend = rb + heap.sp;
  for (let i = rb; i < rend; i++) {
    const r = u32[i]!;
    if (r >= start && r < top) u32[i] = u32[(r >>> 2) + 1]!;
  }
  if (remember) heap.ssbLen = 0;
  for (let p = start; p < top; ) {
    const w = p >>> 2;
    const h = u32[w]!;
    if (h === DEAD_RUN) {
      p = u32[w + 1]!;
      continue;
    }
    const t = h & TYPE_MASK;
    const k = kindOf[t]!;
    const size = k === KIND_RECORD ? recSize[t]! : arraySize(k, u32[w + 2]!);
    if ((h & COLOR_MASK) !== 0) {
      const young = updateFields(w, h);
      if (remember) {
        if (young) {
          u32[w] = h | LOGGED;
          heap.remember(u32[w + 1]!);
        } else {
          u32[w] = h & ~LOGGED;
        }
      }
    }
    p += size;
  }
  for (const o of others) {
    const isYoung = remember && o.start >= youngLo && o.start - youngLo < youngSize;
    forEachObject(heap, o, (p) => {
      const w = p >>> 2;
      const h = u32[w]!;
      if ((h & COLOR_MASK) === 0) return;
      const young = updateFields(w, h);
      if (remember && !isYoung) {
        if (young) {
          u32[w] = h | LOGGED;
          heap.remember(p);
        } else {
          u32[w] = h & ~LOGGED;
        }
      }
    });
  }

  // Phase 4: slide.
  let copied = 0;
  for (let p = start; p < top; ) {
    const w = p >>> 2;
    const h = u32[w]!;
    if (h === DEAD_RUN) {
      p = u32[w + 1]!;
      continue;
    }
    const t = h & TYPE_MASK;
    const k = kindOf[t]!;
    const size = k === KIND_RECORD ? recSize[t]! : arraySize(k, u32[w + 2]!);
    if ((h & COLOR_MASK) !== 0) {
      const dst = u32[w + 1]!;
      const dw = dst >>> 2;
      if (dst !== p) {
        const nw = size >>> 2;
        if (nw <= 8) for (let i = 0; i < nw; i++) u32[dw + i] = u32[w + i]!;
        else u32.copyWithin(dw, w, w + nw);
        copied += size;
      }
      u32[dw] = h & ~COLOR_MASK;
      u32[dw + 1] = size;
    }
    p += size;
  }
  heap.bytesCopied += copied;
  space.top = free;
  heap.scrub(free, top);
  return free - start;
}
