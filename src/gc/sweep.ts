/**
 * sweep.ts — sweeping a free-list space: unmarked objects go back to the allocator (which coalesces), marked ones turn white.
 * Exports `sweepFreeList`.
 *
 * The sweep walks the space's object-start bitmap word by word (32 starts per word, `clz32` to find each),
 * so its cost is proportional to the space's reserved size / 256 plus the number of objects.
 */
import type { ManagedHeap } from './heap.js';
import { COLOR_MASK } from './object-model.js';
import type { Space } from './space.js';

/** Frees every unmarked object of `space` and clears the marks of the others. Returns bytes freed. */
export function sweepFreeList(heap: ManagedHeap, space: Space): number {
  const u32 = heap.u32;
  const bm = space.starts;
  const start = space.start;
  const debug = heap.debug;
  let freed = 0;
  if (space.objects === 0) return 0;
  const words = Math.min(bm.length, space.bitmapEnd);
  for (let i = 0; i < words; i++) {
    let bits = bm[i]!;
    if (bits === 0) continue;
    while (bits !== 0) {
      const low = bits & -bits;
      const b = 31 - Math.clz32(low);
      bits ^= low;
      const p = start + ((i * 32 + b) << 3);
      const w = p >>> 2;
      const h = u32[w]!;
      if ((h & COLOR_MASK) !== 0) {
        u32[w] = h & ~COLOR_MASK;
      } else {
        const size = u32[w + 1]!;
        if (debug) heap.poison(p, p + size);
        space.release(p, size);
        freed += size;
      }
    }
  }
  heap.bytesFreed += freed;
  return freed;
}
