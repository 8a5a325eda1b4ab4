/**
 * offset-heap.ts — the out-of-band offset allocator presented as an `Allocator` over a LinearMemory (preset `'offset'`).
 * Exports `OffsetHeap`, `createOffsetHeap`, `OffsetHeapOptions`, `offsetAllocatorFamily`.
 *
 * Why it exists: the lab (bench, replay, the visualizer, the checkers) drives heaps through the
 * `Allocator` interface and checks every payload byte in `heap.memory`. An {@link OffsetAllocator} only
 * hands out offsets and never touches the range it manages; this adapter lets a LinearMemory play the role
 * of that range (the "device buffer"), so the lab can write and verify payload patterns there and catch an
 * overlapping offset exactly as it catches an overlapping block of any other heap. It is also for users
 * who want the heap API (`malloc`/`free`/`realloc`, typed views) over a buffer they still do not want
 * headers in: no byte of the memory is ever written by the allocator (only `calloc` zeroes and a moving
 * `realloc` copies, both inside payloads).
 *
 * ```
 *   memory:  0 ... base  start                          brk = start + highWater          maxBytes
 *                   │    │ NULL │ block │ free │ block  │ (grown lazily, on demand)        │
 *                   │    └ offset 0 ──────────────────────────────── managed range ────────┘
 *   address = start + offset        start = base rounded up to align        metadata: JS arrays only
 * ```
 * Invariants (checked by `checkHeap()` beside the offset allocator's own):
 * `brk == start + offsets.highWater` (the break follows the highest block end ever handed out, as an
 * sbrk heap's break does: it grows on demand and never shrinks) and `start + range <= memory.maxBytes`.
 *
 * Limits, stated plainly: the state lives in JS, not in the buffer, so `attachHeap` cannot re-open such a
 * memory (there is no magic word to find; it throws `HeapCorruptionError`), the heap cannot be shared with
 * workers, and there is no `walk()` (no headers to draw). Costs are the offset allocator's: O(1)
 * malloc/free/realloc in place, plus an O(1) expected Map lookup per free; `stats()`/`checkHeap()` are O(blocks).
 */
import type { Allocator, HeapStats, HeapViolation } from '../allocator.js';
import { HeapCorruptionError, InvalidFreeError, hex, type Errno } from '../errors.js';
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from '../typed-views.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import { OffsetAllocator, type MoveCallback } from './offset-allocator.js';

/** Options of {@link createOffsetHeap}. */
export interface OffsetHeapOptions {
  /** Payload alignment (the offset allocator's granule). Default 16. */
  align?: 8 | 16;
  /** Bytes of the managed range from `start` (offset 0 included). Default and maximum: `memory.maxBytes − start`. */
  rangeBytes?: number;
  /** Name reported by `heap.name`. Default `'offset'`. */
  name?: string;
}

/**
 * An {@link OffsetAllocator} behind the `Allocator` interface, over a LinearMemory that stands for the
 * buffer the offsets index. Address of a block = `start + offset` (with `base` 0, addresses are the offsets).
 * Same C conventions as every heap: 0 is NULL, ordinary failure returns 0 and sets `lastError`, a bad
 * free/realloc/usableSize throws `InvalidFreeError`/`DoubleFreeError` naming the address and changes nothing.
 */
export class OffsetHeap implements Allocator {
  readonly name: string;
  readonly align: number;
  readonly memory: LinearMemory;
  /** The allocator of offsets behind this heap (offset = address − `start`). */
  readonly offsets: OffsetAllocator;
  /** Address of offset 0: `memory.base` rounded up to `align`. */
  readonly start: number;
  /** Bytes of the managed range (offsets `[0, rangeBytes)`). */
  readonly rangeBytes: number;
  private readonly onMove: MoveCallback;

  constructor(memory: LinearMemory, opts: OffsetHeapOptions = {}) {
    const align = opts.align ?? 16;
    if (align !== 8 && align !== 16) throw new RangeError(`align must be 8 or 16, not ${String(align)}`);
    const start = Math.ceil(memory.base / align) * align;
    const room = memory.maxBytes - start;
    const range = opts.rangeBytes ?? room;
    if (!(Number.isInteger(range) && range > align && range <= room)) {
      throw new RangeError(`offset heap: the range must be an integer in (${align}, ${room}] bytes (memory base ${memory.base}, maxBytes ${memory.maxBytes}), not ${range}`);
    }
    if (!memory.setBrk(start)) throw new RangeError(`offset heap: cannot set the break to ${start}`);
    this.name = opts.name ?? 'offset';
    this.align = align;
    this.memory = memory;
    this.start = start;
    this.rangeBytes = range;
    const mem = memory;
    // The break follows the highest block end: grow the memory before such a block is handed out.
    const reserve = (end: number): boolean => {
      const a = start + end;
      return a <= mem.brk || mem.sbrk(a - mem.brk) >= 0;
    };
    this.offsets = new OffsetAllocator({ size: range, align, reserve, addressBase: start });
    this.onMove = (from: number, to: number, bytes: number): void => {
      // `to` was reserved (the memory reaches it) before this is called.
      mem.u8.copyWithin(start + to, start + from, start + from + bytes);
    };
  }

