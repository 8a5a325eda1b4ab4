/**
 * space.ts — a space is one region of the managed heap with one allocation discipline (MMTk's policies).
 * Exports `Space`, `SPACE_BUMP`, `SPACE_FREELIST`.
 *
 * ```
 *  bump space (nursery, semispace, compacted space, old space of the generational plan)
 *   start                         top                  soft              end
 *   ├── objects, packed ──────────┼── zero ────────────┼── reserved ──────┤
 *                                  allocation bumps top; crossing `soft` triggers a collection;
 *                                  growth moves `soft` toward `end`.
 *
 *  free-list space (mark-sweep space, large-object space)
 *   start                                                                 end
 *   ├── a heapkit Allocator's heap: blocks handed out by malloc, returned by free ──┤
 *   starts: a side bitmap, one bit per 8 bytes, set at each object start (sweeping and
 *   pointer checks walk it; the allocator's own block headers are never read by the collector).
 * ```
 * Invariants: `start <= top <= soft <= end` (bump); `used == Σ size of objects whose start bit is set` (free list).
 */
import type { Allocator } from '../alloc/allocator.js';

/** Space kind: objects are bump-allocated and packed. */
export const SPACE_BUMP = 1;
/** Space kind: objects are placed by a free-list allocator and never move. */
export const SPACE_FREELIST = 2;

/** One region of the heap. Fields are read by the collectors directly (hot loops), so they are plain and public. */
export class Space {
  /** Name shown in stats, errors and verification reports. */
  readonly name: string;
  /** `SPACE_BUMP` or `SPACE_FREELIST`. */
  readonly kind: number;
  /** First byte of the region. */
  readonly start: number;
  /** End of the region (exclusive). */
  readonly end: number;
  /** Bump: the allocation pointer. Free list: unused (= start). */
  top: number;
  /** Bump: crossing this address triggers a collection. Free list: trigger on `used` reaching `soft - start`. */
  soft: number;
  /** True while the space holds no live objects but may still be pointed at by stale raw pointers (an evacuated from-space). */
  evacuated = false;
  /** Collection number at which the space was last evacuated (for stale-pointer reports). */
  evacuatedAt = 0;
  /** Highest `top` ever reached (bump), for the heap high-water mark. */
  hwm: number;
  /** Free list: the allocator placing objects, over [start, end). */
  readonly allocator: Allocator | null;
  /** Free list: object-start bitmap, bit (p - start) >>> 3. Int32 words: a word read is a small integer in every tier (a Uint32 word ≥ 2^31 is boxed until the code is optimized). */
  readonly starts: Int32Array;
  /** Free list: bytes of live objects (their header sizes). */
  used = 0;
  /** Free list: live objects. */
  objects = 0;
  /** Free list: one past the highest start-bitmap word ever set (sweeps stop there). */
  bitmapEnd = 0;

  constructor(name: string, kind: number, start: number, end: number, soft: number, allocator: Allocator | null = null) {
    this.name = name;
    this.kind = kind;
    this.start = start;
    this.end = end;
    this.top = start;
    this.hwm = start;
    this.soft = Math.min(Math.max(soft, start), end);
    this.allocator = allocator;
    this.starts = new Int32Array(kind === SPACE_FREELIST ? ((end - start + 255) >>> 8) + 1 : 0);
  }

  /** True when `p` lies in [start, end). */
  contains(p: number): boolean {
    return p >= this.start && p < this.end;
  }

  /** Free list: whether an object starts at `p`. */
  isObjectStart(p: number): boolean {
    const i = (p - this.start) >>> 3;
    return (this.starts[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  /** Free list: places `size` bytes with the allocator and records the start; 0 when the allocator refuses. */
  place(size: number): number {
    const p = this.allocator!.malloc(size);
    if (p === 0) return 0;
    const i = (p - this.start) >>> 3;
    this.starts[i >>> 5]! |= 1 << (i & 31);
    if (i >>> 5 >= this.bitmapEnd) this.bitmapEnd = (i >>> 5) + 1;
    this.used += size;
    this.objects++;
    return p;
  }

  /** Free list: returns the object at `p` (of `size` bytes) to the allocator, which coalesces. */
  release(p: number, size: number): void {
    const i = (p - this.start) >>> 3;
    this.starts[i >>> 5]! &= ~(1 << (i & 31));
    this.used -= size;
    this.objects--;
    this.allocator!.free(p);
  }

  /** Bytes this space occupies at its high-water mark. */
  highWater(): number {
    if (this.kind === SPACE_FREELIST) return this.allocator!.stats().highWater;
    return this.hwm - this.start;
  }

  /** Bytes of objects in the space now (bump: up to `top`). */
  usedBytes(): number {
    return this.kind === SPACE_FREELIST ? this.used : this.top - this.start;
  }
}
