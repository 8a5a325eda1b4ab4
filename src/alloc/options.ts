/**
 * options.ts — how a heap is asked for. Exports `HeapOptions`, `AllocatorConfig` and the policy names.
 */
import type { MemoryBacking } from '../memory/linear-memory.js';

/** How free blocks are organised. */
export type FreeIndexKind = 'implicit' | 'explicit' | 'segregated' | 'tree' | 'tlsf';
/** Which fitting free block is chosen. */
export type FitPolicy = 'first' | 'next' | 'best';
/** Where a freed block goes in an explicit list. */
export type ListOrder = 'lifo' | 'address';
/** When adjacent free blocks are merged. */
export type CoalescePolicy = 'immediate' | 'deferred';

/** Any combination of the lectures' design choices (a preset is a named one of these). */
export interface AllocatorConfig {
  /** Free-block organisation. */
  index: FreeIndexKind;
  /** Placement policy (not every index allows every fit: the tree and TLSF are best/good fit). Default 'first'. */
  fit?: FitPolicy;
  /** Explicit and segregated lists: insertion order. Default 'lifo'. */
  order?: ListOrder;
  /** Split a block when the remainder is at least this many bytes (rounded up to the minimum block); `false` never splits. Default: the minimum block. */
  split?: number | false;
  /** Coalescing: immediate (on every free) or deferred (when an allocation would otherwise grow the heap). Default 'immediate'. */
  coalesce?: CoalescePolicy;
}

/** Options of `createHeap`. */
export interface HeapOptions {
  /** A preset name (see `allocatorNames`) or a config object; omitted = the default allocator. */
  allocator?: string | AllocatorConfig;
  /** Bytes to manage: ArrayBuffer, SharedArrayBuffer or WebAssembly.Memory. Omitted: a private growable ArrayBuffer. */
  memory?: MemoryBacking;
  /** First byte the heap may use (e.g. above a Wasm module's data and stack). Default 0 (or 8 — address 0 is never a payload). */
  base?: number;
  /** Bytes to back at creation. */
  initialBytes?: number;
  /** Highest address the heap may grow to. */
  maxBytes?: number;
  /** Payload alignment: 8 or 16. Default 16. */
  align?: 8 | 16;
}
