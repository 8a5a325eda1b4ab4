/**
 * torture-worker.ts — one worker of the shared-heap torture run (test/shared/torture.test.ts, scripts/shared-soak.ts).
 * Exports nothing: started by torture-run.ts as a worker_thread with `TortureSetup` as workerData; reports through postMessage.
 *
 * Each worker attaches to the heap, then runs rounds of random malloc/calloc/free/realloc on blocks
 * it holds, sends blocks to other workers through single-producer rings (they free or keep them:
 * cross-worker frees and reallocs), and receives theirs. Every payload is stamped with
 * (holder-independent) owner id, sequence number and size, and verified before it is freed or
 * resized. A claim map (one byte per 16-byte granule, claimed with compareExchange) proves that no
 * block is handed out twice. After each round the worker pauses until the main thread, at the
 * quiescent point, has checked the heap and released it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { attachSharedHeap } from '../../src/alloc/shared/index.js';
import { RING_SLOTS, RING_WORDS, type TortureSetup } from './torture-run.js';

const setup = workerData as TortureSetup;
const { id, workers } = setup;
const heap = attachSharedHeap(setup.heap);
const rings = new Uint32Array(setup.rings);
const claims = new Uint8Array(setup.claims);
const ctl = new Int32Array(setup.ctl);

let rng = (setup.seed ^ (id * 0x9e3779b9)) >>> 0 || 1;
function rand(n: number): number {
  rng ^= rng << 13;
  rng >>>= 0;
  rng ^= rng >>> 17;
  rng ^= rng << 5;
  rng >>>= 0;
  return rng % n;
}

class Failure extends Error {}
function fail(msg: string): never {
  throw new Failure(`worker ${id}: ${msg}`);
}

// held blocks: pointer, asked size, stamp owner, stamp sequence
const heldP: number[] = [];
const heldN: number[] = [];
let seq = 0;
let ops = 0;
let enomem = 0;

function size(): number {
  const r = rand(1000);
  if (r < 700) return 1 + rand(128);
  if (r < 950) return 129 + rand(2000);
  if (r < 995) return 2200 + rand(30000);
  return 32769 + rand(100000);
}

function claim(p: number, n: number): void {
  if (p % 16 !== 0) fail(`malloc returned misaligned ${p}`);
  if (p + n > heap.buffer.byteLength) fail(`block ${p}+${n} lies outside the buffer (${heap.buffer.byteLength})`);
  const g1 = (p + Math.max(n, 1) - 1) >>> 4;
  for (let g = p >>> 4; g <= g1; g++) {
    const was = Atomics.compareExchange(claims, g, 0, id + 1);
    if (was !== 0) fail(`block ${p} (${n} bytes) overlaps a block held by worker ${was - 1} at ${g * 16}: handed out twice`);
  }
}

function unclaim(p: number, n: number): void {
  const g1 = (p + Math.max(n, 1) - 1) >>> 4;
  for (let g = p >>> 4; g <= g1; g++) {
    if (Atomics.compareExchange(claims, g, id + 1, 0) !== id + 1) fail(`block ${p}: granule ${g * 16} was not claimed by me`);
  }
}

function stamp(p: number, n: number): void {
  const u8 = heap.memory.u8;
  const s = ++seq;
  const key = (id * 131 + s) & 255;
  for (let k = 0; k < n; k++) u8[p + k] = (key + k) & 255;
  if (n >= 12) {
    const dv = new DataView(heap.buffer, p, 12);
    dv.setUint32(0, id, true);
    dv.setUint32(4, s, true);
    dv.setUint32(8, n, true);
  }
}

/** Verifies the first `n` bytes of a block stamped with size `full`. */
function verify(p: number, n: number, full: number): void {
  if (p + n > heap.memory.capacity) heap.memory.refresh(); // another worker grew the heap
  const u8 = heap.memory.u8;
  if (full >= 12 && n >= 12) {
    const dv = new DataView(heap.buffer, p, 12);
    const owner = dv.getUint32(0, true);
    const s = dv.getUint32(4, true);
    const size = dv.getUint32(8, true);
    if (size !== full || owner >= workers) fail(`block ${p}: stamp says owner ${owner} size ${size}, expected size ${full}`);
    const key = (owner * 131 + s) & 255;
    for (let k = 12; k < n; k++) if (u8[p + k] !== ((key + k) & 255)) fail(`block ${p} (owner ${owner} seq ${s}): byte ${k} is ${u8[p + k]}, payload damaged`);
  }
  const us = heap.usableSize(p);
  if (us < n) fail(`usableSize(${p}) = ${us} < ${n}`);
}

