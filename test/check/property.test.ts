/**
 * property.test.ts — the debug heap under the allocators' property-based suite (random malloc/free/realloc/
 * calloc/alignedAlloc against the model, checkHeap() and check() empty after every step), and random
 * planted overflows / writes after free that must each produce exactly the right report.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createDebugHeap } from '../../src/index.js';
import { Model } from '../alloc/model.js';

const size = fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 9000 }));
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('malloc' as const), n: size }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('free' as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('realloc' as const), i: fc.nat(), n: size }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('calloc' as const), n: fc.integer({ min: 0, max: 40 }), s: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('aligned' as const), a: fc.constantFrom(8, 16, 32, 64, 256, 4096), n: size }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('access' as const), i: fc.nat(), at: fc.nat() }) },
);

const presets = ['tlsf', 'segregated', 'implicit-first', 'explicit-deferred'];

for (const align of [16, 8] as const) {
  describe(`debug heap against the model (align ${align})`, () => {
    for (const allocator of presets) {
      it(`over ${allocator}: no report, no violation, payloads intact after every step`, () => {
        fc.assert(
          fc.property(fc.array(op, { maxLength: 60 }), fc.constantFrom(0, 512, 1 << 20), (ops, quarantineBytes) => {
            const heap = createDebugHeap({ allocator, align, quarantineBytes });
            const model = new Model(heap);
            for (const o of ops) {
              if (o.k === 'malloc') model.malloc(o.n);
              else if (o.k === 'free') model.free(o.i);
              else if (o.k === 'realloc') model.realloc(o.i, o.n);
              else if (o.k === 'calloc') model.calloc(o.n, o.s);
              else if (o.k === 'aligned') model.aligned(o.a, o.n);
              else if (model.live.length > 0) {
                // checked accesses anywhere inside a live payload are never reported
                const b = model.live[o.i % model.live.length]!;
                const a = b.p + (o.at % b.n);
                const v = heap.load8(a);
                heap.store8(a, v);
                if (a + 4 <= b.p + b.n) heap.store32(a, heap.load32(a));
                if (a + 8 <= b.p + b.n) heap.storeF64(a, heap.loadF64(a));
              }
              model.check();
              assert.deepEqual(heap.check(), []);
            }
            while (model.live.length > 0) model.free(0);
            model.check();
            assert.deepEqual(heap.check(), []);
            assert.deepEqual(heap.leaks(), []);
          }),
          { numRuns: align === 16 ? 40 : 15 },
        );
      });
    }
  });
}

describe('planted bugs at random places', () => {
  it('a plain write k bytes past or before a random block gives exactly one report with that address and offset', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }),
        fc.nat(),
        fc.integer({ min: 0, max: 15 }),
        fc.boolean(),
        (sizes, pick, k, after) => {
          const heap = createDebugHeap();
          const ps = sizes.map((n) => heap.malloc(n));
          const i = pick % ps.length;
          const p = ps[i]!;
          const n = sizes[i]!;
          const a = after ? p + n + k : p - 1 - k;
          const u8 = new Uint8Array(heap.buffer);
          u8[a] = u8[a]! ^ 0x55;
          const rs = heap.check();
          assert.equal(rs.length, 1);
          assert.equal(rs[0]!.kind, after ? 'heap-buffer-overflow' : 'heap-buffer-underflow');
          assert.equal(rs[0]!.address, a);
          assert.equal(rs[0]!.block, p);
          assert.equal(rs[0]!.offset, a - p);
          // the same bug through a checked store is reported at once, again exactly once
          heap.store8(a, 0);
          const rs2 = heap.check();
          assert.equal(rs2.length, 1);
          assert.equal(rs2[0]!.address, a);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a plain write into a random freed block gives exactly one use-after-free report', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 20 }), fc.nat(), fc.nat(), (sizes, pick, off) => {
        const heap = createDebugHeap();
        const ps = sizes.map((n) => heap.malloc(n));
        const i = pick % ps.length;
        heap.free(ps[i]!);
        const a = ps[i]! + (off % sizes[i]!);
        new Uint8Array(heap.buffer)[a] = 0;
        const rs = heap.check();
        assert.equal(rs.length, 1);
        assert.equal(rs[0]!.kind, 'heap-use-after-free');
        assert.equal(rs[0]!.address, a);
        heap.load8(a);
        assert.equal(heap.check()[0]?.kind, 'heap-use-after-free');
      }),
      { numRuns: 150 },
    );
  });
});
