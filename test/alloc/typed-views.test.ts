/**
 * typed-views.test.ts — heap.alloc(Ctor, n) and heap.view(p, n) on every allocator and on the debug heap.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { allocatorNames, createDebugHeap, createHeap, type Allocator } from '../../src/index.js';

function roundTrip(heap: Allocator, what: string): void {
  const f = heap.alloc(Float32Array, 100);
  assert.ok(f instanceof Float32Array && f.length === 100, what);
  f.fill(1.5);
  const again = heap.view(f.byteOffset, 100, Float32Array);
  assert.ok(again.every((x) => x === 1.5), `${what}: the view sees the same block`);
  assert.ok(heap.view(f.byteOffset).byteLength >= 400, `${what}: default view covers the block`);
  heap.free(f.byteOffset);
  assert.deepEqual(heap.checkHeap(), [], what);
}

it('every allocator hands out typed arrays over its blocks', () => {
  for (const name of allocatorNames) roundTrip(createHeap({ allocator: name }), name);
  roundTrip(createDebugHeap(), 'debug heap');
});
