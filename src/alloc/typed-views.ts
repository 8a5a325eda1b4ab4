/**
 * typed-views.ts — typed arrays over heap blocks, for any `Allocator`: `allocTyped(heap, Float32Array, n)`
 * and `viewOf(heap, Ctor, p, n)`. Exports `allocTyped`, `viewOf`, `TypedArrayConstructor`, `TypedArrayOf`.
 *
 * Validity after growth (a view is a window on `heap.buffer` as it was when the view was made):
 * | backing                                   | after the heap grows                              |
 * |-------------------------------------------|---------------------------------------------------|
 * | private ArrayBuffer (default)             | stale: growth copies to a new buffer; re-make the view |
 * | resizable ArrayBuffer / growable SAB      | still valid (the buffer grows in place)           |
 * | WebAssembly.Memory                        | detached (length 0): re-make the view             |
 * A view never outlives `free(p)` meaningfully: after free the bytes belong to the heap again.
 */
import type { Allocator } from './allocator.js';

/** Constructors of the typed arrays heap blocks can be viewed as. */
export type TypedArrayConstructor =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Uint8ClampedArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor
  | Int32ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

/** The instance type a typed-array constructor makes. */
export type TypedArrayOf<C extends TypedArrayConstructor> = InstanceType<C>;

/**
 * Allocates a block for `n` elements of `Ctor` and returns a typed array over it (its `byteOffset` is the
 * pointer, for `free`). Returns null when the allocation fails (`heap.lastError` says why), and for `n = 0`.
 */
export function allocTyped<C extends TypedArrayConstructor>(heap: Allocator, Ctor: C, n: number): TypedArrayOf<C> | null {
  const bpe = Ctor.BYTES_PER_ELEMENT;
  if (!(Number.isInteger(n) && n >= 0)) {
    heap.lastError = 'EINVAL';
    return null;
  }
  const bytes = n * bpe;
  const p = bpe > heap.align ? heap.alignedAlloc(bpe, bytes) : heap.malloc(bytes);
  if (p === 0) return null;
  return new Ctor(heap.buffer as ArrayBuffer, p, n) as TypedArrayOf<C>;
}

/**
 * A typed array over `n` elements at the live block `p` (default `Uint8Array`, default n = the whole usable
 * size). Throws the heap's InvalidFreeError/DoubleFreeError when `p` is not live, RangeError when `n`
 * elements do not fit in the block or `p` is misaligned for the element type.
 */
export function viewOf<C extends TypedArrayConstructor = Uint8ArrayConstructor>(heap: Allocator, Ctor: C | undefined, p: number, n?: number): TypedArrayOf<C> {
  const C2 = (Ctor ?? Uint8Array) as C;
  const bpe = C2.BYTES_PER_ELEMENT;
  const usable = heap.usableSize(p);
  const count = n ?? Math.floor(usable / bpe);
  if (!(Number.isInteger(count) && count >= 0) || count * bpe > usable) throw new RangeError(`viewOf: ${String(n)} elements of ${bpe} bytes do not fit in the ${usable}-byte block at ${p}`);
  if (p % bpe !== 0) throw new RangeError(`viewOf: block ${p} is not ${bpe}-byte aligned`);
  return new C2(heap.buffer as ArrayBuffer, p, count) as TypedArrayOf<C>;
}
