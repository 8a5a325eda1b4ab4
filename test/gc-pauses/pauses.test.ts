/**
 * pauses.test.ts — pause accounting: percentiles and minimum mutator utilization against known answers and,
 * with fast-check, against a brute-force model that prices every window on a fine grid.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PauseLog, summarizePauses, minimumMutatorUtilization, PAUSE_STEP, PAUSE_START } from '../../src/gc/pauses.js';

/** Pause time inside [a, a + w], summed directly. */
function pausedIn(starts: number[], durs: number[], a: number, w: number): number {
  let t = 0;
  for (let i = 0; i < starts.length; i++) t += Math.max(0, Math.min(a + w, starts[i]! + durs[i]!) - Math.max(a, starts[i]!));
  return t;
}

describe('pause accounting', () => {
  it('known answers: one 0.5 ms pause in a 10 ms run', () => {
    const log = new PauseLog(1);
    log.record(4, 0.5, PAUSE_STEP);
    const s = summarizePauses(log, { from: 0, to: 10, windowsMs: [1, 10, 100] });
    assert.equal(s.count, 1);
    assert.equal(s.maxMs, 0.5);
    assert.equal(s.p50Ms, 0.5);
    assert.equal(s.spanMs, 10);
    assert.deepEqual(s.mmu.map((m) => +m.utilization.toFixed(9)), [0.5, 0.95, 0.95]); // a window longer than the run is the run
  });

  it('known answers: percentiles as the heap computes them, totals, kinds, and a window fully paused', () => {
    const log = new PauseLog(2); // grows past its capacity
    for (let i = 0; i < 100; i++) log.record(i * 10, i === 99 ? 5 : 0.01 * (i + 1), i === 0 ? PAUSE_START : PAUSE_STEP);
    const s = summarizePauses(log, { windowsMs: [1, 5, 10] });
    assert.equal(s.count, 100);
    assert.equal(s.maxMs, 5);
    assert.equal(s.p99Ms, 5); // element floor(0.99 · 100) = 99 of the sorted durations
    assert.ok(Math.abs(s.p50Ms - 0.51) < 1e-12);
    assert.equal(s.mmu[0]!.utilization, 0); // the 5 ms pause fills a 1 ms window
    assert.equal(s.mmu[1]!.utilization, 0);
    assert.ok(Math.abs(s.mmu[2]!.utilization - 0.5) < 1e-9); // [985, 995]: the 5 ms pause; the 0.99 ms one ends at 980.99
    const k = log.byKind();
    assert.equal(k['start']!.count, 1);
    assert.equal(k['step']!.count, 99);
    assert.equal(k['step']!.maxMs, 5);
  });

  it('no pauses: utilization 1', () => {
    const s = summarizePauses(new PauseLog(), { from: 0, to: 10 });
    assert.equal(s.maxMs, 0);
    assert.deepEqual(s.mmu.map((m) => m.utilization), [1, 1]);
  });

  it('property: MMU equals the worst window found by brute force (overlapping pauses merged)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 1, max: 300 })), { minLength: 1, maxLength: 25 }),
        fc.constantFrom(1, 5, 20),
        (raw, wTicks) => {
          // time in ticks of 0.01 ms so the grid search below is exact
          const log = new PauseLog();
          for (const [s, d] of raw) log.record(s / 100, d / 100);
          const from = 0;
          const to = 25;
          const w = wTicks;
          const got = summarizePauses(log, { from, to, windowsMs: [w / 1] }).mmu[0]!.utilization;
          // model: merge, then try every window start on the 0.01 ms grid
          const iv = raw.map(([s, d]) => [s, s + d] as [number, number]).sort((a, b) => a[0] - b[0]);
          const merged: [number, number][] = [];
          for (const [a, b] of iv) {
            const last = merged[merged.length - 1];
            if (last && a <= last[1]) last[1] = Math.max(last[1], b);
            else merged.push([a, b]);
          }
          const starts = merged.map((m) => m[0]);
          const durs = merged.map((m) => m[1] - m[0]);
          const W = Math.min(w * 100, (to - from) * 100);
          let worst = 0;
          for (let a = from * 100; a + W <= to * 100; a++) worst = Math.max(worst, pausedIn(starts, durs, a, W));
          const want = 1 - Math.min(worst, W) / W;
          return Math.abs(got - want) < 1e-9;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('minimumMutatorUtilization on disjoint sorted input directly', () => {
    const s = Float64Array.of(1, 3);
    const d = Float64Array.of(1, 1);
    assert.equal(minimumMutatorUtilization(s, d, 2, 0, 10, 1), 0);
    assert.equal(minimumMutatorUtilization(s, d, 2, 0, 10, 3), 1 - 2 / 3); // [1, 4] holds both
    assert.equal(minimumMutatorUtilization(s, d, 0, 0, 10, 3), 1);
  });
});
