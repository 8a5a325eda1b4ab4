/**
 * implicit.ts — the implicit free list: no index at all; find walks every block through the headers.
 * Exports `ImplicitIndex` (first, next and best fit). O(blocks) per malloc, as the lectures predict.
 */
import type { HeapViolation } from '../allocator.js';
import { ALLOC, FLAGS, H_EPILOGUE, H_ROVER, H_START, MIN_LIST_BLOCK } from '../layout.js';
import type { FitPolicy } from '../options.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './free-index.js';

/** Implicit free list with first, next or best fit. The next-fit rover lives in the hcb. */
export class ImplicitIndex implements FreeIndex {
  readonly kind = 'implicit';
  readonly minBlock = MIN_LIST_BLOCK;
  readonly words = 0;
  constructor(
    private readonly h: IndexHost,
    private readonly fit: FitPolicy,
  ) {}

  init(): void {
    this.h.m[this.h.hcb + H_ROVER] = 0;
  }
  insert(): void {}
  view(): FreeIndexView {
    return { kind: 'implicit', rover: this.fit === 'next' ? this.h.m[this.h.hcb + H_ROVER] : 0 };
  }
  remove(): void {}
  attached(): void {}

  coalesced(into: number, from: number): void {
    const m = this.h.m;
    if (m[this.h.hcb + H_ROVER] === from) m[this.h.hcb + H_ROVER] = into;
  }

  find(asize: number): number {
    const m = this.h.m;
    const start = m[this.h.hcb + H_START];
    const end = m[this.h.hcb + H_EPILOGUE];
    if (this.fit === 'best') {
      let best = 0;
      let bestSize = 0xffffffff;
      for (let b = start; b < end; ) {
        const hd = m[b >>> 2];
        const size = hd & ~FLAGS;
        if ((hd & ALLOC) === 0 && size >= asize && size < bestSize) {
          best = b;
          bestSize = size;
          if (size === asize) break;
        }
        b += size;
      }
      return best;
    }
    const from = this.fit === 'next' && m[this.h.hcb + H_ROVER] !== 0 ? m[this.h.hcb + H_ROVER] : start;
    for (let b = from; b < end; ) {
      const hd = m[b >>> 2];
      if ((hd & ALLOC) === 0 && (hd & ~FLAGS) >= asize) return this.found(b);
      b += hd & ~FLAGS;
    }
    for (let b = start; b < from; ) {
      const hd = m[b >>> 2];
      if ((hd & ALLOC) === 0 && (hd & ~FLAGS) >= asize) return this.found(b);
      b += hd & ~FLAGS;
    }
    return 0;
  }

  private found(b: number): number {
    if (this.fit === 'next') this.h.m[this.h.hcb + H_ROVER] = b;
    return b;
  }

  check(free: Map<number, number>, out: HeapViolation[]): void {
    const rover = this.h.m[this.h.hcb + H_ROVER];
    if (this.fit !== 'next' || rover === 0) return;
    // the rover must sit on a block boundary: walk to it
    const m = this.h.m;
    const end = m[this.h.hcb + H_EPILOGUE];
    for (let b = m[this.h.hcb + H_START]; b < end; b += m[b >>> 2] & ~FLAGS) if (b === rover) return;
    if (rover !== end) out.push({ address: rover, message: 'next-fit rover is not on a block boundary' });
    void free;
  }
}
