/**
 * free-index.ts — the interface every free-block organisation implements, and the view of the heap it gets.
 * Exports `FreeIndex`, `IndexHost`.
 *
 * The engine (block-heap.ts) owns headers, footers and coalescing; an index only remembers which
 * free blocks exist and finds one for a request. Its state lives in hcb words from `H_INDEX_AREA` on.
 */
import type { HeapViolation } from '../allocator.js';

/** What an index may read of its heap. */
export interface IndexHost {
  /** The heap's 32-bit view (re-read on every call: growth replaces it). */
  readonly m: Uint32Array;
  /** Word index of the hcb (base >>> 2). */
  readonly hcb: number;
  /** Payload alignment. */
  readonly align: number;
}

/** A free-block organisation: implicit list, explicit list, segregated lists, tree, TLSF. */
export interface FreeIndex {
  /** Short name, for messages. */
  readonly kind: string;
  /** Smallest free block this index can hold (its node fields plus a footer). */
  readonly minBlock: number;
  /** hcb words the index needs from `H_INDEX_AREA` on. */
  readonly words: number;
  /** Writes the empty state into the hcb. */
  init(): void;
  /** Adds free block `b` of `size` bytes. */
  insert(b: number, size: number): void;
  /** Removes free block `b` of `size` bytes. */
  remove(b: number, size: number): void;
  /** A free block of at least `asize` bytes chosen by the fit policy, or 0. Does not remove it. */
  find(asize: number): number;
  /** Told that block `from` was merged into block `into` (rovers that pointed at `from` move). */
  coalesced(into: number, from: number): void;
  /** Checks the index against the set of free blocks found by walking the heap; appends violations. */
  check(free: Map<number, number>, out: HeapViolation[]): void;
  /** Called after the heap was re-opened from its buffer, to rebuild any JS-side state. */
  attached(): void;
}
