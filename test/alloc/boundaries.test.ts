/**
 * boundaries.test.ts — heap growth up to maxBytes, the 4 GiB edge, every memory backing, base offsets, attach.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocatorCanAttach, allocatorNames, attachHeap, createHeap, HeapCorruptionError, LinearMemory } from '../../src/index.js';
import { Model } from './model.js';

describe('growth and limits', () => {
  for (const name of allocatorNames) {
    it(`${name}: fills memory up to maxBytes, fails cleanly, recovers after frees`, () => {
      const h = createHeap({ allocator: name, maxBytes: 256 * 1024 });
      const ps: number[] = [];
      for (;;) {
        const p = h.malloc(1000);
        if (p === 0) break;
        ps.push(p);
      }
      assert.equal(h.lastError, 'ENOMEM');
      // 262 would fit with no overhead; the shared heap spends 64 KiB pages on its control block and size-class spans
      const least = name === 'shared' ? 150 : 200;
      assert.ok(ps.length > least, `only ${ps.length} blocks of 1000 bytes fit in 256 KiB`);
      assert.ok(h.memory.brk <= 256 * 1024);
      assert.deepEqual(h.checkHeap(), []);
      for (let i = 0; i < ps.length; i += 2) h.free(ps[i]);
      assert.notEqual(h.malloc(900), 0, 'a freed block is reused');
      assert.deepEqual(h.checkHeap(), []);
    });
  }

  it('refuses requests at and beyond the 4 GiB edge without touching the heap', () => {
    const h = createHeap();
    const p = h.malloc(100);
    for (const n of [2 ** 32 - 65536, 2 ** 32 - 16, 2 ** 32 - 1, 2 ** 32, 2 ** 33, 8.4e16]) {
      assert.equal(h.malloc(n), 0);
      assert.equal(h.lastError, 'ENOMEM');
      assert.equal(h.realloc(p, n), 0);
      assert.equal(h.alignedAlloc(4096, n), 0);
    }
    assert.equal(h.usableSize(p) >= 100, true);
    assert.deepEqual(h.checkHeap(), []);
  });

  it('highWater grows only as blocks need it (no chunk padding), and never shrinks', () => {
    const h = createHeap({ allocator: 'tlsf' });
    const s0 = h.stats().highWater;
    const p = h.malloc(1000);
    const s1 = h.stats().highWater;
    assert.ok(s1 - s0 <= 1024, `one 1000-byte block grew the heap by ${s1 - s0}`);
    h.free(p);
    assert.equal(h.stats().highWater, s1);
    assert.equal(h.malloc(1000), p, 'the freed block is reused rather than growing');
  });
});

describe('memory backings', () => {
  const backings: Array<[string, () => ArrayBuffer | SharedArrayBuffer | WebAssembly.Memory]> = [
    ['fixed ArrayBuffer', () => new ArrayBuffer(1 << 20)],
    ['resizable ArrayBuffer', () => new ArrayBuffer(1 << 16, { maxByteLength: 1 << 22 })],
    ['SharedArrayBuffer', () => new SharedArrayBuffer(1 << 20)],
    ['growable SharedArrayBuffer', () => new SharedArrayBuffer(1 << 16, { maxByteLength: 1 << 22 })],
    ['WebAssembly.Memory', () => new WebAssembly.Memory({ initial: 1, maximum: 64 })],
  ];
  for (const [what, make] of backings) {
    it(`${what}: allocates, grows where it can, and stays consistent`, () => {
      const memory = make();
      const h = createHeap({ memory, base: 1024 });
      const model = new Model(h);
      for (let i = 0; i < 300; i++) {
        model.malloc(1 + ((i * 977) % 3000));
        if (i % 3 === 0) model.free(i);
      }
      model.check();
      assert.ok(Math.min(...model.live.map((b) => b.p)) >= 1024, 'nothing below base');
      if (memory instanceof WebAssembly.Memory) assert.equal(h.buffer, memory.buffer, 'heap.buffer is the Wasm memory after growth');
    });
  }

  it('a fixed buffer that is full gives ENOMEM, not an exception', () => {
    const h = createHeap({ memory: new ArrayBuffer(8192) });
    let n = 0;
    while (h.malloc(100) !== 0) n++;
    assert.ok(n > 10);
    assert.equal(h.lastError, 'ENOMEM');
    assert.deepEqual(h.checkHeap(), []);
  });
});

describe('attachHeap', () => {
  // an out-of-band heap (offset) keeps no state in its memory, so there is nothing to re-open
  for (const name of allocatorNames.filter(allocatorCanAttach)) {
    it(`${name}: a copied buffer re-opens with every block and keeps working`, () => {
      const h = createHeap({ allocator: name, align: 8 });
      const model = new Model(h);
      for (let i = 0; i < 100; i++) {
        model.malloc(1 + ((i * 131) % 500));
        if (i % 4 === 0) model.free(i * 7);
      }
      model.check();
      // save and restore: a growable buffer (the shared heap's) is copied into one that can grow as far
      const src = h.buffer;
      let copy: ArrayBuffer | SharedArrayBuffer = src.slice(0);
      if (src instanceof SharedArrayBuffer && src.growable) {
        copy = new SharedArrayBuffer(src.byteLength, { maxByteLength: src.maxByteLength });
        new Uint8Array(copy).set(new Uint8Array(src));
      }
      const h2 = attachHeap(copy);
      assert.equal(h2.name, name);
      assert.equal(h2.align, h.align, 'alignment survives the round trip');
      assert.ok(h.align >= 8);
      const m2 = new Model(h2);
      m2.live = model.live.map((b) => ({ ...b }));
      m2.check();
      for (let i = 0; i < 50; i++) {
        m2.malloc(1 + ((i * 37) % 700));
        m2.free(i * 3);
      }
      m2.check();
      assert.deepEqual(h.checkHeap(), [], 'the original is untouched');
    });
  }

  it('rejects a buffer with no heap', () => {
    assert.throws(() => attachHeap(new ArrayBuffer(4096)), (e: unknown) => e instanceof HeapCorruptionError && e.name === 'HeapCorruptionError');
  });

  it('re-opens a heap at a base offset inside a WebAssembly.Memory', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 16 });
    const h = createHeap({ memory, base: 4096, allocator: 'segregated' });
    const p = h.malloc(5000);
    const h2 = attachHeap(memory, { base: 4096 });
    assert.equal(h2.usableSize(p) >= 5000, true);
    h2.free(p);
    assert.deepEqual(h2.checkHeap(), []);
  });
});

describe('LinearMemory', () => {
  it('sbrk moves the break, refuses beyond maxBytes, and check() agrees', () => {
    const mem = new LinearMemory({ maxBytes: 200000 });
    assert.equal(mem.sbrk(100), 0);
    assert.equal(mem.brk, 100);
    assert.equal(mem.sbrk(150000), 100);
    assert.ok(mem.capacity >= 150100);
    assert.equal(mem.sbrk(60000), -1);
    assert.equal(mem.brk, 150100);
    assert.equal(mem.sbrk(-1), -1);
    assert.deepEqual(mem.check(), []);
  });
  it('rejects a bad base and a bad backing', () => {
    assert.throws(() => new LinearMemory({ base: -8 }), RangeError);
    assert.throws(() => new LinearMemory({ memory: {} as ArrayBuffer }), TypeError);
  });
});
