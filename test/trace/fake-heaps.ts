/**
 * fake-heaps.ts — tiny stand-in allocators for the trace lab's tests: a correct bump allocator and
 * deliberately broken variants the validated replay must catch. Also a `createHeap` for the worker pool.
 * Exports `BumpHeap`, `brokenHeap`, `createHeap`, `BROKEN_KINDS`.
 */
import type { Allocator, HeapStats, HeapViolation } from '../../src/alloc/allocator.js';
import type { HeapOptions } from '../../src/alloc/options.js';
import { InvalidFreeError } from '../../src/alloc/errors.js';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from '../../src/alloc/typed-views.js';

/** A correct, wasteful allocator: bumps the break, never reuses memory. Good enough to replay small traces. */
export class BumpHeap implements Allocator {
  readonly name: string = 'bump';
  readonly align: number;
  readonly memory: LinearMemory;
  lastError: 'ENOMEM' | 'EINVAL' | null = null;
  readonly sizes = new Map<number, number>();
  calls = 0;

  constructor(opts: { align?: number; maxBytes?: number } = {}) {
    this.align = opts.align ?? 16;
    this.memory = new LinearMemory({ maxBytes: opts.maxBytes ?? 1 << 24 });
    this.memory.sbrk(16); // keep address 0 (NULL) out of every payload
  }
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.memory.buffer;
  }
  malloc(n: number): number {
    this.calls++;
    if (n === 0) return 0;
    if (!(n > 0) || n > this.memory.maxBytes) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const brk = this.memory.brk;
    const p = Math.ceil(brk / this.align) * this.align;
    if (this.memory.sbrk(p - brk + n) < 0) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    this.sizes.set(p, n);
    return p;
  }
  free(p: number): void {
    this.calls++;
    if (p === 0) return;
    if (!this.sizes.has(p)) throw new InvalidFreeError(`free(${p}): not a live block`, p);
    this.sizes.delete(p);
  }
  calloc(n: number, size: number): number {
    const p = this.malloc(n * size);
    if (p !== 0) this.memory.u8.fill(0, p, p + n * size);
    return p;
  }
  realloc(p: number, n: number): number {
    if (p === 0) return this.malloc(n);
    if (n === 0) {
      this.free(p);
      return 0;
    }
    const old = this.sizes.get(p);
    if (old === undefined) throw new InvalidFreeError(`realloc(${p}): not a live block`, p);
    const q = this.malloc(n);
    if (q === 0) return 0;
    this.memory.u8.copyWithin(q, p, p + Math.min(old, n));
    this.free(p);
    return q;
  }
  alignedAlloc(_alignment: number, n: number): number {
    return this.malloc(n);
  }
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }
  usableSize(p: number): number {
    const n = this.sizes.get(p);
    if (n === undefined) throw new InvalidFreeError(`usableSize(${p}): not a live block`, p);
    return n;
  }
  checkHeap(): HeapViolation[] {
    return [];
  }
  stats(): HeapStats {
    let live = 0;
    for (const n of this.sizes.values()) live += n;
    const used = this.memory.brk - this.memory.base;
    return { heapBytes: used, highWater: used, liveBytes: live, liveBlocks: this.sizes.size, freeBytes: 0, freeBlocks: 0, largestFree: 0 };
  }
}

/** The ways {@link brokenHeap} misbehaves. */
export const BROKEN_KINDS = ['misaligned', 'overlap', 'outside', 'corrupt', 'no-copy', 'grow-over', 'scribble-in-place', 'null', 'throw', 'check', 'leak', 'slow'] as const;
export type BrokenKind = (typeof BROKEN_KINDS)[number];

/**
 * A bump heap that misbehaves once, on its `at`-th malloc (1-based) or on frees, as `kind` says:
 * misaligned pointer, a pointer into a live block, a pointer beyond the break, a scribble over a
 * live payload, a realloc that does not copy, a realloc that grows in place over its neighbour, an
 * in-place realloc that scribbles in the middle of the block, a NULL for a small request, a throw,
 * a checkHeap violation, a miscounted stats(), or an endless loop (for timeouts).
 */
export function brokenHeap(kind: BrokenKind, at = 3, opts: { align?: number; maxBytes?: number } = {}): Allocator {
  const h = new BumpHeap(opts);
  let mallocs = 0;
  let last = 0;
  const malloc = h.malloc.bind(h);
  h.malloc = (n: number): number => {
    mallocs++;
    if (kind === 'slow') for (;;);
    const p = malloc(n);
    const hit = mallocs === at;
    if (p !== 0 && hit) {
      if (kind === 'misaligned') return p + 4;
      if (kind === 'overlap' && last !== 0) return last;
      if (kind === 'outside') return Math.ceil((h.memory.brk + 64) / h.align) * h.align;
      if (kind === 'null') return 0;
      if (kind === 'throw') throw new RangeError('allocator exploded');
      if (kind === 'corrupt' && last !== 0) h.memory.u8[last] = (h.memory.u8[last]! + 1) & 255;
    }
    if (p !== 0) last = p;
    return p;
  };
  if (kind === 'no-copy') {
    h.realloc = (p: number, n: number): number => {
      if (p === 0) return h.malloc(n);
      if (n === 0) {
        h.free(p);
        return 0;
      }
      const q = h.malloc(n);
      h.free(p);
      return q;
    };
  }
  if (kind === 'grow-over' || kind === 'scribble-in-place') {
    h.realloc = (p: number, n: number): number => {
      if (p === 0) return h.malloc(n);
      if (n === 0) {
        h.free(p);
        return 0;
      }
      const old = h.sizes.get(p)!;
      if (p + n > h.memory.brk) h.memory.sbrk(p + n - h.memory.brk);
      h.sizes.set(p, n);
      if (kind === 'scribble-in-place') h.memory.u8[p + (old >>> 1)] ^= 0xff;
      return p;
    };
  }
  if (kind === 'check') h.checkHeap = () => [{ address: 16, message: 'header and footer disagree' }];
  if (kind === 'leak') {
    const stats = h.stats.bind(h);
    h.stats = () => ({ ...stats(), liveBlocks: stats().liveBlocks + 1 });
  }
  return h;
}

/**
 * The factory the worker pool loads in tests (`factoryModule`): allocator `bump` is a correct
 * {@link BumpHeap}; `broken-<kind>` is {@link brokenHeap}`(kind)`.
 */
export function createHeap(opts: HeapOptions): Allocator {
  const a = String(opts.allocator ?? 'bump');
  const o = { align: opts.align ?? 16, maxBytes: opts.maxBytes ?? 1 << 24 };
  if (a === 'bump') return new BumpHeap(o);
  if (a.startsWith('broken-')) return brokenHeap(a.slice(7) as BrokenKind, 3, o);
  throw new RangeError(`unknown fake allocator '${a}'`);
}
