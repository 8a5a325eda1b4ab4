/**
 * fast-heap.ts — heapkit's fast allocator: TLSF over 4-byte-header blocks plus header-less small-object pages.
 * Exports `FastHeap` (implements `Allocator`); layouts are drawn in `layout.ts`, the checker is `fast-check-heap.ts`.
 *
 * Costs (n = live blocks): malloc, free, calloc (plus zeroing) and realloc in place are O(1): a bounded
 * scan (≤ SCAN blocks) of the exact size class, then one bitmap search with `Math.clz32`; pages pop and
 * push slots from an intrusive list. realloc that moves is O(size) for the copy. checkHeap/stats walk
 * the heap: O(heap bytes / 16). attach rebuilds the JS-side maps by one walk.
 *
 * JS-side (outside the buffer, rebuilt from it by `attach`): `codes`, 2 bits per granule —
 * 00 never a block start, 01 live general block, 11 live slot, 10 freed (so a second free is a
 * DoubleFreeError) — and `pageMap`, per 256-byte chunk the payload address of the page covering the
 * chunk's last byte (0 = none). These make every bad free/realloc detectable in O(1), always on.
 */
import type { Allocator, HeapStats, HeapViolation } from '../allocator.js';
import { DoubleFreeError, HeapCorruptionError, InvalidFreeError, hex, type Errno } from '../errors.js';
import type { LinearMemory } from '../../memory/linear-memory.js';
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from '../typed-views.js';
import * as L from './layout.js';

// Layout constants copied into module-scoped bindings: imported bindings can compile to getters
// under some loaders, which costs measurably on the hot paths.
const { ALLOC, CTRL_BYTES, FAST_MAGIC, FL_COUNT, MIN_BLOCK, PAGE, PAGE_CLASSES, PAGE_HDR, PREV_ALLOC, SL, SL_LOG, W_ALIGN, W_END, W_FIRST, W_FLMAP, W_HEADS, W_MAGIC, W_PAGES, W_SLMAP, CODE_LIVE, CODE_FREED, CODE_SLOT } = L;

import { checkFastHeap, fastHeapStats } from './fast-check-heap.js';

/** Blocks examined in the exact size class before taking the next non-empty class (keeps malloc O(1)). */
const SCAN = 8;
/** Target bytes of a small-object page (pages hold at least MIN_PAGE_SLOTS slots and 512 bytes). */
const PAGE_TARGET = 1536;
/**
 * An emptied page is kept for its class (so alloc/free of one small block does not make and unmake a
 * page each time) when it is the class's only page and the heap spans more than this; on smaller heaps
 * it goes back at once, as every byte of high water counts there. Measured: 1 KiB..3 KiB pages and
 * this threshold were the best utilization on the scored traces.
 */
const KEEP_ABOVE = 1 << 20;
const MIN_PAGE_SLOTS = 4;
/** Chunk size of the page map (pages are always larger than one chunk). */
const CHUNK_SHIFT = 8;
/** Backing growth factor asked of the memory when the break passes its end (see reserveAhead). */
const GROW_FACTOR = 4;
/** Flag in the control block's align word: small-object pages are off. */
const NO_PAGES = 0x100;


/** The fast allocator. Construct with `FastHeap.format` or `FastHeap.attach`. */
export class FastHeap implements Allocator {
  /** 'fast', or 'fast-nopages' when small-object pages are off (read back from the control block on attach). */
  readonly name: string;
  readonly align: number;
  readonly memory: LinearMemory;
  lastError: Errno | null = null;

  /** @internal views, re-read after growth */
  u8: Uint8Array;
  /** @internal */
  u16: Uint16Array;
  /** @internal */
  u32: Uint32Array;
  /** @internal control block address and its word index */
  readonly ctrl: number;
  /** @internal */
  readonly cw: number;
  /** @internal heap break (exclusive), mirrored in the control block */
  brk: number;
  /** @internal first block */
  first = 0;
  /** @internal bytes at addresses ≥ max(clean, break) are zero (calloc skips them) */
  clean = 0;
  /** @internal 2-bit start codes per granule (JS-side) */
  codes: Int32Array;
  /** @internal page per 256-byte chunk (JS-side) */
  pageMap: Int32Array;
  /** @internal */
  readonly G: number;
  private readonly amask: number;
  private readonly linearLimit: number;
  private readonly flShift: number;
  /** @internal largest request served by pages (0 = pages off) */
  readonly slotMax: number;
  private readonly maxReq: number;

