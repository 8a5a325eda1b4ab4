/**
 * replay.test.ts — the validated replay catches every kind of broken allocator, classifies refused
 * requests, agrees with a correct allocator on random traces; the pattern and shadow map pieces
 * against simple models; the fast pass and the summary figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  parseTrace,
  replayValidated,
  replayFast,
  measureThroughput,
  evaluateTrace,
  summarize,
  geomean,
  scoring,
  ShadowMap,
  fillPattern,
  verifyPattern,
  patternSeed,
  median,
  createHeap,
  type Trace,
} from '../../src/index.js';
import { BumpHeap, brokenHeap } from './fake-heaps.js';

const rep = (ids: number, ops: string[]): string => `1\n${ids}\n${ops.length}\n0\n${ops.join('\n')}\n`;
const T = (ids: number, ops: string[], file = 'mem.rep'): Trace => parseTrace(rep(ids, ops), { file });

// Three blocks live together, a realloc that grows and one that shrinks, frees, free(NULL), a block live at the end.
const SIMPLE = T(4, ['a 0 24', 'a 1 100', 'a 2 7', 'r 1 300', 'r 0 5', 'f -1', 'f 2', 'a 3 64', 'f 0', 'r 1 0']);

test('a correct allocator passes, with utilization, peak live and growth counts', () => {
  const h = new BumpHeap();
  const v = replayValidated(SIMPLE, h, { checkEvery: 1 });
  assert.deepEqual(v.errors, []);
  assert.equal(v.ok, true);
  assert.equal(v.refused, 0);
  assert.equal(v.opsDone, SIMPLE.length);
  assert.equal(v.peakLive, 5 + 300 + 64); // after `a 3 64`
  assert.equal(v.heapHighWater, h.stats().highWater);
  assert.equal(v.utilization, v.peakLive / v.heapHighWater);
  assert.ok(v.growths >= 5);
  assert.deepEqual(v.stats, h.stats());
  assert.equal(v.stats!.liveBlocks, 1); // id 3
});

test('utilization is null when nothing was allocated', () => {
  const v = replayValidated(T(1, ['f -1', 'a 0 0', 'f 0']), new BumpHeap());
  assert.equal(v.ok, true);
  assert.equal(v.utilization, null);
  assert.equal(v.peakLive, 0);
});

const cases: [Parameters<typeof brokenHeap>[0], RegExp][] = [
  ['misaligned', /mem\.rep:7 \(op 2, 'a 2 7'\): returned \d+, not aligned to 16/],
  ['overlap', /mem\.rep:7 \(op 2, 'a 2 7'\): returned \[\d+, \d+\), which overlaps id 1 \[/],
  ['outside', /mem\.rep:7 \(op 2, 'a 2 7'\): returned \[\d+, \d+\), outside the heap/],
  ['corrupt', /realloc from \d+ to \d+ lost byte 0 of the old 100 \(or it was corrupted before\)/],
  ['no-copy', /realloc from \d+ to \d+ lost byte 0 of the old 100/],
  ['grow-over', /mem\.rep:8 \(op 3, 'r 1 300'\): grew \[\d+, \d+\) in place over id 2/],
  ['null', /mem\.rep:7 \(op 2, 'a 2 7'\): malloc returned NULL/],
  ['throw', /mem\.rep:7 \(op 2, 'a 2 7'\): threw RangeError: allocator exploded/],
  ['check', /checkHeap\(\) found 1 violation/],
  ['leak', /stats\(\)\.liveBlocks is 2 but the trace holds 1 live blocks/],
];
for (const [kind, message] of cases) {
  test(`a broken allocator is reported invalid: ${kind}`, () => {
    const v = replayValidated(SIMPLE, brokenHeap(kind, 3));
    assert.equal(v.ok, false, `expected ${kind} to be caught`);
    assert.ok(v.errors.some((e) => message.test(e)), `errors: ${v.errors.join(' | ')}`);
    const r = evaluateTrace(SIMPLE, () => brokenHeap(kind, 3), { allocator: kind, runs: 1 });
    assert.equal(r.valid, false);
    assert.equal(r.refused, false);
    assert.equal(r.opsPerSec, 0, 'an invalid allocator is not timed');
    assert.ok(r.errors.length > 0);
  });
}

test('corruption of a block that is later freed is found before the free', () => {
  // Block 0 is scribbled on when the 3rd block is placed; the trace frees block 0 afterwards.
  const t = T(3, ['a 0 40', 'a 1 8', 'a 2 8', 'f 0']);
  const v = replayValidated(t, brokenHeap('corrupt', 3));
  assert.equal(v.ok, false);
  assert.match(v.errors[0]!, /mem\.rep:8 \(op 3, 'f 0'\): payload of id 1 at \d+ \(8 bytes\)|payload of id 0 at \d+ \(40 bytes\) corrupted at offset 0 before free|payload of id 1/);
});

test('an in-place realloc that scribbles mid-block is caught right away near the ends, later in the middle', () => {
  const near = replayValidated(T(2, ['a 0 16', 'a 1 100', 'r 1 300']), brokenHeap('scribble-in-place'));
  assert.match(near.errors[0]!, /mem\.rep:7 \(op 2, 'r 1 300'\): realloc in place at \d+ changed byte 50 of the old 100/);
  const end = replayValidated(T(2, ['a 0 16', 'a 1 1000', 'r 1 3000']), brokenHeap('scribble-in-place'));
  assert.match(end.errors[0]!, /payload of id 1 at \d+ \(3000 bytes\) corrupted at offset 500 at the end of the trace/);
  const free = replayValidated(T(2, ['a 0 16', 'a 1 1000', 'r 1 3000', 'f 1']), brokenHeap('scribble-in-place'));
  assert.match(free.errors[0]!, /mem\.rep:8 \(op 3, 'f 1'\): payload of id 1 at \d+ \(3000 bytes\) corrupted at offset 500 before free/);
});

test('a shrinking realloc checks the dropped tail first; an in-place one keeps the block', () => {
  const t = T(2, ['a 0 100', 'r 0 30', 'r 0 200', 'a 1 8', 'r 0 10', 'f 0', 'f 1']);
  const v = replayValidated(t, brokenHeap('grow-over', 99));
  assert.deepEqual(v.errors, [], 'in-place growth at the top of the heap is fine');
  const w = replayValidated(t, new BumpHeap(), { checkEvery: 1 });
  assert.deepEqual(w.errors, []);
});

test('the checker runs every N ops under checkEvery, and stops at the first failure', () => {
  const v = replayValidated(SIMPLE, brokenHeap('check'), { checkEvery: 2 });
  assert.equal(v.ok, false);
  assert.match(v.errors[0]!, /mem\.rep:6 \(op 1, 'a 1 100'\): checkHeap\(\) found 1 violation/);
  assert.match(v.errors[1]!, /at 16: header and footer disagree/);
  assert.equal(v.opsDone, 1);
});

test('a scribble on a block that is live at the end is found at the end', () => {
  const h = new BumpHeap();
  const t = T(2, ['a 0 40', 'a 1 8']);
  const free = h.free.bind(h);
  void free;
  const v0 = replayValidated(t, h);
  assert.equal(v0.ok, true);
  // Same trace, but the allocator damages block 0's last byte when block 1 is placed.
  const g = new BumpHeap();
  const malloc = g.malloc.bind(g);
  let first = 0;
  g.malloc = (n) => {
    const p = malloc(n);
    if (first === 0) first = p;
    else g.memory.u8[first + 39]! ^= 1;
    return p;
  };
  const v = replayValidated(t, g);
  assert.equal(v.ok, false);
  assert.match(v.errors[0]!, /payload of id 0 at \d+ \(40 bytes\) corrupted at offset 39 at the end of the trace/);
});

test('refused: requests beyond maxBytes (syn-giant style) are counted, not failures', () => {
  const t = T(4, ['a 0 189', 'a 1 58432548578713656', 'a 2 4294983680', 'r 0 84048675867312144', 'f 1', 'f 2', 'r 3 8589934592', 'f 0']);
  const v = replayValidated(t, new BumpHeap({ maxBytes: 1 << 20 }));
  assert.deepEqual(v.errors, []);
  assert.equal(v.ok, true);
  assert.equal(v.refused, 4);
  assert.equal(v.peakLive, 189);
  const r = evaluateTrace(t, () => new BumpHeap({ maxBytes: 1 << 20 }), { allocator: 'bump', runs: 1 });
  assert.equal(r.valid, false, 'valid is false for a refused run');
  assert.equal(r.refused, true);
  assert.equal(r.refusedCount, 4);
  assert.deepEqual(r.errors, []);
  assert.ok(r.opsPerSec > 0, 'a cleanly refused run is still timed');
});

test('refused: a request no allocator could place in the capped heap (live + size > cap) is refused', () => {
  const t = T(3, ['a 0 600000', 'a 1 600000', 'f 0', 'a 2 100']);
  const v = replayValidated(t, new BumpHeap({ maxBytes: 1 << 20 }));
  assert.equal(v.ok, true, v.errors.join());
  assert.equal(v.refused, 1);
});

test('not refused: a NULL where the heap still had room is an error', () => {
  // The bump heap never reuses: after freeing 600 KB it cannot place another 600 KB, though a real allocator could.
  const t = T(3, ['a 0 600000', 'f 0', 'a 1 600000']);
  const v = replayValidated(t, new BumpHeap({ maxBytes: 1 << 20 }));
  assert.equal(v.ok, false);
  assert.match(v.errors[0]!, /malloc returned NULL \(lastError ENOMEM\)/);
});

test('property: random valid traces replay cleanly on a correct allocator and on the presets', () => {
  const opArb = fc.array(fc.tuple(fc.nat(3), fc.nat(11), fc.nat(600)), { minLength: 1, maxLength: 120 });
  fc.assert(
    fc.property(opArb, fc.constantFrom('tlsf', 'implicit-first', 'segregated', 'tree-best'), fc.constantFrom(8, 16), (steps, preset, align) => {
      const live = new Set<number>();
      const lines: string[] = [];
      for (const [k, id, size] of steps) {
        if (k === 0 && !live.has(id)) (live.add(id), lines.push(`a ${id} ${size}`));
        else if (k === 1) (size % 7 === 0 ? live.delete(id) : live.add(id), lines.push(`r ${id} ${size % 7 === 0 ? 0 : size}`));
        else if (k === 2 && live.has(id)) (live.delete(id), lines.push(`f ${id}`));
        else lines.push('f -1');
      }
      const t = T(12, lines);
      const a = replayValidated(t, new BumpHeap({ align }), { checkEvery: 1 });
      assert.deepEqual(a.errors, []);
      const b = replayValidated(t, createHeap({ allocator: preset, align: align as 8 | 16 }), { checkEvery: 7 });
      assert.deepEqual(b.errors, []);
      assert.equal(a.peakLive, b.peakLive);
    }),
    { numRuns: 60 },
  );
});

test('pattern: fill then verify is clean; any changed byte is reported at its offset', () => {
  fc.assert(
    fc.property(fc.nat(200), fc.nat(200), fc.nat(1000), fc.integer(), fc.nat(), (from0, len, extra, seed, pick) => {
      const buf = new ArrayBuffer(4096);
      const u8 = new Uint8Array(buf);
      const u32 = new Uint32Array(buf);
      const p = 64;
      const to = Math.min(from0 + len + extra, 3000);
      const from = Math.min(from0, to);
      fillPattern(u8, u32, p, seed, 0, to);
      assert.equal(verifyPattern(u8, u32, p, seed, 0, to), -1);
      // Refill a middle range (a realloc's tail) and it still verifies.
      fillPattern(u8, u32, p, seed, from, to);
      assert.equal(verifyPattern(u8, u32, p, seed, 0, to), -1);
      if (to > 0) {
        const k = pick % to;
        u8[p + k]! ^= 0x10;
        assert.equal(verifyPattern(u8, u32, p, seed, 0, to), k);
        assert.equal(verifyPattern(u8, u32, p, seed + 1, 0, to) >= 0, true, 'another seed does not verify');
      }
    }),
  );
  assert.notEqual(patternSeed(1, 5), patternSeed(1, 6));
  assert.notEqual(patternSeed(1, 5), patternSeed(2, 5));
});

test('shadow map: overlap queries agree with a set of marked granules', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(300), fc.nat(100)), { maxLength: 60 }), (ops) => {
      const s = new ShadowMap(64);
      const model = new Set<number>();
      for (const [mark, g, n] of ops) {
        const p = g * 8;
        const hitModel = (() => {
          for (let x = Math.floor(p / 8); x < Math.ceil((p + n) / 8); x++) if (model.has(x)) return x * 8;
          return -1;
        })();
        assert.equal(s.firstMarked(p, n), hitModel);
        for (let x = Math.floor(p / 8); x < Math.ceil((p + n) / 8); x++) (mark ? model.add(x) : model.delete(x));
        if (mark) s.mark(p, n);
        else s.clear(p, n);
      }
      assert.equal(s.countMarked(), model.size);
    }),
  );
});

test('fast pass: replays without checks, times the loop, takes the median', () => {
  const h = new BumpHeap();
  const ms = replayFast(SIMPLE, h);
  assert.ok(ms >= 0);
  assert.equal(h.sizes.size, 1, 'the same ops ran: one block live at the end');
  let made = 0;
  const tp = measureThroughput(SIMPLE, () => (made++, new BumpHeap()), 3);
  assert.equal(made, 3, 'each run on a fresh heap');
  assert.equal(tp.runsMs.length, 3);
  assert.ok(tp.opsPerSec! > 0);
  const more = measureThroughput(SIMPLE, () => new BumpHeap(), 1, 5);
  assert.ok(more.runsMs.length > 1, 'short traces get extra runs up to minTotalMs');
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
});

test('summary: means over valid records, geomean throughput, scored subsets by set weights', () => {
  const base = evaluateTrace(SIMPLE, () => new BumpHeap(), { allocator: 'bump', runs: 1, path: 'traces/malloclab-new/x.rep' });
  const recs = [
    { ...base, utilization: 0.5, opsPerSec: 100, scoredUtilization: true, scoredThroughput: true },
    { ...base, utilization: 0.9, opsPerSec: 400, scoredUtilization: false, scoredThroughput: true },
    { ...base, valid: false, timedOut: true, utilization: null, opsPerSec: 0, errors: ['timed out after 1 s'] },
  ];
  const [s] = summarize(recs, () => 'g');
  assert.equal(s!.traces, 3);
  assert.equal(s!.valid, 2);
  assert.equal(s!.timedOut, 1);
  assert.equal(s!.meanUtilization, 0.7);
  assert.ok(Math.abs(s!.geomeanOpsPerSec! - 200) < 1e-9);
  assert.equal(s!.scoredMeanUtilization, 0.5);
  assert.equal(s!.nScoredThroughput, 2);
  assert.equal(geomean([]), null);
  assert.deepEqual(scoring('traces/malloclab-new/a.rep', [0, 1, 1, 0]), { utilization: false, throughput: false });
  assert.deepEqual(scoring('traces/malloclab-new/a.rep', [3, 1, 1, 0]), { utilization: false, throughput: true });
  assert.deepEqual(scoring('traces/malloclab/short1-bal.rep', [20000, 1, 1, 1]), { utilization: false, throughput: false });
  assert.deepEqual(scoring('traces/malloclab/binary-bal.rep', [20000, 1, 1, 1]), { utilization: true, throughput: true });
  assert.deepEqual(scoring('traces/real/x.rep.gz', [0, 1, 1, 1]), { utilization: true, throughput: true });
});
