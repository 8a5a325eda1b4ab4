/**
 * collectors.test.ts — the shared suite: every registered collector (collectorNames()) runs every test here,
 * so a newly registered plan gets the whole suite for free. Covers the object model, roots, the barrier,
 * stress mode on the three workloads, random mutators against a model, large objects, growth, OOM,
 * mark-stack overflow and the verifier.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  collectorNames,
  createManagedHeap,
  describeCollector,
  GcOutOfMemoryError,
  InvalidTypeError,
  RootStackOverflowError,
  runBinaryTrees,
  runGcBench,
  runRandomGraph,
  graphChecksum,
  type ManagedHeapOptions,
} from '../../src/gc/index.js';

/** Small heaps so collections happen often. */
function small(collector: string, extra: Partial<ManagedHeapOptions> = {}) {
  return createManagedHeap({
    collector,
    maxBytes: 8 << 20,
    initialBytes: 128 * 1024,
    nurseryBytes: 128 * 1024,
    largeObjectBytes: 2048,
    ...extra,
  });
}

for (const name of collectorNames()) {
  const plan = describeCollector(name)!.create();
  describe(`collector ${name}`, () => {
    it('object model: records, arrays, raw data, sizes and zeroed fields', () => {
      const h = small(name);
      const R = h.defineRecord('R', 3, 12);
      const V = h.defineRefArray('V');
      const B = h.defineByteArray('B');
      const r = h.alloc(R);
      assert.equal(h.typeOf(r), R);
      assert.equal(h.sizeOf(r), 40); // header 8 + 3 refs 12 → raw at 24 (8-aligned), + 12 raw = 36 → 40
      assert.equal(r % 8, 0);
      for (let i = 0; i < 3; i++) assert.equal(h.getRef(r, i), 0);
      assert.equal(h.rawAddr(r) - r, 24);
      h.setI32(r, 0, -5);
      h.setI32(r, 8, 77);
      assert.equal(h.getI32(r, 0), -5);
      assert.equal(h.getI32(r, 8), 77);
      const v = h.allocArray(V, 5);
      assert.equal(h.length(v), 5);
      assert.equal(h.sizeOf(v), 16 + 20 + 4);
      for (let i = 0; i < 5; i++) assert.equal(h.getElem(v, i), 0);
      const b = h.allocArray(B, 24);
      assert.equal(h.dataAddr(b) % 8, 0);
      h.setF64(b, 2, Math.PI);
      assert.equal(h.getF64(b, 2), Math.PI);
      const e = h.allocArray(V, 0);
      assert.equal(h.length(e), 0);
      assert.equal(h.sizeOf(e), 16);
      const empty = h.defineRecord('Empty', 0, 0);
      assert.equal(h.sizeOf(h.alloc(empty)), 8);
      assert.deepEqual(h.verify(), []);
    });

    it('object model: bad type ids and array calls are typed errors', () => {
      const h = small(name);
      const R = h.defineRecord('R', 1);
      const V = h.defineRefArray('V');
      assert.throws(() => h.alloc(V), (e: Error) => e.name === 'InvalidTypeError');
      assert.throws(() => h.alloc(999), InvalidTypeError);
      assert.throws(() => h.allocArray(R, 3), InvalidTypeError);
      assert.throws(() => h.allocArray(V, -1), InvalidTypeError);
      assert.throws(() => h.allocArray(V, 1.5), InvalidTypeError);
      assert.throws(() => h.defineRecord('X', -1), InvalidTypeError);
      assert.deepEqual(h.verify(), []);
    });

    it('roots: slots survive collections and are rewritten when objects move', () => {
      const h = small(name);
      const R = h.defineRecord('R', 2, 8);
      const sp = h.sp;
      const slots: number[] = [];
      for (let i = 0; i < 50; i++) {
        const p = h.alloc(R);
        h.setI32(p, 0, i * 7);
        slots.push(h.push(p));
        for (let g = 0; g < 20; g++) h.alloc(R); // garbage between survivors
      }
      h.setRef(h.get(slots[0]!), 0, h.get(slots[1]!));
      h.collect();
      h.collectMinor();
      for (let i = 0; i < 50; i++) assert.equal(h.getI32(h.get(slots[i]!), 0), i * 7);
      assert.equal(h.getRef(h.get(slots[0]!), 0), h.get(slots[1]!));
      assert.deepEqual(h.verify(), []);
      h.popTo(sp);
      assert.equal(h.sp, sp);
      h.collect();
      assert.equal(h.stats().usedBytes, 0);
      assert.equal(h.scope(() => (h.push(h.alloc(R)), h.sp)), sp + 1);
      assert.equal(h.sp, sp);
      assert.throws(() => h.popTo(sp + 3), RootStackOverflowError);
    });

    it('roots: the shadow stack has a typed overflow', () => {
      const h = small(name, { rootSlots: 4 });
      for (let i = 0; i < 4; i++) h.push(0);
      assert.throws(() => h.push(0), (e: Error) => e.name === 'RootStackOverflowError');
    });

    it(`raw pointers: ${plan.movesObjects ? 'a moving plan relocates small objects; slots track them' : 'a non-moving plan keeps every address'}`, () => {
      const h = small(name);
      const R = h.defineRecord('R', 1, 8);
      for (let g = 0; g < 100; g++) h.alloc(R);
      const p = h.alloc(R);
      h.setI32(p, 0, 42);
      const s = h.push(p);
      h.collect();
      h.collect();
      if (!plan.movesObjects) assert.equal(h.get(s), p);
      assert.equal(h.getI32(h.get(s), 0), 42);
    });

    it('barrier: an old object pointing at a young one keeps it alive (remembered set complete)', () => {
      const h = small(name);
      const R = h.defineRecord('R', 1, 8);
      const old = h.push(h.alloc(R));
      h.collect();
      h.collect(); // now old in every plan
      for (let round = 0; round < 30; round++) {
        const y = h.alloc(R);
        h.setI32(y, 0, round);
        h.setRef(h.get(old), 0, y); // old → young store through the barrier
        assert.deepEqual(h.verify(), []);
        for (let g = 0; g < 200; g++) h.alloc(R); // fill the nursery: minor collections happen
        assert.equal(h.getI32(h.getRef(h.get(old), 0), 0), round);
      }
      if (plan.generational) assert.ok(h.stats().minorCollections > 0);
      assert.deepEqual(h.verify(), []);
    });

    it('large objects are never copied', () => {
      const h = small(name);
      const V = h.defineRefArray('V');
      const R = h.defineRecord('R', 1, 8);
      const big = h.allocArray(V, 4000);
      const s = h.push(big);
      const kid = h.alloc(R);
      h.setI32(kid, 0, 9);
      h.setElem(h.get(s), 3999, kid);
      for (let i = 0; i < 3; i++) {
        for (let g = 0; g < 3000; g++) h.alloc(R);
        h.collect();
        assert.equal(h.get(s), big);
      }
      assert.equal(h.getI32(h.getElem(big, 3999), 0), 9);
      assert.ok(h.spaceOf(big)!.name === 'los');
      h.popTo(0);
      h.collect();
      assert.equal(h.stats().usedBytes, 0);
    });

    it('stress (collect at every allocation, verify each) on binary-trees depth 7 (stretch tree 8)', () => {
      const h = small(name, { stress: 1 });
      const r = runBinaryTrees(h, 7);
      assert.ok(r.checksumOk, r.detail);
      assert.ok(h.stats().collections > 8000);
    });

    it('stress (collect at every allocation, verify each) on GCBench stretch depth 8', () => {
      const h = small(name, { stress: 1 });
      const r = runGcBench(h, 8);
      assert.ok(r.checksumOk, r.detail);
    });

    it('stress + debug on the random graph: checksum equal before and after every collection', () => {
      const h = small(name, { stress: 1, debug: true });
      const r = runRandomGraph(h, { steps: 1500, seed: 11 });
      assert.ok(r.checksumOk, r.detail);
      assert.ok(r.checkedCollections > 500);
    });

    it('property: random mutators match the model (fast-check seeds, sizes, promotion ages)', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.integer({ min: 200, max: 1500 }), fc.integer({ min: 1, max: 4 }), fc.constantFrom(0, 1, 7), (seed, steps, promoteAge, stress) => {
          const h = small(name, { stress, promoteAge, markStackEntries: 8, largeObjectBytes: 1024, nurseryBytes: 64 * 1024 });
          const r = runRandomGraph(h, { steps, seed });
          return r.checksumOk || (console.error(r.detail), false);
        }),
        { numRuns: 12 },
      );
    });

    it('mark stack overflow is recovered (tiny stack, long list and wide array)', () => {
      const h = small(name, { markStackEntries: 2 });
      const R = h.defineRecord('R', 2, 8);
      const V = h.defineRefArray('V');
      const head = h.push(0);
      for (let i = 0; i < 2000; i++) {
        const n = h.alloc(R);
        h.setI32(n, 0, i);
        h.setRef(n, 0, h.get(head));
        h.setRef(n, 1, h.get(head));
        h.set(head, n);
      }
      const wide = h.push(h.allocArray(V, 300));
      for (let i = 0; i < 300; i++) {
        const n = h.alloc(R);
        h.setElem(h.get(wide), i, n);
      }
      const before = graphChecksum(h);
      h.collect();
      assert.equal(graphChecksum(h).hash, before.hash);
      assert.deepEqual(h.verify(), []);
      if (!plan.movesObjects || name === 'mark-compact' || plan.generational) assert.ok(h.stats().markStackOverflows > 0);
      let n = 0;
      for (let p = h.get(head); p !== 0; p = h.getRef(p, 0)) assert.equal(h.getI32(p, 0), 1999 - n++);
      assert.equal(n, 2000);
    });

    it('growth: the heap grows with live data instead of failing', () => {
      const h = small(name, { maxBytes: 16 << 20 });
      const R = h.defineRecord('R', 1, 24);
      const head = h.push(0);
      const start = h.stats().heapBytes;
      for (let i = 0; i < 40000; i++) {
        const n = h.alloc(R);
        h.setRef(n, 0, h.get(head));
        h.set(head, n);
      }
      assert.ok(h.stats().heapBytes > start, `heap grew from ${start} to ${h.stats().heapBytes}`);
      assert.deepEqual(h.verify(), []);
    });

    it('out of memory: a typed error only when a full collection cannot make room; the heap stays usable', () => {
      const h = small(name, { maxBytes: 2 << 20, largeObjectBytes: 1024, nurseryBytes: 64 * 1024 });
      const R = h.defineRecord('R', 1, 56);
      const head = h.push(0);
      // Garbage alone never runs out.
      for (let i = 0; i < 100000; i++) h.alloc(R);
      let err: unknown = null;
      let kept = 0;
      try {
        for (;;) {
          const n = h.alloc(R);
          h.setRef(n, 0, h.get(head));
          h.set(head, n);
          kept++;
        }
      } catch (e) {
        err = e;
      }
      assert.ok(err instanceof GcOutOfMemoryError, String(err));
      assert.equal((err as Error).name, 'GcOutOfMemoryError');
      assert.ok(kept > 1000, `kept ${kept}`);
      let n = 0;
      for (let p = h.get(head); p !== 0; p = h.getRef(p, 0)) n++;
      assert.equal(n, kept);
      assert.deepEqual(h.verify(), []);
      // Large objects run out too, with the same error.
      assert.throws(() => h.allocArray(h.defineByteArray('B'), 4 << 20), GcOutOfMemoryError);
      h.set(head, 0);
      for (let i = 0; i < 1000; i++) h.alloc(R);
      assert.deepEqual(h.verify(), []);
    });

    it('verify: reports a reference into free memory and (generational) a missing remembered-set entry', () => {
      const h = small(name);
      const R = h.defineRecord('R', 1, 8);
      const a = h.push(h.alloc(R));
      h.collect();
      // Corrupt a field to point beyond the allocated part of the heap (bypassing the barrier).
      h.u32[(h.get(a) >>> 2) + 2] = h.get(a) + 0x100000 - ((h.get(a) + 0x100000) % 8);
      const v = h.verify();
      assert.ok(v.length > 0);
      assert.equal(v[0]!.address % 8, 0);
      h.u32[(h.get(a) >>> 2) + 2] = 0;
      assert.deepEqual(h.verify(), []);
      if (plan.generational) {
        for (let i = 0; i < 3; i++) h.collect(); // promoted to the old space
        assert.equal(h.spaceOf(h.get(a))!.name, 'old');
        const y = h.alloc(R);
        h.u32[(h.get(a) >>> 2) + 2] = y; // old → young without the barrier
        assert.ok(h.verify().some((x) => /remembered set/.test(x.message)));
        h.setRef(h.get(a), 0, y);
        assert.deepEqual(h.verify(), []);
      }
    });

    it('a heap in a SharedArrayBuffer runs the workloads', () => {
      const sab = new SharedArrayBuffer(8 << 20);
      const h = createManagedHeap({ collector: name, memory: sab, maxBytes: (8 << 20) - 64, initialBytes: 128 * 1024, nurseryBytes: 128 * 1024, largeObjectBytes: 2048 });
      assert.ok(h.memory.shared);
      assert.ok(runBinaryTrees(h, 8).checksumOk);
      assert.deepEqual(h.verify(), []);
    });

    it('preTouch: a pre-touched heap over a buffer holding other data keeps those bytes and runs the workloads', () => {
      const buf = new ArrayBuffer(8 << 20);
      const u8 = new Uint8Array(buf);
      u8[1] = 0xab; // below `base`: not the heap's
      const h = createManagedHeap({ collector: name, memory: buf, maxBytes: (8 << 20) - 64, initialBytes: 128 * 1024, nurseryBytes: 128 * 1024, largeObjectBytes: 2048, preTouch: true });
      assert.equal(u8[1], 0xab);
      assert.ok(runGcBench(h, 8).checksumOk);
      assert.deepEqual(h.verify(), []);
    });
  });
}

describe('preTouch', () => {
  it('commits the whole heap at creation (resident memory grows by about maxBytes), and only when asked', () => {
    const rss = (): number => process.memoryUsage().rss;
    const r0 = rss();
    const lazy = createManagedHeap({ collector: 'mark-sweep', maxBytes: 96 << 20 });
    const r1 = rss();
    const touched = createManagedHeap({ collector: 'mark-sweep', maxBytes: 96 << 20, preTouch: true });
    const r2 = rss();
    assert.ok(r1 - r0 < 32 << 20, `a lazy heap made ${((r1 - r0) / 1048576).toFixed(0)} MB resident`);
    assert.ok(r2 - r1 > 80 << 20, `a pre-touched heap made only ${((r2 - r1) / 1048576).toFixed(0)} MB resident`);
    assert.ok(runBinaryTrees(lazy, 8).checksumOk && runBinaryTrees(touched, 8).checksumOk);
  });
});
