/**
 * explicit.ts — one explicit doubly-linked free list, LIFO or address-ordered, with first, next or best fit.
 * Exports `ExplicitIndex`. Insert is O(1) (LIFO) or O(free blocks) (address order); find is O(free blocks).
 */
import type { HeapViolation } from '../allocator.js';
import { F_NEXT, FLAGS, H_INDEX_AREA, H_ROVER, MIN_LIST_BLOCK } from '../layout.js';
import type { FitPolicy, ListOrder } from '../options.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './free-index.js';
import { listBlocks, listCheck, listInsertByAddress, listPush, listRemove } from './lists.js';

/** A single explicit free list. The head is hcb word `H_INDEX_AREA`; the next-fit rover is `H_ROVER`. */
export class ExplicitIndex implements FreeIndex {
  readonly kind = 'explicit';
  readonly minBlock = MIN_LIST_BLOCK;
  readonly words = 1;
  constructor(
    private readonly h: IndexHost,
    private readonly fit: FitPolicy,
    private readonly order: ListOrder,
  ) {}

  private get head(): number {
    return this.h.hcb + H_INDEX_AREA;
  }
  init(): void {
    this.h.m[this.head] = 0;
    this.h.m[this.h.hcb + H_ROVER] = 0;
  }
  attached(): void {}
  view(): FreeIndexView {
    return { kind: 'list', lists: [{ label: `free list (${this.order})`, blocks: listBlocks(this.h.m, this.head) }], rover: this.fit === 'next' ? this.h.m[this.h.hcb + H_ROVER] : 0 };
  }
  coalesced(): void {}

  insert(b: number): void {
    if (this.order === 'lifo') listPush(this.h.m, this.head, b);
    else listInsertByAddress(this.h.m, this.head, b);
  }

  remove(b: number): void {
    const m = this.h.m;
    const rover = this.h.hcb + H_ROVER;
    if (m[rover] === b) m[rover] = m[(b + F_NEXT) >>> 2];
    listRemove(m, this.head, b);
  }

  find(asize: number): number {
    const m = this.h.m;
    if (this.fit === 'best') {
      let best = 0;
      let bestSize = 0xffffffff;
      for (let b = m[this.head]; b !== 0; b = m[(b + F_NEXT) >>> 2]) {
        const size = m[b >>> 2] & ~FLAGS;
        if (size >= asize && size < bestSize) {
          best = b;
          bestSize = size;
          if (size === asize) break;
        }
      }
      return best;
    }
    const rover = this.h.hcb + H_ROVER;
    const from = this.fit === 'next' && m[rover] !== 0 ? m[rover] : m[this.head];
    for (let b = from; b !== 0; b = m[(b + F_NEXT) >>> 2]) {
      if ((m[b >>> 2] & ~FLAGS) >= asize) {
        if (this.fit === 'next') m[rover] = m[(b + F_NEXT) >>> 2];
        return b;
      }
    }
    if (from === m[this.head]) return 0;
    for (let b = m[this.head]; b !== from; b = m[(b + F_NEXT) >>> 2]) {
      if ((m[b >>> 2] & ~FLAGS) >= asize) {
        m[rover] = m[(b + F_NEXT) >>> 2];
        return b;
      }
    }
    return 0;
  }

  check(free: Map<number, number>, out: HeapViolation[]): void {
    const seen = new Set<number>();
    listCheck(this.h.m, this.head, free, seen, out, 'free list', this.order === 'address', null);
    for (const b of free.keys()) if (!seen.has(b)) out.push({ address: b, message: 'free block missing from the free list' });
    const rover = this.h.m[this.h.hcb + H_ROVER];
    if (rover !== 0 && !seen.has(rover)) out.push({ address: rover, message: 'next-fit rover is not a listed free block' });
  }
}
