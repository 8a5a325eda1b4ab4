/**
 * heap.ts — one worker's handle onto a shared heap: per-slot size-class spans with owner-local free lists, atomic remote frees.
 * Exports `SharedHeap` (the `Allocator`; made by `createSharedHeap` / `attachSharedHeap` in index.ts).
 *
 * Design after mimalloc's free-list sharding. Each handle owns a worker slot; a slot owns spans
 * (runs of pages of one size class) and keeps, per class, a list of its spans that have free
 * blocks. malloc pops the owner-local FREE list of the class's first span, or bumps BUMP: plain
 * typed-array reads and writes, no atomics, no lock. free of a block in an own span pushes it on
 * FREE (one atomic load checks that no remote free is pending on it). free of a block in a span
 * another slot owns sets its RFREED bit (Atomics.or, which also catches a double free exactly) and
 * pushes it on the span's REMOTE stack with compareExchange; the first push also queues the span on
 * the owner's PENDING stack. The owner takes REMOTE lists back when its spans run dry (reclaim).
 * Pages come from the global page allocator (pages.ts, one futex lock), only on the slow path.
 *
 * Guarantees: a block is never handed out twice while live; a sequential double free, an interior,
 * misaligned, outside or never-allocated pointer throws DoubleFreeError / InvalidFreeError and
 * changes nothing. Two non-owners racing to free one block: exactly one wins (the RFREED bit is
 * claimed with Atomics.or), the other gets DoubleFreeError. The owner and a non-owner freeing one
 * block at the same instant is a program error as in C and is not guaranteed to be caught; any
 * double free that is not simultaneous is. A slot's memory is reused only by that slot: after
 * `close()` its spans wait for the next handle that adopts the slot.
 *
 * Costs: malloc/free by the owner O(1), no atomics (one atomic load in free); a remote free is two
 * atomic read-modify-writes (RFREED bit, REMOTE push); reclaim is O(blocks reclaimed) with one
 * atomic per bitmap word. Pages: first fit over the page map under the lock, O(committed pages),
 * only when a slot needs a new span or a large block. Memory: each slot keeps its own spans (up to
 * one empty span per class), so footprint grows with the number of workers; large blocks (> 32 KiB)
 * are whole 64 KiB pages; alignments above 128 bytes take a page-aligned large block.
 */
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from '../typed-views.js';
import type { Allocator, HeapStats, HeapViolation } from '../allocator.js';
import { DoubleFreeError, InvalidFreeError, hex, type Errno, type HeapError } from '../errors.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import {
  H_COMMITTED,
  H_HIGH_PAGES,
  H_META_PAGES,
  H_PT_OFFSET,
  H_SLOT_OFFSET,
  P_ALLOC_BITS,
  P_BSIZE,
  P_BUMP,
  P_CAP,
  P_CLASS,
  P_FREE,
  P_INLIST,
  P_NEXT,
  P_OWNER,
  P_PAGES,
  P_PREV,
  P_QNEXT,
  P_REMOTE,
  P_TAG,
  P_USED,
  PAGE,
  PAGE_SHIFT,
  PT_FREE,
  PT_LARGE,
  PT_LARGE_TAIL,
  PT_SPAN,
  PT_SPAN_TAIL,
  FREE_WAS_LARGE,
  REMOTE_ADDR,
  REMOTE_QUEUED,
  RFREED_DELTA,
  SLOT_ABANDONED,
  SLOT_BYTES,
  S_HEAD,
  S_PENDING,
  S_STATE,
  SPAN_FIRST,
  SPAN_TAG,
} from './layout.js';
import { CLASS_CAP, CLASS_OF_GRANULE, CLASS_PAGES, CLASS_SIZE, NCLASSES, SMALL_MAX } from './size-classes.js';
import { acquirePages, freeLargeRun, LARGE_DOUBLE, LARGE_OK, releaseRun } from './pages.js';
import { checkSharedHeap, sharedHeapStats } from './check.js';

/** Largest alignment served from size classes (blocks of a class that is a multiple of it are aligned to it, as SPAN_FIRST = 1152 = 9·128). */
const CLASS_ALIGN_MAX = 128;

