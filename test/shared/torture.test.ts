/**
 * torture.test.ts — several worker_threads hammer one shared heap with cross-worker frees and reallocs.
 * Every payload is stamped and verified, a claim map catches any block handed out twice, and the heap is checked at every quiescent point.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runTorture } from './torture-run.js';

test('2 workers: random malloc/calloc/free/realloc with cross-worker frees, checked every round', async () => {
  const r = await runTorture({ workers: 2, rounds: 6, opsPerRound: 8000, seed: 7 });
  assert.ok(r.ops > 2 * 6 * 8000 * 0.5, `only ${r.ops} operations ran`);
  assert.equal(r.checks, 8);
  assert.equal(r.enomem, 0);
});

test('4 workers on 2 cores, a small heap that grows while they run', async () => {
  const grew: number[] = [];
  const r = await runTorture({ workers: 4, rounds: 5, opsPerRound: 6000, seed: 99, maxBytes: 48 << 20, onRound: (_r, _live, bytes) => grew.push(bytes) });
  assert.ok(r.ops > 4 * 5 * 6000 * 0.5);
  assert.ok(grew[0]! > 3 * 65536, 'the heap grew beyond its first pages while workers ran');
});

test('3 workers at the edge of memory: ENOMEM is an ordinary outcome, nothing is lost', async () => {
  const r = await runTorture({ workers: 3, rounds: 4, opsPerRound: 4000, seed: 3, maxBytes: 4 << 20, maxHeld: 4000 });
  assert.ok(r.enomem > 0, 'the run reached the memory limit');
  assert.ok(r.highWater <= 4 << 20);
});
