/**
 * mutex.test.ts — the shared heap's page-allocator lock: mutual exclusion across worker_threads, and its states.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mutexLock, mutexTryLock, mutexUnlock } from '../../src/alloc/shared/mutex.js';
import { spawnTsWorker } from './spawn.js';

test('lock states: 0 free, 1 held; tryLock fails while held', () => {
  const i32 = new Int32Array(new SharedArrayBuffer(8));
  mutexLock(i32, 1);
  assert.equal(i32[1], 1);
  assert.equal(mutexTryLock(i32, 1), false);
  mutexUnlock(i32, 1);
  assert.equal(i32[1], 0);
  assert.equal(mutexTryLock(i32, 1), true);
  mutexUnlock(i32, 1);
});

test('3 workers increment a plain counter under the lock: no update is lost', async () => {
  const sab = new SharedArrayBuffer(16);
  const i32 = new Int32Array(sab);
  const rounds = 100_000;
  const ws = [0, 1, 2].map(() => spawnTsWorker(new URL('./mutex-worker.ts', import.meta.url), { sab, rounds }));
  const ready: Promise<void>[] = [];
  const done = ws.map((w) => {
    let onReady: () => void = () => {};
    ready.push(new Promise<void>((r) => (onReady = r)));
    return new Promise<void>((resolve, reject) => {
      w.on('message', (m) => (m === 'ready' ? onReady() : resolve()));
      w.on('error', reject);
    });
  });
  await Promise.all(ready);
  Atomics.store(i32, 2, 1);
  Atomics.notify(i32, 2);
  await Promise.all(done);
  await Promise.all(ws.map((w) => w.terminate()));
  assert.equal(i32[1], 3 * rounds);
  assert.equal(i32[0], 0, 'the lock is free at the end');
});
