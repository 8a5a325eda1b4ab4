/**
 * incremental.test.ts — the incremental SATB collector: the barrier keeps a white object moved into a black one
 * alive (and a control without the barrier loses it), marking terminates within the snapshot's work while the
 * mutator rewires and allocates, torture runs under a tiny step budget with the collector running continuously
 * and the heap verified (tri-colour invariants included) after every step, pause accounting.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { graphChecksum, runBinaryTrees, runGcBench, runRandomGraph } from '../../src/gc/index.js';
import { PHASE_IDLE, PHASE_MARK, PHASE_SWEEP } from '../../src/gc/plan-incremental.js';
import { pauseLogOf, summarizePauses } from '../../src/gc/pauses.js';
import { buildList, checkList, heapOf, reverseList } from './shared.js';

describe('incremental collector', () => {
  for (const bypass of [false, true]) {
    it(bypass ? 'control: the same hiding move without the barrier frees a live object (verify catches it)' : 'barrier: a white object stored into a black one while its last grey parent lets go survives', () => {
      // triggerFraction 1 and a big soft size: cycles only when the test asks (collectMinor = start / one step).
      const { h, plan } = heapOf('incremental', { stepBudget: 4, triggerFraction: 1, initialBytes: 4 << 20, paceFactor: 1 });
      const N = h.defineRecord('N', 2, 8);
      const r = h.push(h.alloc(N));
      const a = h.alloc(N);
      h.setRef(h.get(r), 0, a);
      const w = h.alloc(N);
      h.setI32(w, 0, 77);
      h.setRef(a, 0, w);
      // a long chain under R's field 1 keeps the marker busy, so `a` stays grey under it (LIFO stack)
      let chain = 0;
      for (let i = 0; i < 500; i++) {
        const c = h.alloc(N);
        h.setRef(c, 0, chain);
        chain = c;
      }
      h.setRef(h.get(r), 1, chain);
      h.collectMinor(); // start handshake: the roots are grey
      assert.equal(plan.phase, PHASE_MARK);
      h.collectMinor(); // one step: R is scanned (black), a and the chain grey
      h.collectMinor();
      assert.equal(plan.phase, PHASE_MARK);
      assert.ok(plan.tracer.isMarked(h.get(r)) && plan.tracer.isMarked(a), 'R and a are marked');
      assert.ok(!plan.tracer.isMarked(w), 'w is still white');
      const b = h.push(h.alloc(N)); // allocated black during marking
      assert.ok(plan.tracer.isMarked(h.get(b)), 'allocation colour is black while marking');
      h.setRef(h.get(b), 0, w); // black → white edge (SATB: no work, w is still in the snapshot)
      if (bypass) h.u32[(a >>> 2) + 2] = 0; // delete a → w behind the barrier's back
      else h.setRef(a, 0, 0); // Yuasa: the overwritten w is shaded
      assert.equal(plan.tracer.isMarked(w), !bypass);
      if (!bypass) assert.deepEqual(h.verify(), []); // tri-colour check holds with the barrier
      if (bypass) assert.ok(h.verify().some((v) => /tri-colour invariant/.test(v.message)), 'the broken invariant is reported mid-mark');
      let guard = 0;
      while ((plan.phase as number) !== PHASE_IDLE && guard++ < 100000) h.collectMinor();
      assert.equal(plan.phase, PHASE_IDLE);
      if (bypass) {
        assert.ok(h.verify().some((v) => /not the start of a live object/.test(v.message)), 'w was freed while reachable');
      } else {
        assert.deepEqual(h.verify(), []);
        assert.equal(h.getI32(h.getRef(h.get(b), 0), 0), 77);
      }
    });
  }

  it('termination: marking does at most the snapshot\'s work however the mutator rewires and allocates', () => {
    const { h, plan } = heapOf('incremental', { stepBudget: 64, triggerFraction: 1, initialBytes: 8 << 20, markStackEntries: 1 << 16 });
    const N = h.defineRecord('N', 2, 8);
    const V = h.defineRefArray('V');
    const K = 3000;
    const arr = h.push(h.allocArray(V, K));
    for (let i = 0; i < K; i++) {
      const p = h.alloc(N);
      h.setI32(p, 0, i);
      h.setElem(h.get(arr), i, p);
    }
    let seed = 7;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
    for (let i = 0; i < 2 * K; i++) h.setRef(h.getElem(h.get(arr), rnd(K)), rnd(2), h.getElem(h.get(arr), rnd(K)));
    // snapshot work bound: every reachable object once, plus its reference fields
    const snap = graphChecksum(h);
    const bound = snap.objects + 2 * K + K + h.sp;
    h.collectMinor();
    assert.equal(plan.phase, PHASE_MARK);
    let steps = 0;
    while (plan.phase === PHASE_MARK) {
      // adversary: hide pointers (move them between nodes), cut links, allocate new nodes and link them in
      for (let j = 0; j < 20; j++) {
        const x = h.getElem(h.get(arr), rnd(K));
        const y = h.getElem(h.get(arr), rnd(K));
        const f = rnd(2);
        const g = rnd(2);
        const t = h.getRef(x, f);
        h.setRef(x, f, h.getRef(y, g));
        h.setRef(y, g, t);
      }
      const n = h.alloc(N);
      h.setRef(n, 0, h.getElem(h.get(arr), rnd(K)));
      h.setElem(h.get(arr), rnd(K), n);
      h.collectMinor();
      steps++;
      assert.ok(steps <= Math.ceil(bound / 64) + 2, `marking still running after ${steps} steps (bound ${Math.ceil(bound / 64) + 2})`);
    }
    assert.ok(plan.markWork <= bound, `mark work ${plan.markWork} ≤ snapshot bound ${bound}`);
    assert.ok(plan.lastMarkedObjects <= snap.objects, `marked ${plan.lastMarkedObjects} ≤ snapshot objects ${snap.objects}`);
    while (plan.phase === PHASE_SWEEP) h.collectMinor();
    assert.deepEqual(h.verify(), []);
  });

  it('torture: list reversed in place during every phase, tiny steps, continuous cycles, verified after every step', () => {
    const { h, plan } = heapOf('incremental', { stepBudget: 8, continuous: true, verifyEachCollection: true, maxBytes: 8 << 20, initialBytes: 128 * 1024 });
    const N = h.defineRecord('N', 1, 8);
    const G = h.defineRecord('G', 3, 0);
    const slot = buildList(h, N, 600);
    let cyclesSeen = plan.cycles;
    let checked = 0;
    for (let round = 0; round < 60; round++) {
      reverseList(h, slot);
      for (let g = 0; g < 40; g++) h.alloc(G); // garbage: allocation drives the steps
      if (plan.cycles !== cyclesSeen) {
        cyclesSeen = plan.cycles;
        const c = checkList(h, slot);
        assert.deepEqual(c, { length: 600, sum: (600 * 601) / 2, ordered: true });
        checked++;
      }
    }
    assert.ok(checked >= 3, `checked after ${checked} cycles`);
    assert.ok(plan.steps > 100);
    assert.deepEqual(checkList(h, slot), { length: 600, sum: (600 * 601) / 2, ordered: true });
  });

  it('torture: random graph mutators (fast-check seeds), step budgets 1–64, continuous, checksums before/after every step, debug', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(1, 8, 64), fc.constantFrom(2, 8, 1024), (seed, stepBudget, markStackEntries) => {
        const { h } = heapOf('incremental', { stepBudget, continuous: true, debug: true, markStackEntries, verifyEachCollection: true, maxBytes: 8 << 20, initialBytes: 64 * 1024, largeObjectBytes: 1024 });
        const r = runRandomGraph(h, { steps: 700, seed });
        return (r.checksumOk && r.checkedCollections > 20) || (console.error(r.detail), false);
      }),
      { numRuns: 6 },
    );
  });

  it('workloads stay correct and pauses are bounded steps (p50/p99/max and MMU reported)', () => {
    const { h, plan } = heapOf('incremental', { maxBytes: 64 << 20, initialBytes: 1 << 20 });
    assert.ok(runBinaryTrees(h, 12).checksumOk);
    assert.ok(runGcBench(h, 12).checksumOk);
    const s = summarizePauses(pauseLogOf(h)!);
    assert.ok(plan.cycles >= 3 && s.count > plan.cycles, `${plan.cycles} cycles, ${s.count} pauses`);
    // every pause is in the log: the heap's own pause record (stats) and the plan's timestamped log agree
    const st = h.stats();
    assert.ok(Math.abs(st.totalPauseMs - s.totalMs) < 1e-6, `heap total ${st.totalPauseMs} ms = log total ${s.totalMs} ms`);
    assert.equal(st.maxPauseMs, s.maxMs);
    assert.ok(pauseLogOf(h)!.byKind().start!.count >= plan.cycles, 'one start handshake per cycle');
    assert.ok(s.p50Ms < 1, `p50 ${s.p50Ms} ms`); // loose: this machine is shared
    assert.equal(s.mmu.length, 2);
    assert.ok(h.stats().maxPauseMs >= s.p99Ms);
    assert.deepEqual(h.verify(), []);
  });
});
