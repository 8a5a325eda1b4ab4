/**
 * areas.test.ts — mmap/munmap/mprotect/brk edge cases: partial-area splitting, bad arguments rejected with the state
 * unchanged, segmentation faults with address and reason, running out of frames or address space.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachine, type Machine, type Process } from '../../src/vm/index.js';

const PS = 4096;

/** Everything observable about a process and the machine's frames (not counters). */
function state(m: Machine, p: Process): string {
  const s = m.stats();
  return JSON.stringify({ maps: p.maps(), pt: p.pageTable(), brk: p.brk, inUse: s.framesInUse, shared: s.framesShared });
}

test('partial munmap splits an area in two; the hole segfaults, the rest keeps its bytes', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(6 * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < 6; i++) p.store32(a + i * PS, 100 + i);
  p.munmap(a + 2 * PS, 2 * PS);
  const maps = p.maps();
  assert.deepEqual(maps.map((x) => [x.start - a, x.end - a]), [[0, 2 * PS], [4 * PS, 6 * PS]]);
  assert.equal(m.stats().framesInUse, 4);
  assert.throws(() => p.load32(a + 2 * PS), (e: any) => e.name === 'SegmentationFault' && e.address === a + 2 * PS && e.reason === 'not-mapped');
  assert.throws(() => p.store8(a + 4 * PS - 1, 1), { name: 'SegmentationFault', reason: 'not-mapped', address: a + 4 * PS - 1 });
  assert.equal(p.load32(a + PS), 101);
  assert.equal(p.load32(a + 4 * PS), 104);
  // unmapping the head and the tail
  p.munmap(a, PS);
  p.munmap(a + 5 * PS, PS);
  assert.deepEqual(p.maps().map((x) => [x.start - a, x.end - a]), [[PS, 2 * PS], [4 * PS, 5 * PS]]);
  // a range over holes and two areas removes both; unmapping nothing is fine
  p.munmap(a, 8 * PS);
  assert.deepEqual(p.maps(), []);
  p.munmap(a, PS);
  assert.equal(m.stats().framesInUse, 0);
  // the freed range is reused by the next mmap (first fit)
  assert.equal(p.mmap(PS, { prot: 'r', flags: 'private' }), a);
  assert.deepEqual(m.check(), []);
});

test('partial mprotect splits into three areas; protection is enforced; restoring it merges them back', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(5 * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < 5; i++) p.store32(a + i * PS, i);
  p.mprotect(a + PS, 2 * PS, 'r');
  assert.deepEqual(p.maps().map((x) => [x.start - a, x.end - a, x.prot]), [[0, PS, 'rw-'], [PS, 3 * PS, 'r--'], [3 * PS, 5 * PS, 'rw-']]);
  assert.equal(p.load32(a + PS), 1);
  assert.throws(() => p.store32(a + 2 * PS + 8, 1), { name: 'SegmentationFault', reason: 'write-denied', address: a + 2 * PS + 8 });
  p.store32(a + 3 * PS, 33);
  p.mprotect(a + PS, PS, 'none');
  assert.throws(() => p.load8(a + PS), { name: 'SegmentationFault', reason: 'read-denied' });
  p.mprotect(a, 5 * PS, 'rw');
  assert.equal(p.maps().length, 1, 'equal neighbours merge');
  p.store32(a + 2 * PS + 8, 1);
  assert.equal(p.load32(a + 2 * PS + 8), 1);
  p.mprotect(a, PS, 'rx');
  assert.equal(p.fetch32(a), 0);
  assert.throws(() => p.fetch32(a + PS), { name: 'SegmentationFault', reason: 'exec-denied' });
  assert.equal(m.stats().segfaults, 3);
  assert.deepEqual(m.check(), []);
});

test('mprotect to read-only after fork then back to rw still copies on write', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(PS, { prot: 'rw', flags: 'private' });
  p.store32(a, 1);
  const c = p.fork();
  c.mprotect(a, PS, 'r');
  c.mprotect(a, PS, 'rw');
  c.store32(a, 2);
  assert.equal(p.load32(a), 1);
  assert.equal(m.stats().cowCopies, 1);
  assert.deepEqual(m.check(), []);
});

