/**
 * allocator.ts — the one interface every explicit allocator answers to, and its reports.
 * Exports `Allocator`, `HeapStats`, `HeapViolation`.
 */
import type { Errno } from './errors.js';
import type { LinearMemory } from '../memory/linear-memory.js';
import type { TypedArrayConstructor, TypedArrayOf } from './typed-views.js';

/** A violated heap invariant found by `checkHeap()`: where, and what. */
export interface HeapViolation {
  /** The block or metadata word the violation is about. */
  address: number;
  /** What is wrong, in one sentence. */
  message: string;
}

/** Figures of a heap at one moment. */
export interface HeapStats {
  /** Bytes between the heap's base and its break now (metadata included). */
  heapBytes: number;
  /** Most bytes the heap has ever used from its base, metadata included (malloc-lab's `mem_heapsize`). */
  highWater: number;
  /** Usable payload bytes of live blocks (what `usableSize` returns, summed). */
  liveBytes: number;
  /** Live (allocated) blocks. */
  liveBlocks: number;
  /** Bytes in free blocks, headers included. */
  freeBytes: number;
  /** Free blocks. */
  freeBlocks: number;
  /** Size of the largest free block, header included (0 when none). */
  largestFree: number;
}

/**
 * An explicit allocator over linear memory, with C semantics. Pointers are byte offsets; 0 is NULL.
 * Ordinary failure (out of memory, impossible size) returns 0 and sets `lastError`; a bad free throws
 * a typed error and leaves the heap unchanged.
 */
export interface Allocator {
  /** The preset name or `'custom'`. */
  readonly name: string;
  /** Payload alignment in bytes (8 or 16). */
  readonly align: number;
  /** The linear memory under the heap. */
  readonly memory: LinearMemory;
  /** The buffer behind the heap now; growth may replace it, so re-read it after allocating. */
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  /** errno of the last failed call (`null` after a success that clears it, as C leaves errno alone: set on failure only). */
  lastError: Errno | null;
  /** A pointer to at least `n` bytes aligned to `align`; 0 for `n = 0` and on failure. */
  malloc(n: number): number;
  /** Returns a block to the heap; `free(0)` does nothing; anything else that is not a live block's payload start throws. */
  free(p: number): void;
  /** `n * size` zeroed bytes; 0 on overflow or failure. */
  calloc(n: number, size: number): number;
  /** Resizes a block, in place when it can; `p = 0` is `malloc`, `n = 0` frees and returns 0; on failure returns 0 and leaves `p` intact. */
  realloc(p: number, n: number): number;
  /** A block aligned to `alignment` (a power of two up to 65536); 0 on failure. */
  alignedAlloc(alignment: number, n: number): number;
  /** Usable bytes of the live block at `p` (≥ what was asked). Throws for a pointer that is not live. */
  usableSize(p: number): number;
  /**
   * A typed array over a fresh block of `n` elements (`heap.alloc(Float32Array, n)`), or null when out of
   * memory. It stays valid across growth only where the backing grows in place (resizable ArrayBuffer,
   * growable SharedArrayBuffer); see typed-views.ts for the table.
   */
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null;
  /** A typed array over `n` elements of the live block `p` (default: a Uint8Array over the whole block). */
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C>;
  /** Walks the whole heap and returns every violated invariant (empty when healthy). */
  checkHeap(): HeapViolation[];
  /** Figures of the heap now. */
  stats(): HeapStats;
  /**
   * Calls `fn` for every block in address order: block address (its header), size in bytes (header
   * included) and whether it is allocated. For visualizers and metrics; optional (allocators whose
   * small blocks have no headers may omit it).
   */
  walk?(fn: (block: number, size: number, allocated: boolean) => void): void;
}
