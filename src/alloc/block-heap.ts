/**
 * block-heap.ts — the boundary-tag heap engine of the lectures: headers, footers on free blocks,
 * splitting, immediate or deferred coalescing, growth at the epilogue; the free-block index is pluggable.
 * Exports `BlockHeap`, `BlockHeapConfig`. The layout is drawn in layout.ts.
 *
 * Costs: malloc = index find + O(1) place; free = O(1) coalescing (boundary tags) + index insert;
 * validation of a freed pointer = O(1) (a bit per alignment granule marks live payload starts).
 * That bitmap is a JS-side cache of what the headers already say, so state still lives in the buffer:
 * `attach` rebuilds it with one heap walk.
 */
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from './typed-views.js';
import type { Allocator, HeapStats, HeapViolation } from './allocator.js';
import { DoubleFreeError, HeapCorruptionError, InvalidFreeError, hex, type Errno } from './errors.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './index/free-index.js';
import { ExplicitIndex } from './index/explicit.js';
import { ImplicitIndex } from './index/implicit.js';
import { SegregatedIndex } from './index/segregated.js';
import { TlsfIndex } from './index/tlsf.js';
import { TreeIndex } from './index/tree.js';
import {
  ALLOC,
  FLAGS,
  H_ALIGN,
  H_BRK,
  H_COALESCE,
  H_EPILOGUE,
  H_FIT,
  H_INDEX,
  H_INDEX_AREA,
  H_LIVE_BLOCKS,
  H_LIVE_BYTES,
  H_MAGIC,
  H_ORDER,
  H_PRESET,
  H_SPLIT,
  H_START,
  H_VERSION,
  H_ZERO_FROM,
  HDR,
  LAYOUT_VERSION,
  MAGIC_BLOCK_HEAP,
  PREV_ALLOC,
} from './layout.js';
import type { CoalescePolicy, FitPolicy, FreeIndexKind, ListOrder } from './options.js';
import type { LinearMemory } from '../memory/linear-memory.js';

/** A fully resolved configuration (every choice made). */
export interface BlockHeapConfig {
  index: FreeIndexKind;
  fit: FitPolicy;
  order: ListOrder;
  /** Smallest remainder worth splitting off, in bytes; `Infinity` never splits. */
  split: number;
  coalesce: CoalescePolicy;
  align: 8 | 16;
}

const INDEX_CODES: FreeIndexKind[] = ['implicit', 'explicit', 'segregated', 'tree', 'tlsf'];
const FIT_CODES: FitPolicy[] = ['first', 'next', 'best'];
const ORDER_CODES: ListOrder[] = ['lifo', 'address'];
const COALESCE_CODES: CoalescePolicy[] = ['immediate', 'deferred'];
const NEVER_SPLIT = 0xffffffff;

function makeIndex(host: IndexHost, c: BlockHeapConfig): FreeIndex {
  switch (c.index) {
    case 'implicit':
      return new ImplicitIndex(host, c.fit);
    case 'explicit':
      return new ExplicitIndex(host, c.fit, c.order);
    case 'segregated':
      return new SegregatedIndex(host, c.fit, c.order);
    case 'tree':
      return new TreeIndex(host);
    case 'tlsf':
      return new TlsfIndex(host);
  }
}

/** The boundary-tag heap engine. Create with {@link BlockHeap.format} or {@link BlockHeap.attach}. */
export class BlockHeap implements Allocator, IndexHost {
  readonly name: string;
  readonly align: 8 | 16;
  readonly memory: LinearMemory;
  readonly config: Readonly<BlockHeapConfig>;
  lastError: Errno | null = null;
  /** The heap's 32-bit view; rebound on growth. */
  m: Uint32Array;
  /** Word index of the heap control block. */
  readonly hcb: number;
  /** The largest request that can ever succeed (bytes). */
  readonly maxRequest: number;

  private readonly index: FreeIndex;
  private readonly amask: number;
  private readonly shift: number;
  private readonly minBlock: number;
  private readonly splitMin: number;
  private readonly deferred: boolean;
  /** One bit per alignment granule: set where a live block's payload starts. */
  private live: Int32Array;

