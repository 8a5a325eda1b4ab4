/**
 * fork-cow.test.ts — fork copies no frame; writes after fork copy exactly the touched pages; refcount-1 faults reuse;
 * shared mappings and objects are seen by every process; exit releases frames.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachine } from '../../src/vm/index.js';

const PS = 4096;

test('fork copies no frame; k pages written in the child copy exactly k frames and leave the parent unchanged', () => {
  const m = createMachine({ frames: 256, pageSize: PS });
  const p = m.spawn();
  const n = 32;
  const a = p.mmap(n * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < n * PS; i += 4) p.store32(a + i, i ^ 0x5a5a);
  const before = m.stats();
  assert.equal(before.framesInUse, n);
  const c = p.fork();
  const afterFork = m.stats();
  assert.equal(afterFork.framesInUse, n, 'fork allocates no frame');
  assert.equal(afterFork.cowCopies, 0);
  assert.equal(afterFork.framesShared, n, 'every page is now shared by two page tables');
  assert.ok(c.pageTable().every((e) => e.cow && !e.writable), 'child PTEs are read-only COW');
  assert.ok(p.pageTable().every((e) => e.cow && !e.writable), 'parent PTEs are read-only COW');

  const touched = [0, 3, 4, 17, 31];
  for (const pg of touched) {
    c.store32(a + pg * PS + 8, 0xdead0000 + pg);
    c.store32(a + pg * PS + 12, 1); // a second store to the same page does not copy again
  }
  const s = m.stats();
  assert.equal(s.cowCopies, touched.length, 'exactly one copy per touched page');
  assert.equal(s.framesInUse, n + touched.length);
  assert.equal(c.stats().cowCopies, touched.length);
  assert.equal(p.stats().cowCopies, 0);
  for (let i = 0; i < n * PS; i += 4) assert.equal(p.load32(a + i), i ^ 0x5a5a);
  for (const pg of touched) assert.equal(c.load32(a + pg * PS + 8), 0xdead0000 + pg);
  assert.equal(c.load32(a + PS + 8), (PS + 8) ^ 0x5a5a, 'untouched pages read the shared frame');
  assert.deepEqual(m.check(), []);
});

test('a write fault on a COW page whose frame has one reference re-enables writes without copying', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(4 * PS, { prot: 'rw', flags: 'private' });
  for (let pg = 0; pg < 4; pg++) p.store32(a + pg * PS, pg + 1);
  const c = p.fork();
  c.store32(a, 100); // child copies page 0 → the parent's frame of page 0 now has one reference
  assert.equal(m.stats().cowCopies, 1);
  c.exit(); // pages 1..3 drop to one reference too
  const used = m.stats().framesInUse;
  for (let pg = 0; pg < 4; pg++) p.store32(a + pg * PS, 7);
  const s = m.stats();
  assert.equal(s.cowCopies, 1, 'no further copy');
  assert.equal(s.cowReuses, 4);
  assert.equal(s.framesInUse, used);
  assert.ok(p.pageTable().every((e) => e.writable && !e.cow));
  assert.equal(p.load32(a), 7);
  assert.deepEqual(m.check(), []);
});

test('grandchildren share too: three processes, one frame, each write copies once', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(PS, { prot: 'rw', flags: 'private' });
  p.store32(a, 1);
  const c = p.fork();
  const g = c.fork();
  assert.equal(p.pageTable()[0].refs, 3);
  g.store32(a, 3);
  c.store32(a, 2);
  p.store32(a, 1); // last holder: reuse
  assert.deepEqual([p.load32(a), c.load32(a), g.load32(a)], [1, 2, 3]);
  const s = m.stats();
  assert.equal(s.cowCopies, 2);
  assert.equal(s.cowReuses, 1);
  assert.deepEqual(m.check(), []);
});

test('shared anonymous mappings stay shared across fork: writes are seen by both', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const sh = p.mmap(2 * PS, { prot: 'rw', flags: 'shared' });
  p.store32(sh, 11);
  const c = p.fork();
  c.store32(sh, 22);
  c.store32(sh + PS, 33); // untouched before fork: the child's fault maps the object's page, the parent sees it
  assert.equal(p.load32(sh), 22);
  assert.equal(p.load32(sh + PS), 33);
  p.store32(sh + 4, 44);
  assert.equal(c.load32(sh + 4), 44);
  assert.equal(m.stats().cowCopies, 0);
  assert.ok(c.pageTable().every((e) => e.shared && !e.cow));
  // frames of the anonymous object die with its last mapping
  c.exit();
  assert.equal(m.stats().framesInUse, 2);
  p.munmap(sh, 2 * PS);
  assert.equal(m.stats().framesInUse, 0);
  assert.deepEqual(m.check(), []);
});

test('named objects: shared mappings in two processes see each other; private mappings copy on write', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const bytes = new Uint8Array(3 * PS - 100);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7) & 0xff;
  const lib = m.createObject('libc.so', bytes);
  assert.equal(lib.pages, 3);
  const p = m.spawn();
  const q = m.spawn();
  const ps = p.mmap(3 * PS, { prot: 'rw', flags: 'shared', object: lib });
  const qs = q.mmap(2 * PS, { prot: 'r', flags: 'shared', object: 'libc.so', offset: PS });
  assert.equal(p.load8(ps + PS + 5), ((PS + 5) * 7) & 0xff);
  assert.equal(m.stats().majorFaults, 1, 'first touch reads the page in');
  assert.equal(q.load8(qs + 5), ((PS + 5) * 7) & 0xff);
  assert.equal(m.stats().majorFaults, 1, 'second process hits the page cache');
  assert.equal(m.stats().minorFaults, 1);
  p.store8(ps + PS + 5, 0xee);
  assert.equal(q.load8(qs + 5), 0xee, 'shared write visible in the other process');
  assert.equal(lib.read()[PS + 5], 0xee, 'and in the object');
  assert.equal(p.load8(ps + 3 * PS - 100), 0, 'past the data: zeros');

  const r = m.spawn();
  const rp = r.mmap(3 * PS, { prot: 'rw', flags: 'private', object: lib });
  assert.equal(r.load8(rp + PS + 5), 0xee, 'a private mapping reads the object as it is now');
  r.store8(rp + PS + 6, 1);
  assert.equal(m.stats().cowCopies, 1, 'first private write copies the object page');
  assert.equal(lib.read()[PS + 6], ((PS + 6) * 7) & 0xff, 'the object is unchanged');
  assert.equal(q.load8(qs + 6), ((PS + 6) * 7) & 0xff);
  r.store8(rp + 2 * PS, 9); // a private write to a page never read: copied straight from the object
  assert.equal(m.stats().cowCopies, 2);
  assert.equal(r.load8(rp + 2 * PS + 1), ((2 * PS + 1) * 7) & 0xff);
  assert.throws(() => q.store8(qs, 1), { name: 'SegmentationFault', reason: 'write-denied' });
  assert.deepEqual(m.check(), []);
});

test('exit releases frames: framesInUse returns to the objects\' cache after every process exits', () => {
  const m = createMachine({ frames: 128, pageSize: PS });
  const lib = m.createObject('lib.so', new Uint8Array(2 * PS).fill(1));
  const p = m.spawn();
  const a = p.mmap(8 * PS, { prot: 'rw', flags: 'private' });
  const l = p.mmap(2 * PS, { prot: 'rx', flags: 'private', object: lib });
  for (let i = 0; i < 8; i++) p.store32(a + i * PS, i);
  p.load8(l);
  p.load8(l + PS);
  p.sbrk(3 * PS);
  p.store32(p.heapStart, 5);
  const kids = [p.fork(), p.fork()];
  kids[0].store32(a, 1);
  kids[1].store32(p.heapStart, 9);
  assert.ok(m.stats().framesInUse > 11);
  for (const k of kids) k.exit();
  assert.equal(m.stats().framesInUse, 8 + 2 + 1, 'children held only their own copies');
  p.exit();
  assert.equal(m.stats().framesInUse, 2, 'only the object page cache remains');
  assert.equal(m.stats().framesCached, 2);
  assert.equal(m.processes().length, 0);
  assert.throws(() => p.load32(a), { name: 'ProcessExitedError' });
  p.exit(); // idempotent
  const ev = m.events().filter((e) => e.kind === 'exit');
  assert.equal(ev.length, 3);
  assert.equal(ev[2].value, 8 + 1, 'the last exit freed its 8 data pages and its heap page');
  assert.deepEqual(m.check(), []);
});

test('repeated fork + exit of a 2048-page process copies no frame and leaks none', () => {
  const m = createMachine({ frames: 4096, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(2048 * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < 2048; i++) p.store8(a + i * PS, 1);
  const inUse = m.stats().framesInUse;
  for (let i = 0; i < 5; i++) p.fork().exit();
  assert.equal(m.stats().framesInUse, inUse);
  assert.equal(m.stats().cowCopies, 0);
});