test('unaligned or impossible arguments throw InvalidArgumentError and change nothing', () => {
  const m = createMachine({ frames: 64, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(4 * PS, { prot: 'rw', flags: 'private' });
  p.store32(a, 1);
  m.createObject('f', new Uint8Array(PS));
  const before = state(m, p);
  const bad: (() => unknown)[] = [
    () => p.munmap(a + 1, PS),
    () => p.munmap(a, PS + 1),
    () => p.munmap(a, 0),
    () => p.munmap(a, -PS),
    () => p.munmap(1.5, PS),
    () => p.mprotect(a + 8, PS, 'r'),
    () => p.mprotect(a, 100, 'r'),
    () => p.mprotect(a, PS, 'rwz' as never),
    () => p.mmap(PS + 1, { prot: 'rw', flags: 'private' }),
    () => p.mmap(0, { prot: 'rw', flags: 'private' }),
    () => p.mmap(PS, { prot: 'rw', flags: 'both' as never }),
    () => p.mmap(PS, { prot: 'q' as never, flags: 'private' }),
    () => p.mmap(PS, { prot: 'r', flags: 'shared', object: 'f', offset: 100 }),
    () => p.mmap(2 * PS, { prot: 'r', flags: 'shared', object: 'f' }),
    () => p.mmap(PS, { prot: 'r', flags: 'shared', object: 'f', offset: PS }),
    () => p.mmap(PS, { prot: 'r', flags: 'shared', object: 'nope' }),
    () => p.mmap(PS, { prot: 'r', flags: 'private', offset: PS }),
    () => p.munmap(0xffff_f000, 2 * PS),
  ];
  for (const f of bad) {
    assert.throws(f, (e: any) => e.name === 'InvalidArgumentError' && e.errno === 'EINVAL', String(f));
    assert.equal(state(m, p), before, `state changed by ${String(f)}`);
  }
  // mprotect over a hole: ENOMEM, nothing changed (not even a split)
  assert.throws(() => p.mprotect(a, 5 * PS, 'r'), { name: 'OutOfAddressSpaceError', errno: 'ENOMEM' });
  assert.equal(state(m, p), before);
  assert.throws(() => m.createObject('f', 1), { name: 'InvalidArgumentError' });
  assert.throws(() => createMachine({ frames: 4, pageSize: 1000 }), { name: 'InvalidArgumentError' });
  assert.throws(() => createMachine({ frames: 0, pageSize: PS }), { name: 'InvalidArgumentError' });
  assert.deepEqual(m.check(), []);
});

test('segmentation faults carry the address, the reason and the pid', () => {
  const m = createMachine({ frames: 16, pageSize: PS });
  const p = m.spawn();
  for (const addr of [0, 4, 0xfff, p.heapStart, 0x4000_0000, 0xffff_fffc]) {
    try {
      p.load32(addr);
      assert.fail('no fault');
    } catch (e: any) {
      assert.equal(e.name, 'SegmentationFault');
      assert.equal(e.address, addr);
      assert.equal(e.reason, 'not-mapped');
      assert.equal(e.pid, p.pid);
      assert.match(e.message, /0x[0-9a-f]{8}/);
    }
  }
  const r = p.mmap(PS, { prot: 'r', flags: 'private' });
  assert.throws(() => p.store16(r + 2, 1), { name: 'SegmentationFault', reason: 'write-denied', address: r + 2 });
  // an unaligned store spanning a writable and a forbidden page changes neither
  const w = p.mmap(PS, { prot: 'rw', flags: 'private' });
  const ro = p.mmap(PS, { prot: 'r', flags: 'private' });
  assert.equal(ro, w + PS);
  assert.throws(() => p.store32(w + PS - 2, 0xffffffff), { name: 'SegmentationFault', address: w + PS });
  assert.equal(p.load16(w + PS - 2), 0);
  assert.ok(m.events().some((e) => e.kind === 'segv' && e.address === w + PS));
});

test('running out of frames throws OutOfFramesError and leaves the page unmapped; freeing frames lets it continue', () => {
  const m = createMachine({ frames: 4, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(8 * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < 4; i++) p.store8(a + i * PS, i);
  const before = state(m, p);
  assert.throws(() => p.store8(a + 4 * PS, 1), { name: 'OutOfFramesError', errno: 'ENOMEM' });
  assert.equal(state(m, p), before);
  // COW copy needs a frame too
  const c = p.fork();
  assert.throws(() => c.store8(a, 9), { name: 'OutOfFramesError' });
  assert.equal(c.load8(a), 0);
  c.exit();
  p.munmap(a, PS);
  p.store8(a + 4 * PS, 1);
  assert.equal(p.load8(a + 4 * PS), 1);
  assert.throws(() => p.mmap(0x8000_0000, { prot: 'r', flags: 'private' }), { name: 'OutOfAddressSpaceError' });
  assert.deepEqual(m.check(), []);
});

test('brk/sbrk grow and shrink the heap area; pages above the break are gone; the heap cannot reach mmapBase', () => {
  const m = createMachine({ frames: 32, pageSize: PS });
  const p = m.spawn();
  assert.equal(p.brk, p.heapStart);
  assert.equal(p.sbrk(10), p.heapStart);
  p.store8(p.heapStart + 9, 7);
  p.store8(p.heapStart + PS - 1, 7); // same page as the break: mapped
  assert.throws(() => p.load8(p.heapStart + PS), { name: 'SegmentationFault' });
  assert.equal(p.sbrk(3 * PS), p.heapStart + 10);
  p.store32(p.heapStart + 3 * PS, 3);
  assert.deepEqual(p.maps().map((x) => [x.heap, x.end - x.start]), [[true, 4 * PS]]);
  assert.equal(p.sbrk(-(3 * PS)), p.heapStart + 3 * PS + 10);
  assert.equal(m.stats().framesInUse, 1);
  assert.equal(p.sbrk(3 * PS), p.heapStart + 10);
  assert.equal(p.load32(p.heapStart + 3 * PS), 0, 'regrown page is demand-zero again');
  assert.equal(p.load8(p.heapStart + 9), 7);
  assert.equal(p.sbrk(-(10 * PS)), -1);
  assert.equal(p.setBrk(0x4000_0000 + 1), false);
  assert.equal(p.setBrk(0x4000_0000), true);
  assert.equal(p.setBrk(p.heapStart), true);
  assert.deepEqual(p.maps(), []);
  assert.deepEqual(m.check(), []);
});

test('loads and stores of every width, aligned and not, across a page boundary, little-endian', () => {
  const m = createMachine({ frames: 16, pageSize: PS });
  const p = m.spawn();
  const a = p.mmap(2 * PS, { prot: 'rw', flags: 'private' });
  p.store32(a + PS - 2, 0x11223344);
  assert.equal(p.load8(a + PS - 2), 0x44);
  assert.equal(p.load8(a + PS + 1), 0x11);
  assert.equal(p.load32(a + PS - 2), 0x11223344);
  assert.equal(p.load16(a + PS - 1), 0x2233);
  p.storeF64(a + PS - 3, Math.PI);
  assert.equal(p.loadF64(a + PS - 3), Math.PI);
  p.storeF64(a + 8, -1.5);
  assert.equal(p.loadF64(a + 8), -1.5);
  p.store16(a + 2, 0x1ffff);
  assert.equal(p.load16(a + 2), 0xffff);
  p.store32(a + 4, -1);
  assert.equal(p.load32(a + 4), 0xffffffff);
  p.write(a + 100, [1, 2, 3]);
  assert.deepEqual([...p.read(a + 100, 3)], [1, 2, 3]);
});

test('the event log is bounded: old records are overwritten and counted', () => {
  const m = createMachine({ frames: 64, pageSize: PS, eventCapacity: 16 });
  const p = m.spawn();
  const a = p.mmap(40 * PS, { prot: 'rw', flags: 'private' });
  for (let i = 0; i < 40; i++) p.store8(a + i * PS, 1);
  const ev = m.events();
  assert.equal(ev.length, 16);
  assert.equal(m.stats().eventsDropped, 41 - 16);
  assert.equal(ev[15].kind, 'fault');
  assert.equal(ev[15].address, a + 39 * PS);
  assert.equal(ev[15].seq, 40);
});
