/**
 * plan-semispace.ts — the stop-and-copy plan: two bump semispaces collected by Cheney's algorithm, plus the large-object space.
 * Exports `createSemispacePlan`.
 *
 * Allocation bumps in the to-space; when it reaches its soft limit, every live object is copied to the
 * other half (forwarding pointers left in from-space), the roles swap, and the evacuated half is scrubbed.
 * Cost ∝ live data; needs twice the live data in reserve. Growth: both halves' soft limits double while
 * live data after a collection exceeds `growthFraction` of them.
 */
import { type GcPlan, type ManagedHeap, BARRIER_NONE } from './heap.js';
import { Space, SPACE_BUMP } from './space.js';
import { Evacuator } from './copy.js';
import { sweepFreeList } from './sweep.js';

/** Creates a semispace plan instance (one per heap). */
export function createSemispacePlan(): GcPlan {
  let halves: [Space, Space];
  return {
    name: 'semispace',
    description: "stop-and-copy: two semispaces, Cheney's breadth-first copy, forwarding pointers",
    movesObjects: true,
    generational: false,
    barrier: BARRIER_NONE,
    setup(heap: ManagedHeap, start: number, end: number): void {
      const half = Math.floor((end - start) / 2 / 4096) * 4096;
      const soft = Math.max(64 * 1024, Math.floor(heap.initialBytes / 2));
      const a = new Space('semispace-0', SPACE_BUMP, start, start + half, start + soft);
      const b = new Space('semispace-1', SPACE_BUMP, start + half, start + 2 * half, start + half + soft);
      b.evacuated = true;
      halves = [a, b];
      heap.spaces.push(a, b);
      heap.allocSpace = a;
    },
    allocSmall(heap: ManagedHeap, size: number): number {
      heap.syncTop();
      let p = heap.bump(heap.allocSpace!, size);
      if (p === 0) {
        heap.collectNow(true);
        const to = heap.allocSpace!;
        p = heap.bump(to, size);
        if (p === 0) {
          heap.growBump(to, size);
          const other = to === halves[0] ? halves[1] : halves[0];
          other.soft = other.start + (to.soft - to.start);
          p = heap.bump(to, size);
        }
      }
      heap.resetLimit();
      return p;
    },
    collect(heap: ManagedHeap): boolean {
      const from = heap.allocSpace!;
      const to = from === halves[0] ? halves[1] : halves[0];
      const ev = new Evacuator(heap, heap.los.objects + 1);
      ev.aLo = from.start;
      ev.aSize = from.top - from.start;
      ev.yLo = to.start;
      ev.yTop = to.start;
      ev.yEnd = to.end;
      ev.traceOthers = true;
      ev.scanRoots(heap);
      ev.drain(heap, to.start, 0);
      to.top = ev.yTop;
      if (to.top > to.hwm) to.hwm = to.top;
      heap.bytesCopied += ev.copied;
      sweepFreeList(heap, heap.los);
      heap.scrub(from.start, from.top);
      from.top = from.start;
      from.evacuated = true;
      from.evacuatedAt = heap.collections + 1;
      to.evacuated = false;
      heap.allocSpace = to;
      heap.liveAfterLastFull = to.top - to.start + heap.los.used;
      // Growth policy: both halves share one soft size.
      heap.growBump(to, 0);
      from.soft = from.start + (to.soft - to.start);
      return true;
    },
  };
}
