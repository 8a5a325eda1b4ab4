/**
 * heap-model.test.ts — property-based: the heap view bridge (HeapMemory) against a model where each process's heap is
 * plain bytes copied eagerly at fork: view writes, process stores/loads, sync, sbrk up and down, fork and exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMachine, type Process } from '../../src/vm/index.js';

const PS = 256;

interface MP {
  p: Process;
  /** Model heap bytes from heapStart; length = brk − heapStart rounded up to pages. */
  bytes: Uint8Array;
  brk: number;
  viewed: boolean;
}

type Op =
  | { t: 'vw' | 'st'; i: number; off: number; v: number }
  | { t: 'ld'; i: number; off: number }
  | { t: 'sync' | 'fork' | 'exit' | 'view'; i: number }
  | { t: 'sbrk'; i: number; d: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ t: fc.constantFrom('vw' as const, 'st' as const), i: fc.nat(), off: fc.nat(), v: fc.nat(255) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('ld' as const), i: fc.nat(), off: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constantFrom('sync' as const, 'view' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('fork' as const, 'fork' as const, 'exit' as const), i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('sbrk' as const), i: fc.nat(), d: fc.integer({ min: -2 * PS, max: 4 * PS }) }) },
);

function pages(mp: MP): number {
  return Math.ceil((mp.brk - mp.p.heapStart) / PS);
}

function run(ops: Op[]): void {
  const m = createMachine({ frames: 2048, pageSize: PS, tlbEntries: 4 });
  const first = m.spawn();
  first.sbrk(3 * PS);
  const procs: MP[] = [{ p: first, bytes: new Uint8Array(3 * PS), brk: first.brk, viewed: false }];
  for (const op of ops) {
    if (procs.length === 0) break;
    const mp = procs[op.i % procs.length];
    const p = mp.p;
    const size = mp.brk - p.heapStart;
    switch (op.t) {
      case 'vw':
      case 'st': {
        if (size === 0) break;
        const off = op.off % size;
        if (op.t === 'vw') {
          p.heapMemory().u8[p.heapStart + off] = op.v;
          mp.viewed = true;
        } else p.store8(p.heapStart + off, op.v);
        mp.bytes[off] = op.v;
        break;
      }
      case 'ld': {
        if (size === 0) break;
        const off = op.off % size;
        assert.equal(p.load8(p.heapStart + off), mp.bytes[off]);
        if (mp.viewed) assert.equal(p.heapMemory().u8[p.heapStart + off], mp.bytes[off]);
        break;
      }
      case 'view':
        p.heapMemory();
        mp.viewed = true;
        break;
      case 'sync':
        p.sync();
        break;
      case 'fork':
        if (procs.length < 5) {
          const c = p.fork();
          procs.push({ p: c, bytes: mp.bytes.slice(), brk: mp.brk, viewed: false });
        }
        break;
      case 'exit':
        p.exit();
        procs.splice(procs.indexOf(mp), 1);
        break;
      case 'sbrk': {
        const target = mp.brk + op.d;
        const r = p.sbrk(op.d);
        if (target < p.heapStart) {
          assert.equal(r, -1);
          break;
        }
        assert.equal(r, mp.brk);
        const keep = Math.ceil((target - p.heapStart) / PS) * PS;
        const next = new Uint8Array(keep);
        next.set(mp.bytes.subarray(0, Math.min(keep, mp.bytes.length)));
        mp.bytes = next;
        mp.brk = target;
        assert.equal(p.brk, target);
        if (mp.viewed) assert.equal(p.heapMemory().brk, target);
        break;
      }
    }
    assert.deepEqual(m.check(), []);
  }
  // After a sync, each process's frames hold exactly its model bytes (absent pages are zeros).
  for (const mp of procs) {
    mp.p.sync();
    const pt = new Map(mp.p.pageTable().map((e) => [e.address, e.frame]));
    for (let pg = 0; pg < pages(mp); pg++) {
      const addr = mp.p.heapStart + pg * PS;
      const f = pt.get(addr);
      const real = f === undefined ? new Uint8Array(PS) : m.phys.u8.subarray(f * PS, (f + 1) * PS);
      assert.deepEqual([...real], [...mp.bytes.subarray(pg * PS, (pg + 1) * PS)], `pid ${mp.p.pid} heap page ${pg}`);
    }
  }
  for (const mp of procs) mp.p.exit();
  assert.equal(m.stats().framesInUse, 0);
}

test('heap views agree with an eager-copy model of each process\'s heap bytes through writes, syncs, sbrk, fork and exit', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }), (ops) => run(ops)), { numRuns: 100 });
});
