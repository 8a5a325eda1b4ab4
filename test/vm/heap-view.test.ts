/**
 * heap-view.test.ts — heapkit allocators running on a process's brk heap (HeapMemory), forked copy-on-write:
 * both heaps keep allocating, checkHeap() passes in both, payloads stay independent, only touched pages are copied.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachine, type Process } from '../../src/vm/index.js';
import { allocatorCanAttach, allocatorNames, allocatorNeedsSharedMemory, attachHeap, createHeap } from '../../src/alloc/create.js';
import type { Allocator } from '../../src/alloc/allocator.js';

const PS = 4096;

/** A tiny deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Block { p: number; n: number; tag: number }

function fill(h: Allocator, b: Block): void {
  const u8 = h.memory.u8;
  for (let i = 0; i < b.n; i++) u8[b.p + i] = (b.tag + i * 31) & 0xff;
}

function intact(h: Allocator, b: Block): boolean {
  const u8 = h.memory.u8;
  for (let i = 0; i < b.n; i++) if (u8[b.p + i] !== ((b.tag + i * 31) & 0xff)) return false;
  return true;
}

/** Same check through the process's page table (after a sync, the frames hold what the view holds). */
function intactInFrames(proc: Process, b: Block): boolean {
  for (let i = 0; i < b.n; i += 7) if (proc.load8(b.p + i) !== ((b.tag + i * 31) & 0xff)) return false;
  return true;
}

/** Random mallocs/frees with payload tags `tagBase + k`. */
function churn(h: Allocator, live: Block[], steps: number, r: () => number, tagBase: number, maxSize: number): void {
  for (let s = 0; s < steps; s++) {
    if (live.length > 0 && r() < 0.45) {
      const i = Math.floor(r() * live.length);
      const b = live[i];
      assert.ok(intact(h, b), `payload of ${b.p} intact before free`);
      h.free(b.p);
      live[i] = live[live.length - 1];
      live.pop();
    } else {
      const n = 1 + Math.floor(r() * maxSize);
      const p = h.malloc(n);
      assert.notEqual(p, 0, 'malloc succeeded');
      const b = { p, n, tag: (tagBase + s) & 0xff };
      fill(h, b);
      live.push(b);
    }
  }
}

/** Pages (by index from heapStart) whose bytes differ between two snapshots of the heap range. */
function changedPages(a: Uint8Array, b: Uint8Array, pages: number): Set<number> {
  const out = new Set<number>();
  for (let pg = 0; pg < pages; pg++) {
    for (let j = pg * PS; j < (pg + 1) * PS; j++) {
      if (a[j] !== b[j]) {
        out.add(pg);
        break;
      }
    }
  }
  return out;
}

function heapBytes(proc: Process, h: Allocator, top: number): Uint8Array {
  return h.memory.u8.slice(proc.heapStart, top);
}

test('heapkit allocator on a forked heap: both processes keep allocating, checkHeap() passes in both, payloads stay independent, only touched pages were copied', () => {
  const m = createMachine({ frames: 4096, pageSize: PS });
  const parent = m.spawn();
  const ph = createHeap({ memory: parent.heapMemory() });
  const r = rng(42);
  const pLive: Block[] = [];
  churn(ph, pLive, 4000, r, 1, 4000);
  assert.deepEqual(ph.checkHeap(), []);
  const child = parent.fork(); // syncs the parent's view, then shares every heap frame copy-on-write
  const forkTop = Math.ceil(parent.brk / PS) * PS;
  const forkPages = (forkTop - parent.heapStart) / PS;
  assert.ok(forkPages >= 100, `a heap of ${forkPages} pages`);
  const atFork = heapBytes(parent, ph, forkTop);
  const framesAtFork = m.stats().framesInUse;
  assert.equal(m.stats().cowCopies, 0);

  const ch = attachHeap(child.heapMemory());
  assert.equal(ch.name, ph.name);
  assert.deepEqual(ch.checkHeap(), []);
  assert.equal(m.stats().framesInUse, framesAtFork, 'materialising the child\'s view copies no frame');
  const cLive = pLive.map((b) => ({ ...b }));
  for (const b of cLive) assert.ok(intact(ch, b), 'the child sees the parent\'s blocks');

  // Both keep allocating, a little, interleaved; the child overwrites some inherited payloads.
  const rc = rng(7);
  for (let round = 0; round < 4; round++) {
    churn(ph, pLive, 8, r, 100 + round * 50, 200);
    churn(ch, cLive, 8, rc, 200 + round * 50, 200);
  }
  for (let i = 0; i < cLive.length; i += 50) {
    cLive[i].tag = 0x77;
    fill(ch, cLive[i]);
  }
  const pTouched = changedPages(atFork, heapBytes(parent, ph, forkTop), forkPages);
  const cTouched = changedPages(atFork, heapBytes(child, ch, forkTop), forkPages);
  child.sync();
  parent.sync();

  assert.deepEqual(ph.checkHeap(), []);
  assert.deepEqual(ch.checkHeap(), []);
  for (const b of pLive) assert.ok(intact(ph, b) && intactInFrames(parent, b), `parent block ${b.p} intact`);
  for (const b of cLive) assert.ok(intact(ch, b) && intactInFrames(child, b), `child block ${b.p} intact`);

  // Only touched pages were copied: a page changed by one side is copied once; a page changed by both is
  // copied by the first to sync and reused (count 1) by the other. Untouched pages stay shared.
  const union = new Set([...pTouched, ...cTouched]);
  const both = [...pTouched].filter((x) => cTouched.has(x)).length;
  const s = m.stats();
  assert.ok(union.size < forkPages / 2, `touched ${union.size} of ${forkPages} pages`);
  assert.equal(s.cowCopies, union.size, 'one copy per touched page');
  assert.equal(s.cowReuses, both);
  assert.equal(child.stats().cowCopies, cTouched.size);
  assert.ok(s.framesShared >= forkPages - union.size);
  assert.deepEqual(m.check(), []);

  // Exiting the child gives back exactly its private copies and its own new pages.
  child.exit();
  assert.deepEqual(m.check(), []);
  assert.deepEqual(ph.checkHeap(), []);
});

