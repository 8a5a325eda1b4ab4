/**
 * verify.ts — the sanity collector: re-traces the heap from the roots without touching it and lists every violated invariant.
 * Exports `verifyHeap`.
 *
 * Checks (each violation is reported with its address; the walk never stops at the first):
 *  - every root and every reference field of a reachable object is 0 or the start of a live object: inside a
 *    space, not in an evacuated from-space nor above a bump space's top, not freed, not forwarded, not poisoned;
 *  - every reachable object is well-formed: declared type, white, size word == size from type and length,
 *    ends inside its space;
 *  - bump spaces parse: walking object by object from start lands exactly on top;
 *  - free-list spaces: `used` equals the sizes of the objects in the start bitmap; the allocator's own checkHeap
 *    is clean (`deep` only: it walks the allocator's whole heap);
 *  - generational: every reachable object outside the young range that holds a young reference is logged (L bit) and in the store buffer.
 */
import type { GcViolation, ManagedHeap } from './heap.js';
import { COLOR_MASK, FORWARDED, KIND_RECORD, KIND_REF_ARRAY, LOGGED, TYPE_MASK, arraySize } from './object-model.js';
import { SPACE_BUMP } from './space.js';
import { forEachObject } from './mark.js';
import { hex } from '../alloc/errors.js';

/** Re-traces from the roots; returns every violation (empty when the heap is healthy). */
export function verifyHeap(heap: ManagedHeap, deep = true): GcViolation[] {
  const out: GcViolation[] = [];
  const u32 = heap.u32;
  const limit = 10000;
  const add = (address: number, message: string) => {
    if (out.length < limit) out.push({ address, message });
  };

  // Spaces parse and account.
  for (const s of heap.spaces) {
    if (s.evacuated) continue;
    if (s.kind === SPACE_BUMP) {
      const top = s === heap.allocSpace ? heap.top : s.top;
      if (!(s.start <= top && top <= s.soft && s.soft <= s.end)) add(s.start, `space '${s.name}': bounds out of order (start ${hex(s.start)} top ${hex(top)} soft ${hex(s.soft)} end ${hex(s.end)})`);
      let p = s.start;
      while (p < top) {
        const h = u32[p >>> 2]!;
        const t = h & TYPE_MASK;
        if (t === 0 || t >= heap.types.length || (h & FORWARDED) !== 0) {
          add(p, `space '${s.name}' does not parse: bad header ${hex(h)}`);
          break;
        }
        const size = heap.sizeOf(p);
        if (u32[(p >>> 2) + 1] !== size) add(p, `size word ${u32[(p >>> 2) + 1]} != ${size} from type ${heap.types[t]!.name}`);
        p += size;
      }
      if (p !== top && p > top) add(p, `space '${s.name}': last object runs past top ${hex(top)}`);
    } else {
      let used = 0;
      forEachObject(heap, s, (p) => {
        used += u32[(p >>> 2) + 1]!;
      });
      if (used !== s.used) add(s.start, `space '${s.name}': used ${s.used} but objects sum to ${used}`);
      if (deep) for (const v of s.allocator!.checkHeap()) add(v.address, `space '${s.name}' allocator: ${v.message}`);
    }
  }

  // Trace from the roots with a side set of visited objects (headers are not touched; cost ∝ live objects).
  const seen = new Set<number>();
  const stack: number[] = [];
  const ssb = new Set<number>();
  for (let i = 0; i < heap.ssbLen; i++) ssb.add(heap.ssb[i]!);
  const youngLo = heap.youngLo;
  const youngSize = heap.youngSize;

  const visit = (p: number, holder: number, field: number): void => {
    if (heap.checkPointer(p) !== 0) {
      const from = holder === 0 ? `root slot ${field}` : `field ${field} of ${hex(holder)} (${heap.types[u32[holder >>> 2]! & TYPE_MASK]?.name})`;
      add(p, `${from} holds ${hex(p)}: ${heap.pointerReason}`);
      return;
    }
    if (seen.has(p)) return;
    seen.add(p);
    stack.push(p);
  };
  const rb = heap.rootBase;
  for (let i = 0; i < heap.sp; i++) {
    const p = u32[rb + i]!;
    if (p !== 0) visit(p, 0, i);
  }
  while (stack.length > 0) {
    const p = stack.pop()!;
    const w = p >>> 2;
    const h = u32[w]!;
    const t = h & TYPE_MASK;
    const k = heap.kindOf[t]!;
    if ((h & COLOR_MASK) !== 0) add(p, `reachable object is not white outside a collection (header ${hex(h)})`);
    const size = k === KIND_RECORD ? heap.recSize[t]! : arraySize(k, u32[w + 2]!);
    if (u32[w + 1] !== size) add(p, `size word ${u32[w + 1]} != ${size} from its type ${heap.types[t]!.name}`);
    const s = heap.spaceOf(p)!;
    const end = s.kind === SPACE_BUMP ? (s === heap.allocSpace ? heap.top : s.top) : s.end;
    if (p + size > end) add(p, `object of ${size} bytes runs past the end of '${s.name}'`);
    let first = 0;
    let n = 0;
    if (k === KIND_RECORD) {
      first = w + 2;
      n = heap.refCount[t]!;
    } else if (k === KIND_REF_ARRAY) {
      first = w + 4;
      n = u32[w + 2]!;
    }
    const isOld = youngSize > 0 && (p - youngLo) >>> 0 >= youngSize;
    let holdsYoung = false;
    for (let f = 0; f < n; f++) {
      const q = u32[first + f]!;
      if (q === 0) continue;
      if (isOld && (q - youngLo) >>> 0 < youngSize) holdsYoung = true;
      visit(q, p, f);
    }
    if (holdsYoung && ((h & LOGGED) === 0 || !ssb.has(p))) add(p, `old object ${hex(p)} (${heap.types[t]!.name}) holds a young reference but is not in the remembered set`);
  }
  if (heap.plan.verify) heap.plan.verify(heap, out);
  return out;
}