/**
 * A handle onto a shared heap, bound to one worker slot. Use one handle per worker (thread);
 * pointers are byte offsets into `buffer` and are valid in every worker attached to it.
 *
 * Growth: the buffer grows in place, but this handle's `memory.u8`/`u32`… views keep the length
 * they had. Its own calls re-bind them when needed; before touching the bytes of a block received
 * from another worker, call `heap.memory.refresh()` if the block ends beyond `heap.memory.capacity`.
 */
export class SharedHeap implements Allocator {
  /** Always `'shared'`. */
  readonly name = 'shared';
  /** Payload alignment. */
  readonly align = 16;
  /** This handle's view of the shared buffer (re-bound when another worker grew it). */
  readonly memory: LinearMemory;
  /** This handle's worker slot (0 for the creator). */
  readonly slot: number;
  lastError: Errno | null = null;

  private u32: Uint32Array;
  private u8: Uint8Array;
  /** Bytes the views span now; pointers at or above it make the handle re-read the buffer. */
  private viewEnd: number;
  /** Word index of the page map. */
  private readonly ptBase: number;
  /** Word index of the slot table. */
  private readonly slotBase: number;
  /** Word index of this slot's HEAD[0]. */
  private readonly headBase: number;
  /** First byte of the first data page. */
  private readonly dataStart: number;

  /** @internal Use `createSharedHeap` or `attachSharedHeap`. */
  constructor(memory: LinearMemory, slot: number) {
    this.memory = memory;
    this.slot = slot;
    this.u32 = memory.u32;
    this.u8 = memory.u8;
    this.viewEnd = memory.u8.length;
    this.ptBase = this.u32[H_PT_OFFSET]! >>> 2;
    this.slotBase = this.u32[H_SLOT_OFFSET]! >>> 2;
    this.headBase = this.slotBase + (slot * SLOT_BYTES) / 4 + S_HEAD;
    this.dataStart = this.u32[H_META_PAGES]! * PAGE;
    // re-bind on growth BEFORE anything can grow: setBrk below may reserve (another worker can have grown
    // the heap since `memory` read the buffer), and views re-bound without this hook would leave the
    // handle reading a shorter view than its memory, which no later refresh() would notice
    memory.onGrow = (m) => {
      this.u32 = m.u32;
      this.u8 = m.u8;
      this.viewEnd = m.u8.length;
    };
    memory.setBrk(Math.max(memory.brk, this.u32[H_HIGH_PAGES]! * PAGE)); // this handle's break = the heap's high water
  }

  /** The shared buffer behind the heap (the same object in every worker after structured cloning). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }

  // ───────────────────────────── allocation ─────────────────────────────

  malloc(n: number): number {
    if ((n | 0) === n && (n - 1) >>> 0 < SMALL_MAX) {
      const c = CLASS_OF_GRANULE[(n + 15) >>> 4]!;
      const u32 = this.u32;
      const span = u32[this.headBase + c]!;
      if (span !== 0) {
        const w = span >>> 2;
        let b = u32[w + P_FREE]!;
        let i: number;
        if (b !== 0) {
          u32[w + P_FREE] = u32[b >>> 2]!;
          i = ((b - span - SPAN_FIRST) / u32[w + P_BSIZE]!) | 0;
        } else {
          i = u32[w + P_BUMP]!;
          if (i >= u32[w + P_CAP]!) return this.mallocClass(c);
          u32[w + P_BUMP] = i + 1;
          b = span + SPAN_FIRST + i * u32[w + P_BSIZE]!;
        }
        u32[w + P_ALLOC_BITS + (i >>> 5)] |= 1 << (i & 31);
        u32[w + P_USED]++;
        return b;
      }
      return this.mallocClass(c);
    }
    return this.mallocOther(n);
  }

  /** Hands out a block of class `c` from this slot's spans, reclaiming remote frees or taking a new span as needed. */
  private mallocClass(c: number): number {
    let drained = false;
    for (;;) {
      const u32 = this.u32;
      let span = u32[this.headBase + c]!;
      while (span !== 0) {
        const w = span >>> 2;
        if (u32[w + P_FREE] === 0 && u32[w + P_BUMP]! >= u32[w + P_CAP]! && (Atomics.load(u32, w + P_REMOTE) & REMOTE_ADDR) !== 0) {
          this.reclaim(span, false);
        }
        if (u32[w + P_FREE] !== 0 || u32[w + P_BUMP]! < u32[w + P_CAP]!) return this.allocIn(span);
        const next = u32[w + P_NEXT]!;
        this.unlink(span);
        span = next;
      }
      if (!drained) {
        drained = true;
        this.drainPending();
        continue;
      }
      let first = acquirePages(this.memory, CLASS_PAGES[c]!, PT_SPAN, c, PT_SPAN_TAIL);
      if (first === 0) {
        // out of pages: take in remote frees, give empty spans back, and look again
        const retired = this.trim();
        if (this.u32[this.headBase + c] !== 0) continue;
        if (retired > 0) first = acquirePages(this.memory, CLASS_PAGES[c]!, PT_SPAN, c, PT_SPAN_TAIL);
      }
      if (first === 0) {
        this.lastError = 'ENOMEM';
        return 0;
      }
      span = first * PAGE;
      this.initSpan(span, c);
      this.linkHead(span);
      return this.allocIn(span);
    }
  }