function take(k: number): [number, number] {
  const p = heldP[k]!;
  const n = heldN[k]!;
  heldP[k] = heldP[heldP.length - 1]!;
  heldN[k] = heldN[heldN.length - 1]!;
  heldP.pop();
  heldN.pop();
  return [p, n];
}

function freeBlock(p: number, n: number): void {
  verify(p, n, n);
  unclaim(p, n);
  heap.free(p);
  ops++;
}

function ring(from: number, to: number): number {
  return (from * workers + to) * RING_WORDS;
}

function send(to: number, p: number, n: number): boolean {
  const r = ring(id, to);
  const head = Atomics.load(rings, r);
  const tail = rings[r + 1]!;
  if (tail - head >= RING_SLOTS / 2) return false;
  // hand the claim over: the receiver re-claims under its id
  unclaim(p, n);
  rings[r + 2 + ((2 * tail) % RING_SLOTS)] = p;
  rings[r + 2 + ((2 * tail + 1) % RING_SLOTS)] = n;
  Atomics.store(rings, r + 1, tail + 1);
  return true;
}

function receive(keep: boolean): void {
  for (let from = 0; from < workers; from++) {
    if (from === id) continue;
    const r = ring(from, id);
    let head = rings[r]!;
    const tail = Atomics.load(rings, r + 1);
    while (head !== tail) {
      const p = rings[r + 2 + ((2 * head) % RING_SLOTS)]!;
      const n = rings[r + 2 + ((2 * head + 1) % RING_SLOTS)]!;
      head++;
      Atomics.store(rings, r, head);
      claim(p, n);
      if (keep && rand(2) === 0 && heldP.length < setup.maxHeld) {
        verify(p, n, n);
        heldP.push(p);
        heldN.push(n);
      } else freeBlock(p, n);
    }
  }
}

function step(): void {
  const r = rand(100);
  if (r < 40 && heldP.length < setup.maxHeld) {
    const n = size();
    const zero = rand(8) === 0;
    const p = zero ? heap.calloc(1, n) : heap.malloc(n);
    ops++;
    if (p === 0) {
      if (heap.lastError !== 'ENOMEM') fail(`malloc(${n}) failed with ${heap.lastError}`);
      enomem++;
      return;
    }
    claim(p, n);
    if (zero) for (let k = 0; k < n; k++) if (heap.memory.u8[p + k] !== 0) fail(`calloc(${n}) block ${p} byte ${k} is not zero`);
    stamp(p, n);
    heldP.push(p);
    heldN.push(n);
  } else if (r < 65 && heldP.length > 0) {
    const [p, n] = take(rand(heldP.length));
    freeBlock(p, n);
  } else if (r < 77 && heldP.length > 0) {
    const k = rand(heldP.length);
    const p = heldP[k]!;
    const n = heldN[k]!;
    verify(p, n, n);
    const m = rand(4) === 0 ? size() : Math.max(1, n + rand(64) - 32);
    unclaim(p, n);
    const q = heap.realloc(p, m);
    ops++;
    if (q === 0) {
      if (heap.lastError !== 'ENOMEM') fail(`realloc(${p}, ${m}) failed with ${heap.lastError}`);
      enomem++;
      claim(p, n);
      return;
    }
    claim(q, m);
    verify(q, Math.min(n, m), n);
    stamp(q, m);
    heldP[k] = q;
    heldN[k] = m;
  } else if (r < 97 && heldP.length > 0 && workers > 1) {
    const k = rand(heldP.length);
    let to = rand(workers - 1);
    if (to >= id) to++;
    const p = heldP[k]!;
    const n = heldN[k]!;
    verify(p, n, n);
    if (send(to, p, n)) take(k);
  } else receive(true);
}

function main(): void {
  for (let round = 0; round < setup.rounds; round++) {
    for (let i = 0; i < setup.opsPerRound; i++) step();
    receive(true);
    pause(round, false);
  }
  // end: free everything held, then (after everyone stopped sending) drain the rings
  while (heldP.length > 0) {
    const [p, n] = take(heldP.length - 1);
    freeBlock(p, n);
  }
  pause(setup.rounds, false);
  receive(false);
  pause(setup.rounds + 1, true);
}

function pause(round: number, last: boolean): void {
  parentPort!.postMessage({ type: 'paused', id, round, held: heldP.length, ops, enomem, last });
  if (!last) while (Atomics.load(ctl, 0) <= round) Atomics.wait(ctl, 0, round, 1000);
}

try {
  main();
} catch (e) {
  const err = e as Error;
  parentPort!.postMessage({ type: 'error', id, message: `${err.name}: ${err.message}\n${err.stack ?? ''}` });
}
