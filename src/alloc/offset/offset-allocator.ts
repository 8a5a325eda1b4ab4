/**
 * offset-allocator.ts — an out-of-band allocator: hands out offsets into a range it never touches
 * (a WebGPU buffer, a file, a remote heap), keeping every block record in JS typed arrays.
 * Exports `OffsetAllocator`, `createOffsetAllocator`, `OffsetAllocatorOptions`, `ReserveCallback`.
 *
 * Design: TLSF (two-level segregated fit, bitmaps + Math.clz32) over block records stored as
 * struct-of-arrays. Each record is one block of the range, free or used, linked to its physical
 * neighbours (so freeing coalesces in O(1)) and, when free, into the list of its size class.
 * ```
 *  record r:  off[r]  size[r]  state[r] (0 unused record, 1 free, 2 used)
 *             prevPhys[r] nextPhys[r]   neighbours in address order (-1 = none)
 *             prevFree[r] nextFree[r]   links in the class list when free (-1 = none)
 *  range:     [align ........................................ size)     offset 0 is NULL, never handed out
 *              └ r0 used ┘└── r1 free ──┘└ r2 used ┘└──── r3 free ────┘
 * ```
 * Costs: malloc/free O(1) (bounded class scan + bitmap search), realloc in place O(1), moving realloc
 * O(1) plus the caller's copy; offsets of live blocks are found through a Map (O(1) expected).
 * checkHeap walks all records: O(records).
 *
 * Two opt-in hooks let an owner present the range as something else (offset-heap.ts uses both):
 * `reserve(end)` is asked before any block ends beyond every end handed out so far (grow a file, a
 * buffer, a LinearMemory lazily; refusing makes the call fail with ENOMEM, nothing changed), and
 * `addressBase` is the address offset 0 stands for (errors, checkHeap reports and alignedAlloc use it).
 */
import type { HeapStats, HeapViolation } from '../allocator.js';
import { DoubleFreeError, InvalidFreeError, hex, type Errno } from '../errors.js';

const SL_LOG = 5;
const SL = 1 << SL_LOG;
const FL_COUNT = 32;
const SCAN = 8;
const FREE = 1;
const USED = 2;

/** Options of {@link createOffsetAllocator}. */
export interface OffsetAllocatorOptions {
  /** Bytes in the managed range (offsets 0 … size − 1; offset 0 is NULL and never handed out). At most 2^32. */
  size: number;
  /** Alignment of every offset and granule of every size: a power of two ≥ 1. Default 16 (WebGPU storage offsets want 256). */
  align?: number;
  /**
   * Called before a block is handed out (or grown in place) whose end lies beyond every block end handed
   * out so far, with that end (an offset, exclusive). Return false to refuse: the call then fails with
   * `ENOMEM` (a moving realloc or another block may still succeed) and nothing changes. Lets the owner grow
   * the backing lazily. Not called again for ends at or below the highest one accepted (see `highWater`).
   */
  reserve?: ReserveCallback;
  /**
   * The address offset 0 stands for, when the offsets are shown as addresses (a multiple of `align`;
   * default 0). It is added to the addresses of errors (`error.address`, messages) and of `checkHeap()`
   * violations, and `alignedAlloc(a, n)` aligns `addressBase + offset` to `a`. Offsets themselves do not change.
   */
  addressBase?: number;
}

/** See {@link OffsetAllocatorOptions.reserve}: may the range be used up to `end` (exclusive)? */
export type ReserveCallback = (end: number) => boolean;

/** Called when `realloc` moves a block, so the caller can copy the bytes (e.g. `copyBufferToBuffer`). */
export type MoveCallback = (from: number, to: number, bytes: number) => void;

/**
 * An allocator of offsets with no access to the memory it manages. Same C conventions as the heaps:
 * 0 is NULL, failures return 0 with `lastError`, bad frees throw typed errors and change nothing.
 */
export class OffsetAllocator {
  /** Bytes in the managed range. */
  readonly size: number;
  /** Alignment of offsets and sizes. */
  readonly align: number;
  /** errno of the last failed call. */
  lastError: Errno | null = null;

