/**
 * debug-heap.test.ts — each bug class planted in a small program and caught with the right report
 * (kind, address, block, offset, sites), the reporting policies, and the Allocator contract of the debug heap.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocatorNames, createDebugHeap, DoubleFreeError, InvalidFreeError, MemoryAccessError, type MemoryReport } from '../../src/index.js';

function only(reports: MemoryReport[]): MemoryReport {
  assert.equal(reports.length, 1, `expected one report, got ${reports.length}: ${reports.map((r) => r.kind).join(', ')}`);
  return reports[0]!;
}

// Named functions so the captured sites can be recognised.
function allocateRecord(h: ReturnType<typeof createDebugHeap>, n: number): number {
  return h.malloc(n);
}
function releaseRecord(h: ReturnType<typeof createDebugHeap>, p: number): void {
  h.free(p);
}

describe('heap-buffer-overflow', () => {
  it('a one-byte plain write past malloc(24) is found by check(), with block, offset and allocation site', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = allocateRecord(h, 24);
    const u8 = new Uint8Array(h.buffer);
    u8[p + 23] = 7; // last byte: fine
    assert.deepEqual(h.check(), []);
    u8[p + 24] = 7; // one past the end
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-overflow');
    assert.equal(r.address, p + 24);
    assert.equal(r.block, p);
    assert.equal(r.offset, 24);
    assert.equal(r.size, 24);
    assert.equal(r.detectedBy, 'check');
    assert.match(r.allocatedAt!, /allocateRecord/);
    assert.match(r.message, /heap-buffer-overflow on address 0x/);
    assert.match(r.message, /0 bytes to the right of 24-byte region/);
    assert.match(r.message, /Shadow bytes around the buggy address/);
    assert.match(r.message, /\[fb\]/, 'the shadow dump marks the faulting granule');
    assert.deepEqual(h.check(), [], 'a damaged canary is reported once, then repaired');
  });

  it('a checked store one byte past the end is reported at once and not performed', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = h.malloc(24);
    h.store8(p + 23, 1);
    h.store8(p + 24, 9);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-overflow');
    assert.equal(r.address, p + 24);
    assert.equal(r.detectedBy, 'write');
    assert.equal(r.accessSize, 1);
    assert.match(r.at!, /debug-heap\.test\.ts/, 'the faulting access site is the test');
    assert.match(r.message, /WRITE of size 1/);
    assert.notEqual(new Uint8Array(h.buffer)[p + 24], 9);
  });

  it('a 4-byte checked load straddling the end is reported at the first bad byte; loads of odd sizes work everywhere inside', () => {
    const h = createDebugHeap();
    const p = h.malloc(13);
    for (let i = 0; i < 13; i++) h.store8(p + i, i + 1);
    assert.equal(h.load8(p + 12), 13);
    assert.equal(h.load16(p + 11), 12 | (13 << 8));
    assert.equal(h.load32(p + 9), (10 | (11 << 8) | (12 << 16) | (13 << 24)) >>> 0);
    assert.deepEqual(h.check(), []);
    h.load32(p + 10);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-overflow');
    assert.equal(r.address, p + 13);
    assert.equal(r.offset, 13);
    assert.equal(r.detectedBy, 'read');
    assert.equal(r.accessSize, 4);
  });

  it('an overflow is reported at free and at realloc', () => {
    const h = createDebugHeap();
    const p = h.malloc(40);
    new Uint8Array(h.buffer)[p + 41] = 0;
    h.free(p);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-overflow');
    assert.equal(r.detectedBy, 'free');
    assert.equal(r.offset, 41);
    const q = h.malloc(8);
    new Uint8Array(h.buffer)[q + 8] = 0;
    const q2 = h.realloc(q, 100);
    assert.notEqual(q2, 0);
    const r2 = only(h.check());
    assert.equal(r2.kind, 'heap-buffer-overflow');
    assert.equal(r2.detectedBy, 'realloc');
    assert.equal(r2.address, q + 8);
  });

  it('copy() and view() check whole ranges', () => {
    const h = createDebugHeap();
    const a = h.malloc(32);
    const b = h.malloc(16);
    h.copy(a, b, 16);
    assert.deepEqual(h.check(), []);
    h.copy(b, a, 32);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-overflow');
    assert.equal(r.block, b);
    assert.equal(r.offset, 16);
    const v = h.view(a, 32);
    assert.equal(v.length, 32);
    assert.deepEqual(h.check(), []);
    h.view(a, 33);
    assert.equal(only(h.check()).address, a + 32);
  });
});

describe('heap-buffer-underflow', () => {
  it('a plain write one byte before the payload is found by check()', () => {
    const h = createDebugHeap();
    const p = h.malloc(64);
    new Uint8Array(h.buffer)[p - 1] = 0;
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-underflow');
    assert.equal(r.address, p - 1);
    assert.equal(r.offset, -1);
    assert.match(r.message, /1 bytes to the left of 64-byte region/);
  });

  it('a checked load before the payload is reported as underflow', () => {
    const h = createDebugHeap();
    const p = h.malloc(8);
    h.load32(p - 4);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-buffer-underflow');
    assert.equal(r.address, p - 4);
    assert.equal(r.block, p);
  });
});

describe('heap-use-after-free', () => {
  it('a checked read of a freed block is reported at once, with allocation and free sites', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = allocateRecord(h, 32);
    releaseRecord(h, p);
    h.load32(p + 8);
    const r = only(h.check());
    assert.equal(r.kind, 'heap-use-after-free');
    assert.equal(r.address, p + 8);
    assert.equal(r.block, p);
    assert.equal(r.offset, 8);
    assert.equal(r.detectedBy, 'read');
    assert.match(r.allocatedAt!, /allocateRecord/);
    assert.match(r.freedAt!, /releaseRecord/);
    assert.match(r.message, /8 bytes inside of 32-byte region/);
    assert.match(r.message, /freed by:[\s\S]*previously allocated by:/);
  });

  it('a plain write into a quarantined block is found by check()', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = h.malloc(100);
    h.free(p);
    new Uint8Array(h.buffer)[p + 50] = 1;
    const r = only(h.check());
    assert.equal(r.kind, 'heap-use-after-free');
    assert.equal(r.address, p + 50);
    assert.equal(r.detectedBy, 'check');
    assert.ok(r.freedAt !== undefined && r.allocatedAt !== undefined);
  });

  it('a plain write after free is found when the block leaves quarantine', () => {
    const h = createDebugHeap({ quarantineBytes: 256 });
    const p = h.malloc(100);
    h.free(p);
    new Uint8Array(h.buffer)[p] = 1;
    for (let i = 0; i < 4; i++) h.free(h.malloc(100)); // pushes p out of the 256-byte quarantine
    const r = only(h.check());
    assert.equal(r.kind, 'heap-use-after-free');
    assert.equal(r.detectedBy, 'quarantine');
    assert.equal(r.address, p);
  });

  it('quarantine holds freed memory back (FIFO, bounded in bytes) so a dangling pointer keeps hitting poison', () => {
    const h = createDebugHeap({ quarantineBytes: 4096 });
    const p = h.malloc(64);
    h.free(p);
    for (let i = 0; i < 10; i++) assert.notEqual(h.malloc(64), p, 'the freed block is not handed out again while quarantined');
    assert.ok(h.quarantinedBytes <= 4096);
    const q = createDebugHeap({ quarantineBytes: 0 });
    const a = q.malloc(64);
    q.free(a);
    assert.equal(q.quarantinedBlocks, 0);
  });
});

describe('double-free and invalid-free', () => {
  it('double free throws DoubleFreeError and records a report with all three sites', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = allocateRecord(h, 16);
    releaseRecord(h, p);
    assert.throws(
      () => h.free(p),
      (e: Error) => e.name === 'DoubleFreeError' && e instanceof DoubleFreeError && (e as DoubleFreeError).address === p,
    );
    const r = only(h.check());
    assert.equal(r.kind, 'double-free');
    assert.equal(r.address, p);
    assert.equal(r.block, p);
    assert.match(r.allocatedAt!, /allocateRecord/);
    assert.match(r.freedAt!, /releaseRecord/);
    assert.match(r.at!, /debug-heap\.test\.ts/);
    assert.deepEqual(h.checkHeap(), [], 'the heap is unchanged by the bad free');
  });

  it('realloc of a freed block is a double free with both sites', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = allocateRecord(h, 16);
    releaseRecord(h, p);
    assert.throws(() => h.realloc(p, 32), { name: 'DoubleFreeError' });
    const r = only(h.check());
    assert.equal(r.kind, 'double-free');
    assert.equal(r.detectedBy, 'realloc');
    assert.match(r.freedAt!, /releaseRecord/);
  });

  it('free of an interior pointer throws InvalidFreeError; the report names the block and offset', () => {
    const h = createDebugHeap({ captureStacks: true });
    const p = allocateRecord(h, 48);
    assert.throws(() => h.free(p + 8), (e: Error) => e instanceof InvalidFreeError && e.name === 'InvalidFreeError');
    const r = only(h.check());
    assert.equal(r.kind, 'invalid-free');
    assert.equal(r.address, p + 8);
    assert.equal(r.block, p);
    assert.equal(r.offset, 8);
    assert.match(r.allocatedAt!, /allocateRecord/);
    h.free(p); // the block is still live and intact
    assert.deepEqual(h.check(), []);
  });

  it('free of an address never allocated, and usableSize of a bad pointer, throw InvalidFreeError', () => {
    const h = createDebugHeap();
    assert.throws(() => h.free(12345 * 16), { name: 'InvalidFreeError' });
    assert.equal(only(h.check()).kind, 'invalid-free');
    assert.throws(() => h.usableSize(16), { name: 'InvalidFreeError' });
    assert.deepEqual(h.check(), [], 'usableSize does not record a report');
  });
});

describe('reporting policies', () => {
  it("'throw' raises MemoryAccessError for a bad access, and from check() for damage found by scanning", () => {
    const h = createDebugHeap({ onError: 'throw' });
    const p = h.malloc(8);
    assert.throws(() => h.load8(p + 8), (e: Error) => e instanceof MemoryAccessError && e.name === 'MemoryAccessError' && (e as MemoryAccessError).report.kind === 'heap-buffer-overflow');
    new Uint8Array(h.buffer)[p - 2] = 0;
    new Uint8Array(h.buffer)[p + 9] = 0;
    assert.throws(() => h.check(), (e: Error) => (e as MemoryAccessError).reports.length === 2);
  });

  it("'log' prints the report and continues; a function receives each report", () => {
    const logged: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void logged.push(a[0]);
    try {
      const h = createDebugHeap({ onError: 'log' });
      const p = h.malloc(8);
      h.store8(p + 8, 1);
      assert.equal(logged.length, 1);
      assert.match(String(logged[0]), /heap-buffer-overflow/);
      assert.equal(h.check().length, 1, 'logged reports are kept too');
    } finally {
      console.error = orig;
    }
    const seen: MemoryReport[] = [];
    const h2 = createDebugHeap({ onError: (r) => seen.push(r) });
    const q = h2.malloc(8);
    h2.free(q);
    h2.load8(q);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.kind, 'heap-use-after-free');
  });

  it('double and invalid frees throw their typed errors under every policy', () => {
    for (const onError of ['collect', 'log', 'throw'] as const) {
      const h = createDebugHeap({ onError });
      const p = h.malloc(8);
      h.free(p);
      const orig = console.error;
      console.error = () => {};
      try {
        assert.throws(() => h.free(p), { name: 'DoubleFreeError' });
        assert.throws(() => h.free(p + 1), { name: 'InvalidFreeError' });
      } finally {
        console.error = orig;
      }
    }
  });
});

describe('the Allocator contract of the debug heap', () => {
  for (const name of allocatorNames) {
    it(`${name}: aligned payloads, calloc zeroes, realloc keeps bytes, usableSize is the request, stats count requested bytes`, () => {
      const h = createDebugHeap({ allocator: name });
      assert.equal(h.name, 'debug:' + name);
      const ps: number[] = [];
      for (let n = 1; n < 300; n += 37) {
        const p = h.malloc(n);
        assert.equal(p % h.align, 0);
        assert.equal(h.usableSize(p), n);
        ps.push(p);
      }
      const c = h.calloc(10, 7);
      assert.ok(new Uint8Array(h.buffer, c, 70).every((b) => b === 0));
      const a = h.alignedAlloc(256, 10);
      assert.equal(a % 256, 0);
      h.store8(a + 9, 1);
      new Uint8Array(h.buffer).set([1, 2, 3, 4, 5], ps[3]!);
      const r = h.realloc(ps[3]!, 500);
      assert.deepEqual([...new Uint8Array(h.buffer, r, 5)], [1, 2, 3, 4, 5]);
      ps[3] = r;
      const st = h.stats();
      assert.equal(st.liveBlocks, ps.length + 2);
      assert.equal(st.liveBytes, ps.reduce((s, p) => s + h.usableSize(p), 0) + 70 + 10);
      assert.deepEqual(h.checkHeap(), []);
      assert.deepEqual(h.check(), []);
      for (const p of ps) h.free(p);
      h.free(c);
      h.free(a);
      assert.equal(h.stats().liveBlocks, 0);
      assert.deepEqual(h.check(), []);
      assert.deepEqual(h.checkHeap(), []);
    });
  }

  it('size 0, absurd sizes and NULL behave as the plain heap', () => {
    const h = createDebugHeap();
    assert.equal(h.malloc(0), 0);
    assert.equal(h.calloc(0, 8), 0);
    h.free(0);
    for (const n of [2 ** 32, 8.4e16]) {
      assert.equal(h.malloc(n), 0);
      assert.equal(h.lastError, 'ENOMEM');
    }
    assert.equal(h.malloc(-1), 0);
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.calloc(2 ** 20, 2 ** 20), 0);
    assert.equal(h.alignedAlloc(3, 8), 0);
    assert.equal(h.lastError, 'EINVAL');
    const p = h.realloc(0, 10);
    assert.notEqual(p, 0);
    assert.equal(h.realloc(p, 0), 0);
    assert.equal(h.stats().liveBlocks, 0);
    assert.deepEqual(h.check(), []);
  });

  it('out of memory: the quarantine is given back before failing', () => {
    const h = createDebugHeap({ maxBytes: 256 * 1024, quarantineBytes: 1 << 20 });
    for (let i = 0; i < 2000; i++) {
      const p = h.malloc(1000);
      assert.notEqual(p, 0, `allocation ${i} failed although at most one block is live`);
      h.free(p);
    }
    assert.deepEqual(h.check(), []);
  });

  it('keeps working across heap growth (buffer replaced, shadow extended)', () => {
    const h = createDebugHeap({ initialBytes: 65536 });
    const ps: number[] = [];
    for (let i = 0; i < 200; i++) ps.push(h.malloc(4000));
    const last = ps[ps.length - 1]!;
    h.store32(last + 3996, 0xdeadbeef);
    assert.equal(h.load32(last + 3996), 0xdeadbeef);
    h.store8(last + 4000, 1);
    assert.equal(only(h.check()).kind, 'heap-buffer-overflow');
    assert.deepEqual(h.checkHeap(), []);
  });

  it('wraps an existing heap, and larger redzones catch farther overflows', () => {
    const h = createDebugHeap({ redzone: 64 });
    const p = h.malloc(10);
    new Uint8Array(h.buffer)[p + 10 + 60] = 1;
    assert.equal(only(h.check()).offset, 70);
    const w = createDebugHeap({ allocator: h.inner });
    assert.equal(w.inner, h.inner);
    assert.throws(() => createDebugHeap({ redzone: 0 }), RangeError);
  });
});

describe('leaks()', () => {
  function makeNode(h: ReturnType<typeof createDebugHeap>): number {
    return h.malloc(32);
  }
  function makeBuffer(h: ReturnType<typeof createDebugHeap>): number {
    return h.malloc(100);
  }

  it('groups unfreed blocks by allocation site, most bytes first', () => {
    const h = createDebugHeap({ captureStacks: true });
    for (let i = 0; i < 5; i++) makeNode(h);
    const b = [makeBuffer(h), makeBuffer(h)];
    h.free(b[0]!);
    const g = h.leaks();
    assert.equal(g.length, 2);
    assert.deepEqual([g[0]!.count, g[0]!.bytes], [5, 160]);
    assert.match(g[0]!.site!, /makeNode/);
    assert.deepEqual([g[1]!.count, g[1]!.bytes], [1, 100]);
    assert.match(g[1]!.site!, /makeBuffer/);
  });

  it('without stacks, one group without a site', () => {
    const h = createDebugHeap();
    h.malloc(10);
    h.malloc(20);
    assert.deepEqual(h.leaks(), [{ count: 2, bytes: 30 }]);
  });
});

describe('memory backings', () => {
  const backings: Array<[string, () => ArrayBuffer | SharedArrayBuffer | WebAssembly.Memory]> = [
    ['resizable ArrayBuffer', () => new ArrayBuffer(1 << 16, { maxByteLength: 1 << 22 })],
    ['growable SharedArrayBuffer', () => new SharedArrayBuffer(1 << 16, { maxByteLength: 1 << 22 })],
    ['WebAssembly.Memory', () => new WebAssembly.Memory({ initial: 1, maximum: 64 })],
  ];
  for (const [label, make] of backings) {
    it(`${label}: growth keeps checked accessors and check() exact`, () => {
      const h = createDebugHeap({ memory: make() });
      const ps: number[] = [];
      for (let i = 0; i < 300; i++) ps.push(h.malloc(1000 + i));
      assert.ok(h.memory.growths > 0, 'the backing grew');
      for (const p of ps) h.storeF64(p + 992, p);
      for (const p of ps) assert.equal(h.loadF64(p + 992), p);
      assert.deepEqual(h.check(), []);
      const last = ps[ps.length - 1]!;
      new Uint8Array(h.buffer)[last + 1299] = 0; // 1299 = the size of the last block
      const r = only(h.check());
      assert.equal(r.kind, 'heap-buffer-overflow');
      assert.equal(r.offset, 1299);
      for (const p of ps) h.free(p);
      assert.deepEqual(h.check(), []);
      assert.deepEqual(h.checkHeap(), []);
    });
  }
});
