/**
 * offset-allocator.test.ts — the out-of-band offset allocator against a model, its errors and realloc paths.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createOffsetAllocator } from '../../src/alloc/offset/index.js';

test('model: random malloc/alignedAlloc/realloc/free never overlap, stay aligned and in range; checkHeap after every step', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('m' as const), n: fc.integer({ min: 0, max: 5000 }) }),
    fc.record({ k: fc.constant('a' as const), a: fc.constantFrom(16, 64, 256, 4096), n: fc.integer({ min: 1, max: 3000 }) }),
    fc.record({ k: fc.constant('f' as const), i: fc.nat() }),
    fc.record({ k: fc.constant('r' as const), i: fc.nat(), n: fc.integer({ min: 0, max: 8000 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 150 }), fc.constantFrom(1, 16, 256), (ops, align) => {
    const size = 1 << 18;
    const a = createOffsetAllocator({ size, align });
    const live = new Map<number, number>();
    const check = (o: number, n: number, al: number): void => {
      assert.ok(o > 0 && o + n <= size, `offset ${o}+${n} out of range`);
      assert.equal(o % al, 0);
      assert.ok(a.usableSize(o) >= n);
      for (const [p, m] of live) assert.ok(o + n <= p || p + m <= o, `${o}+${n} overlaps ${p}+${m}`);
      live.set(o, n);
    };
    for (const x of ops) {
      const keys = [...live.keys()];
      if (x.k === 'm') {
        const o = a.malloc(x.n);
        if (x.n === 0) assert.equal(o, 0);
        else if (o !== 0) check(o, x.n, align);
        else assert.equal(a.lastError, 'ENOMEM');
      } else if (x.k === 'a') {
        const o = a.alignedAlloc(x.a, x.n);
        if (o !== 0) check(o, x.n, Math.max(x.a, align));
      } else if (keys.length > 0) {
        const p = keys[x.i % keys.length];
        const old = live.get(p)!;
        live.delete(p);
        if (x.k === 'f') a.free(p);
        else {
          let moved: [number, number, number] | null = null;
          const q = a.realloc(p, x.n, (f, t, b) => (moved = [f, t, b]));
          if (x.n === 0) assert.equal(q, 0);
          else if (q === 0) live.set(p, old);
          else {
            if (q !== p) assert.deepEqual(moved![0], p);
            else assert.equal(moved, null);
            check(q, x.n, align);
          }
        }
      }
      assert.deepEqual(a.checkHeap(), []);
    }
    assert.equal(a.stats().liveBlocks, live.size);
    for (const p of live.keys()) a.free(p);
    const st = a.stats();
    assert.equal(st.freeBlocks, 1, 'all coalesced');
    assert.equal(st.liveBlocks, 0);
  }), { numRuns: 150 });
});

test('bad frees throw typed errors naming the offset and change nothing; bad sizes return 0', () => {
  const a = createOffsetAllocator({ size: 1 << 20, align: 256 });
  const p = a.malloc(1000);
  const q = a.malloc(1000);
  a.malloc(1000);
  a.free(q);
  const before = JSON.stringify(a.stats());
  assert.throws(() => a.free(q), { name: 'DoubleFreeError' });
  assert.throws(() => a.free(p + 256), { name: 'InvalidFreeError' });
  assert.throws(() => a.free(p + 3), /misaligned/);
  assert.throws(() => a.free(1 << 21), { name: 'InvalidFreeError' });
  assert.throws(() => a.realloc(-5, 10), { name: 'InvalidFreeError' });
  assert.throws(() => a.usableSize(q), (e: Error) => e.name === 'DoubleFreeError' && /0x/.test(e.message));
  assert.equal(JSON.stringify(a.stats()), before);
  assert.deepEqual(a.checkHeap(), []);
  a.free(0);
  for (const n of [-1, 1.5, NaN]) {
    assert.equal(a.malloc(n), 0);
    assert.equal(a.lastError, 'EINVAL');
  }
  assert.equal(a.malloc(1 << 21), 0);
  assert.equal(a.lastError, 'ENOMEM');
  assert.equal(a.alignedAlloc(3, 10), 0);
  assert.equal(a.lastError, 'EINVAL');
  assert.throws(() => createOffsetAllocator({ size: 0 }), RangeError);
});

test('fills the whole range, refuses beyond it, reuses freed space; realloc grows in place into a free neighbour', () => {
  const a = createOffsetAllocator({ size: 64 * 1024 + 16, align: 16 });
  const ps: number[] = [];
  for (let o = a.malloc(1024); o !== 0; o = a.malloc(1024)) ps.push(o);
  assert.equal(ps.length, 64);
  assert.equal(a.lastError, 'ENOMEM');
  a.free(ps[10]);
  assert.equal(a.malloc(1024), ps[10]);
  a.free(ps[21]);
  assert.equal(a.realloc(ps[20], 2048), ps[20], 'grew into the freed neighbour');
  assert.equal(a.realloc(ps[20], 100), ps[20], 'shrinks in place');
  assert.deepEqual(a.checkHeap(), []);
  const big = createOffsetAllocator({ size: 2 ** 32 });
  const g = big.malloc(3 * 2 ** 30);
  assert.ok(g > 0 && g + 3 * 2 ** 30 <= 2 ** 32);
  assert.equal(big.malloc(2 ** 30), 0);
  assert.deepEqual(big.checkHeap(), []);
});