  private off: Float64Array;
  private sz: Float64Array;
  private state: Uint8Array;
  private prevPhys: Int32Array;
  private nextPhys: Int32Array;
  private prevFree: Int32Array;
  private nextFree: Int32Array;
  private spare: Int32Array;
  private spareTop = 0;
  private used = 0;
  private readonly heads = new Int32Array(FL_COUNT * SL).fill(-1);
  private readonly slmap = new Uint32Array(FL_COUNT);
  private flmap = 0;
  private readonly byOffset = new Map<number, number>();
  private readonly g: number;
  private readonly linear: number;
  private hw = 0;
  private readonly reserve: ReserveCallback | null;
  private readonly base: number;

  constructor(opts: OffsetAllocatorOptions) {
    const align = opts.align ?? 16;
    if (!(Number.isInteger(align) && align >= 1 && (align & (align - 1)) === 0 && align <= 1 << 20)) throw new RangeError(`align must be a power of two, not ${align}`);
    if (!(Number.isInteger(opts.size) && opts.size > align && opts.size <= 2 ** 32)) throw new RangeError(`size must be an integer in (${align}, 2^32], not ${opts.size}`);
    const base = opts.addressBase ?? 0;
    if (!(Number.isInteger(base) && base >= 0 && base % align === 0)) throw new RangeError(`addressBase must be a non-negative multiple of align (${align}), not ${base}`);
    this.size = opts.size;
    this.base = base;
    this.reserve = opts.reserve ?? null;
    this.align = align;
    this.g = 31 - Math.clz32(align);
    this.linear = SL << this.g;
    const cap = 64;
    this.off = new Float64Array(cap);
    this.sz = new Float64Array(cap);
    this.state = new Uint8Array(cap);
    this.prevPhys = new Int32Array(cap);
    this.nextPhys = new Int32Array(cap);
    this.prevFree = new Int32Array(cap);
    this.nextFree = new Int32Array(cap);
    this.spare = new Int32Array(cap);
    const usable = Math.floor((this.size - align) / align) * align;
    const r = this.record();
    this.off[r] = align;
    this.sz[r] = usable;
    this.prevPhys[r] = -1;
    this.nextPhys[r] = -1;
    this.insert(r);
  }

  /** Offset of at least `n` bytes aligned to `align`; 0 for `n = 0` and on failure. O(1). */
  malloc(n: number): number {
    const s = this.granules(n);
    if (s <= 0) return 0;
    const r = this.find(s);
    if (r < 0 || (this.off[r] + s > this.hw && !this.reach(this.off[r] + s))) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    this.remove(r);
    this.state[r] = USED;
    this.cut(r, s);
    const o = this.off[r];
    this.byOffset.set(o, r);
    return o;
  }

