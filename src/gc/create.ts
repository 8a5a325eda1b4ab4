/**
 * create.ts — `createManagedHeap`: picks the plan by name, wires the free-list spaces to heapkit allocators and the verifier.
 * Exports `createManagedHeap`.
 */
import { ManagedHeap, type ManagedHeapOptions } from './heap.js';
import { makePlan } from './registry.js';
import { verifyHeap } from './verify.js';
import { createHeap } from '../alloc/create.js';
import './plan-concurrent.js';

/**
 * Creates a garbage-collected heap managed by `opts.collector` ('mark-sweep', 'mark-compact', 'semispace',
 * 'generational', or any registered name). Throws RangeError for an unknown collector or impossible sizes.
 *
 * ```ts
 * const heap = createManagedHeap({ collector: 'generational' });
 * const Node = heap.defineRecord('Node', 2, 8);     // 2 refs + 8 raw bytes
 * const a = heap.push(heap.alloc(Node));            // a root slot
 * const b = heap.alloc(Node);                       // safepoint: re-read a's object from its slot
 * heap.setRef(heap.get(a), 0, b);                   // the write barrier
 * heap.collect();
 * ```
 */
export function createManagedHeap(opts: ManagedHeapOptions): ManagedHeap {
  if (opts === null || typeof opts !== 'object' || typeof opts.collector !== 'string') throw new RangeError('createManagedHeap: options must name a collector');
  const plan = makePlan(opts.collector);
  return new ManagedHeap(opts, plan, verifyHeap, (memory, start, end) =>
    createHeap({ memory: memory.wasm ?? memory.buffer, base: start, maxBytes: end, align: 8, ...(opts.allocator !== undefined ? { allocator: opts.allocator } : {}) }),
  );
}
