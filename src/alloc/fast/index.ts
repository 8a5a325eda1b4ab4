/**
 * fast/index.ts — entry of heapkit's fast allocator (preset name `'fast'`).
 * Exports `createFastHeap`, `attachFastHeap`, `FAST_MAGIC`, `fastAllocatorFamily` and the `FastHeap` class.
 */
import type { Allocator } from '../allocator.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import { FastHeap } from './fast-heap.js';
import { FAST_MAGIC } from './layout.js';

export { FastHeap } from './fast-heap.js';
export { FAST_MAGIC } from './layout.js';

/** Options of {@link createFastHeap}. */
export interface FastHeapOptions {
  /** Payload alignment. */
  align: 8 | 16;
  /** Serve small requests from header-less small-object pages (default true; false = TLSF blocks only, for measurement). */
  pages?: boolean;
}

/**
 * Formats a new fast heap at `mem.base` (its control block starts at the first 4-aligned address ≥ base,
 * beginning with the magic word {@link FAST_MAGIC}). O(1) malloc/free; see `fast-heap.ts` for the design.
 */
export function createFastHeap(mem: LinearMemory, opts: FastHeapOptions = { align: 16 }): FastHeap {
  return FastHeap.format(mem, opts.align, { pages: opts.pages });
}

/** Re-opens a fast heap formatted in `mem` (walks it once to rebuild the JS-side maps). Throws `HeapCorruptionError` when there is none. */
export function attachFastHeap(mem: LinearMemory): FastHeap {
  return FastHeap.attach(mem);
}

/** The fast allocator as a family for `registerAllocatorFamily` in `create.ts`. */
export const fastAllocatorFamily = {
  magic: FAST_MAGIC,
  presets: {
    fast: 'fast: TLSF (bitmaps + clz32) over 4-byte-header blocks, header-less pages for small sizes; O(1), heapkit\'s fastest',
    'fast-nopages': 'fast without small-object pages: TLSF over 4-byte-header blocks only (for measuring the pages)',
  } as Record<string, string>,
  create(memory: LinearMemory, name: string, align: 8 | 16): Allocator {
    return FastHeap.format(memory, align, { pages: name !== 'fast-nopages' });
  },
  attach(memory: LinearMemory): Allocator {
    return FastHeap.attach(memory);
  },
};
