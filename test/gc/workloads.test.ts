/**
 * workloads.test.ts — regression tests for the built-in GC workloads themselves.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createManagedHeap, runGcBench } from '../../src/index.js';

it('GCBench checks its long-lived array at every stretch depth (depth 10 once probed a fractional index)', () => {
  for (let depth = 6; depth <= 11; depth++) {
    const r = runGcBench(createManagedHeap({ collector: 'semispace' }), depth);
    assert.equal(r.checksumOk, true, `depth ${depth}: ${r.detail}`);
    assert.doesNotMatch(r.detail, /undefined/);
  }
});
