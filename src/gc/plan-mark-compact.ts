/**
 * plan-mark-compact.ts — the mark-compact plan: one bump space compacted by Lisp-2 sliding, plus the large-object space.
 * Exports `createMarkCompactPlan`.
 *
 * Allocation bumps; at the soft limit, live objects are marked and slid to the bottom in address order
 * (locality preserved, no fragmentation, no copy reserve), then the soft limit grows while live data
 * exceeds `growthFraction` of it. Cost ∝ heap (three walks) + live data.
 */
import { type GcPlan, type ManagedHeap, BARRIER_NONE } from './heap.js';
import { Space, SPACE_BUMP } from './space.js';
import { markHeap } from './mark.js';
import { compactSpace } from './compact.js';
import { sweepFreeList } from './sweep.js';

/** Creates a mark-compact plan instance (one per heap). */
export function createMarkCompactPlan(): GcPlan {
  let space: Space;
  return {
    name: 'mark-compact',
    description: 'mark, then Lisp-2 sliding compaction (order-preserving, contiguous heap)',
    movesObjects: true,
    generational: false,
    barrier: BARRIER_NONE,
    setup(heap: ManagedHeap, start: number, end: number): void {
      space = new Space('compact', SPACE_BUMP, start, end, start + Math.max(64 * 1024, heap.initialBytes));
      heap.spaces.push(space);
      heap.allocSpace = space;
    },
    allocSmall(heap: ManagedHeap, size: number): number {
      heap.syncTop();
      let p = heap.bump(space, size);
      if (p === 0) {
        heap.collectNow(true);
        p = heap.bump(space, size);
        if (p === 0) {
          heap.growBump(space, size);
          p = heap.bump(space, size);
        }
      }
      heap.resetLimit();
      return p;
    },
    collect(heap: ManagedHeap): boolean {
      markHeap(heap, [space, heap.los]);
      const live = compactSpace(heap, space, [heap.los]);
      space.evacuatedAt = heap.collections + 1;
      sweepFreeList(heap, heap.los);
      heap.liveAfterLastFull = live + heap.los.used;
      heap.growBump(space, 0);
      return true;
    },
  };
}
