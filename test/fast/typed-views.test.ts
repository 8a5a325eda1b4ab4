/**
 * typed-views.test.ts — allocTyped/viewOf over the fast heap.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { createFastHeap } from '../../src/alloc/fast/index.js';
import { allocTyped, viewOf } from '../../src/alloc/typed-views.js';

test('allocTyped returns a typed array over a fresh block; viewOf re-views it; bad views throw', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16 });
  const f = allocTyped(h, Float32Array, 100)!;
  assert.equal(f.length, 100);
  assert.equal(f.byteOffset % 16, 0);
  f.fill(1.5);
  const g = viewOf(h, Float32Array, f.byteOffset, 100);
  assert.equal(g[99], 1.5);
  const bytes = viewOf(h, undefined, f.byteOffset);
  assert.ok(bytes.length >= 400);
  const b = allocTyped(h, BigInt64Array, 3)!;
  assert.equal(b.byteOffset % 8, 0);
  assert.throws(() => viewOf(h, Float32Array, f.byteOffset, 10_000), RangeError);
  assert.throws(() => viewOf(h, Float32Array, f.byteOffset + 16, 1), { name: 'InvalidFreeError' });
  h.free(f.byteOffset);
  assert.throws(() => viewOf(h, Float32Array, f.byteOffset, 1), { name: 'DoubleFreeError' });
  assert.equal(allocTyped(h, Float64Array, -1), null);
  assert.equal(h.lastError, 'EINVAL');
  assert.deepEqual(h.checkHeap(), []);
});

test('views over a resizable ArrayBuffer stay valid after the heap grows', () => {
  let buf: ArrayBuffer;
  try {
    buf = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(1 << 16, { maxByteLength: 1 << 24 });
  } catch {
    return;
  }
  const h = createFastHeap(new LinearMemory({ memory: buf }), { align: 16 });
  const v = allocTyped(h, Uint32Array, 16)!;
  v.fill(7);
  assert.ok(h.malloc(4 << 20) > 0, 'heap grew');
  assert.equal(v.length, 16);
  assert.equal(v[15], 7);
  v[0] = 9;
  assert.equal(viewOf(h, Uint32Array, v.byteOffset, 1)[0], 9);
});

test('the fast heap has the typed-view methods: heap.alloc(Float32Array, n) and heap.view(p, n)', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16 }) as ReturnType<typeof createFastHeap> & {
    alloc(C: Float32ArrayConstructor, n: number): Float32Array | null;
    view(p: number, n?: number, C?: Float32ArrayConstructor): Float32Array;
  };
  const a = h.alloc(Float32Array, 8)!;
  a[7] = 3;
  assert.equal(h.view(a.byteOffset, 8, Float32Array)[7], 3);
  assert.equal(h.view(a.byteOffset).length >= 32, true);
});