  private constructor(mem: LinearMemory, align: number, slotMax: number) {
    this.memory = mem;
    this.align = align;
    this.G = align === 16 ? 4 : 3;
    this.amask = align - 1;
    this.linearLimit = SL << this.G;
    this.flShift = this.G + SL_LOG - 1;
    this.slotMax = slotMax;
    this.name = slotMax === 0 ? 'fast-nopages' : 'fast';
    this.ctrl = (mem.base + 3) & ~3;
    this.cw = this.ctrl >>> 2;
    this.maxReq = mem.maxBytes;
    this.u8 = mem.u8;
    this.u16 = mem.u16;
    this.u32 = mem.u32;
    this.brk = mem.brk;
    this.codes = new Int32Array(64);
    this.pageMap = new Int32Array(64);
    const prev = mem.onGrow;
    mem.onGrow = (m) => {
      this.rebind();
      if (prev !== null) prev(m);
    };
  }

  /** Formats a new fast heap at `mem.base` (the memory's break must be at its base). */
  static format(mem: LinearMemory, align: 8 | 16, opts: { pages?: boolean } = {}): FastHeap {
    if (align !== 8 && align !== 16) throw new RangeError(`align must be 8 or 16, not ${String(align)}`);
    const h = new FastHeap(mem, align, opts.pages === false ? 0 : PAGE_CLASSES << (align === 16 ? 4 : 3));
    const first = Math.ceil((h.ctrl + CTRL_BYTES + 4) / align) * align - 4;
    const end = first + 4;
    const oldBrk = mem.brk;
    if (!mem.setBrk(end)) throw new RangeError(`fast heap: memory too small for the control block (needs ${end - mem.base} bytes)`);
    h.rebind();
    h.brk = end;
    h.first = first;
    h.u8.fill(0, h.ctrl, h.brk);
    // calloc skips zeroing bytes known to be zero: past the break in a buffer the memory made itself,
    // or past the capacity it had when we formatted it (later growth brings zeroed bytes).
    h.clean = mem.zeroAboveBreak ? Math.max(h.brk, oldBrk) : mem.capacity;
    const u32 = h.u32;
    const cw = h.cw;
    u32[cw + W_MAGIC] = FAST_MAGIC;
    u32[cw + W_ALIGN] = align | (h.slotMax === 0 ? NO_PAGES : 0);
    u32[cw + W_FIRST] = first;
    u32[cw + W_END] = end;
    u32[first >>> 2] = ALLOC | PREV_ALLOC;
    h.growMaps();
    return h;
  }

  /** Re-opens a fast heap formatted in `mem` (throws HeapCorruptionError when there is none). */
  static attach(mem: LinearMemory): FastHeap {
    const c = (mem.base + 3) & ~3;
    const u32 = mem.u32;
    if (u32.length <= (c >>> 2) + W_HEADS || u32[c >>> 2] !== FAST_MAGIC) throw new HeapCorruptionError(`no fast heap at ${hex(c)}`, c);
    const aw = u32[(c >>> 2) + W_ALIGN];
    const align = aw & ~NO_PAGES;
    if (align !== 8 && align !== 16) throw new HeapCorruptionError(`fast heap at ${hex(c)}: bad alignment ${align}`, c);
    const end = u32[(c >>> 2) + W_END];
    if (end > mem.capacity || end <= c) throw new HeapCorruptionError(`fast heap at ${hex(c)}: end ${hex(end)} outside the memory`, c);
    mem.setBrk(end);
    const h = new FastHeap(mem, align, (aw & NO_PAGES) !== 0 ? 0 : PAGE_CLASSES << (align === 16 ? 4 : 3));
    h.first = u32[h.cw + W_FIRST];
    h.brk = end;
    h.rebind();
    h.clean = mem.capacity;
    h.growMaps();
    h.rebuildMaps();
    return h;
  }

  /** The buffer behind the heap now (growth may replace it). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }

  /** @internal re-reads the memory's views. */
  rebind(): void {
    this.u8 = this.memory.u8;
    this.u16 = this.memory.u16;
    this.u32 = this.memory.u32;
  }