test('every allocator preset runs unchanged on a heap view and forks copy-on-write', () => {
  // a process's heap view is its private working copy, so allocators that need a SharedArrayBuffer are out;
  // the child re-opens its copy with attachHeap, so out-of-band heaps (no state in memory) are out too
  for (const name of allocatorNames.filter((n) => !allocatorNeedsSharedMemory(n) && allocatorCanAttach(n))) {
    const m = createMachine({ frames: 1024, pageSize: PS });
    const p = m.spawn();
    const h = createHeap({ memory: p.heapMemory(), allocator: name });
    const live: Block[] = [];
    const r = rng(name.length);
    churn(h, live, 300, r, 3, 300);
    const c = p.fork();
    const hc = attachHeap(c.heapMemory());
    const cl = live.map((b) => ({ ...b }));
    churn(h, live, 100, r, 50, 300);
    churn(hc, cl, 100, rng(99), 150, 300);
    c.sync();
    p.sync();
    assert.deepEqual(h.checkHeap(), [], name);
    assert.deepEqual(hc.checkHeap(), [], name);
    for (const b of live) assert.ok(intactInFrames(p, b), `${name}: parent block intact`);
    for (const b of cl) assert.ok(intactInFrames(c, b), `${name}: child block intact`);
    assert.deepEqual(m.check(), [], name);
  }
});

test('heap view: process loads/stores on heap addresses see the view; growth maps demand-zero pages; shrink unmaps', () => {
  const m = createMachine({ frames: 256, pageSize: PS });
  const p = m.spawn();
  const mem = p.heapMemory();
  assert.equal(p.heapMemory(), mem, 'one view per process');
  assert.equal(mem.base, p.heapStart);
  assert.equal(mem.sbrk(3 * PS), p.heapStart);
  assert.equal(p.brk, p.heapStart + 3 * PS);
  mem.u32[(p.heapStart + 8) >>> 2] = 1234;
  assert.equal(p.load32(p.heapStart + 8), 1234, 'the process reads its own unsynced heap writes');
  p.store32(p.heapStart + 12, 99);
  assert.equal(mem.u32[(p.heapStart + 12) >>> 2], 99);
  assert.equal(m.stats().framesInUse, 0, 'nothing reached the page table yet');
  assert.equal(p.sync(), 1);
  assert.equal(m.stats().framesInUse, 1, 'one page written back: only it got a frame');
  assert.equal(p.sync(), 0, 'nothing changed since');
  // shrinking through the process unmaps pages and zeroes the view
  mem.u8[p.heapStart + 2 * PS] = 5;
  assert.equal(p.sbrk(-2 * PS), p.heapStart + 3 * PS);
  assert.equal(mem.brk, p.heapStart + PS);
  assert.equal(mem.u8[p.heapStart + 2 * PS], 0);
  assert.equal(m.stats().framesInUse, 1);
  assert.deepEqual(m.check(), []);
});

test('heap view: translations cached before the view existed do not bypass it', () => {
  const m = createMachine({ frames: 16, pageSize: PS });
  const p = m.spawn();
  p.sbrk(PS);
  p.store32(p.heapStart, 1); // the TLB now maps the heap page to its frame
  assert.equal(p.load32(p.heapStart), 1);
  const mem = p.heapMemory();
  assert.equal(mem.u32[p.heapStart >>> 2], 1, 'materialised from the frame');
  mem.u32[p.heapStart >>> 2] = 2;
  assert.equal(p.load32(p.heapStart), 2, 'the load sees the view, not the stale frame');
  p.store32(p.heapStart + 4, 3);
  assert.equal(mem.u32[(p.heapStart + 4) >>> 2], 3);
  assert.equal(p.sync(), 1);
  assert.deepEqual(m.check(), []);
});

test('heap view: a write to a page the process made read-only faults at the next sync with the address of the first changed byte', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const mem = p.heapMemory();
  mem.sbrk(2 * PS);
  p.mprotect(p.heapStart + PS, PS, 'r');
  mem.u8[p.heapStart + PS + 40] = 1;
  assert.throws(() => p.sync(), { name: 'SegmentationFault', reason: 'write-denied', address: p.heapStart + PS + 40 });
  assert.throws(() => p.store8(p.heapStart + PS, 1), { name: 'SegmentationFault', reason: 'write-denied' });
  p.munmap(p.heapStart + PS, PS);
  assert.equal(mem.u8[p.heapStart + PS + 40], 0, 'unmapped heap pages read as zeros in the view');
  mem.u8[p.heapStart + PS + 8] = 1;
  assert.throws(() => p.sync(), { name: 'SegmentationFault', reason: 'not-mapped', address: p.heapStart + PS + 8 });
});
