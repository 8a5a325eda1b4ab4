/**
 * mark.ts — tracing by marking: grey the roots, drain an explicit mark stack, rescan on overflow.
 * Exports `markHeap`, `forEachObject`.
 *
 * Colours live in the object header (see object-model.ts): white → grey when pushed, grey → black
 * when its fields have been scanned. No recursion: the mark stack is a fixed Int32Array. When it is
 * full, a newly greyed object is left grey but not pushed and `overflow` is set; once the stack drains,
 * the heap is walked for grey objects, which are pushed again (Boehm's recovery). Each round blackens
 * at least one object, so marking terminates; the worst case is O(heap × overflows), and overflows only
 * happen for very wide or deep structures against a tiny stack.
 *
 * Invariant at the end: every object reachable from the roots is black, no object is grey.
 */
import type { ManagedHeap } from './heap.js';
import { BLACK, COLOR_MASK, GREY, KIND_RECORD, KIND_REF_ARRAY, TYPE_MASK } from './object-model.js';
import { SPACE_BUMP, type Space } from './space.js';

/** Calls `fn(p)` for each object of `space` (bump spaces up to their top; free-list spaces by their start bitmap). */
export function forEachObject(heap: ManagedHeap, space: Space, fn: (p: number) => void): void {
  const u32 = heap.u32;
  if (space.kind === SPACE_BUMP) {
    const top = space === heap.allocSpace ? heap.top : space.top;
    let p = space.start;
    while (p < top) {
      const size = heap.sizeOf(p);
      fn(p);
      p += size;
    }
    return;
  }
  const bm = space.starts;
  const words = Math.min(bm.length, space.bitmapEnd);
  for (let i = 0; i < words; i++) {
    let bits = bm[i]!;
    while (bits !== 0) {
      const low = bits & -bits;
      const b = 31 - Math.clz32(low);
      bits ^= low;
      fn(space.start + ((i * 32 + b) << 3));
    }
  }
  void u32;
}

/**
 * Marks every object reachable from the roots (and from `extraRoots`, e.g. nothing for full-heap plans),
 * in the spaces given (objects outside them — none for full-heap collections — are not traced).
 * Returns bytes marked.
 */
export function markHeap(heap: ManagedHeap, spaces: Space[]): number {
  const u32 = heap.u32;
  const stack = heap.markStack;
  const cap = stack.length;
  const kindOf = heap.kindOf;
  const refCount = heap.refCount;
  const recSize = heap.recSize;
  let sp = 0;
  let overflow = false;
  let marked = 0;

  const rb = heap.rootBase;
  const rend = rb + heap.sp;
  for (let i = rb; i < rend; i++) {
    const p = u32[i]!;
    if (p === 0) continue;
    const w = p >>> 2;
    const h = u32[w]!;
    if ((h & COLOR_MASK) === 0) {
      u32[w] = h | GREY;
      if (sp < cap) stack[sp++] = p;
      else overflow = true;
    }
  }

  for (;;) {
    while (sp > 0) {
      const p = stack[--sp]!;
      const w = p >>> 2;
      const h = u32[w]!;
      u32[w] = (h & ~COLOR_MASK) | BLACK;
      const t = h & TYPE_MASK;
      const k = kindOf[t]!;
      let first: number;
      let n: number;
      if (k === KIND_RECORD) {
        first = w + 2;
        n = refCount[t]!;
        marked += recSize[t]!;
      } else {
        marked += u32[w + 1]!;
        if (k !== KIND_REF_ARRAY) continue;
        first = w + 4;
        n = u32[w + 2]!;
      }
      const end = first + n;
      for (let f = first; f < end; f++) {
        const q = u32[f]!;
        if (q === 0) continue;
        const qw = q >>> 2;
        const qh = u32[qw]!;
        if ((qh & COLOR_MASK) === 0) {
          u32[qw] = qh | GREY;
          if (sp < cap) stack[sp++] = q;
          else overflow = true;
        }
      }
    }
    if (!overflow) break;
    // Overflow recovery: push every grey object found by walking the spaces, then drain again.
    overflow = false;
    heap.markStackOverflows++;
    for (const s of spaces) {
      forEachObject(heap, s, (p) => {
        if ((u32[p >>> 2]! & COLOR_MASK) === GREY) {
          if (sp < cap) stack[sp++] = p;
          else overflow = true;
        }
      });
    }
  }
  return marked;
}
