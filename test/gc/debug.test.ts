/**
 * debug.test.ts — debug mode under every registered collector: stale raw pointers after a moving collection
 * are caught with StalePointerError, wrong-kind and out-of-range accesses with InvalidObjectError.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collectorNames, createManagedHeap, describeCollector, InvalidObjectError, StalePointerError } from '../../src/gc/index.js';

for (const name of collectorNames()) {
  const plan = describeCollector(name)!.create();
  describe(`debug mode, collector ${name}`, () => {
    const make = () => createManagedHeap({ collector: name, debug: true, maxBytes: 4 << 20, initialBytes: 128 * 1024, nurseryBytes: 128 * 1024, largeObjectBytes: 2048 });

    it(plan.movesObjects ? 'a raw pointer kept across a collection is reported as stale, naming from-space' : 'raw pointers stay valid across collections (non-moving)', () => {
      const h = make();
      const R = h.defineRecord('R', 1, 8);
      for (let g = 0; g < 50; g++) h.alloc(R); // garbage below, so even sliding moves the object
      const p = h.alloc(R);
      h.setI32(p, 0, 5);
      const s = h.push(p);
      h.collect();
      if (plan.movesObjects) {
        assert.notEqual(h.get(s), p);
        assert.throws(() => h.getRef(p, 0), (e: Error) => e instanceof StalePointerError && e.name === 'StalePointerError' && /stale pointer 0x/.test(e.message) && (e as StalePointerError).address === p);
        assert.throws(() => h.getI32(p, 0), StalePointerError);
        assert.throws(() => h.setRef(h.get(s), 0, p), StalePointerError);
      } else {
        assert.equal(h.get(s), p);
        assert.equal(h.getI32(p, 0), 5);
      }
      assert.equal(h.getI32(h.get(s), 0), 5);
    });

    it('a pointer to a collected object is never accepted', () => {
      const h = make();
      const R = h.defineRecord('R', 1, 8);
      const keep = h.push(h.alloc(R));
      const dead = h.alloc(R);
      h.collect();
      assert.throws(() => h.getRef(dead, 0), (e: Error) => e instanceof StalePointerError || e instanceof InvalidObjectError);
      assert.equal(h.getRef(h.get(keep), 0), 0);
    });

    it('wrong kinds, bad indexes and non-objects are InvalidObjectError', () => {
      const h = make();
      const R = h.defineRecord('R', 2, 8);
      const V = h.defineRefArray('V');
      const r = h.push(h.alloc(R));
      const v = h.allocArray(V, 3);
      assert.throws(() => h.getRef(h.get(r), 2), InvalidObjectError);
      assert.throws(() => h.getRef(h.get(r), -1), InvalidObjectError);
      assert.throws(() => h.getElem(h.get(r), 0), InvalidObjectError);
      assert.throws(() => h.getRef(v, 0), InvalidObjectError);
      assert.throws(() => h.getElem(v, 3), InvalidObjectError);
      assert.throws(() => h.getRef(h.get(r) + 4, 0), InvalidObjectError);
      assert.throws(() => h.getRef(0, 0), InvalidObjectError);
      assert.throws(() => h.setRef(h.get(r), 0, 12345672), InvalidObjectError);
      assert.deepEqual(h.verify(), []);
    });
  });
}
