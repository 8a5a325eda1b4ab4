/**
 * presets.ts — the named allocators: points of the lectures' design space, each one line of description.
 * Exports `PRESETS`, `resolveConfig`, `DEFAULT_ALLOCATOR`.
 */
import type { BlockHeapConfig } from './block-heap.js';
import type { AllocatorConfig } from './options.js';

/** A named allocator: its configuration (or a factory family) and one line for humans. */
export interface Preset {
  /** Stable numeric id written in the heap's control block so `attachHeap` can restore the name. */
  id: number;
  description: string;
  config: AllocatorConfig;
}

/** The presets, in the order the lectures introduce them. Ids are persistent: never renumber. */
export const PRESETS: Record<string, Preset> = {
  'implicit-first': { id: 1, config: { index: 'implicit', fit: 'first' }, description: 'implicit free list (walk every block), first fit, split, immediate boundary-tag coalescing' },
  'implicit-next': { id: 2, config: { index: 'implicit', fit: 'next' }, description: 'implicit free list, next fit (a rover resumes where the last search stopped)' },
  'implicit-best': { id: 3, config: { index: 'implicit', fit: 'best' }, description: 'implicit free list, best fit (walks the whole heap for the smallest fitting block)' },
  'explicit-lifo': { id: 4, config: { index: 'explicit', fit: 'first', order: 'lifo' }, description: 'explicit doubly-linked free list, LIFO insertion, first fit' },
  'explicit-addr': { id: 5, config: { index: 'explicit', fit: 'first', order: 'address' }, description: 'explicit free list kept in address order (O(n) free), first fit — less fragmentation' },
  segregated: { id: 6, config: { index: 'segregated', fit: 'first' }, description: 'segregated fits: exact 16-byte classes below 1 KiB, power-of-two classes above, bitmap of non-empty classes' },
  'tree-best': { id: 7, config: { index: 'tree', fit: 'best' }, description: 'size-ordered AVL tree of free blocks: best fit in O(log n)' },
  tlsf: { id: 8, config: { index: 'tlsf', fit: 'best' }, description: 'TLSF two-level segregated fit: O(1) malloc and free with bitmaps (good fit)' },
  'explicit-deferred': { id: 9, config: { index: 'explicit', fit: 'first', coalesce: 'deferred' }, description: 'explicit LIFO list with deferred coalescing (merge only when the heap would otherwise grow)' },
  'segregated-best': { id: 10, config: { index: 'segregated', fit: 'best' }, description: 'segregated fits with best fit inside each size class' },
};

/**
 * The allocator `createHeap()` gives without an `allocator` option: the fast family (alloc/fast/, TLSF
 * over 4-byte headers plus header-less small-object pages), which beat every preset and peer on the
 * bundled traces in speed and utilization (bench/peers.ts).
 */
export const DEFAULT_ALLOCATOR = 'fast';

/** Turns a config object into a complete, validated `BlockHeapConfig`. Throws `RangeError` for impossible combinations. */
export function resolveConfig(c: AllocatorConfig, align: 8 | 16): BlockHeapConfig {
  const index = c.index;
  if (!['implicit', 'explicit', 'segregated', 'tree', 'tlsf'].includes(index)) throw new RangeError(`unknown free-block index '${String(index)}'`);
  const fit = c.fit ?? (index === 'tree' || index === 'tlsf' ? 'best' : 'first');
  if (!['first', 'next', 'best'].includes(fit)) throw new RangeError(`unknown fit policy '${String(fit)}'`);
  if ((index === 'tree' || index === 'tlsf') && fit !== 'best') throw new RangeError(`the ${index} index always picks a best (or good) fit; fit '${fit}' is not available`);
  if (index === 'segregated' && fit === 'next') throw new RangeError('segregated lists offer first or best fit, not next fit');
  const order = c.order ?? 'lifo';
  if (order !== 'lifo' && order !== 'address') throw new RangeError(`unknown list order '${String(order)}'`);
  const coalesce = c.coalesce ?? 'immediate';
  if (coalesce !== 'immediate' && coalesce !== 'deferred') throw new RangeError(`unknown coalescing policy '${String(coalesce)}'`);
  const split = c.split === false ? Infinity : (c.split ?? 0);
  if (!(split >= 0)) throw new RangeError(`split must be a byte count ≥ 0 or false, not ${String(c.split)}`);
  return { index, fit, order, coalesce, split, align };
}