  /** Pops a block from a span known to have one (FREE list first, then the never-used tail). */
  private allocIn(span: number): number {
    const u32 = this.u32;
    const w = span >>> 2;
    let b = u32[w + P_FREE]!;
    let i: number;
    if (b !== 0) {
      u32[w + P_FREE] = u32[b >>> 2]!;
      i = ((b - span - SPAN_FIRST) / u32[w + P_BSIZE]!) | 0;
    } else {
      i = u32[w + P_BUMP]!;
      u32[w + P_BUMP] = i + 1;
      b = span + SPAN_FIRST + i * u32[w + P_BSIZE]!;
    }
    u32[w + P_ALLOC_BITS + (i >>> 5)] |= 1 << (i & 31);
    u32[w + P_USED]++;
    return b;
  }

  /** Sizes the fast path does not take: 0, invalid (negative, fractional, NaN: EINVAL as C's size_t allows none), and large (whole page runs). */
  private mallocOther(n: number): number {
    if (n === 0) return 0;
    if (typeof n !== 'number' || !(n > 0) || !Number.isInteger(n)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (n <= SMALL_MAX) return this.mallocClass(CLASS_OF_GRANULE[Math.ceil(n / 16)]!);
    if (n > this.memory.maxBytes) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const pages = Math.ceil(n / PAGE);
    let first = acquirePages(this.memory, pages, PT_LARGE, pages, PT_LARGE_TAIL);
    if (first === 0 && this.trim() > 0) first = acquirePages(this.memory, pages, PT_LARGE, pages, PT_LARGE_TAIL);
    if (first === 0) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    return first * PAGE;
  }

  calloc(n: number, size: number): number {
    if (!(n >= 0) || !(size >= 0) || !Number.isInteger(n) || !Number.isInteger(size)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    const total = n * size;
    if (total > this.memory.maxBytes) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const p = this.malloc(total);
    if (p !== 0) this.u8.fill(0, p, p + total);
    return p;
  }

  realloc(p: number, n: number): number {
    if (p === 0) return this.malloc(n);
    const old = this.liveSize(p);
    if (old < 0) throw this.badPointer('realloc', p);
    if (n === 0) {
      this.free(p);
      return 0;
    }
    if (typeof n !== 'number' || !(n > 0) || !Number.isInteger(n)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (n <= old && n * 2 > old) return p;
    const q = this.malloc(n);
    if (q === 0) return 0;
    this.u8.copyWithin(q, p, p + Math.min(old, n));
    this.free(p);
    return q;
  }

  alignedAlloc(alignment: number, n: number): number {
    if (!(alignment > 0) || alignment > PAGE || (alignment & (alignment - 1)) !== 0) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (alignment <= this.align) return this.malloc(n);
    if (n === 0) return 0;
    if (typeof n !== 'number' || !(n > 0) || !Number.isInteger(n)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (alignment <= CLASS_ALIGN_MAX && n <= SMALL_MAX) {
      // a class whose block size is a multiple of the alignment: all its blocks are aligned
      for (let c = CLASS_OF_GRANULE[Math.ceil(n / 16)]!; c < NCLASSES; c++) {
        if (CLASS_SIZE[c]! % alignment === 0) return this.mallocClass(c);
      }
    }
    // a large block starts on a page boundary: aligned to anything up to 64 KiB
    return this.mallocOther(Math.max(n, SMALL_MAX + 1));
  }

  // ───────────────────────────── free ─────────────────────────────

  free(p: number): void {
    if (p === 0) return;
    const u32 = this.u32;
    if ((p & 15) !== 0 || !(p >= this.dataStart) || p >= this.viewEnd) return this.freeSlow(p);
    const pi = p >>> PAGE_SHIFT;
    const e = u32[this.ptBase + pi]!;
    const kind = e & 0xff;
    let span: number;
    if (kind === PT_SPAN) span = pi * PAGE;
    else if (kind === PT_SPAN_TAIL) span = (pi - (e >>> 8)) * PAGE;
    else return this.freeSlow(p);
    const w = span >>> 2;
    const off = p - span - SPAN_FIRST;
    const i = (off / u32[w + P_BSIZE]!) | 0;
    if (off < 0 || i * u32[w + P_BSIZE]! !== off || i >= u32[w + P_BUMP]!) throw this.badPointer('free', p);
    const aw = w + P_ALLOC_BITS + (i >>> 5);
    const mask = 1 << (i & 31);
    if ((u32[aw]! & mask) === 0) throw this.badPointer('free', p);
    if (u32[w + P_OWNER] === this.slot) {
      if ((Atomics.load(u32, aw + RFREED_DELTA) & mask) !== 0) throw this.badPointer('free', p);
      u32[aw] = u32[aw]! & ~mask;
      u32[p >>> 2] = u32[w + P_FREE]!;
      u32[w + P_FREE] = p;
      const used = u32[w + P_USED]! - 1;
      u32[w + P_USED] = used;
      if (used === 0 || u32[w + P_INLIST] === 0) this.afterLocalFree(span);
      return;
    }
    this.freeRemote(p, span, aw, mask);
  }

  /** free of a block in a span another slot owns: claim its RFREED bit, push it on REMOTE, queue the span once. */
  private freeRemote(p: number, span: number, aw: number, mask: number): void {
    const u32 = this.u32;
    const rw = aw + RFREED_DELTA;
    if ((Atomics.or(u32, rw, mask) & mask) !== 0) throw this.badPointer('free', p);
    const w = span >>> 2;
    let old = Atomics.load(u32, w + P_REMOTE);
    for (;;) {
      u32[p >>> 2] = old & REMOTE_ADDR;
      const seen = Atomics.compareExchange(u32, w + P_REMOTE, old, (p | REMOTE_QUEUED) >>> 0);
      if (seen === old) break;
      old = seen;
    }
    if ((old & REMOTE_QUEUED) === 0) {
      // we set QUEUED: put the span on its owner's PENDING stack
      const qh = this.slotBase + (u32[w + P_OWNER]! * SLOT_BYTES) / 4 + S_PENDING;
      let top = Atomics.load(u32, qh);
      for (;;) {
        u32[w + P_QNEXT] = top;
        const seen = Atomics.compareExchange(u32, qh, top, span);
        if (seen === top) break;
        top = seen;
      }
    }
  }

  /** Local free left a span empty or found it off its class list: relist it (an empty one at the head). */
  private afterLocalFree(span: number): void {
    const u32 = this.u32;
    const w = span >>> 2;
    if (u32[w + P_INLIST] === 0) {
      this.linkHead(span);
      return;
    }
    if (u32[this.headBase + u32[w + P_CLASS]!] !== span) {
      // empty: move it to the head, where it serves the next malloc; an empty old head is retired
      // there (hysteresis of one empty span per class, so a class at a span boundary does not thrash)
      this.unlink(span);
      this.linkHead(span);
    }
  }

  /** Frees that are not small blocks inside the views: large blocks, pointers beyond a stale view, bad pointers. */
  private freeSlow(p: number): void {
    if (p >= this.viewEnd && p < this.memory.maxBytes) {
      this.memory.refresh();
      if (p < this.viewEnd) return this.free(p);
    }
    if ((p & (PAGE - 1)) === 0 && p >= this.dataStart && p < this.viewEnd) {
      const r = freeLargeRun(this.memory, p >>> PAGE_SHIFT);
      if (r === LARGE_OK) return;
      if (r === LARGE_DOUBLE) throw new DoubleFreeError(`free(${hex(p)}): double free of a large block (its pages are free)`, p);
    }
    throw this.badPointer('free', p);
  }

  // ───────────────────────────── queries ─────────────────────────────

  /** A typed array over a fresh block of `n` elements (`heap.alloc(Float32Array, n)`), or null when out of memory. */
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }

  /** A typed array over `n` elements of the live block `p` (default Uint8Array over the whole block). */
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }

  usableSize(p: number): number {
    const n = this.liveSize(p);
    if (n < 0) throw this.badPointer('usableSize', p);
    return n;
  }

  /** Usable bytes of the live block at `p`, or -1 when `p` is not a live block's start. Changes nothing. */
  private liveSize(p: number): number {
    if (typeof p !== 'number' || (p & 15) !== 0 || !(p >= this.dataStart) || p >= this.memory.maxBytes) return -1;
    if (p >= this.viewEnd) {
      this.memory.refresh();
      if (p >= this.viewEnd) return -1;
    }
    const u32 = this.u32;
    const pi = p >>> PAGE_SHIFT;
    if (pi >= Atomics.load(u32, H_COMMITTED)) return -1;
    const e = u32[this.ptBase + pi]!;
    const kind = e & 0xff;
    if (kind === PT_LARGE) return (p & (PAGE - 1)) === 0 ? (e >>> 8) * PAGE : -1;
    let span: number;
    if (kind === PT_SPAN) span = pi * PAGE;
    else if (kind === PT_SPAN_TAIL) span = (pi - (e >>> 8)) * PAGE;
    else return -1;
    const w = span >>> 2;
    const bs = u32[w + P_BSIZE]!;
    const off = p - span - SPAN_FIRST;
    const i = (off / bs) | 0;
    if (off < 0 || i * bs !== off || i >= u32[w + P_BUMP]!) return -1;
    const aw = w + P_ALLOC_BITS + (i >>> 5);
    const mask = 1 << (i & 31);
    if ((u32[aw]! & mask) === 0 || (Atomics.load(u32, aw + RFREED_DELTA) & mask) !== 0) return -1;
    return bs;
  }

  checkHeap(): HeapViolation[] {
    this.memory.refresh();
    return checkSharedHeap(this.memory);
  }

  stats(): HeapStats {
    this.memory.refresh();
    return sharedHeapStats(this.memory);
  }

  /**
   * Gives this handle's slot up: its spans stay where they are (blocks other workers still hold
   * can be freed into them) and the next `attachSharedHeap` adopts the slot with all its memory.
   * The handle must not be used afterwards (its methods throw).
   */
  close(): void {
    const dead = (): never => {
      throw new Error(`shared heap handle of slot ${this.slot} is closed`);
    };
    Atomics.store(this.u32, this.slotBase + (this.slot * SLOT_BYTES) / 4 + S_STATE, SLOT_ABANDONED);
    Object.assign(this, { malloc: dead, free: dead, calloc: dead, realloc: dead, alignedAlloc: dead });
  }

  // ───────────────────────────── spans ─────────────────────────────

  private initSpan(span: number, c: number): void {
    this.u8.fill(0, span, span + SPAN_FIRST);
    const u32 = this.u32;
    const w = span >>> 2;
    u32[w + P_OWNER] = this.slot;
    u32[w + P_CLASS] = c;
    u32[w + P_BSIZE] = CLASS_SIZE[c]!;
    u32[w + P_CAP] = CLASS_CAP[c]!;
    u32[w + P_PAGES] = CLASS_PAGES[c]!;
    u32[w + P_TAG] = (SPAN_TAG ^ span) >>> 0;
  }

  /** Puts an own span first in its class list; an empty old head is retired (one empty span per class is kept, at the head). */
  private linkHead(span: number): void {
    const u32 = this.u32;
    const w = span >>> 2;
    const h = this.headBase + u32[w + P_CLASS]!;
    let old = u32[h]!;
    if (old !== 0 && u32[(old >>> 2) + P_USED] === 0 && (Atomics.load(u32, (old >>> 2) + P_REMOTE) & REMOTE_QUEUED) === 0) {
      this.unlink(old);
      this.retire(old);
      old = u32[h]!;
    }
    u32[w + P_NEXT] = old;
    u32[w + P_PREV] = 0;
    if (old !== 0) u32[(old >>> 2) + P_PREV] = span;
    u32[h] = span;
    u32[w + P_INLIST] = 1;
  }

  /** Takes an own span out of its class list. */
  private unlink(span: number): void {
    const u32 = this.u32;
    const w = span >>> 2;
    const next = u32[w + P_NEXT]!;
    const prev = u32[w + P_PREV]!;
    if (prev !== 0) u32[(prev >>> 2) + P_NEXT] = next;
    else u32[this.headBase + u32[w + P_CLASS]!] = next;
    if (next !== 0) u32[(next >>> 2) + P_PREV] = prev;
    u32[w + P_NEXT] = 0;
    u32[w + P_PREV] = 0;
    u32[w + P_INLIST] = 0;
  }

  /** Returns an empty, unlisted, unqueued own span's pages to the global pool. */
  private retire(span: number): void {
    const u32 = this.u32;
    const w = span >>> 2;
    u32[w + P_TAG] = 0;
    releaseRun(this.memory, span >>> PAGE_SHIFT, u32[w + P_PAGES]!);
  }

  /**
   * Moves the blocks on an own span's REMOTE stack to its FREE list. `dequeue` (draining PENDING)
   * also clears QUEUED; otherwise QUEUED is kept, since the span is or will be on PENDING.
   */
  private reclaim(span: number, dequeue: boolean): number {
    const u32 = this.u32;
    const w = span >>> 2;
    let b: number;
    if (dequeue) b = Atomics.exchange(u32, w + P_REMOTE, 0) & REMOTE_ADDR;
    else {
      let old = Atomics.load(u32, w + P_REMOTE);
      for (;;) {
        const seen = Atomics.compareExchange(u32, w + P_REMOTE, old, old & REMOTE_QUEUED);
        if (seen === old) break;
        old = seen;
      }
      b = old & REMOTE_ADDR;
    }
    b >>>= 0;
    const bs = u32[w + P_BSIZE]!;
    let free = u32[w + P_FREE]!;
    let n = 0;
    // RFREED bits are cleared one word at a time: consecutive remote frees mostly share a word
    let word = -1;
    let bits = 0;
    while (b !== 0) {
      const next = u32[b >>> 2]!;
      const i = ((b - span - SPAN_FIRST) / bs) | 0;
      const aw = w + P_ALLOC_BITS + (i >>> 5);
      const mask = 1 << (i & 31);
      u32[aw] = u32[aw]! & ~mask;
      if (aw !== word) {
        if (word >= 0) Atomics.and(u32, word + RFREED_DELTA, ~bits);
        word = aw;
        bits = 0;
      }
      bits |= mask;
      u32[b >>> 2] = free;
      free = b;
      b = next;
      n++;
    }
    if (word >= 0) Atomics.and(u32, word + RFREED_DELTA, ~bits);
    u32[w + P_FREE] = free;
    u32[w + P_USED] = u32[w + P_USED]! - n;
    return n;
  }

  /**
   * Gives every empty span of this slot back to the page pool (after taking in pending remote
   * frees), including the one kept at the head of each class list. Called before reporting ENOMEM;
   * callable any time by the owner. Returns the number of spans retired.
   */
  trim(): number {
    this.drainPending();
    const u32 = this.u32;
    let n = 0;
    for (let c = 0; c < NCLASSES; c++) {
      let span = u32[this.headBase + c]!;
      while (span !== 0) {
        const w = span >>> 2;
        const next = u32[w + P_NEXT]!;
        if (u32[w + P_USED] === 0 && (Atomics.load(u32, w + P_REMOTE) & REMOTE_QUEUED) === 0) {
          this.unlink(span);
          this.retire(span);
          n++;
        }
        span = next;
      }
    }
    return n;
  }

  /** Takes this slot's PENDING stack: reclaims each span's remote frees, relists or retires it. */
  private drainPending(): void {
    const u32 = this.u32;
    let span = Atomics.exchange(u32, this.slotBase + (this.slot * SLOT_BYTES) / 4 + S_PENDING, 0);
    while (span !== 0) {
      const w = span >>> 2;
      const next = u32[w + P_QNEXT]!;
      this.reclaim(span, true);
      const used = u32[w + P_USED]!;
      const listed = u32[w + P_INLIST] === 1;
      if (used === 0) {
        if (listed) this.unlink(span);
        this.linkHead(span); // as in afterLocalFree: the empty span leads, an empty old head is retired
      } else if (!listed && (u32[w + P_FREE] !== 0 || u32[w + P_BUMP]! < u32[w + P_CAP]!)) {
        this.linkHead(span);
      }
      span = next;
    }
  }

  // ───────────────────────────── errors ─────────────────────────────

  /** The typed error for a pointer `op` cannot take, saying exactly why. Reads only. */
  private badPointer(op: string, p: number): HeapError {
    const at = `${op}(${typeof p === 'number' ? hex(p) : String(p)})`;
    if (typeof p !== 'number' || !Number.isInteger(p)) return new InvalidFreeError(`${at}: not a pointer`, 0);
    const u32 = this.u32;
    const committed = Atomics.load(u32, H_COMMITTED);
    if (p < this.dataStart) return new InvalidFreeError(`${at}: inside the heap's metadata, not a block`, p);
    if (p >= committed * PAGE || p >= this.viewEnd) return new InvalidFreeError(`${at}: outside the heap (it ends at ${hex(committed * PAGE)})`, p);
    const pi = p >>> PAGE_SHIFT;
    const e = u32[this.ptBase + pi]!;
    const kind = e & 0xff;
    if (kind === PT_FREE) {
      if ((p & (PAGE - 1)) === 0 && e >>> 8 === FREE_WAS_LARGE && op !== 'usableSize') return new DoubleFreeError(`${at}: double free of a large block (its pages are free)`, p);
      return new InvalidFreeError(`${at}: in a free page, not a live block`, p);
    }
    if (kind === PT_LARGE || kind === PT_LARGE_TAIL) {
      const start = (kind === PT_LARGE ? pi : pi - (e >>> 8)) * PAGE;
      return new InvalidFreeError(`${at}: interior pointer into the large block at ${hex(start)}`, p);
    }
    if (kind !== PT_SPAN && kind !== PT_SPAN_TAIL) return new InvalidFreeError(`${at}: not a block`, p);
    const span = (kind === PT_SPAN ? pi : pi - (e >>> 8)) * PAGE;
    const w = span >>> 2;
    const bs = u32[w + P_BSIZE]!;
    const off = p - span - SPAN_FIRST;
    if (off < 0) return new InvalidFreeError(`${at}: inside the header of the ${bs}-byte span at ${hex(span)}`, p);
    const i = Math.floor(off / bs);
    const start = span + SPAN_FIRST + i * bs;
    if (i >= u32[w + P_CAP]!) return new InvalidFreeError(`${at}: in the unused tail of the ${bs}-byte span at ${hex(span)}`, p);
    if (start !== p) {
      const why = (p & 15) !== 0 ? 'misaligned pointer' : 'interior pointer';
      return new InvalidFreeError(`${at}: ${why} into the ${bs}-byte block at ${hex(start)}`, p);
    }
    if (i >= u32[w + P_BUMP]!) return new InvalidFreeError(`${at}: never allocated (${bs}-byte block ${i} of the span at ${hex(span)})`, p);
    const aw = w + P_ALLOC_BITS + (i >>> 5);
    const mask = 1 << (i & 31);
    if ((Atomics.load(u32, aw) & mask) === 0 || (Atomics.load(u32, aw + RFREED_DELTA) & mask) !== 0) {
      if (op === 'usableSize') return new InvalidFreeError(`${at}: the ${bs}-byte block at ${hex(p)} is free`, p);
      return new DoubleFreeError(`${at}: double free of the ${bs}-byte block at ${hex(p)} (span ${hex(span)}, owner slot ${u32[w + P_OWNER]})`, p);
    }
    return new InvalidFreeError(`${at}: not a live block`, p);
  }
}
