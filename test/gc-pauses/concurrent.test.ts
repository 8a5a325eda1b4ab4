/**
 * concurrent.test.ts — the concurrent collector with its marker worker: marking really runs in the worker,
 * the list is reversed in place and random graphs are rewired while the worker marks (checked after every
 * cycle), the barrier logs what it shades, the pool reuses threads, a non-shared heap falls back to local
 * marking, and every worker is terminated at the end (the test process never hangs).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createManagedHeap, runBinaryTrees, runRandomGraph } from '../../src/gc/index.js';
import { markerThreadsStarted, shutdownMarkers } from '../../src/gc/plan-concurrent.js';
import { PHASE_IDLE, PHASE_MARK, type IncrementalOptions, type SatbPlan } from '../../src/gc/plan-incremental.js';
import { C_HEAD, C_W_STATE, W_IDLE } from '../../src/gc/concurrent/layout.js';
import { pauseLogOf } from '../../src/gc/pauses.js';
import { buildList, checkList, heapOf, reverseList } from './shared.js';

after(() => shutdownMarkers());

/** Waits (event loop free, so the worker's messages flow) until `cond` or the time limit. */
async function until(cond: () => boolean, ms = 10000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}

describe('concurrent collector', () => {
  it('the heap is shared and marking runs in the worker; the remark ends the cycle', async () => {
    const { h, plan } = heapOf('concurrent', { triggerFraction: 1, initialBytes: 4 << 20 });
    assert.ok(h.memory.shared, 'backed by a SharedArrayBuffer');
    const N = h.defineRecord('N', 1, 8);
    const slot = buildList(h, N, 5000);
    h.collectMinor(); // start handshake: roots copied, the worker takes the cycle
    assert.equal(plan.phase, PHASE_MARK);
    assert.equal(plan.remote, true);
    assert.ok(await until(() => Atomics.load(plan.ctl, 4) === Atomics.load(plan.ctl, C_HEAD)), 'the worker drained the snapshot');
    assert.equal(plan.tracer.markedObjects, 0, 'the main thread marked nothing');
    h.collectMinor(); // poll: remark → sweep
    assert.notEqual(plan.phase, PHASE_MARK);
    assert.equal(plan.lastMarkedObjects, 5000);
    while ((plan.phase as number) !== PHASE_IDLE) h.collectMinor();
    assert.deepEqual(checkList(h, slot), { length: 5000, sum: (5000 * 5001) / 2, ordered: true });
    assert.deepEqual(h.verify(), []);
    plan.dispose();
  });

  it('barrier: while the worker marks, a hidden white object is marked and logged for it', async () => {
    const { h, plan } = heapOf('concurrent', { triggerFraction: 1, initialBytes: 4 << 20 });
    const N = h.defineRecord('N', 2, 8);
    const r = h.push(h.alloc(N));
    const a = h.alloc(N);
    h.setRef(h.get(r), 0, a);
    const w = h.alloc(N);
    h.setI32(w, 0, 99);
    h.setRef(a, 0, w);
    // make the worker slow to reach w: pause it by never letting the cycle start until we have moved w
    h.collectMinor();
    const b = h.push(h.alloc(N));
    h.setRef(h.get(b), 0, w);
    const head0 = Atomics.load(plan.ctl, C_HEAD);
    h.setRef(a, 0, 0); // Yuasa: w is shaded (marked now, or already marked by the worker)
    assert.ok(plan.tracer.isMarked(w));
    assert.ok(Atomics.load(plan.ctl, C_HEAD) >= head0);
    assert.ok(await until(() => Atomics.load(plan.ctl, 4) === Atomics.load(plan.ctl, C_HEAD)));
    while (plan.phase !== PHASE_IDLE) h.collectMinor();
    assert.equal(h.getI32(h.getRef(h.get(b), 0), 0), 99);
    assert.deepEqual(h.verify(), []);
  });

  it('torture: a list reversed in place while the worker marks, continuous cycles, checked after every cycle', async () => {
    const { h, plan } = heapOf('concurrent', { continuous: true, stepBudget: 64, maxBytes: 16 << 20, initialBytes: 256 * 1024 });
    const N = h.defineRecord('N', 1, 8);
    const G = h.defineRecord('G', 2, 0);
    const n = 4000;
    const slot = buildList(h, N, n);
    let seen = plan.cycles;
    let checked = 0;
    const end = Date.now() + 4000;
    while ((checked < 8 || plan.remoteCycles < 8) && Date.now() < end) {
      reverseList(h, slot);
      for (let g = 0; g < 200; g++) h.alloc(G);
      if (plan.cycles !== seen) {
        seen = plan.cycles;
        assert.deepEqual(checkList(h, slot), { length: n, sum: (n * (n + 1)) / 2, ordered: true });
        assert.deepEqual(h.verify(), []);
        checked++;
      }
      if (plan.phase === PHASE_MARK) await new Promise((r) => setImmediate(r)); // let the worker's message arrive
    }
    assert.ok(checked >= 8, `checked after ${checked} cycles`);
    assert.ok(plan.remoteCycles >= 8, `${plan.remoteCycles} cycles marked by the worker`);
    plan.dispose();
  });

  it('torture: random graph mutators rewiring during concurrent marking, checksums at every step and at the end', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
        const { h, plan } = heapOf('concurrent', { continuous: true, stepBudget: 16, verifyEachCollection: true, maxBytes: 8 << 20, initialBytes: 64 * 1024, largeObjectBytes: 1024 });
        let ok = true;
        for (let part = 0; part < 4 && ok; part++) {
          const r = runRandomGraph(h, { steps: 500, seed: seed + part, checkRetention: part === 3 });
          ok = r.checksumOk || (console.error(r.detail), false);
          await new Promise((res) => setImmediate(res));
        }
        const remote = plan.remoteCycles;
        plan.dispose();
        return ok && remote >= 1;
      }),
      { numRuns: 4 },
    );
  });

  it('workloads under stress: collect at every 2nd allocation with verification', () => {
    const h = createManagedHeap({ collector: 'concurrent', stress: 2, maxBytes: 8 << 20, initialBytes: 128 * 1024 });
    assert.ok(runBinaryTrees(h, 7).checksumOk);
    assert.deepEqual(h.verify(), []);
    (h.plan as unknown as SatbPlan).dispose();
  });

  it('a heap over a non-shared buffer marks on the main thread (fallback) and stays correct', () => {
    const opts: IncrementalOptions = { collector: 'concurrent', memory: new ArrayBuffer(8 << 20), maxBytes: (8 << 20) - 64, initialBytes: 128 * 1024 };
    const h = createManagedHeap(opts);
    const plan = h.plan as unknown as SatbPlan;
    assert.equal(h.memory.shared, false);
    assert.ok(runBinaryTrees(h, 10).checksumOk);
    assert.ok(plan.cycles > 0);
    assert.equal(plan.remoteCycles, 0);
    assert.ok(pauseLogOf(h)!.count > 0);
  });

  it('the pool reuses marker threads across heaps and cycles', async () => {
    const before = markerThreadsStarted();
    for (let i = 0; i < 5; i++) {
      const { h, plan } = heapOf('concurrent', { maxBytes: 8 << 20, initialBytes: 128 * 1024 });
      assert.ok(runBinaryTrees(h, 9).checksumOk);
      plan.dispose();
      await until(() => Atomics.load(plan.ctl, C_W_STATE) === W_IDLE, 2000);
    }
    assert.ok(markerThreadsStarted() - before <= 2, `${markerThreadsStarted() - before} threads started for 5 heaps`);
  });
});
