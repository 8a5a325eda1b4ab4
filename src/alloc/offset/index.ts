/**
 * offset/index.ts — entry of the out-of-band offset allocator (metadata in JS, offsets out) and its heap adapter.
 * Exports `createOffsetAllocator`, `OffsetAllocator`, `OffsetAllocatorOptions`, `MoveCallback`, `ReserveCallback`,
 * `createOffsetHeap`, `OffsetHeap`, `OffsetHeapOptions`, `offsetAllocatorFamily` (preset `'offset'`).
 */
export { createOffsetAllocator, OffsetAllocator } from './offset-allocator.js';
export type { OffsetAllocatorOptions, MoveCallback, ReserveCallback } from './offset-allocator.js';
export { createOffsetHeap, OffsetHeap, offsetAllocatorFamily } from './offset-heap.js';
export type { OffsetHeapOptions } from './offset-heap.js';
