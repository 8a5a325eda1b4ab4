/**
 * errors.ts — the typed errors of explicit allocation. Exports `HeapError`, `DoubleFreeError`,
 * `InvalidFreeError`, `HeapCorruptionError`, and the `Errno` codes kept in `heap.lastError`.
 *
 * Every error sets `name` to its class name so it survives structured cloning and minification,
 * and carries the offending `address`. Throwing one never changes the heap.
 */

/** errno-style outcome of the last failed call: `ENOMEM` (out of memory), `EINVAL` (impossible argument). */
export type Errno = 'ENOMEM' | 'EINVAL';

/** Base class of heapkit's allocator errors. */
export class HeapError extends Error {
  /** The address the error is about (0 where none). */
  readonly address: number;
  constructor(message: string, address: number) {
    super(message);
    this.name = new.target.name;
    this.address = address;
  }
}

/** `free`/`realloc` of a block that is already free. */
export class DoubleFreeError extends HeapError {}

/** `free`/`realloc` of an address that is not the payload start of a live block (interior, misaligned, outside the heap, never allocated). */
export class InvalidFreeError extends HeapError {}

/** The heap's own metadata is damaged (found while walking it, e.g. by `attachHeap`). */
export class HeapCorruptionError extends HeapError {}

/** Formats an address the way the reports print it: `0x0001a2f0`. */
export function hex(address: number): string {
  return '0x' + (address >>> 0).toString(16).padStart(8, '0');
}