  /** The buffer behind the heap now (growth may replace it). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }

  /** errno of the last failed call (shared with {@link offsets}). */
  get lastError(): Errno | null {
    return this.offsets.lastError;
  }
  set lastError(e: Errno | null) {
    this.offsets.lastError = e;
  }

  malloc(n: number): number {
    const o = this.offsets.malloc(n);
    return o === 0 ? 0 : this.start + o;
  }

  free(p: number): void {
    if (p === 0) return;
    this.offsets.free(this.start === 0 ? p : this.toOffset(p, 'free'));
  }

  calloc(n: number, size: number): number {
    if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(size) && size >= 0)) {
      this.offsets.lastError = 'EINVAL';
      return 0;
    }
    const total = n * size;
    if (total === 0) return 0;
    if (!Number.isSafeInteger(total)) {
      this.offsets.lastError = 'ENOMEM';
      return 0;
    }
    const p = this.malloc(total);
    if (p !== 0) this.memory.u8.fill(0, p, p + total);
    return p;
  }

  realloc(p: number, n: number): number {
    if (p === 0) return this.malloc(n);
    const q = this.offsets.realloc(this.start === 0 ? p : this.toOffset(p, 'realloc'), n, this.onMove);
    return q === 0 ? 0 : this.start + q;
  }

  alignedAlloc(alignment: number, n: number): number {
    if (!(Number.isInteger(alignment) && alignment > 0 && alignment <= 65536 && (alignment & (alignment - 1)) === 0)) {
      this.offsets.lastError = 'EINVAL';
      return 0;
    }
    const o = this.offsets.alignedAlloc(alignment, n);
    return o === 0 ? 0 : this.start + o;
  }

  usableSize(p: number): number {
    return this.offsets.usableSize(this.start === 0 ? p : this.toOffset(p, 'usableSize'));
  }

  /** Offset of address `p` when `start` ≠ 0; `start` itself (offset 0, NULL to the offset allocator) is no block. */
  private toOffset(p: number, op: string): number {
    const o = p - this.start;
    if (o === 0) throw new InvalidFreeError(`${op}(${hex(p)}): the heap's start, never a block (offset 0 is NULL)`, p);
    return o;
  }

  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }

  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }

  /** The offset allocator's violations (at addresses) plus the adapter's: break = start + high water, blocks inside the memory. */
  checkHeap(): HeapViolation[] {
    const out = this.offsets.checkHeap();
    const mem = this.memory;
    for (const m of mem.check()) out.push({ address: mem.brk, message: `memory: ${m}` });
    const hw = this.offsets.highWater;
    if (mem.brk !== this.start + hw) out.push({ address: mem.brk, message: `break ${mem.brk} is not start ${this.start} + high water ${hw}` });
    if (this.start + this.rangeBytes > mem.maxBytes) out.push({ address: this.start, message: `range [${this.start}, ${this.start + this.rangeBytes}) exceeds the memory's maxBytes ${mem.maxBytes}` });
    const start = this.start;
    this.offsets.forEachBlock((o, size, used) => {
      if (used && o + size > hw) out.push({ address: start + o, message: `live block [${start + o}, ${start + o + size}) ends beyond the break ${start + hw}` });
    });
    return out;
  }

  /**
   * Figures of the part in use: `heapBytes` = `highWater` = break − base (the highest block end reached,
   * so utilization compares with the sbrk heaps); free figures count free bytes below the break only.
   */
  stats(): HeapStats {
    const hw = this.offsets.highWater;
    let liveBytes = 0, liveBlocks = 0, freeBytes = 0, freeBlocks = 0, largestFree = 0;
    this.offsets.forEachBlock((o, size, used) => {
      if (used) {
        liveBytes += size;
        liveBlocks++;
      } else if (o < hw) {
        const s = Math.min(size, hw - o);
        freeBytes += s;
        freeBlocks++;
        if (s > largestFree) largestFree = s;
      }
    });
    const bytes = this.memory.brk - this.memory.base;
    return { heapBytes: bytes, highWater: bytes, liveBytes, liveBlocks, freeBytes, freeBlocks, largestFree };
  }
}

/** Makes an offset heap over `memory` (see {@link OffsetHeap}); the memory's break is set to its start. */
export function createOffsetHeap(memory: LinearMemory, opts: OffsetHeapOptions = {}): OffsetHeap {
  return new OffsetHeap(memory, opts);
}

/**
 * The offset heap as a family for `registerAllocatorFamily` in create.ts. Its magic word is -1, which no
 * 32-bit word equals: nothing of the heap is in the buffer, so `attachHeap` never recognizes one (its error
 * then names the families that cannot be re-opened; `allocatorCanAttach('offset')` is false).
 */
export const offsetAllocatorFamily = {
  magic: -1,
  attachable: false,
  presets: {
    offset: 'out-of-band offset allocator (TLSF over block records in JS arrays, no header in the buffer), as a heap over a LinearMemory; O(1); attachHeap cannot re-open it',
  } as Record<string, string>,
  create(memory: LinearMemory, name: string, align: 8 | 16): Allocator {
    return new OffsetHeap(memory, { align, name });
  },
  attach(memory: LinearMemory): Allocator {
    throw new HeapCorruptionError('an offset heap keeps no state in its memory: attachHeap cannot re-open it', memory.base);
  },
};
