/**
 * mutex-worker.ts — worker of mutex.test.ts: increments a plain (non-atomic) counter under the futex mutex.
 * Exports nothing: workerData = { sab, rounds }; posts 'ready', waits for the start word, then posts 'done'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { mutexLock, mutexUnlock } from '../../src/alloc/shared/mutex.js';

const { sab, rounds } = workerData as { sab: SharedArrayBuffer; rounds: number };
const i32 = new Int32Array(sab);
parentPort!.postMessage('ready');
while (Atomics.load(i32, 2) === 0) Atomics.wait(i32, 2, 0, 50); // start together
for (let k = 0; k < rounds; k++) {
  mutexLock(i32, 0);
  const v = i32[1]!; // read-modify-write without atomics: only correct under mutual exclusion
  for (let spin = 0; spin < ((k & 63) === 0 ? 400 : 20); spin++) i32[3] = spin; // widen the window (more now and then)
  i32[1] = v + 1;
  mutexUnlock(i32, 0);
}
parentPort!.postMessage('done');
