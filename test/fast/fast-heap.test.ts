/**
 * fast-heap.test.ts — the fast allocator against a model (fast-check), its error paths, boundaries and attach.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { createFastHeap, attachFastHeap, FAST_MAGIC } from '../../src/alloc/fast/index.js';
import type { Allocator } from '../../src/alloc/allocator.js';

type Op =
  | { k: 'malloc'; n: number }
  | { k: 'calloc'; n: number; s: number }
  | { k: 'aligned'; a: number; n: number }
  | { k: 'free'; i: number }
  | { k: 'realloc'; i: number; n: number };

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 64 }) },
  { weight: 3, arbitrary: fc.integer({ min: 65, max: 600 }) },
  { weight: 1, arbitrary: fc.integer({ min: 601, max: 20000 }) },
);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: size.map((n) => ({ k: 'malloc' as const, n })) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('calloc' as const), n: fc.integer({ min: 0, max: 20 }), s: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('aligned' as const), a: fc.constantFrom(8, 16, 32, 64, 256, 4096), n: size }) },
  { weight: 4, arbitrary: fc.nat().map((i) => ({ k: 'free' as const, i })) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('realloc' as const), i: fc.nat(), n: fc.oneof(size, fc.constant(0)) }) },
);

interface Live { p: number; n: number; tag: number }

function fill(h: Allocator, b: Live): void {
  new Uint8Array(h.buffer).fill(b.tag, b.p, b.p + b.n);
}
function intact(h: Allocator, b: Live, upTo = b.n): boolean {
  const u8 = new Uint8Array(h.buffer);
  for (let i = 0; i < upTo; i++) if (u8[b.p + i] !== b.tag) return false;
  return true;
}

function runModel(ops: Op[], align: 8 | 16, pages: boolean, attachEvery = 0): void {
  let h = createFastHeap(new LinearMemory({ maxBytes: 1 << 22 }), { align, pages });
  const live: Live[] = [];
  let tag = 1;
  const add = (p: number, n: number): void => {
    assert.ok(p > 0, 'allocation failed');
    assert.equal(p % align, 0, `pointer ${p} not ${align}-aligned`);
    assert.ok(h.usableSize(p) >= n, 'usable size below request');
    for (const b of live) assert.ok(p + n <= b.p || b.p + b.n <= p, `block ${p}+${n} overlaps ${b.p}+${b.n}`);
    const b = { p, n, tag: (tag++ % 250) + 1 };
    fill(h, b);
    live.push(b);
  };
  let step = 0;
  for (const op of ops) {
    step++;
    if (op.k === 'malloc') add(h.malloc(op.n), op.n);
    else if (op.k === 'calloc') {
      const p = h.calloc(op.n, op.s);
      if (op.n * op.s === 0) assert.equal(p, 0);
      else {
        const u8 = new Uint8Array(h.buffer);
        for (let i = 0; i < op.n * op.s; i++) assert.equal(u8[p + i], 0, `calloc byte ${i} not zero`);
        add(p, op.n * op.s);
      }
    } else if (op.k === 'aligned') {
      const p = h.alignedAlloc(op.a, op.n);
      assert.equal(p % op.a, 0, `alignedAlloc(${op.a}) gave ${p}`);
      add(p, op.n);
    } else if (live.length > 0) {
      const j = op.i % live.length;
      const b = live[j];
      assert.ok(intact(h, b), `payload of ${b.p} damaged before step ${step}`);
      if (op.k === 'free') {
        h.free(b.p);
        live.splice(j, 1);
      } else {
        live.splice(j, 1);
        const q = h.realloc(b.p, op.n);
        if (op.n === 0) assert.equal(q, 0);
        else {
          const nb = { p: q, n: op.n, tag: b.tag };
          assert.ok(intact(h, nb, Math.min(b.n, op.n)), 'realloc lost bytes');
          add(q, op.n);
        }
      }
    }
    const v = h.checkHeap();
    assert.deepEqual(v, [], `checkHeap after step ${step} (${JSON.stringify(op)})`);
    if (attachEvery > 0 && step % attachEvery === 0) {
      const copy = (h.buffer as ArrayBuffer).slice(0);
      h = attachFastHeap(new LinearMemory({ memory: copy, maxBytes: copy.byteLength }));
      assert.deepEqual(h.checkHeap(), []);
    }
  }
  const st = h.stats();
  assert.equal(st.liveBlocks, live.length);
  for (const b of live) assert.ok(intact(h, b));
  for (const b of live) h.free(b.p);
  assert.deepEqual(h.checkHeap(), []);
  assert.equal(h.stats().liveBlocks, 0);
}

test('model: random malloc/calloc/alignedAlloc/realloc/free, checkHeap after every step (align 16, pages)', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => runModel(ops, 16, true)), { numRuns: 120 });
});

test('model: align 8, with and without pages', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 100 }), fc.boolean(), (ops, pages) => runModel(ops, 8, pages)), { numRuns: 80 });
});

test('model: the heap survives being copied and re-attached mid-sequence', () => {
  fc.assert(fc.property(fc.array(opArb, { maxLength: 80 }), (ops) => runModel(ops, 16, true, 17)), { numRuns: 40 });
});

test('stress: 20k random ops on many small and some large blocks keep the heap consistent', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16 });
  const live: number[] = [];
  let seed = 12345;
  const rnd = (m: number): number => ((seed = (seed * 1103515245 + 12345) >>> 0) % m);
  for (let i = 0; i < 20000; i++) {
    const r = rnd(10);
    if (r < 5 || live.length === 0) live.push(h.malloc(rnd(8) === 0 ? 1 + rnd(5000) : 1 + rnd(300)));
    else if (r < 8) h.free(live.splice(rnd(live.length), 1)[0]);
    else {
      const j = rnd(live.length);
      live[j] = h.realloc(live[j], 1 + rnd(2000));
    }
    assert.ok(live[live.length - 1] !== 0);
  }
  assert.deepEqual(h.checkHeap(), []);
  assert.equal(h.stats().liveBlocks, live.length);
});

function snapshot(h: Allocator): Uint8Array {
  return new Uint8Array(h.buffer.slice(0, h.memory.brk));
}

test('every kind of bad free throws a typed error naming the address and leaves the heap unchanged', () => {
  for (const pages of [true, false]) {
    const h = createFastHeap(new LinearMemory(), { align: 16, pages });
    const a = h.malloc(100);
    const b = h.malloc(16); // a page slot when pages are on
    const c = h.malloc(5000);
    h.free(a);
    const cases: Array<[number, string]> = [
      [a, 'DoubleFreeError'], // double free of a general block
      [c + 16, 'InvalidFreeError'], // interior pointer
      [c + 8, 'InvalidFreeError'], // misaligned
      [b + 16, 'InvalidFreeError'], // never allocated (next slot of a page, or interior)
      [h.memory.brk + 64, 'InvalidFreeError'], // outside, above the heap
      [-16, 'InvalidFreeError'], // outside, negative
      [3.5, 'InvalidFreeError'], // not an address
      [8, 'InvalidFreeError'], // inside the control block
    ];
    for (const [p, name] of cases) {
      const before = snapshot(h);
      for (const call of [() => h.free(p), () => h.realloc(p, 10), () => h.usableSize(p)]) {
        assert.throws(call, (e: Error) => {
          assert.equal(e.name, name, `${name} for ${p} (pages ${pages}), got ${e.name}: ${e.message}`);
          if (p > 0 && Number.isInteger(p)) assert.match(e.message, new RegExp('0x' + (p >>> 0).toString(16).padStart(8, '0')));
          return true;
        });
      }
      assert.deepEqual(snapshot(h), before, `heap changed by a bad free of ${p}`);
      assert.deepEqual(h.checkHeap(), []);
    }
    h.free(b);
    assert.throws(() => h.free(b), { name: 'DoubleFreeError' }); // double free of a slot
    // The heap still works.
    const d = h.malloc(100);
    assert.ok(d > 0);
    h.free(d);
    h.free(c);
    h.free(0);
    assert.deepEqual(h.checkHeap(), []);
  }
});

test('bad sizes return 0 with EINVAL/ENOMEM and never throw; malloc(0) is 0', () => {
  const h = createFastHeap(new LinearMemory({ maxBytes: 1 << 20 }), { align: 16 });
  assert.equal(h.malloc(0), 0);
  for (const [n, err] of [[-1, 'EINVAL'], [1.5, 'EINVAL'], [NaN, 'EINVAL'], [Infinity, 'EINVAL'], [8.4e16, 'ENOMEM'], [2 ** 32, 'ENOMEM'], [2 ** 32 - 1, 'ENOMEM'], [(1 << 20) + 1, 'ENOMEM']] as const) {
    h.lastError = null;
    assert.equal(h.malloc(n), 0, `malloc(${n})`);
    assert.equal(h.lastError, err, `malloc(${n}) errno`);
    h.lastError = null;
    assert.equal(h.alignedAlloc(64, n), 0);
    assert.equal(h.lastError, err);
  }
  h.lastError = null;
  assert.equal(h.calloc(2 ** 27, 2 ** 27), 0, 'calloc overflow');
  assert.equal(h.lastError, 'ENOMEM');
  assert.equal(h.calloc(-1, 4), 0);
  assert.equal(h.lastError, 'EINVAL');
  for (const al of [0, 3, 24, 131072, -16, 1.5]) {
    h.lastError = null;
    assert.equal(h.alignedAlloc(al, 10), 0, `alignedAlloc(${al})`);
    assert.equal(h.lastError, 'EINVAL');
  }
  const p = h.malloc(100);
  new Uint8Array(h.buffer).fill(7, p, p + 100);
  for (const n of [-5, 0.5, 8.4e16, 1 << 21]) {
    assert.equal(h.realloc(p, n), 0, `realloc(p, ${n})`);
    assert.ok(new Uint8Array(h.buffer).subarray(p, p + 100).every((x) => x === 7), 'old block intact after failed realloc');
  }
  assert.equal(h.usableSize(p) >= 100, true);
  assert.deepEqual(h.checkHeap(), []);
});

test('growth up to maxBytes then clean ENOMEM; freed memory is reused', () => {
  const h = createFastHeap(new LinearMemory({ maxBytes: 1 << 20 }), { align: 16 });
  const ps: number[] = [];
  for (;;) {
    const p = h.malloc(1000);
    if (p === 0) break;
    ps.push(p);
  }
  assert.equal(h.lastError, 'ENOMEM');
  assert.ok(h.stats().highWater <= 1 << 20);
  assert.ok(ps.length > 1000);
  assert.deepEqual(h.checkHeap(), []);
  for (const p of ps) h.free(p);
  const st = h.stats();
  assert.equal(st.liveBlocks, 0);
  assert.equal(st.freeBlocks, 1, 'everything coalesced');
  assert.ok(h.malloc(500_000) > 0);
});

test('the 4 GiB edge: a 3 GiB block in a resizable buffer, sizes past 4 GiB refused', () => {
  let buf: ArrayBuffer;
  try {
    buf = new (ArrayBuffer as unknown as new (n: number, o: { maxByteLength: number }) => ArrayBuffer)(1 << 16, { maxByteLength: 2 ** 32 - 65536 });
  } catch {
    return; // no resizable buffers here: nothing to test
  }
  const mem = new LinearMemory({ memory: buf });
  if (mem.maxBytes < 2 ** 32 - 65536) return;
  const h = createFastHeap(mem, { align: 16 });
  const big = 3 * 2 ** 30;
  const p = h.malloc(big);
  if (p === 0) return; // the machine refused to reserve 3 GiB
  assert.ok(p + big <= 2 ** 32);
  assert.equal(h.usableSize(p) >= big, true);
  assert.equal(h.malloc(2 ** 30), 0, 'no room for another GiB below 4 GiB');
  assert.equal(h.lastError, 'ENOMEM');
  const q = h.malloc(100);
  assert.ok(q > 0);
  assert.deepEqual(h.checkHeap(), []);
  h.free(p);
  h.free(q);
  assert.equal(h.stats().freeBlocks, 1);
});

test('realloc: shrinks in place, grows into a free neighbour and at the heap end, else moves', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16, pages: false });
  const a = h.malloc(1000);
  const b = h.malloc(1000);
  const c = h.malloc(1000);
  assert.equal(h.realloc(a, 500), a, 'shrink in place');
  assert.equal(h.realloc(a, 1000), a, 'grow back into the split-off tail');
  h.free(b);
  assert.equal(h.realloc(a, 2000), a, 'grow into the free neighbour');
  const hw = h.stats().highWater;
  assert.equal(h.realloc(c, 100_000), c, 'grow at the heap end');
  assert.ok(h.stats().highWater - hw < 100_000, 'heap grew only by what was missing');
  const d = h.malloc(100);
  new Uint8Array(h.buffer).fill(9, a, a + 2000);
  const a2 = h.realloc(a, 200_000);
  assert.notEqual(a2, a, 'no room: moves');
  assert.ok(new Uint8Array(h.buffer).subarray(a2, a2 + 2000).every((x) => x === 9));
  assert.throws(() => h.free(a), { name: 'DoubleFreeError' });
  h.free(d);
  assert.deepEqual(h.checkHeap(), []);
});

test('calloc zeroes reused memory', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16 });
  for (const n of [16, 64, 200, 3000]) {
    const p = h.malloc(n);
    new Uint8Array(h.buffer).fill(0xff, p, p + n);
    h.free(p);
    const q = h.calloc(1, n);
    assert.ok(new Uint8Array(h.buffer).subarray(q, q + n).every((x) => x === 0), `calloc(${n})`);
  }
});

test('attach: the magic word is at the base; a copied buffer re-opens with the same blocks and continues', () => {
  const buf = new ArrayBuffer(1 << 20);
  const h = createFastHeap(new LinearMemory({ memory: buf, base: 64 }), { align: 16 });
  assert.equal(new Uint32Array(buf)[16], FAST_MAGIC);
  const ps = [h.malloc(16), h.malloc(48), h.malloc(500), h.malloc(7000), h.malloc(13)];
  h.free(ps[2]);
  const copy = buf.slice(0);
  const g = attachFastHeap(new LinearMemory({ memory: copy, base: 64 }));
  assert.deepEqual(g.checkHeap(), []);
  assert.deepEqual(g.stats(), h.stats());
  assert.equal(g.usableSize(ps[3]), h.usableSize(ps[3]));
  g.free(ps[0]);
  g.free(ps[4]);
  assert.throws(() => g.free(ps[0]), { name: 'DoubleFreeError' });
  assert.throws(() => g.free(ps[2]), (e: Error) => e.name === 'InvalidFreeError' || e.name === 'DoubleFreeError');
  const q = g.malloc(300);
  assert.ok(q > 0);
  assert.deepEqual(g.checkHeap(), []);
  assert.throws(() => attachFastHeap(new LinearMemory({ memory: new ArrayBuffer(65536) })), { name: 'HeapCorruptionError' });
});

test('checkHeap reports corruption with addresses', () => {
  const h = createFastHeap(new LinearMemory(), { align: 16, pages: false });
  const a = h.malloc(100);
  const b = h.malloc(100);
  h.malloc(100);
  h.free(b);
  const u32 = new Uint32Array(h.buffer);
  u32[(b - 4 + 112 - 4) >>> 2] = 12345; // damage b's footer
  const v = h.checkHeap();
  assert.ok(v.some((x) => /footer/.test(x.message) && x.address === b - 4 + 112 - 4), JSON.stringify(v));
  u32[(a - 4) >>> 2] = 0xffff0001; // absurd size
  assert.ok(h.checkHeap().some((x) => x.address === a - 4));
});

test('calloc zeroes memory a previous user of the buffer left dirty (owned, given ArrayBuffer)', () => {
  const owned = new LinearMemory();
  owned.sbrk(40_000);
  owned.u8.fill(0xff);
  const given = new ArrayBuffer(1 << 17);
  new Uint8Array(given).fill(0xee);
  for (const mem of [owned, new LinearMemory({ memory: given })]) {
    const h = createFastHeap(mem, { align: 16 });
    for (const n of [20, 5000, 30_000]) {
      const p = h.calloc(1, n);
      assert.ok(p > 0);
      assert.ok(new Uint8Array(h.buffer).subarray(p, p + n).every((x) => x === 0), `calloc(${n}) not zero`);
    }
    assert.deepEqual(h.checkHeap(), []);
  }
});