  /** Offset of at least `n` bytes aligned to `alignment` (a power of two up to 2^20). O(1). */
  alignedAlloc(alignment: number, n: number): number {
    if (!(Number.isInteger(alignment) && alignment > 0 && (alignment & (alignment - 1)) === 0 && alignment <= 1 << 20)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (alignment <= this.align) return this.malloc(n);
    const s = this.granules(n);
    if (s <= 0) return 0;
    const r = this.find(s + alignment);
    const o = r < 0 ? 0 : this.off[r];
    const front = Math.ceil((o + this.base) / alignment) * alignment - this.base - o;
    if (r < 0 || (o + front + s > this.hw && !this.reach(o + front + s))) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    this.remove(r);
    let b = r;
    if (front > 0) {
      b = this.split(r, front);
      this.insert(r);
    }
    this.state[b] = USED;
    this.cut(b, s);
    const q = this.off[b];
    this.byOffset.set(q, b);
    return q;
  }

  /** Returns a block; `free(0)` does nothing; anything but a live block's offset throws (nothing changes). O(1). */
  free(offset: number): void {
    if (offset === 0) return;
    const r = this.live(offset, 'free');
    this.release(r);
  }

  /**
   * Resizes a block: in place when it shrinks or the next block is free and big enough, else moves it
   * (calling `onMove(from, to, bytes)` so the caller copies). `offset = 0` is malloc, `n = 0` frees.
   * On failure returns 0 and the old block stays.
   */
  realloc(offset: number, n: number, onMove?: MoveCallback): number {
    if (offset === 0) return this.malloc(n);
    const r = this.live(offset, 'realloc');
    if (n === 0) {
      this.release(r);
      return 0;
    }
    const s = this.granules(n);
    if (s <= 0) return 0;
    const cur = this.sz[r];
    if (s <= cur) {
      this.cut(r, s);
      return offset;
    }
    const nx = this.nextPhys[r];
    if (nx >= 0 && this.state[nx] === FREE && cur + this.sz[nx] >= s && (offset + s <= this.hw || this.reach(offset + s))) {
      this.remove(nx);
      this.absorbNext(r);
      this.cut(r, s);
      return offset;
    }
    const q = this.malloc(n);
    if (q === 0) return 0;
    if (onMove !== undefined) onMove(offset, q, cur);
    this.release(this.byOffset.get(offset)!);
    return q;
  }

  /** Highest block end (offset, exclusive) ever handed out: the part of the range that has been used. 0 before the first block. */
  get highWater(): number {
    return this.hw;
  }

  /**
   * Calls `fn` for every block of the range in offset order, used and free (the free block at the top runs
   * to the end of the range). O(blocks). For adapters and visualizers; the allocator must not be called from `fn`.
   */
  forEachBlock(fn: (offset: number, size: number, used: boolean) => void): void {
    for (let r = this.firstRecord(); r >= 0; r = this.nextPhys[r]) fn(this.off[r], this.sz[r], this.state[r] === USED);
  }

  /** Usable bytes of the live block at `offset`. */
  usableSize(offset: number): number {
    return this.sz[this.live(offset, 'usableSize')];
  }

  /** Every violated invariant (empty when healthy): tiling, coalescing, class lists, bitmaps, offset map. */
  checkHeap(): HeapViolation[] {
    const out: HeapViolation[] = [];
    const B = this.base;
    const bad = (address: number, message: string): void => {
      if (out.length < 1000) out.push({ address: address === 0 ? 0 : address + B, message });
    };
    let r = this.firstRecord();
    let expect = this.align;
    let prev = -1;
    const frees = new Set<number>();
    let usedCount = 0;
    let steps = 0;
    while (r >= 0 && steps++ <= this.off.length) {
      if (this.off[r] !== expect) bad(this.off[r], `block at ${hex(this.off[r])} should start at ${hex(expect)}`);
      if (this.sz[r] <= 0 || this.sz[r] % this.align !== 0) bad(this.off[r], `bad block size ${this.sz[r]}`);
      if (this.prevPhys[r] !== prev) bad(this.off[r], 'physical prev link broken');
      if (this.state[r] === FREE) {
        if (prev >= 0 && this.state[prev] === FREE) bad(this.off[r], 'two adjacent free blocks');
        frees.add(r);
        if (this.byOffset.has(this.off[r])) bad(this.off[r], 'free block is in the offset map');
      } else if (this.state[r] === USED) {
        usedCount++;
        if (this.byOffset.get(this.off[r]) !== r) bad(this.off[r], 'used block missing from the offset map');
      } else bad(this.off[r], 'unused record in the block chain');
      expect = this.off[r] + this.sz[r];
      prev = r;
      r = this.nextPhys[r];
    }
    const end = Math.floor((this.size - this.align) / this.align) * this.align + this.align;
    if (expect !== end) bad(expect, `blocks end at ${hex(expect)}, not at ${hex(end)}`);
    if (usedCount !== this.byOffset.size) bad(0, `offset map holds ${this.byOffset.size} entries for ${usedCount} used blocks`);
    let listed = 0;
    for (let c = 0; c < FL_COUNT * SL; c++) {
      const fl = c >>> SL_LOG;
      const has = ((this.slmap[fl] >>> (c & (SL - 1))) & 1) === 1;
      if (has !== this.heads[c] >= 0) bad(0, `bitmap bit of class ${c} disagrees with its list`);
      let p = -1;
      for (let f = this.heads[c]; f >= 0; f = this.nextFree[f]) {
        if (!frees.has(f)) {
          bad(this.off[f], `class ${c} lists a block that is not free`);
          break;
        }
        if (this.cls(this.sz[f]) !== c) bad(this.off[f], `free block of ${this.sz[f]} bytes in class ${c}`);
        if (this.prevFree[f] !== p) bad(this.off[f], 'free-list prev link broken');
        p = f;
        if (++listed > frees.size) break;
      }
    }
    for (let fl = 0; fl < FL_COUNT; fl++) if (((this.flmap >>> fl) & 1) !== (this.slmap[fl] !== 0 ? 1 : 0)) bad(0, `fl bitmap bit ${fl} wrong`);
    if (listed !== frees.size) bad(0, `${listed} blocks listed, ${frees.size} free blocks`);
    return out;
  }

  /** Figures now (`highWater` = highest offset end ever handed out; heapBytes = the range). */
  stats(): HeapStats {
    let liveBytes = 0, liveBlocks = 0, freeBytes = 0, freeBlocks = 0, largestFree = 0;
    for (let r = this.firstRecord(); r >= 0; r = this.nextPhys[r]) {
      const s = this.sz[r];
      if (this.state[r] === USED) {
        liveBytes += s;
        liveBlocks++;
      } else {
        freeBytes += s;
        freeBlocks++;
        if (s > largestFree) largestFree = s;
      }
    }
    return { heapBytes: this.size, highWater: this.hw, liveBytes, liveBlocks, freeBytes, freeBlocks, largestFree };
  }

  // ------------------------------------------------------------------ internals

  /** Asks the owner whether the range may be used up to `end` (beyond `hw`); records it when yes. */
  private reach(end: number): boolean {
    if (this.reserve !== null && !this.reserve(end)) return false;
    this.hw = end;
    return true;
  }

  private granules(n: number): number {
    if (!(Number.isInteger(n) && n >= 0)) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (n === 0) return 0;
    if (n > this.size) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    return Math.ceil(n / this.align) * this.align;
  }

  private cls(s: number): number {
    if (s < this.linear) return s >>> this.g;
    if (s < 4294967296) {
      // integer shifts (sizes below 2^32): no Math.pow/floor on the hot path
      const k = 31 - Math.clz32(s);
      return ((k - (this.g + SL_LOG) + 1) << SL_LOG) + ((s >>> (k - SL_LOG)) & (SL - 1));
    }
    const m = 32;
    const fl = m - (this.g + SL_LOG) + 1;
    return (fl << SL_LOG) + (Math.floor(s / 2 ** (m - SL_LOG)) & (SL - 1));
  }

  private find(s: number): number {
    const c = this.cls(s);
    let r = this.heads[c];
    for (let i = 0; r >= 0 && i < SCAN; i++, r = this.nextFree[r]) if (this.sz[r] >= s) return r;
    let fl = c >>> SL_LOG;
    const sl = c & (SL - 1);
    let map = sl === SL - 1 ? 0 : this.slmap[fl] & (-1 << (sl + 1));
    if (map === 0) {
      if (fl + 1 >= 32) return -1;
      const fm = this.flmap & (-1 << (fl + 1));
      if (fm === 0) return -1;
      fl = 31 - Math.clz32(fm & -fm);
      map = this.slmap[fl];
    }
    return this.heads[(fl << SL_LOG) + 31 - Math.clz32(map & -map)];
  }

  private insert(r: number): void {
    const c = this.cls(this.sz[r]);
    const h = this.heads[c];
    this.state[r] = FREE;
    this.prevFree[r] = -1;
    this.nextFree[r] = h;
    if (h >= 0) this.prevFree[h] = r;
    this.heads[c] = r;
    const fl = c >>> SL_LOG;
    this.flmap |= 1 << fl;
    this.slmap[fl] |= 1 << (c & (SL - 1));
  }

  private remove(r: number): void {
    const p = this.prevFree[r];
    const n = this.nextFree[r];
    if (n >= 0) this.prevFree[n] = p;
    if (p >= 0) this.nextFree[p] = n;
    else {
      const c = this.cls(this.sz[r]);
      this.heads[c] = n;
      if (n < 0) {
        const fl = c >>> SL_LOG;
        this.slmap[fl] &= ~(1 << (c & (SL - 1)));
        if (this.slmap[fl] === 0) this.flmap &= ~(1 << fl);
      }
    }
  }

  /** Cuts the used record `r` to `s` bytes; a tail of at least one granule becomes a free block (merged with a free next). */
  private cut(r: number, s: number): void {
    const t = this.split(r, s);
    if (t >= 0) this.coalesceInsert(t);
  }

  /** Splits record `r` at `s` bytes; returns the new unlisted tail record, or -1 when the tail would be empty. */
  private split(r: number, s: number): number {
    const rest = this.sz[r] - s;
    if (rest < this.align) return -1;
    const t = this.record();
    this.state[t] = FREE;
    this.off[t] = this.off[r] + s;
    this.sz[t] = rest;
    this.sz[r] = s;
    const nx = this.nextPhys[r];
    this.prevPhys[t] = r;
    this.nextPhys[t] = nx;
    this.nextPhys[r] = t;
    if (nx >= 0) this.prevPhys[nx] = t;
    return t;
  }

  /** Lists the unlisted free record `r` after merging it with free physical neighbours. */
  private coalesceInsert(r: number): void {
    const nx = this.nextPhys[r];
    if (nx >= 0 && this.state[nx] === FREE) {
      this.remove(nx);
      this.absorbNext(r);
    }
    const pv = this.prevPhys[r];
    if (pv >= 0 && this.state[pv] === FREE) {
      this.remove(pv);
      this.absorbNext(pv);
      r = pv;
    }
    this.insert(r);
  }

  /** Merges the (unlisted) next record into `r` and recycles it. */
  private absorbNext(r: number): void {
    const nx = this.nextPhys[r];
    this.sz[r] += this.sz[nx];
    const nn = this.nextPhys[nx];
    this.nextPhys[r] = nn;
    if (nn >= 0) this.prevPhys[nn] = r;
    this.state[nx] = 0;
    this.spare[this.spareTop++] = nx;
  }

  private release(r: number): void {
    this.byOffset.delete(this.off[r]);
    this.state[r] = FREE;
    this.coalesceInsert(r);
  }

  private live(offset: number, op: string): number {
    const r = this.byOffset.get(offset);
    if (r !== undefined) return r;
    const B = this.base;
    const finite = typeof offset === 'number' && Number.isFinite(offset);
    const at = finite ? offset + B : 0;
    const where = finite ? hex(at) : String(offset);
    if (!(Number.isInteger(offset) && offset > 0 && offset < this.size)) throw new InvalidFreeError(`${op}(${where}): outside the range [${hex(this.align + B)}, ${hex(this.size + B)})`, at);
    if (offset % this.align !== 0) throw new InvalidFreeError(`${op}(${where}): misaligned (${B === 0 ? 'offsets' : 'addresses'} are ${this.align}-aligned)`, at);
    const f = this.recordAt(offset);
    if (f >= 0 && this.state[f] === FREE && this.off[f] === offset) throw new DoubleFreeError(`${op}(${where}): block already free (double free)`, at);
    throw new InvalidFreeError(`${op}(${where}): not the start of a live block (interior, already freed and merged, or never allocated)`, at);
  }

  /** Record containing `offset` (walk; error paths only). */
  private recordAt(offset: number): number {
    for (let r = this.firstRecord(); r >= 0; r = this.nextPhys[r]) if (offset >= this.off[r] && offset < this.off[r] + this.sz[r]) return r;
    return -1;
  }

  private firstRecord(): number {
    // The record at offset `align` never goes away (merges keep the lower record).
    return 0;
  }

  private record(): number {
    if (this.spareTop > 0) return this.spare[--this.spareTop];
    if (this.used === this.off.length) this.growRecords();
    return this.used++;
  }

  private growRecords(): void {
    const n = this.off.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, make: (k: number) => T): T => {
      const b = make(n);
      b.set(a as never);
      return b;
    };
    this.off = g(this.off, (k) => new Float64Array(k));
    this.sz = g(this.sz, (k) => new Float64Array(k));
    this.state = g(this.state, (k) => new Uint8Array(k));
    this.prevPhys = g(this.prevPhys, (k) => new Int32Array(k));
    this.nextPhys = g(this.nextPhys, (k) => new Int32Array(k));
    this.prevFree = g(this.prevFree, (k) => new Int32Array(k));
    this.nextFree = g(this.nextFree, (k) => new Int32Array(k));
    this.spare = g(this.spare, (k) => new Int32Array(k));
  }
}

/** Makes an out-of-band allocator over offsets `[0, size)` (0 is NULL). See {@link OffsetAllocator}. */
export function createOffsetAllocator(opts: OffsetAllocatorOptions): OffsetAllocator {
  return new OffsetAllocator(opts);
}
