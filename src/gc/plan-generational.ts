/**
 * plan-generational.ts — the generational plan: a bump nursery collected by copying, an old space collected by mark-compact, large objects apart.
 * Exports `createGenerationalPlan`.
 *
 * ```
 *   young range (the barrier's filter: youngLo … youngLo + youngSize)        old (bump, Lisp-2 compacted)   los
 *  ├──────── eden ────────┼── survivor-0 ──┼── survivor-1 ──┤├──────────────── … ─────────────────────┤├── … ──┤
 *    allocation bumps here   from / to swap at each minor collection
 * ```
 * Minor collection: Cheney from the roots and the remembered set (a sequential store buffer of old objects
 * logged by the write barrier, one entry per object thanks to the header's L bit); survivors are copied to
 * the to-survivor space with age + 1, or promoted to the old space once their age reaches `promoteAge`
 * (or when the survivor space is full). Major collection: mark the whole heap, slide the old space
 * (nursery objects stay in place and have their references updated; the remembered set is rebuilt),
 * sweep large objects, then run a minor collection so the nursery is empty too.
 * A minor collection first makes sure the old space can absorb the whole nursery (the worst case), running
 * a major one if not; if even that leaves too little room the heap is out of memory.
 */
import { type GcPlan, type ManagedHeap, BARRIER_GENERATIONAL } from './heap.js';
import { Space, SPACE_BUMP } from './space.js';
import { Evacuator } from './copy.js';
import { forEachObject, markHeap } from './mark.js';
import { compactSpace } from './compact.js';
import { sweepFreeList } from './sweep.js';
import { COLOR_MASK, AGE_ONE } from './object-model.js';
import { GcOutOfMemoryError } from './errors.js';

/** Creates a generational plan instance (one per heap). */
export function createGenerationalPlan(): GcPlan {
  let eden: Space;
  let surv: [Space, Space];
  let cur = 0;
  let old: Space;

  function nurseryUsed(): number {
    return eden.top - eden.start + (surv[cur]!.top - surv[cur]!.start);
  }

  function minor(heap: ManagedHeap): void {
    const from = surv[cur]!;
    const to = surv[1 - cur]!;
    const ev = new Evacuator(heap, 16);
    ev.aLo = eden.start;
    ev.aSize = eden.top - eden.start;
    ev.bLo = from.start;
    ev.bSize = from.top - from.start;
    ev.yLo = to.start;
    ev.yTop = to.start;
    ev.yEnd = to.end;
    ev.oTop = old.top;
    ev.oEnd = old.end;
    ev.promoteAt = Math.max(1, Math.min(15, heap.options.promoteAge ?? 2)) * AGE_ONE;
    const oScan = old.top;
    ev.scanRoots(heap);
    ev.scanRemembered(heap);
    ev.drain(heap, to.start, oScan);
    if (ev.failed) throw new GcOutOfMemoryError('out of memory: promotion failed (old space full)', 0);
    to.top = ev.yTop;
    if (to.top > to.hwm) to.hwm = to.top;
    old.top = ev.oTop;
    if (old.top > old.hwm) old.hwm = old.top;
    heap.bytesCopied += ev.copied;
    heap.bytesPromoted += ev.promoted;
    const n = heap.collections + 1;
    heap.scrub(eden.start, eden.top);
    eden.top = eden.start;
    eden.evacuatedAt = n;
    heap.scrub(from.start, from.top);
    from.top = from.start;
    from.evacuated = true;
    from.evacuatedAt = n;
    to.evacuated = false;
    cur = 1 - cur;
  }

  function major(heap: ManagedHeap): void {
    const from = surv[cur]!;
    markHeap(heap, [eden, from, old, heap.los]);
    const live = compactSpace(heap, old, [eden, from, heap.los]);
    old.evacuatedAt = heap.collections + 1;
    const u32 = heap.u32;
    let young = 0;
    const unmark = (p: number) => {
      const w = p >>> 2;
      const h = u32[w]!;
      if ((h & COLOR_MASK) !== 0) {
        u32[w] = h & ~COLOR_MASK;
        young += u32[w + 1]!;
      }
    };
    forEachObject(heap, eden, unmark);
    forEachObject(heap, from, unmark);
    sweepFreeList(heap, heap.los);
    heap.liveAfterLastFull = live + young + heap.los.used;
    heap.growBump(old, eden.end - eden.start + (from.end - from.start));
  }

  return {
    name: 'generational',
    description: 'copying nursery (Cheney, aging, promotion) + mark-compact old space; object-remembering write barrier',
    movesObjects: true,
    generational: true,
    barrier: BARRIER_GENERATIONAL,
    setup(heap: ManagedHeap, start: number, end: number): void {
      const nursery = Math.max(64 * 1024, Math.floor((heap.options.nurseryBytes ?? 16 * 1024 * 1024) / 4096) * 4096);
      const sb = Math.max(16 * 1024, Math.floor((heap.options.survivorBytes ?? nursery / 4) / 4096) * 4096);
      if (heap.largeObjectBytes > nursery / 4) throw new RangeError(`generational: largeObjectBytes ${heap.largeObjectBytes} must be at most nurseryBytes / 4 (${nursery / 4})`);
      if (start + nursery + 2 * sb + 64 * 1024 > end) throw new RangeError('generational: maxBytes too small for the nursery');
      eden = new Space('eden', SPACE_BUMP, start, start + nursery, start + nursery);
      const s0 = new Space('survivor-0', SPACE_BUMP, eden.end, eden.end + sb, eden.end + sb);
      const s1 = new Space('survivor-1', SPACE_BUMP, s0.end, s0.end + sb, s0.end + sb);
      s1.evacuated = true;
      surv = [s0, s1];
      old = new Space('old', SPACE_BUMP, s1.end, end, s1.end + Math.max(64 * 1024, heap.initialBytes));
      heap.spaces.push(eden, s0, s1, old);
      heap.allocSpace = eden;
      heap.youngLo = eden.start;
      heap.youngSize = s1.end - eden.start;
    },
    allocSmall(heap: ManagedHeap, size: number): number {
      heap.syncTop();
      let p = heap.bump(eden, size);
      if (p === 0) {
        heap.collectNow(false);
        p = heap.bump(eden, size);
      }
      heap.resetLimit();
      return p;
    },
    collect(heap: ManagedHeap, full: boolean): boolean {
      let didMajor = false;
      if (full || old.end - old.top < nurseryUsed()) {
        major(heap);
        didMajor = true;
        if (old.end - old.top < nurseryUsed()) throw new GcOutOfMemoryError(`out of memory: the old space cannot absorb the nursery (${nurseryUsed()} bytes) even after a major collection`, nurseryUsed());
      }
      minor(heap);
      if (!didMajor && old.top > old.soft) {
        major(heap);
        didMajor = true;
      }
      return didMajor;
    },
    collectForLarge(heap: ManagedHeap): void {
      heap.collectNow(true);
    },
  };
}
