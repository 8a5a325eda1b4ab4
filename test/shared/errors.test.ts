/**
 * errors.test.ts — a shared heap's error paths and edges: every kind of bad free (local and cross-slot) throws its typed
 * error and leaves the heap unchanged; bad sizes; growth seen by other handles; exhaustion; slots, close and adoption; attach dispatch.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DoubleFreeError,
  InvalidFreeError,
  SHARED_HEAP_MAGIC,
  allocatorNames,
  attachHeap,
  attachSharedHeap,
  attachSharedMemory,
  createHeap,
  createSharedHeap,
  isSharedHeap,
  registerAllocatorFamily,
  sharedAllocatorFamily,
  type SharedHeap,
} from '../../src/index.js';
import { LinearMemory } from '../../src/memory/linear-memory.js';

/** Runs `bad`, expects a `cls` error naming `addr`, and checks the heap did not change. */
function rejects(h: SharedHeap, bad: () => unknown, cls: typeof DoubleFreeError | typeof InvalidFreeError, addr: number): void {
  const before = h.stats();
  let caught: unknown = null;
  try {
    bad();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof cls, `expected ${cls.name}, got ${caught === null ? 'no error' : String(caught)}`);
  const e = caught as DoubleFreeError;
  assert.equal(e.name, cls.name);
  assert.equal(e.address, addr);
  assert.match(e.message, new RegExp(`0x${(addr >>> 0).toString(16).padStart(8, '0')}`));
  assert.deepEqual(h.checkHeap(), []);
  assert.deepEqual(h.stats(), before);
}

function pair(): [SharedHeap, SharedHeap] {
  const a = createSharedHeap({ maxBytes: 8 << 20, maxWorkers: 4 });
  return [a, attachSharedHeap(a.buffer as SharedArrayBuffer)];
}

describe('bad frees throw typed errors and change nothing', () => {
  it('double free by the owner, by another slot, and across slots', () => {
    const [a, b] = pair();
    const p = a.malloc(40);
    const q = a.malloc(40);
    const keep = a.malloc(40);
    a.free(p);
    rejects(a, () => a.free(p), DoubleFreeError, p);
    rejects(b, () => b.free(p), DoubleFreeError, p);
    b.free(q); // remote free: pending on the span's remote list
    rejects(b, () => b.free(q), DoubleFreeError, q);
    rejects(a, () => a.free(q), DoubleFreeError, q);
    rejects(a, () => a.realloc(q, 10), DoubleFreeError, q);
    assert.throws(() => a.usableSize(q), InvalidFreeError);
    assert.equal(a.usableSize(keep), 48);
  });

  it('interior, misaligned, never-allocated, metadata and outside pointers', () => {
    const [a, b] = pair();
    const p = a.malloc(100); // 112-byte class
    for (const h of [a, b]) {
      rejects(h, () => h.free(p + 16), InvalidFreeError, p + 16);
      rejects(h, () => h.free(p + 1), InvalidFreeError, p + 1);
      rejects(h, () => h.free(p + 8), InvalidFreeError, p + 8);
      rejects(h, () => h.free(p + 112 * 5), InvalidFreeError, p + 112 * 5); // a block of the span never handed out
      rejects(h, () => h.free(p - 1152), InvalidFreeError, p - 1152); // the span header (its first byte)
      rejects(h, () => h.free(p - 64), InvalidFreeError, p - 64); // the span header (its remote line)
      rejects(h, () => h.free(16), InvalidFreeError, 16); // heap metadata
      rejects(h, () => h.free(64 << 20), InvalidFreeError, 64 << 20); // beyond maxBytes
      rejects(h, () => h.free(a.stats().heapBytes + 65536), InvalidFreeError, a.stats().heapBytes + 65536);
      rejects(h, () => h.realloc(p + 16, 8), InvalidFreeError, p + 16);
      assert.throws(() => h.usableSize(p + 16), InvalidFreeError);
    }
    assert.throws(() => a.free(-16), InvalidFreeError);
    assert.throws(() => a.free(Number.NaN), InvalidFreeError);
    assert.throws(() => a.free(p + 0.5), InvalidFreeError);
    a.free(p);
    assert.deepEqual(a.checkHeap(), []);
  });

  it('large blocks: interior and double free, from either handle; a free page is not a block', () => {
    const [a, b] = pair();
    const big = a.malloc(200_000);
    assert.equal(big % 65536, 0);
    assert.equal(a.usableSize(big), 4 * 65536);
    rejects(a, () => a.free(big + 16), InvalidFreeError, big + 16);
    rejects(b, () => b.free(big + 65536), InvalidFreeError, big + 65536);
    b.free(big);
    rejects(a, () => a.free(big), DoubleFreeError, big);
    rejects(b, () => b.free(big + 65536), InvalidFreeError, big + 65536);
  });
});

