/**
 * linear-memory.test.ts — the break of a LinearMemory: lowering it on a memory that made its own buffer
 * gives back zeroed bytes, so a heap formatted again on the same memory hands out zeroed calloc blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { allocatorNames, createHeap } from '../../src/alloc/create.js';
import { allocatorNeedsSharedMemory } from '../../src/alloc/create.js';

test('lowering the break of an owned memory zeroes the bytes given back', () => {
  const mem = new LinearMemory({ maxBytes: 1 << 20 });
  assert.equal(mem.sbrk(4096), 0);
  mem.u8.fill(0xab, 0, 4096);
  assert.ok(mem.setBrk(1000));
  assert.equal(mem.brk, 1000);
  assert.equal(mem.u8[999], 0xab, 'bytes below the new break are kept');
  assert.ok(mem.u8.subarray(1000, 4096).every((b) => b === 0), 'bytes at or above the new break are zero');
});

test('lowering the break of a memory over a user buffer keeps its bytes (they are the user\'s)', () => {
  const buf = new ArrayBuffer(8192);
  const mem = new LinearMemory({ memory: buf });
  assert.equal(mem.sbrk(4096), 0);
  new Uint8Array(buf).fill(7, 0, 4096);
  assert.ok(mem.setBrk(0));
  assert.equal(new Uint8Array(buf)[100], 7);
});

for (const name of allocatorNames.filter((n) => !allocatorNeedsSharedMemory(n))) {
  test(`${name}: calloc on a heap formatted again over a reused memory returns zeroed bytes`, () => {
    const mem = new LinearMemory({ maxBytes: 8 << 20 });
    const h1 = createHeap({ allocator: name, memory: mem });
    for (let i = 0; i < 200; i++) {
      const p = h1.malloc(24 + (i % 7) * 40);
      assert.notEqual(p, 0);
      mem.u8.fill(0xee, p, p + 24);
    }
    assert.ok(mem.setBrk(mem.base));
    mem.onGrow = null;
    const h2 = createHeap({ allocator: name, memory: mem });
    for (let i = 0; i < 200; i++) {
      const n = 24 + (i % 7) * 40;
      const p = h2.calloc(1, n);
      assert.notEqual(p, 0);
      const bytes = mem.u8.subarray(p, p + n);
      assert.ok(bytes.every((b) => b === 0), `calloc(1, ${n}) at ${p} is not zeroed`);
      bytes.fill(0x11);
    }
    assert.deepEqual(h2.checkHeap(), []);
  });
}
