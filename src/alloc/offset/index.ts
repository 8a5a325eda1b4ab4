/**
 * offset/index.ts — entry of the out-of-band offset allocator (metadata in JS, offsets out).
 * Exports `createOffsetAllocator`, `OffsetAllocator`, `OffsetAllocatorOptions`, `MoveCallback`.
 */
export { createOffsetAllocator, OffsetAllocator } from './offset-allocator.js';
export type { OffsetAllocatorOptions, MoveCallback } from './offset-allocator.js';
