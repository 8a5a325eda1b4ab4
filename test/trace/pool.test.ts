/**
 * pool.test.ts — the worker pool: jobs run in worker threads, a stuck allocator is stopped at the
 * time limit (timedOut, no hang), a broken one is reported invalid, an unreadable trace fails only its job.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBenchPool, type BenchJob } from '../../src/node/index.js';
import { collectTraceFiles } from '../../src/node/trace-files.js';

const FAKE = new URL('./fake-heaps.ts', import.meta.url).href;
const [short1, short2] = collectTraceFiles([]).filter((f) => /malloclab\/short[12]-bal\.rep$/.test(f));

const job = (path: string, allocator: string): BenchJob => ({ path, allocator, align: 16, runs: 1, checkEvery: 0, maxBytes: 1 << 24, factoryModule: FAKE });

test('pool: timeouts stop stuck jobs without hanging; other results are unaffected', async () => {
  const jobs = [job(short1!, 'broken-slow'), job(short1!, 'bump'), job(short2!, 'broken-overlap'), job('no/such/trace.rep', 'bump'), job(short2!, 'bump')];
  const seen: number[] = [];
  const t0 = Date.now();
  const rs = await runBenchPool(jobs, { timeoutSeconds: 1, workers: 2, onRecord: (_r, done, total) => (seen.push(done), assert.equal(total, 5)) });
  const elapsed = (Date.now() - t0) / 1000;
  assert.ok(elapsed < 20, `took ${elapsed} s`);
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(rs.length, 5);
  const [slow, ok1, overlap, missing, ok2] = rs;
  assert.equal(slow!.timedOut, true);
  assert.equal(slow!.valid, false);
  assert.equal(slow!.trace, 'short1-bal');
  assert.deepEqual(slow!.header, [20000, 6, 12, 1], 'the header arrived before the timeout');
  assert.match(slow!.errors[0]!, /timed out after 1 s/);
  for (const r of [ok1!, ok2!]) {
    assert.equal(r.valid, true, r.errors.join());
    assert.equal(r.timedOut, false);
    assert.ok(r.utilization! > 0 && r.utilization! <= 1);
    assert.ok(r.opsPerSec > 0);
  }
  assert.equal(overlap!.valid, false);
  assert.match(overlap!.errors[0]!, /overlaps id/);
  assert.equal(missing!.valid, false);
  assert.match(missing!.errors[0]!, /ENOENT/);
});

test('pool: an empty job list resolves at once', async () => {
  assert.deepEqual(await runBenchPool([], { timeoutSeconds: 1 }), []);
});