  private constructor(memory: LinearMemory, config: BlockHeapConfig, name: string) {
    this.memory = memory;
    this.config = config;
    this.name = name;
    this.align = config.align;
    this.amask = config.align - 1;
    this.shift = config.align === 16 ? 4 : 3;
    this.m = memory.u32;
    this.hcb = memory.base >>> 2;
    this.index = makeIndex(this, config);
    this.minBlock = Math.max(this.index.minBlock, config.align);
    this.splitMin = config.split === Infinity ? Infinity : Math.max(this.minBlock, Math.ceil(config.split / config.align) * config.align);
    this.deferred = config.coalesce === 'deferred';
    this.maxRequest = Math.max(0, memory.maxBytes - memory.base - 64 - this.index.words * 4);
    this.live = new Int32Array(this.bitmapWords(memory.capacity));
    memory.onGrow = (mem) => {
      this.m = mem.u32;
      const words = this.bitmapWords(mem.capacity);
      if (words > this.live.length) {
        const next = new Int32Array(words);
        next.set(this.live);
        this.live = next;
      }
    };
  }

  private bitmapWords(bytes: number): number {
    return ((bytes >>> this.shift) + 32) >>> 5;
  }

  /** Formats a new, empty heap at `memory.base` (whatever was there is overwritten). */
  static format(memory: LinearMemory, config: BlockHeapConfig, name = 'custom', presetId = 0): BlockHeap {
    if (memory.base % 8 !== 0) throw new RangeError(`heap base ${memory.base} must be a multiple of 8`);
    const h = new BlockHeap(memory, config, name);
    const hcbBytes = (H_INDEX_AREA + h.index.words) * 4;
    // first header at ≡ A − 4 (mod A), above the hcb; the break ends just past the epilogue header
    let start = memory.base + hcbBytes;
    start += (config.align - ((start + HDR) & h.amask)) & h.amask;
    if (memory.sbrk(start + HDR - memory.base) < 0) throw new RangeError(`heap: memory too small for the heap control block (${start + HDR - memory.base} bytes)`);
    const m = (h.m = memory.u32);
    m.fill(0, h.hcb, h.hcb + H_INDEX_AREA);
    m[h.hcb + H_MAGIC] = MAGIC_BLOCK_HEAP;
    m[h.hcb + H_VERSION] = LAYOUT_VERSION;
    m[h.hcb + H_INDEX] = INDEX_CODES.indexOf(config.index);
    m[h.hcb + H_FIT] = FIT_CODES.indexOf(config.fit);
    m[h.hcb + H_ORDER] = ORDER_CODES.indexOf(config.order);
    m[h.hcb + H_ALIGN] = config.align;
    m[h.hcb + H_SPLIT] = config.split === Infinity ? NEVER_SPLIT : config.split;
    m[h.hcb + H_COALESCE] = COALESCE_CODES.indexOf(config.coalesce);
    m[h.hcb + H_START] = start;
    m[h.hcb + H_EPILOGUE] = start;
    m[h.hcb + H_BRK] = memory.brk;
    m[h.hcb + H_PRESET] = presetId;
    m[h.hcb + H_ZERO_FROM] = memory.zeroAboveBreak ? 1 : 0; // 1: bytes above the break are known to be zero
    m[start >>> 2] = 0 | ALLOC | PREV_ALLOC; // epilogue; nothing below it can be free
    h.index.init();
    return h;
  }

  /** Reads the configuration a heap in `memory` was formatted with, or null when there is none. */
  static readConfig(memory: LinearMemory): { config: BlockHeapConfig; presetId: number } | null {
    const m = memory.u32;
    const w = memory.base >>> 2;
    if (w + H_INDEX_AREA > m.length || m[w + H_MAGIC] !== MAGIC_BLOCK_HEAP) return null;
    if (m[w + H_VERSION] !== LAYOUT_VERSION) throw new HeapCorruptionError(`heap at ${hex(memory.base)} has layout version ${m[w + H_VERSION]}, expected ${LAYOUT_VERSION}`, memory.base);
    const index = INDEX_CODES[m[w + H_INDEX]];
    const fit = FIT_CODES[m[w + H_FIT]];
    const order = ORDER_CODES[m[w + H_ORDER]];
    const coalesce = COALESCE_CODES[m[w + H_COALESCE]];
    const align = m[w + H_ALIGN];
    if (!index || !fit || !order || !coalesce || (align !== 8 && align !== 16)) throw new HeapCorruptionError(`heap control block at ${hex(memory.base)} is damaged`, memory.base);
    const split = m[w + H_SPLIT] === NEVER_SPLIT ? Infinity : m[w + H_SPLIT];
    return { config: { index, fit, order, coalesce, align, split }, presetId: m[w + H_PRESET] };
  }