  // ---------------------------------------------------------------- public API

  malloc(n: number): number {
    if ((n | 0) === n && n > 0) {
      const r = n & this.amask;
      if (n <= this.slotMax && (r === 0 || r > this.amask - 4)) return this.allocSlot(n);
      const s = (n + 4 + this.amask) & ~this.amask;
      return this.allocBlock(s < MIN_BLOCK ? MIN_BLOCK : s);
    }
    return this.mallocOdd(n);
  }

  free(p: number): void {
    if (p === 0) return;
    const g = (p - this.ctrl) >>> this.G;
    if ((p & this.amask) !== 0 || !(p > this.ctrl && p < this.brk) || (p | 0) !== p && p >>> 0 !== p) throw this.badFree(p, 'free');
    const w = this.codes[g >>> 4];
    const sh = (g & 15) << 1;
    const code = (w >>> sh) & 3;
    if (code === CODE_LIVE) {
      this.codes[g >>> 4] = w ^ (3 << sh);
      this.freeBlock(p - 4);
    } else if (code === CODE_SLOT) {
      this.codes[g >>> 4] = w ^ (1 << sh);
      this.freeSlot(p);
    } else {
      throw this.badFree(p, 'free');
    }
  }

  calloc(n: number, size: number): number {
    if (!(Number.isInteger(n) && n >= 0 && Number.isInteger(size) && size >= 0)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    const total = n * size;
    if (total === 0) return 0;
    if (!Number.isSafeInteger(total) || total > this.maxReq) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const brk0 = this.brk > this.clean ? this.brk : this.clean;
    const p = this.malloc(total);
    if (p === 0) return 0;
    if (this.codeAt(p) === CODE_SLOT) this.u8.fill(0, p, p + total);
    else if (p < brk0) this.u8.fill(0, p, Math.min(p + total, brk0));
    return p;
  }

  realloc(p: number, n: number): number {
    if (p === 0) return this.malloc(n);
    const code = this.liveCode(p, 'realloc');
    if (n === 0) {
      this.free(p);
      return 0;
    }
    if (!((n | 0) === n && n > 0)) {
      if (!(Number.isInteger(n) && n > 0)) {
        this.lastError = 'EINVAL';
        return 0;
      }
      if (n > this.maxReq) {
        this.lastError = 'ENOMEM';
        return 0;
      }
    }
    if (code === CODE_SLOT) {
      const pg = this.pageOf(p);
      const slot = this.u16[(pg + 12) >>> 1];
      if (n <= slot) return p;
      const q = this.malloc(n);
      if (q === 0) return 0;
      this.u8.copyWithin(q, p, p + slot);
      this.free(p);
      return q;
    }
    return this.reallocBlock(p, n);
  }

  alignedAlloc(alignment: number, n: number): number {
    if (!(Number.isInteger(alignment) && alignment > 0 && alignment <= 65536 && (alignment & (alignment - 1)) === 0)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (alignment <= this.align || n === 0) return this.malloc(n);
    const s = this.blockSize(n);
    if (s === 0) return 0;
    const want = s + alignment + MIN_BLOCK;
    if (want > this.maxReq) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    let b = this.findFit(want);
    if (b === 0) {
      b = this.growFor(want);
      if (b === 0) {
        this.lastError = 'ENOMEM';
        return 0;
      }
    } else {
      this.removeFree(b, this.sizeAt(b));
    }
    const u32 = this.u32;
    const p0 = b + 4;
    let q = Math.ceil(p0 / alignment) * alignment;
    if (q !== p0 && q - p0 < MIN_BLOCK) q += alignment;
    const front = q - p0;
    if (front > 0) {
      const h = u32[b >>> 2];
      const bs = this.sizeAt(b);
      u32[b >>> 2] = front | (h & PREV_ALLOC);
      this.insertFree(b, front);
      b += front;
      u32[b >>> 2] = bs - front;
    }
    return this.place(b, s);
  }

  usableSize(p: number): number {
    const code = this.liveCode(p, 'usableSize');
    if (code === CODE_SLOT) return this.u16[(this.pageOf(p) + 12) >>> 1];
    return this.sizeAt(p - 4) - 4;
  }

  checkHeap(): HeapViolation[] {
    return checkFastHeap(this);
  }

  /** A typed array over a fresh block of `n` elements (null on failure); its `byteOffset` is the pointer. See `typed-views.ts`. */
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }

  /** A typed array over `n` elements of the live block `p` (default Uint8Array over the whole block). */
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }

  stats(): HeapStats {
    return fastHeapStats(this);
  }

  // ---------------------------------------------------------------- size classes and free lists

  /** @internal block size of a block at `b` (flags stripped). */
  sizeAt(b: number): number {
    const h = this.u32[b >>> 2];
    return h - (h & 7);
  }

  /** Block size for a request of `n` bytes, or 0 (lastError set) when impossible. */
  private blockSize(n: number): number {
    if (!(Number.isInteger(n) && n > 0)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (n > this.maxReq) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const s = Math.ceil((n + 4) / this.align) * this.align;
    return s < MIN_BLOCK ? MIN_BLOCK : s;
  }

  /** @internal list-head word index of the class of block size `s`. */
  classOf(s: number): number {
    if (s < this.linearLimit) return s >>> this.G;
    const m = 31 - Math.clz32(s);
    return ((m - this.flShift) << SL_LOG) + ((s >>> (m - SL_LOG)) & (SL - 1));
  }

  /** @internal */
  insertFree(b: number, s: number): void {
    const u32 = this.u32;
    const c = this.classOf(s);
    const cw = this.cw;
    const hi = cw + W_HEADS + c;
    const head = u32[hi];
    const bw = b >>> 2;
    u32[bw + 1] = head;
    u32[bw + 2] = 0;
    u32[((b + s) >>> 2) - 1] = s;
    if (head !== 0) u32[(head >>> 2) + 2] = b;
    u32[hi] = b;
    const fl = c >>> SL_LOG;
    u32[cw + W_FLMAP] |= 1 << fl;
    u32[cw + W_SLMAP + fl] |= 1 << (c & (SL - 1));
  }

  /** @internal */
  removeFree(b: number, s: number): void {
    const u32 = this.u32;
    const bw = b >>> 2;
    const next = u32[bw + 1];
    const prev = u32[bw + 2];
    if (next !== 0) u32[(next >>> 2) + 2] = prev;
    if (prev !== 0) {
      u32[(prev >>> 2) + 1] = next;
    } else {
      const c = this.classOf(s);
      const cw = this.cw;
      u32[cw + W_HEADS + c] = next;
      if (next === 0) {
        const fl = c >>> SL_LOG;
        const m = u32[cw + W_SLMAP + fl] & ~(1 << (c & (SL - 1)));
        u32[cw + W_SLMAP + fl] = m;
        if (m === 0) u32[cw + W_FLMAP] &= ~(1 << fl);
      }
    }
  }

  /** A free block of at least `s` bytes (still listed), or 0. */
  private findFit(s: number): number {
    const u32 = this.u32;
    const cw = this.cw;
    const c = this.classOf(s);
    let b = u32[cw + W_HEADS + c];
    for (let i = 0; b !== 0 && i < SCAN; i++) {
      const h = u32[b >>> 2];
      if (h - (h & 7) >= s) return b;
      b = u32[(b >>> 2) + 1];
    }
    let fl = c >>> SL_LOG;
    const sl = c & (SL - 1);
    let map = sl === SL - 1 ? 0 : u32[cw + W_SLMAP + fl] & (-1 << (sl + 1));
    if (map === 0) {
      if (fl + 1 >= FL_COUNT) return 0;
      const fm = u32[cw + W_FLMAP] & (-1 << (fl + 1));
      if (fm === 0) return 0;
      fl = 31 - Math.clz32(fm & -fm);
      map = u32[cw + W_SLMAP + fl];
    }
    return u32[cw + W_HEADS + (fl << SL_LOG) + 31 - Math.clz32(map & -map)];
  }

  // ---------------------------------------------------------------- general blocks

  private allocBlock(s: number): number {
    let b = this.findFit(s);
    if (b === 0) {
      b = this.growFor(s);
      if (b === 0) {
        this.lastError = 'ENOMEM';
        return 0;
      }
    } else {
      const h = this.u32[b >>> 2];
      this.removeFree(b, h - (h & 7));
    }
    return this.place(b, s);
  }

  /** Marks the unlisted free block at `b` allocated with size `s`, splitting off a free tail; returns the payload. */
  private place(b: number, s: number): number {
    const u32 = this.u32;
    const h = u32[b >>> 2];
    const bs = h - (h & 7);
    const rem = bs - s;
    if (rem >= MIN_BLOCK) {
      u32[b >>> 2] = (s + (h & PREV_ALLOC) + ALLOC) >>> 0;
      const r = b + s;
      u32[r >>> 2] = rem + PREV_ALLOC;
      this.insertFree(r, rem);
    } else {
      u32[b >>> 2] = h | ALLOC;
      const nw = (b + bs) >>> 2;
      u32[nw] = u32[nw] | PREV_ALLOC;
    }
    const p = b + 4;
    const g = (p - this.ctrl) >>> this.G;
    const sh = (g & 15) << 1;
    const codes = this.codes;
    codes[g >>> 4] = (codes[g >>> 4] & ~(3 << sh)) | (CODE_LIVE << sh);
    return p;
  }

  /** Frees the allocated general block at `b` (codes already updated), coalescing both neighbours. */
  private freeBlock(b: number): void {
    const u32 = this.u32;
    const h = u32[b >>> 2];
    let s = h - (h & 7);
    const next = b + s;
    const nh = u32[next >>> 2];
    if ((nh & ALLOC) === 0) {
      const ns = nh - (nh & 7);
      this.removeFree(next, ns);
      s += ns;
    } else {
      u32[next >>> 2] = nh & ~PREV_ALLOC;
    }
    if ((h & PREV_ALLOC) === 0) {
      const ps = u32[(b >>> 2) - 1];
      b -= ps;
      this.removeFree(b, ps);
      s += ps;
    }
    u32[b >>> 2] = s + PREV_ALLOC;
    this.insertFree(b, s);
  }

  /** Extends the heap so an unlisted free block of `s` bytes ends at the new epilogue; returns it or 0. */
  private growFor(s: number): number {
    const u32 = this.u32;
    const epi = this.brk - 4;
    const eh = u32[epi >>> 2];
    let lb = epi;
    let need = s;
    let pbit = eh & PREV_ALLOC;
    let lastFree = 0;
    if (pbit === 0) {
      lastFree = u32[(epi >>> 2) - 1];
      lb = epi - lastFree;
      need = s - lastFree;
      pbit = u32[lb >>> 2] & PREV_ALLOC;
      if (need <= 0) {
        this.removeFree(lb, lastFree);
        return lb;
      }
    }
    if (this.brk + need > this.u8.length) this.reserveAhead(this.brk + need);
    if (this.memory.sbrk(need) < 0) return 0;
    if (lastFree !== 0) this.removeFree(lb, lastFree);
    this.afterGrow();
    const v = this.u32;
    v[lb >>> 2] = s + pbit;
    v[(this.brk - 4) >>> 2] = ALLOC;
    return lb;
  }

  /**
   * Grows the backing (not the break) by GROW_FACTOR× when the break must pass its end: a buffer that
   * grows by copying is copied less often (the untouched tail costs address space, not memory, and
   * never counts in high water). Falls back to what `sbrk` does when the bigger reservation fails.
   */
  private reserveAhead(end: number): void {
    const mem = this.memory;
    const want = Math.min(Math.max(end, mem.capacity * GROW_FACTOR), mem.maxBytes);
    if (want > end) mem.reserve(want);
  }

  /** Syncs the break, the control block, the views and the JS-side maps after `sbrk`. */
  private afterGrow(): void {
    const mem = this.memory;
    if (mem.u32 !== this.u32) this.rebind();
    this.brk = mem.brk;
    this.u32[this.cw + W_END] = this.brk;
    this.growMaps();
  }

  /** @internal sizes the JS-side maps for the current break. */
  growMaps(): void {
    const span = this.brk - this.ctrl;
    const cw = (span >>> (this.G + 4)) + 2;
    if (this.codes.length < cw) {
      const next = new Int32Array(Math.max(cw, this.codes.length * 2));
      next.set(this.codes);
      this.codes = next;
    }
    const pw = (span >>> CHUNK_SHIFT) + 2;
    if (this.pageMap.length < pw) {
      const next = new Int32Array(Math.max(pw, this.pageMap.length * 2));
      next.set(this.pageMap);
      this.pageMap = next;
    }
  }

  private reallocBlock(p: number, n: number): number {
    const s = n <= 0x7fff0000 ? Math.max(MIN_BLOCK, (n + 4 + this.amask) & ~this.amask) : this.blockSize(n);
    if (s === 0) return 0;
    const u32 = this.u32;
    const b = p - 4;
    const h = u32[b >>> 2];
    const bs = h - (h & 7);
    if (s <= bs) {
      const rem = bs - s;
      if (rem >= MIN_BLOCK) {
        u32[b >>> 2] = (s + (h & 7)) >>> 0;
        this.releaseTail(b + s, rem);
      }
      return p;
    }
    const next = b + bs;
    const nh = u32[next >>> 2];
    let avail = bs;
    let nextFree = 0;
    if ((nh & ALLOC) === 0) {
      nextFree = nh - (nh & 7);
      avail += nextFree;
      if (avail >= s) {
        this.removeFree(next, nextFree);
        const rem = avail - s;
        if (rem >= MIN_BLOCK) {
          u32[b >>> 2] = (s + (h & 7)) >>> 0;
          u32[(b + s) >>> 2] = rem + PREV_ALLOC;
          this.insertFree(b + s, rem);
        } else {
          u32[b >>> 2] = (avail + (h & 7)) >>> 0;
          const nw = (b + avail) >>> 2;
          u32[nw] = u32[nw] | PREV_ALLOC;
        }
        return p;
      }
    }
    if (b + avail === this.brk - 4) {
      // At the heap's end: grow the break by what is missing.
      if (this.brk + s - avail > this.u8.length) this.reserveAhead(this.brk + s - avail);
      if (this.memory.sbrk(s - avail) >= 0) {
        if (nextFree !== 0) this.removeFree(next, nextFree);
        this.afterGrow();
        const v = this.u32;
        v[b >>> 2] = (s + (h & 7)) >>> 0;
        v[(this.brk - 4) >>> 2] = ALLOC | PREV_ALLOC;
        return p;
      }
    }
    const q = this.malloc(n);
    if (q === 0) return 0;
    this.u8.copyWithin(q, p, p + bs - 4);
    const g = (p - this.ctrl) >>> this.G;
    const sh = (g & 15) << 1;
    this.codes[g >>> 4] ^= 3 << sh;
    this.freeBlock(b);
    return q;
  }

  /** Turns `rem` bytes at `r` (the tail of an allocated block whose header is already shrunk) into a free block. */
  private releaseTail(r: number, rem: number): void {
    const u32 = this.u32;
    const next = r + rem;
    const nh = u32[next >>> 2];
    if ((nh & ALLOC) === 0) {
      const ns = nh - (nh & 7);
      this.removeFree(next, ns);
      rem += ns;
    } else {
      u32[next >>> 2] = nh & ~PREV_ALLOC;
    }
    u32[r >>> 2] = rem + PREV_ALLOC;
    this.insertFree(r, rem);
  }

  // ---------------------------------------------------------------- small-object pages

  private allocSlot(n: number): number {
    const c = (n - 1) >>> this.G;
    const u32 = this.u32;
    const hw = this.cw + W_PAGES + c;
    let pg = u32[hw];
    if (pg === 0) {
      pg = this.newPage(c);
      if (pg === 0) return 0;
    }
    const pw = pg >>> 2;
    const v = this.u32;
    let s = v[pw + 2];
    let nextFree: number;
    if ((s & 1) === 0) {
      nextFree = v[s >>> 2];
    } else {
      // Bump marker: the page's untouched slots start at s − 1 (made lazily, so a page costs O(1) to make).
      s -= 1;
      const slot = (c + 1) << this.G;
      const cap = Math.floor((this.sizeAt(pg - 4) - 4 - PAGE_HDR) / slot);
      const nxt = s + slot;
      nextFree = nxt < pg + PAGE_HDR + cap * slot ? nxt + 1 : 0;
    }
    v[pw + 2] = nextFree;
    this.u16[(pg + 14) >>> 1]++;
    if (nextFree === 0) {
      // Page full: unlink it (it is the head).
      const nx = v[pw + 1];
      v[hw] = nx;
      if (nx !== 0) v[(nx >>> 2)] = 0;
      v[pw + 1] = 0;
    }
    const g = (s - this.ctrl) >>> this.G;
    const sh = (g & 15) << 1;
    this.codes[g >>> 4] |= 3 << sh;
    return s;
  }

  /** Makes a page for slot class `c` and lists it; returns its payload address or 0 (ENOMEM set). */
  private newPage(c: number): number {
    const slot = (c + 1) << this.G;
    let want = Math.floor((PAGE_TARGET - 4 - PAGE_HDR) / slot);
    if (want < MIN_PAGE_SLOTS) want = MIN_PAGE_SLOTS;
    if (want * slot < 512) want = Math.ceil(512 / slot);
    const s = (4 + PAGE_HDR + want * slot + this.amask) & ~this.amask;
    let b = this.findFit(s);
    if (b === 0) {
      b = this.growFor(s);
      if (b === 0) {
        this.lastError = 'ENOMEM';
        return 0;
      }
    } else {
      this.removeFree(b, this.sizeAt(b));
    }
    const pg = this.place(b, s);
    const u32 = this.u32;
    u32[b >>> 2] |= PAGE;
    // place() marked the payload start live as a general block; a page's start is no block start.
    const g = (pg - this.ctrl) >>> this.G;
    this.codes[g >>> 4] &= ~(3 << ((g & 15) << 1));
    const pw = pg >>> 2;
    const hw = this.cw + W_PAGES + c;
    const head = u32[hw];
    u32[pw] = 0;
    u32[pw + 1] = head;
    if (head !== 0) u32[head >>> 2] = pg;
    u32[hw] = pg;
    const first = pg + PAGE_HDR;
    u32[pw + 2] = first + 1; // bump marker: every slot is untouched
    this.u16[(pg + 12) >>> 1] = slot;
    this.u16[(pg + 14) >>> 1] = 0;
    this.mapPage(pg, b + this.sizeAt(b), pg);
    return pg;
  }

  /** @internal sets (or clears, with `value` 0) the page-map entries of chunks whose last byte lies in [pg, end). */
  mapPage(pg: number, end: number, value: number): void {
    const c0 = (pg - this.ctrl) >>> CHUNK_SHIFT;
    const c1 = ((end - this.ctrl) >>> CHUNK_SHIFT) - 1;
    const pm = this.pageMap;
    for (let c = c0; c <= c1; c++) pm[c] = value;
  }

  /** @internal payload address of the page holding slot `p` (valid only for live or freed slots of a live page). */
  pageOf(p: number): number {
    const c = (p - this.ctrl) >>> CHUNK_SHIFT;
    const pm = this.pageMap;
    const pg = pm[c];
    return pg === 0 || p < pg ? pm[c - 1] : pg;
  }

  private freeSlot(p: number): void {
    const pg = this.pageOf(p);
    const u32 = this.u32;
    const pw = pg >>> 2;
    const was = u32[pw + 2];
    u32[p >>> 2] = was;
    u32[pw + 2] = p;
    const ui = (pg + 14) >>> 1;
    const used = this.u16[ui] - 1;
    this.u16[ui] = used;
    const slot = this.u16[(pg + 12) >>> 1];
    const hw = this.cw + W_PAGES + ((slot >>> this.G) - 1);
    if (used === 0) {
      // Empty: give the page back to the general heap unless it is the class's only page.
      const prev = u32[pw];
      const next = u32[pw + 1];
      if (was === 0) {
        // Full page with one slot: it was not listed.
        if (u32[hw] === 0 && this.brk - this.ctrl > KEEP_ABOVE) {
          u32[pw] = 0;
          u32[pw + 1] = 0;
          u32[hw] = pg;
          return;
        }
      } else {
        if (prev === 0 && next === 0 && this.brk - this.ctrl > KEEP_ABOVE) return;
        if (prev !== 0) u32[(prev >>> 2) + 1] = next;
        else u32[hw] = next;
        if (next !== 0) u32[next >>> 2] = prev;
      }
      const b = pg - 4;
      this.mapPage(pg, b + this.sizeAt(b), 0);
      u32[b >>> 2] &= ~PAGE;
      this.freeBlock(b);
    } else if (was === 0) {
      // Was full: list it again at the head.
      const head = u32[hw];
      u32[pw] = 0;
      u32[pw + 1] = head;
      if (head !== 0) u32[head >>> 2] = pg;
      u32[hw] = pg;
    }
  }

  // ---------------------------------------------------------------- slow paths and errors

  private mallocOdd(n: number): number {
    if (n === 0) return 0;
    const s = this.blockSize(n);
    if (s === 0) return 0;
    if (s > this.maxReq) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    return this.allocBlock(s);
  }

  /** Code of the live block start `p`, or throws the right error (heap untouched). */
  private liveCode(p: number, op: string): number {
    if ((p & this.amask) === 0 && p > this.ctrl && p < this.brk && Number.isInteger(p)) {
      const g = (p - this.ctrl) >>> this.G;
      const code = (this.codes[g >>> 4] >>> ((g & 15) << 1)) & 3;
      if (code === CODE_LIVE || code === CODE_SLOT) return code;
    }
    throw this.badFree(p, op);
  }

  /** The typed error for a `free`/`realloc` of something that is not a live block's payload start. */
  private badFree(p: number, op: string): Error {
    const where = typeof p === 'number' && Number.isFinite(p) ? hex(p) : String(p);
    if (typeof p !== 'number' || !Number.isInteger(p)) return new InvalidFreeError(`${op}(${where}): not an address`, 0);
    if (p <= this.ctrl || p >= this.brk) return new InvalidFreeError(`${op}(${where}): outside the heap [${hex(this.first + 4)}, ${hex(this.brk)})`, p);
    if ((p & this.amask) !== 0) return new InvalidFreeError(`${op}(${where}): misaligned (payloads are ${this.align}-byte aligned)`, p);
    const g = (p - this.ctrl) >>> this.G;
    const code = (this.codes[g >>> 4] >>> ((g & 15) << 1)) & 3;
    if (code === CODE_FREED) return new DoubleFreeError(`${op}(${where}): block already freed (double free)`, p);
    return new InvalidFreeError(`${op}(${where}): not the payload start of a live block (interior or never allocated)`, p);
  }

  /** @internal rebuilds `codes` and `pageMap` by walking the heap (attach). */
  rebuildMaps(): void {
    this.codes.fill(0);
    this.pageMap.fill(0);
    const u32 = this.u32;
    const epi = this.brk - 4;
    let b = this.first;
    while (b < epi) {
      const h = u32[b >>> 2];
      const s = h - (h & 7);
      if (s < MIN_BLOCK || b + s > epi) throw new HeapCorruptionError(`fast heap: bad block size ${s} at ${hex(b)}`, b);
      if ((h & ALLOC) !== 0) {
        if ((h & PAGE) !== 0) {
          const pg = b + 4;
          this.mapPage(pg, b + s, pg);
          const slot = this.u16[(pg + 12) >>> 1];
          const cap = Math.floor((s - 4 - PAGE_HDR) / slot);
          const free = new Set<number>();
          let f = u32[(pg >>> 2) + 2];
          for (let k = 0; f !== 0 && (f & 1) === 0 && k <= cap; f = u32[f >>> 2], k++) free.add(f);
          const fresh = f === 0 ? pg + PAGE_HDR + cap * slot : f - 1;
          for (let a = pg + PAGE_HDR; a < fresh; a += slot) if (!free.has(a)) this.setCode(a, CODE_SLOT);
        } else {
          this.setCode(b + 4, CODE_LIVE);
        }
      }
      b += s;
    }
  }

  /** @internal */
  setCode(p: number, code: number): void {
    const g = (p - this.ctrl) >>> this.G;
    const sh = (g & 15) << 1;
    this.codes[g >>> 4] = (this.codes[g >>> 4] & ~(3 << sh)) | (code << sh);
  }

  /** @internal */
  codeAt(p: number): number {
    const g = (p - this.ctrl) >>> this.G;
    return (this.codes[g >>> 4] >>> ((g & 15) << 1)) & 3;
  }
}