describe('sizes and edges', () => {
  it('0, negative, NaN, Infinity, fractional and absurd sizes', () => {
    const h = createSharedHeap({ maxBytes: 4 << 20 });
    assert.equal(h.malloc(0), 0);
    for (const n of [-1, Number.NaN, Infinity, -Infinity, 16.5, 0.25]) {
      h.lastError = null;
      assert.equal(h.malloc(n), 0);
      assert.equal(h.lastError, 'EINVAL');
    }
    for (const n of [(4 << 20) + 1, 2 ** 32, 2 ** 53]) {
      h.lastError = null;
      assert.equal(h.malloc(n), 0);
      assert.equal(h.lastError, 'ENOMEM');
    }
    assert.equal(h.calloc(1.5, 4), 0, 'fractional counts are EINVAL too');
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.realloc(h.malloc(8), 9.5), 0);
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.calloc(2 ** 20, 2 ** 20), 0);
    assert.equal(h.lastError, 'ENOMEM');
    assert.equal(h.alignedAlloc(3, 8), 0);
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.alignedAlloc(1 << 17, 8), 0);
    for (const a of [32, 64, 128, 256, 4096, 65536]) {
      const p = h.alignedAlloc(a, 40);
      assert.equal(p % a, 0, `alignedAlloc(${a})`);
      h.free(p);
    }
    assert.equal(h.realloc(0, 24) > 0, true);
    assert.deepEqual(h.checkHeap(), []);
  });

  it('a 4 GiB heap: the page map covers 65535 pages, requests past the end fail with ENOMEM', () => {
    const h = createSharedHeap({ maxBytes: 2 ** 32 });
    assert.equal(h.memory.maxBytes, 2 ** 32 - 65536);
    for (const n of [2 ** 32 - 1, 2 ** 32 - 65536 + 1]) {
      assert.equal(h.malloc(n), 0);
      assert.equal(h.lastError, 'ENOMEM');
    }
    const p = h.malloc(100);
    assert.ok(p > 0);
    h.free(p);
    assert.deepEqual(h.checkHeap(), []);
  });

  it('growth by one handle is seen by another (frees beyond its old view work)', () => {
    const [a, b] = pair();
    const cap0 = b.memory.capacity;
    const ps: number[] = [];
    for (let i = 0; i < 2000; i++) ps.push(a.malloc(1000));
    assert.ok(a.buffer.byteLength > cap0, 'the buffer grew');
    assert.equal(b.memory.capacity, cap0, "b's views are still the old length");
    for (const p of ps) b.free(p);
    assert.ok(b.memory.capacity > cap0);
    const q = b.malloc(50_000);
    assert.ok(q > 0);
    assert.deepEqual(a.checkHeap(), []);
    const s = a.stats();
    assert.equal(s.liveBlocks, 1);
    assert.ok(s.highWater >= s.heapBytes && s.heapBytes >= 2000 * 1024);
  });

  it('exhaustion is ENOMEM; after freeing, the pages serve other size classes', () => {
    const h = createSharedHeap({ maxBytes: 2 << 20, maxWorkers: 2 });
    const ps: number[] = [];
    for (;;) {
      const p = h.malloc(48);
      if (p === 0) break;
      ps.push(p);
    }
    assert.equal(h.lastError, 'ENOMEM');
    assert.ok(ps.length > 20000);
    for (const p of ps) h.free(p);
    const big = h.malloc(1 << 20);
    assert.ok(big > 0, 'the freed spans went back to the page pool');
    assert.deepEqual(h.checkHeap(), []);
  });
});

