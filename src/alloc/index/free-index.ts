/**
 * free-index.ts — the interface every free-block organisation implements, and the view of the heap it gets.
 * Exports `FreeIndex`, `IndexHost`.
 *
 * The engine (block-heap.ts) owns headers, footers and coalescing; an index only remembers which
 * free blocks exist and finds one for a request. Its state lives in hcb words from `H_INDEX_AREA` on.
 */
import type { HeapViolation } from '../allocator.js';

/** A picture of a free index for visualizers: its lists in list order, or its tree. */
export interface FreeIndexView {
  kind: 'implicit' | 'list' | 'lists' | 'tree';
  /** For list indexes: each non-empty list with a label (its size range) and its blocks in link order. */
  lists?: { label: string; blocks: number[] }[];
  /** For the tree: every node with its children (0 = none). */
  nodes?: { block: number; left: number; right: number }[];
  /** For the tree: the root block (0 = empty). */
  root?: number;
  /** Next-fit rover, when the policy keeps one (0 = none). */
  rover?: number;
}

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
  /** A picture of the index for visualizers (allocates: not for hot paths). */
  view(): FreeIndexView;
}