  /** Re-opens a heap formatted in `memory` (its break is restored from the hcb; the live bitmap is rebuilt by a walk). */
  static attach(memory: LinearMemory, name: string): BlockHeap {
    const found = BlockHeap.readConfig(memory);
    if (found === null) throw new HeapCorruptionError(`no heapkit heap at ${hex(memory.base)} (magic word missing)`, memory.base);
    const h = new BlockHeap(memory, found.config, name);
    const brk = h.m[h.hcb + H_BRK];
    if (!memory.setBrk(brk)) throw new HeapCorruptionError(`heap break ${hex(brk)} lies outside the memory`, brk);
    h.m = memory.u32;
    const end = h.m[h.hcb + H_EPILOGUE];
    for (let b = h.m[h.hcb + H_START]; b < end; ) {
      const hd = h.m[b >>> 2];
      const size = hd & ~FLAGS;
      if (size < h.minBlock || b + size > end) throw new HeapCorruptionError(`block header at ${hex(b)} has impossible size ${size}`, b);
      if (hd & ALLOC) h.setLive(b + HDR);
      b += size;
    }
    h.index.attached();
    return h;
  }

  // ─── small helpers ────────────────────────────────────────────────────────────────────────────

  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }

  private setLive(p: number): void {
    const i = p >>> this.shift;
    this.live[i >>> 5] |= 1 << (i & 31);
  }
  private clearLive(p: number): void {
    const i = p >>> this.shift;
    this.live[i >>> 5] &= ~(1 << (i & 31));
  }
  private isLive(p: number): boolean {
    const i = p >>> this.shift;
    return (this.live[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Block size a request of `n` bytes needs (n already validated: 0 < n ≤ maxRequest). */
  private adjust(n: number): number {
    const a = ((n + HDR + this.amask) & ~this.amask) >>> 0; // n + HDR + amask < 2^32: no wrap
    return a < this.minBlock ? this.minBlock : a;
  }

  /** Validates a size argument; returns false (setting lastError) for the ones C would reject. */
  private badSize(n: number): boolean {
    if (typeof n !== 'number' || !(n >= 0) || n !== Math.floor(n)) {
      this.lastError = 'EINVAL';
      return true;
    }
    if (n > this.maxRequest) {
      this.lastError = 'ENOMEM';
      return true;
    }
    return false;
  }

  /** True when `p` is the payload start of a live block. O(1). */
  private valid(p: number): boolean {
    const m = this.m;
    return (p >>> 0) === p && (p & this.amask) === 0 && p > m[this.hcb + H_START] && p < m[this.hcb + H_EPILOGUE] && this.isLive(p);
  }

  /** Writes a free block's header (with the PREV_ALLOC bit given) and its footer (the size alone). */
  private setFree(b: number, size: number, prevAlloc: number): void {
    const m = this.m;
    m[b >>> 2] = size | prevAlloc;
    m[(b + size - 4) >>> 2] = size;
  }

  // ─── malloc ───────────────────────────────────────────────────────────────────────────────────

  malloc(n: number): number {
    if (n === 0) return 0;
    if (this.badSize(n)) return 0;
    const asize = this.adjust(n);
    let b = this.index.find(asize);
    if (b === 0) {
      if (this.deferred && this.coalesceAll() > 0) b = this.index.find(asize);
      if (b === 0) b = this.extend(asize);
      if (b === 0) {
        this.lastError = 'ENOMEM';
        return 0;
      }
    }
    this.place(b, asize);
    return b + HDR;
  }

  /** Allocates `asize` bytes out of free block `b` (which is in the index), splitting when the remainder is large enough. */
  private place(b: number, asize: number): void {
    const m = this.m;
    const hd = m[b >>> 2];
    const size = hd & ~FLAGS;
    this.index.remove(b, size);
    const rest = size - asize;
    if (rest >= this.splitMin) {
      m[b >>> 2] = asize | ALLOC | (hd & PREV_ALLOC);
      const r = b + asize;
      this.setFree(r, rest, PREV_ALLOC);
      this.index.insert(r, rest);
      this.account(asize, 1);
    } else {
      m[b >>> 2] = hd | ALLOC;
      m[(b + size) >>> 2] |= PREV_ALLOC;
      this.account(size, 1);
    }
    this.setLive(b + HDR);
  }

  private account(blockBytes: number, blocks: number): void {
    const m = this.m;
    m[this.hcb + H_LIVE_BYTES] += blocks > 0 ? blockBytes - HDR : -(blockBytes - HDR);
    m[this.hcb + H_LIVE_BLOCKS] += blocks;
  }

  /**
   * Grows the heap so that a free block of at least `asize` bytes ends at the new epilogue; the block
   * below the epilogue is reused when it is free (only the difference is requested). Returns it (indexed) or 0.
   */
  private extend(asize: number): number {
    let m = this.m;
    const e = m[this.hcb + H_EPILOGUE];
    const epi = m[e >>> 2];
    let b = e;
    let have = 0;
    if ((epi & PREV_ALLOC) === 0) {
      have = m[(e - 4) >>> 2] & ~FLAGS;
      b = e - have;
      if (have >= asize) return b;
    }
    const need = asize - have;
    if (this.memory.sbrk(need) < 0) return 0;
    m = this.m; // growth may have replaced the view
    const prevAlloc = m[b >>> 2] & PREV_ALLOC; // the reused free block's, or the old epilogue's
    if (have > 0) this.index.remove(b, have);
    const size = have + need;
    this.setFree(b, size, prevAlloc);
    m[(b + size) >>> 2] = 0 | ALLOC; // new epilogue: the block below it is free
    m[this.hcb + H_EPILOGUE] = b + size;
    m[this.hcb + H_BRK] = this.memory.brk;
    this.index.insert(b, size);
    return b;
  }

  // ─── free ─────────────────────────────────────────────────────────────────────────────────────

  free(p: number): void {
    if (p === 0) return;
    if (!this.valid(p)) this.throwBadPointer(p, 'free');
    this.release(p - HDR);
  }

  /** Frees the allocated block at `b` (already validated) and coalesces per policy. */
  private release(b: number): void {
    const m = this.m;
    const hd = m[b >>> 2];
    const size = hd & ~FLAGS;
    this.clearLive(b + HDR);
    this.account(size, -1);
    this.makeFree(b, size, hd & PREV_ALLOC);
  }

  /** Turns [b, b+size) into a free block, merging with free neighbours under immediate coalescing, and indexes it. */
  private makeFree(b: number, size: number, prevAlloc: number): void {
    const m = this.m;
    if (!this.deferred) {
      const next = b + size;
      const nh = m[next >>> 2];
      if ((nh & ALLOC) === 0) {
        const ns = nh & ~FLAGS;
        this.index.remove(next, ns);
        this.index.coalesced(b, next);
        size += ns;
      }
      if (prevAlloc === 0) {
        const ps = m[(b - 4) >>> 2] & ~FLAGS;
        const prev = b - ps;
        this.index.remove(prev, ps);
        this.index.coalesced(prev, b);
        prevAlloc = m[prev >>> 2] & PREV_ALLOC;
        b = prev;
        size += ps;
      }
    }
    this.setFree(b, size, prevAlloc);
    m[(b + size) >>> 2] &= ~PREV_ALLOC;
    this.index.insert(b, size);
  }

  /** Deferred coalescing: merges every run of adjacent free blocks. Returns how many merges happened. */
  coalesceAll(): number {
    const m = this.m;
    const end = m[this.hcb + H_EPILOGUE];
    let merges = 0;
    for (let b = m[this.hcb + H_START]; b < end; ) {
      const hd = m[b >>> 2];
      let size = hd & ~FLAGS;
      if ((hd & ALLOC) === 0 && (m[(b + size) >>> 2] & ALLOC) === 0) {
        this.index.remove(b, size);
        while ((m[(b + size) >>> 2] & ALLOC) === 0) {
          const next = b + size;
          const ns = m[next >>> 2] & ~FLAGS;
          this.index.remove(next, ns);
          this.index.coalesced(b, next);
          size += ns;
          merges++;
        }
        this.setFree(b, size, hd & PREV_ALLOC);
        this.index.insert(b, size);
      }
      b += size;
    }
    return merges;
  }

  /** Classifies a pointer that failed validation and throws the matching typed error (slow path: walks the heap). */
  private throwBadPointer(p: number, op: string): never {
    const m = this.m;
    const what = `${op}(${typeof p === 'number' ? hex(p) : String(p)})`;
    if (typeof p !== 'number' || (p >>> 0) !== p) throw new InvalidFreeError(`${what}: not a pointer (${String(p)})`, 0);
    const start = m[this.hcb + H_START];
    const end = m[this.hcb + H_EPILOGUE];
    if (p <= start || p >= end) throw new InvalidFreeError(`${what}: address outside the heap [${hex(start + HDR)}, ${hex(end)})`, p);
    for (let b = start; b < end; ) {
      const hd = m[b >>> 2];
      const size = hd & ~FLAGS;
      if (size === 0) break;
      if (p < b + size) {
        if (p === b + HDR) {
          if ((hd & ALLOC) === 0) throw new DoubleFreeError(`${what}: double free — the block of ${size} bytes at ${hex(p)} is already free`, p);
        }
        if ((hd & ALLOC) === 0) throw new DoubleFreeError(`${what}: address lies inside the free block [${hex(b + HDR)}, ${hex(b + size)}) — freed already (double free or dangling pointer)`, p);
        if (p === b + HDR) throw new HeapCorruptionError(`${what}: allocated block at ${hex(p)} is missing from the live map`, p);
        throw new InvalidFreeError(`${what}: interior pointer, ${p - b - HDR} bytes into the live block at ${hex(b + HDR)} (${size - HDR} bytes)`, p);
      }
      b += size;
    }
    throw new InvalidFreeError(`${what}: not the start of a live block`, p);
  }

  // ─── calloc, realloc, aligned ─────────────────────────────────────────────────────────────────

  calloc(n: number, size: number): number {
    if (this.badSize(n) || this.badSize(size)) return 0;
    const total = n * size;
    if (total === 0) return 0;
    if (total > this.maxRequest) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    // Above the break, memory this heap owns is still zero (the heap never shrinks). A block carved
    // from there by this malloc holds only what extend() wrote while it was free: index words at its
    // start and the footer at its end. Zero those and whatever lay below the old break; skip the rest.
    const fresh = this.m[this.hcb + H_ZERO_FROM] !== 0 ? this.memory.brk : 0xffffffff;
    const p = this.malloc(total);
    if (p === 0) return 0;
    const end = p + total;
    const u8 = this.memory.u8;
    if (end <= fresh) u8.fill(0, p, end);
    else {
      const blockEnd = p - HDR + (this.m[(p - HDR) >>> 2] & ~FLAGS);
      u8.fill(0, p, Math.min(end, Math.max(fresh, p + 24)));
      u8.fill(0, Math.max(p, blockEnd - 4), end);
    }
    return p;
  }

  realloc(p: number, n: number): number {
    if (p === 0) return this.malloc(n);
    if (!this.valid(p)) this.throwBadPointer(p, 'realloc');
    if (n === 0) {
      this.release(p - HDR);
      return 0;
    }
    if (this.badSize(n)) return 0;
    const m = this.m;
    const b = p - HDR;
    const hd = m[b >>> 2];
    const size = hd & ~FLAGS;
    const asize = this.adjust(n);
    if (asize <= size) {
      this.shrink(b, size, asize);
      return p;
    }
    const next = b + size;
    const nh = m[next >>> 2];
    const e = m[this.hcb + H_EPILOGUE];
    if ((nh & ALLOC) === 0) {
      const ns = nh & ~FLAGS;
      if (size + ns >= asize) {
        // grow into the free neighbour above
        this.index.remove(next, ns);
        this.index.coalesced(b, next);
        m[b >>> 2] = (size + ns) | (hd & FLAGS);
        m[(b + size + ns) >>> 2] |= PREV_ALLOC;
        m[this.hcb + H_LIVE_BYTES] += ns;
        this.shrink(b, size + ns, asize);
        return p;
      }
      if (next + ns === e && this.growAtEnd(b, size, asize, ns)) return p;
    } else if (next === e && this.growAtEnd(b, size, asize, 0)) return p;
    const q = this.malloc(n);
    if (q === 0) return 0;
    this.memory.u8.copyWithin(q, p, p + Math.min(size - HDR, n));
    this.release(b);
    return q;
  }

  /** Grows the last block (followed by a free block of `freeAbove` bytes, or by the epilogue) at the end of the heap. */
  private growAtEnd(b: number, size: number, asize: number, freeAbove: number): boolean {
    const need = asize - size - freeAbove;
    if (this.memory.sbrk(need) < 0) return false;
    const m = this.m;
    if (freeAbove > 0) {
      this.index.remove(b + size, freeAbove);
      this.index.coalesced(b, b + size);
    }
    m[b >>> 2] = asize | (m[b >>> 2] & FLAGS);
    m[(b + asize) >>> 2] = 0 | ALLOC | PREV_ALLOC;
    m[this.hcb + H_EPILOGUE] = b + asize;
    m[this.hcb + H_BRK] = this.memory.brk;
    m[this.hcb + H_LIVE_BYTES] += asize - size;
    return true;
  }

  /** Cuts the allocated block at `b` (of `size` bytes) down to `asize`, freeing the tail when it is large enough. */
  private shrink(b: number, size: number, asize: number): void {
    const rest = size - asize;
    if (rest < this.splitMin || rest < this.minBlock) return;
    const m = this.m;
    m[b >>> 2] = asize | (m[b >>> 2] & FLAGS);
    m[this.hcb + H_LIVE_BYTES] -= rest;
    this.makeFree(b + asize, rest, PREV_ALLOC);
  }

  alignedAlloc(alignment: number, n: number): number {
    if (typeof alignment !== 'number' || !(alignment > 0) || (alignment & (alignment - 1)) !== 0 || alignment > 65536) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (alignment <= this.align) return this.malloc(n);
    if (n === 0) return 0;
    if (this.badSize(n) || this.badSize(n + alignment + this.minBlock)) return 0;
    const p = this.malloc(n + alignment + this.minBlock);
    if (p === 0) return 0;
    let q = Math.ceil(p / alignment) * alignment;
    if (q !== p && q - p < this.minBlock) q += alignment;
    if (q !== p) {
      // give the lead [p − 4, q − 4) back as a free block; the block now starts at q − 4
      const m = this.m;
      const b = p - HDR;
      const hd = m[b >>> 2];
      const lead = q - p;
      const size = hd & ~FLAGS;
      this.clearLive(p);
      m[(q - HDR) >>> 2] = (size - lead) | ALLOC; // PREV_ALLOC clear: the lead below is free
      m[this.hcb + H_LIVE_BYTES] -= lead;
      this.setLive(q);
      this.makeFree(b, lead, hd & PREV_ALLOC);
    }
    const b = q - HDR;
    this.shrink(b, this.m[b >>> 2] & ~FLAGS, this.adjust(n));
    return q;
  }

  /** A typed array over a fresh block of `n` elements (`heap.alloc(Float32Array, n)`), or null when out of memory. */
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }

  /** A typed array over `n` elements of the live block `p` (default Uint8Array over the whole block). */
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }

  usableSize(p: number): number {
    if (!this.valid(p)) this.throwBadPointer(p, 'usableSize');
    return (this.m[(p - HDR) >>> 2] & ~FLAGS) - HDR;
  }

  // ─── inspection ───────────────────────────────────────────────────────────────────────────────

  /** Calls `fn` for every block in address order (epilogue excluded): block address, size, allocated. */
  walk(fn: (block: number, size: number, allocated: boolean) => void): void {
    const m = this.m;
    const end = m[this.hcb + H_EPILOGUE];
    for (let b = m[this.hcb + H_START]; b < end; ) {
      const hd = m[b >>> 2];
      const size = hd & ~FLAGS;
      if (size === 0) return;
      fn(b, size, (hd & ALLOC) !== 0);
      b += size;
    }
  }

  /** A picture of the free-block index (lists with their links, or the tree) for visualizers. */
  freeIndexView(): FreeIndexView {
    return this.index.view();
  }

  stats(): HeapStats {
    const m = this.m;
    let freeBytes = 0;
    let freeBlocks = 0;
    let largestFree = 0;
    this.walk((_b, size, allocated) => {
      if (allocated) return;
      freeBytes += size;
      freeBlocks++;
      if (size > largestFree) largestFree = size;
    });
    const used = this.memory.brk - this.memory.base;
    return { heapBytes: used, highWater: used, liveBytes: m[this.hcb + H_LIVE_BYTES], liveBlocks: m[this.hcb + H_LIVE_BLOCKS], freeBytes, freeBlocks, largestFree };
  }

  checkHeap(): HeapViolation[] {
    const out: HeapViolation[] = [];
    const m = this.m;
    const w = this.hcb;
    if (m[w + H_MAGIC] !== MAGIC_BLOCK_HEAP) out.push({ address: this.memory.base, message: 'heap control block magic word overwritten' });
    const start = m[w + H_START];
    const end = m[w + H_EPILOGUE];
    const brk = this.memory.brk;
    if (m[w + H_BRK] !== brk) out.push({ address: (w + H_BRK) << 2, message: `recorded break ${hex(m[w + H_BRK])} differs from the memory's ${hex(brk)}` });
    if (end + HDR !== brk) out.push({ address: end, message: `epilogue should sit just below the break ${hex(brk)}` });
    if ((end & ~3) + 4 > m.length * 4) {
      out.push({ address: end, message: 'epilogue lies outside the memory' });
      return out;
    }
    const epi = m[end >>> 2];
    if ((epi & ~FLAGS) !== 0 || (epi & ALLOC) === 0) out.push({ address: end, message: `epilogue header ${hex(epi)} should be size 0, allocated` });
    const free = new Map<number, number>();
    let liveBytes = 0;
    let liveBlocks = 0;
    let prevAllocated = true;
    let b = start;
    for (; b < end; ) {
      const hd = m[b >>> 2];
      const size = hd & ~FLAGS;
      const allocated = (hd & ALLOC) !== 0;
      if (((b + HDR) & this.amask) !== 0) out.push({ address: b, message: 'payload not aligned' });
      if (size < this.minBlock || size % this.align !== 0 || b + size > end) {
        out.push({ address: b, message: `block size ${size} is impossible (minimum ${this.minBlock}, multiple of ${this.align}, within the heap)` });
        return out;
      }
      if (((hd & PREV_ALLOC) !== 0) !== prevAllocated) out.push({ address: b, message: `PREV_ALLOC bit says the block below is ${prevAllocated ? 'free' : 'allocated'}, but it is ${prevAllocated ? 'allocated' : 'free'}` });
      if (allocated) {
        liveBytes += size - HDR;
        liveBlocks++;
        if (!this.isLive(b + HDR)) out.push({ address: b + HDR, message: 'allocated block missing from the live map' });
      } else {
        if (m[(b + size - 4) >>> 2] !== size) out.push({ address: b, message: `footer ${hex(m[(b + size - 4) >>> 2])} disagrees with the header's size ${size}` });
        if (!prevAllocated && !this.deferred) out.push({ address: b, message: 'two adjacent free blocks (missed coalescing)' });
        if (this.isLive(b + HDR)) out.push({ address: b + HDR, message: 'free block marked live in the live map' });
        free.set(b, size);
      }
      prevAllocated = allocated;
      b += size;
    }
    if (b !== end) out.push({ address: b, message: `blocks do not tile the heap: walk ended at ${hex(b)}, epilogue at ${hex(end)}` });
    if (((epi & PREV_ALLOC) !== 0) !== prevAllocated) out.push({ address: end, message: 'epilogue PREV_ALLOC bit disagrees with the last block' });
    if (liveBytes !== m[w + H_LIVE_BYTES]) out.push({ address: (w + H_LIVE_BYTES) << 2, message: `liveBytes ${m[w + H_LIVE_BYTES]} but the walk counts ${liveBytes}` });
    if (liveBlocks !== m[w + H_LIVE_BLOCKS]) out.push({ address: (w + H_LIVE_BLOCKS) << 2, message: `liveBlocks ${m[w + H_LIVE_BLOCKS]} but the walk counts ${liveBlocks}` });
    let marked = 0;
    for (let i = 0; i < this.live.length; i++) {
      let x = this.live[i];
      while (x !== 0) {
        x &= x - 1;
        marked++;
      }
    }
    if (marked !== liveBlocks) out.push({ address: 0, message: `live map marks ${marked} payloads but the heap has ${liveBlocks} live blocks` });
    this.index.check(free, out);
    out.push(...this.memory.check().map((message) => ({ address: this.memory.brk, message })));
    return out;
  }
}
