// bench/as/tlsf.ts — AssemblyScript module exposing the runtime's TLSF heap (std/assembly/rt/tlsf.ts)
// to JavaScript: alloc/realloc/free over `heap.*`, plus the heap base. Compiled at bench time by peers.ts.

/** heap.alloc(size): a block of at least `size` bytes (traps on sizes the TLSF refuses). */
export function alloc(size: usize): usize {
  return heap.alloc(size);
}

/** heap.realloc(ptr, size). */
export function realloc(ptr: usize, size: usize): usize {
  return heap.realloc(ptr, size);
}

/** heap.free(ptr). */
export function free(ptr: usize): void {
  heap.free(ptr);
}

/** First byte of the heap (after static data). */
export function heapBase(): usize {
  return __heap_base;
}
