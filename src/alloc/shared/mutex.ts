/**
 * mutex.ts — a futex-style mutex in one Int32Array word, for the shared heap's page allocator (and benches' global locks).
 * Exports `mutexLock`, `mutexUnlock`, `mutexTryLock`.
 *
 * The word: 0 = free, 1 = held, 2 = held and somebody may be sleeping on it (Drepper, "Futexes
 * are tricky", mutex #2). Lockers spin briefly, then sleep with `Atomics.wait`; where waiting is
 * not allowed (a browser's main thread) they keep spinning. Unlock wakes one sleeper only when
 * the word said 2, so the uncontended path is one compareExchange to lock and one sub to unlock.
 */

let canWait = true;

/** Tries once to take the mutex at `i32[index]`; true when taken. */
export function mutexTryLock(i32: Int32Array, index: number): boolean {
  return Atomics.compareExchange(i32, index, 0, 1) === 0;
}

/** Takes the mutex at `i32[index]`, spinning then sleeping until it is free. */
export function mutexLock(i32: Int32Array, index: number): void {
  let c = Atomics.compareExchange(i32, index, 0, 1);
  if (c === 0) return;
  for (let spin = 0; spin < 64; spin++) {
    if (Atomics.load(i32, index) === 0) {
      c = Atomics.compareExchange(i32, index, 0, 1);
      if (c === 0) return;
    }
  }
  if (c !== 2) c = Atomics.exchange(i32, index, 2);
  while (c !== 0) {
    if (canWait) {
      try {
        Atomics.wait(i32, index, 2, 10);
      } catch {
        canWait = false;
      }
    }
    c = Atomics.exchange(i32, index, 2);
  }
}

/** Releases the mutex at `i32[index]` (the caller must hold it), waking one sleeper if any. */
export function mutexUnlock(i32: Int32Array, index: number): void {
  if (Atomics.sub(i32, index, 1) !== 1) {
    Atomics.store(i32, index, 0);
    Atomics.notify(i32, index, 1);
  }
}
