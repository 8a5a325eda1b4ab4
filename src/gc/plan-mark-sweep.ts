/**
 * plan-mark-sweep.ts — the mark-sweep plan: objects placed by a heapkit free-list allocator, never moved.
 * Exports `createMarkSweepPlan`.
 *
 * Allocation is `malloc` on the space's allocator (the heap's `allocator` option picks the preset); when
 * the bytes in use reach the soft limit, live objects are marked (explicit mark stack) and the sweep
 * returns every unmarked object to the allocator with `free`, which coalesces neighbours. Raw pointers stay
 * valid across safepoints. Cost ∝ live data (mark) + heap (sweep); fragmentation is the allocator's.
 */
import { type GcPlan, type ManagedHeap, BARRIER_NONE } from './heap.js';
import { Space, SPACE_FREELIST } from './space.js';
import { markHeap } from './mark.js';
import { sweepFreeList } from './sweep.js';

/** Creates a mark-sweep plan instance (one per heap). */
export function createMarkSweepPlan(): GcPlan {
  let space: Space;
  return {
    name: 'mark-sweep',
    description: 'mark (explicit stack, overflow rescan), sweep to a heapkit free-list allocator; non-moving',
    movesObjects: false,
    generational: false,
    barrier: BARRIER_NONE,
    setup(heap: ManagedHeap, start: number, end: number): void {
      space = new Space('mark-sweep', SPACE_FREELIST, start, end, start + Math.max(64 * 1024, heap.initialBytes), heap.makeAllocator(start, end));
      heap.spaces.push(space);
      heap.allocSpace = null;
    },
    allocSmall(heap: ManagedHeap, size: number): number {
      let p = space.used + size <= space.soft - space.start ? space.place(size) : 0;
      if (p === 0) {
        heap.collectNow(true);
        heap.growFreeList(space, size);
        p = space.place(size);
      }
      if (p !== 0) heap.countAllocated(size);
      return p;
    },
    collect(heap: ManagedHeap): boolean {
      markHeap(heap, [space, heap.los]);
      sweepFreeList(heap, space);
      sweepFreeList(heap, heap.los);
      heap.liveAfterLastFull = space.used + heap.los.used;
      heap.growFreeList(space, 0);
      return true;
    },
  };
}