describe('slots, close and adoption', () => {
  it('all slots taken → RangeError; a closed handle throws; its slot and memory are adopted', () => {
    const a = createSharedHeap({ maxBytes: 4 << 20, maxWorkers: 2 });
    const b = attachSharedHeap(a.buffer as SharedArrayBuffer);
    assert.equal(b.slot, 1);
    assert.throws(() => attachSharedHeap(a.buffer as SharedArrayBuffer), RangeError);
    const ps = Array.from({ length: 300 }, () => b.malloc(64));
    for (let i = 0; i < 150; i++) a.free(ps[i]!); // remote frees into b's spans
    b.close();
    assert.throws(() => b.malloc(8), /closed/);
    const c = attachSharedHeap(a.buffer as SharedArrayBuffer);
    assert.equal(c.slot, 1, 'the abandoned slot is adopted');
    for (let i = 150; i < 300; i++) c.free(ps[i]!); // now local frees
    const again = Array.from({ length: 300 }, () => c.malloc(64));
    assert.ok(again.every((p) => p > 0));
    assert.equal(new Set(again).size, 300);
    assert.deepEqual(a.checkHeap(), []);
    assert.equal(a.stats().liveBlocks, 300);
  });

  it('attaching through a memory another handle uses gives the new handle its own views', () => {
    const a = createSharedHeap({ maxBytes: 16 << 20 });
    const b = attachSharedMemory(a.memory);
    assert.notEqual(b.memory, a.memory);
    const ps = Array.from({ length: 3000 }, () => b.malloc(1000)); // b grows the buffer
    for (const p of ps) a.free(p);
    assert.ok(a.malloc(100) > 0);
    assert.deepEqual(a.checkHeap(), []);
  });

  it('a handle attached through a memory that read the buffer before another handle grew it sees the whole heap', () => {
    // the race the torture run hit under load: the memory is made, another worker grows the heap, then the handle is built
    const a = createSharedHeap({ maxBytes: 64 << 20 });
    const mem = new LinearMemory({ memory: a.buffer as SharedArrayBuffer });
    const before = mem.u8.length;
    const big = a.malloc(before); // its pages lie beyond what `mem` can see
    assert.ok(big > 0 && a.buffer.byteLength > before, 'the heap grew past the view the memory read');
    const smalls: number[] = [];
    while (smalls.length < 4000 && (smalls.length === 0 || smalls[smalls.length - 1]! < a.buffer.byteLength - (1 << 16))) smalls.push(a.malloc(48));
    const far = smalls.filter((p) => p >= before);
    assert.ok(far.length > 0, 'some small blocks lie beyond the old view');
    const b = attachSharedMemory(mem);
    assert.equal(b.usableSize(big), a.usableSize(big));
    for (const p of far) assert.equal(b.usableSize(p), 48);
    for (const p of far) b.free(p); // cross-slot frees of blocks beyond the memory's first view
    b.free(big);
    const q = b.malloc(100_000);
    assert.ok(q > 0);
    assert.equal(b.usableSize(q) >= 100_000, true);
    assert.deepEqual(a.checkHeap(), []);
    assert.equal(a.stats().liveBlocks, smalls.length - far.length + 1);
  });

  it('isSharedHeap and attach reject other buffers', () => {
    assert.equal(isSharedHeap(new SharedArrayBuffer(1024)), false);
    assert.equal(isSharedHeap(new ArrayBuffer(1024)), false);
    assert.equal(isSharedHeap(createHeap({ memory: new SharedArrayBuffer(1 << 16) }).buffer), false);
    assert.equal(isSharedHeap(createSharedHeap({ maxBytes: 1 << 20 }).buffer), true);
    assert.throws(() => attachSharedHeap(new SharedArrayBuffer(1 << 16)), TypeError);
    assert.equal(new Uint32Array(createSharedHeap({ maxBytes: 1 << 20 }).buffer, 0, 1)[0], SHARED_HEAP_MAGIC);
  });

  it('createHeap / attachHeap dispatch to the shared allocator by preset name and magic word', () => {
    if (!allocatorNames.includes('shared')) registerAllocatorFamily(sharedAllocatorFamily);
    const SAB = SharedArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => SharedArrayBuffer;
    const sab = new SAB(1 << 16, { maxByteLength: 16 << 20 });
    const h = createHeap({ allocator: 'shared', memory: sab });
    assert.equal(h.name, 'shared');
    const p = h.malloc(100);
    const other = attachHeap(sab);
    assert.equal(other.name, 'shared');
    assert.equal((other as SharedHeap).slot, 1);
    other.free(p);
    assert.deepEqual(h.checkHeap(), []);
    assert.equal(h.stats().liveBlocks, 0);
    // without a memory, createHeap makes a growable SharedArrayBuffer for it
    const own = createHeap({ allocator: 'shared' });
    assert.ok(own.buffer instanceof SharedArrayBuffer && own.buffer.growable);
    assert.notEqual(own.malloc(10), 0);
    assert.throws(() => createHeap({ allocator: 'shared', memory: new ArrayBuffer(1 << 20) }), RangeError, 'a private ArrayBuffer cannot hold a shared heap');
  });
});
