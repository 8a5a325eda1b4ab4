/**
 * model.test.ts — property-based: random sequences of mmap/munmap/mprotect/sbrk/fork/exit/load/store over several
 * processes, checked against a model that copies memory eagerly at fork (no sharing, no faults, no page tables).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createMachine, type Machine, type Process, type Prot } from '../../src/vm/index.js';

const PS = 256;
const PROTS: Prot[] = ['none', 'r', 'w', 'x', 'rw', 'rx', 'wx', 'rwx'];
const R = 1;
const W = 2;
const X = 4;
const protBits = (p: Prot) => (p.includes('r') ? R : 0) | (p.includes('w') ? W : 0) | (p.includes('x') ? X : 0);

/** An object in the model: its pages' current bytes. */
class MObj {
  constructor(readonly pages: Uint8Array[]) {}
}

interface MArea {
  start: number;
  end: number;
  prot: number;
  shared: boolean;
  obj: MObj | null;
  /** Page index in the object of `start`. */
  pg: number;
}

/** A model process: areas and its private pages, copied eagerly. */
class MProc {
  areas: MArea[] = [];
  priv = new Map<number, Uint8Array>();
  constructor(readonly real: Process, public brk: number) {}

  area(addr: number): MArea | undefined {
    return this.areas.find((a) => a.start <= addr && addr < a.end);
  }

  /** The bytes of the page at `page` (an address), as the process sees them. */
  bytes(page: number, a: MArea): Uint8Array {
    if (a.shared) return (a.obj as MObj).pages[a.pg + (page - a.start) / PS];
    return this.priv.get(page) ?? (a.obj !== null ? a.obj.pages[a.pg + (page - a.start) / PS] : new Uint8Array(PS));
  }

  /** The page, made writable-private when needed (eager copy). */
  writable(page: number, a: MArea): Uint8Array {
    if (a.shared) return this.bytes(page, a);
    let b = this.priv.get(page);
    if (b === undefined) {
      b = this.bytes(page, a).slice();
      this.priv.set(page, b);
    }
    return b;
  }

  /** Removes [start, end) from the areas (splitting) and drops its private pages. */
  unmap(start: number, end: number): void {
    const out: MArea[] = [];
    for (const a of this.areas) {
      if (a.end <= start || a.start >= end) out.push(a);
      else {
        if (a.start < start) out.push({ ...a, end: start });
        if (a.end > end) out.push({ ...a, start: end, pg: a.pg + (end - a.start) / PS });
      }
    }
    this.areas = out.sort((x, y) => x.start - y.start);
    for (let p = start; p < end; p += PS) this.priv.delete(p);
  }

  covered(start: number, end: number): boolean {
    for (let p = start; p < end; p += PS) if (this.area(p) === undefined) return false;
    return true;
  }

  fork(real: Process): MProc {
    const c = new MProc(real, this.brk);
    c.areas = this.areas.map((a) => ({ ...a }));
    for (const [k, v] of this.priv) c.priv.set(k, v.slice());
    return c;
  }
}

type Op =
  | { t: 'mmap'; p: number; pages: number; prot: number; shared: boolean; obj: boolean; off: number; bad: boolean }
  | { t: 'munmap' | 'mprotect'; p: number; a: number; o: number; n: number; prot: number; bad: boolean }
  | { t: 'store'; p: number; a: number; o: number; w: 8 | 32; v: number; stray: boolean }
  | { t: 'load'; p: number; a: number; o: number; stray: boolean }
  | { t: 'fork' | 'exit' | 'spawn'; p: number }
  | { t: 'sbrk'; p: number; d: number };

/** True about once in `n` draws. */
const rare = (n: number) => fc.nat(n - 1).map((x) => x === 0);

const protArb = fc.oneof({ weight: 3, arbitrary: fc.constant(4) }, { weight: 2, arbitrary: fc.nat(7) }); // 'rw' half the time

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('mmap' as const), p: fc.nat(), pages: fc.integer({ min: 1, max: 4 }), prot: protArb, shared: fc.boolean(), obj: fc.boolean(), off: fc.nat(3), bad: rare(10) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constantFrom('munmap' as const, 'mprotect' as const, 'mprotect' as const), p: fc.nat(), a: fc.nat(), o: fc.nat(), n: fc.integer({ min: 1, max: 3 }), prot: protArb, bad: rare(10) }) },
  { weight: 8, arbitrary: fc.record({ t: fc.constant('store' as const), p: fc.nat(), a: fc.nat(), o: fc.nat(), w: fc.constantFrom(8 as const, 32 as const), v: fc.nat({ max: 0xffffffff }), stray: rare(6) }) },
  { weight: 4, arbitrary: fc.record({ t: fc.constant('load' as const), p: fc.nat(), a: fc.nat(), o: fc.nat(), stray: rare(6) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('fork' as const), p: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constantFrom('exit' as const, 'spawn' as const), p: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('sbrk' as const), p: fc.nat(), d: fc.integer({ min: -3 * PS, max: 3 * PS }) }) },
);

/** Expected outcome of an access: undefined when allowed, else the SegmentationFault reason. */
function access(mp: MProc, addr: number, bit: number): string | undefined {
  const a = mp.area(addr);
  if (a === undefined) return 'not-mapped';
  if ((a.prot & bit) === 0) return bit === W ? 'write-denied' : 'read-denied';
  return undefined;
}

function pick(mp: MProc, a: number, o: number, stray: boolean, align: number): number {
  const heapish = mp.real.heapStart + (o % 4) * PS;
  if (mp.areas.length === 0) return stray ? 0x40 : heapish;
  const ar = mp.areas[a % mp.areas.length];
  const pages = (ar.end - ar.start) / PS;
  if (stray) return (ar.end + (o % 3) * PS + (o % (PS / align)) * align) >>> 0;
  return ar.start + (o % pages) * PS + (Math.floor(o / pages) % (PS / align)) * align;
}

function expectThrow(f: () => unknown, name: string): void {
  assert.throws(f, (e: Error) => e.name === name, `expected ${name}`);
}

/** What the real process's page holds (frame if present, else what a fault would map). */
function realPage(m: Machine, p: Process, page: number): Uint8Array {
  const e = p.pageTable().find((x) => x.address === page);
  if (e !== undefined) return m.phys.u8.slice(e.frame * PS, (e.frame + 1) * PS);
  const obj = p.areaObject(page);
  if (obj === null) return new Uint8Array(PS);
  const info = p.maps().find((x) => x.start <= page && page < x.end)!;
  const off = info.offset + (page - info.start);
  return obj.read().slice(off, off + PS);
}

function compare(m: Machine, procs: MProc[]): void {
  for (const mp of procs) {
    const maps = mp.real.maps();
    for (const a of mp.areas) {
      for (let page = a.start; page < a.end; page += PS) {
        const ra = maps.find((x) => x.start <= page && page < x.end);
        assert.ok(ra, `pid ${mp.real.pid}: page ${page} mapped`);
        assert.equal(ra.prot, (a.prot & R ? 'r' : '-') + (a.prot & W ? 'w' : '-') + (a.prot & X ? 'x' : '-'));
        assert.equal(ra.shared, a.shared);
        assert.deepEqual(realPage(m, mp.real, page), mp.bytes(page, a), `pid ${mp.real.pid}: bytes of page 0x${page.toString(16)}`);
      }
    }
    const pages = maps.reduce((s, x) => s + (x.end - x.start) / PS, 0);
    const mpages = mp.areas.reduce((s, x) => s + (x.end - x.start) / PS, 0);
    assert.equal(pages, mpages, `pid ${mp.real.pid}: mapped page count`);
    assert.equal(mp.real.brk, mp.brk);
  }
}

const coverage = { runs: 0, cowCopies: 0, cowReuses: 0, segfaults: 0, forks: 0, protects: 0, stores: 0 };

function run(ops: Op[]): void {
  const m = createMachine({ frames: 4096, pageSize: PS, tlbEntries: 8, eventCapacity: 64 });
  const initial = new Uint8Array(4 * PS);
  for (let i = 0; i < initial.length; i++) initial[i] = (i * 13 + 1) & 0xff;
  m.createObject('file', initial);
  const file = new MObj(Array.from({ length: 4 }, (_, i) => initial.slice(i * PS, (i + 1) * PS)));
  const procs: MProc[] = [];
  const spawn = () => {
    const p = m.spawn();
    const mp = new MProc(p, p.brk);
    procs.push(mp);
    // a starting address space: private data, shared memory, the file mapped private
    const d = p.mmap(4 * PS, { prot: 'rw', flags: 'private' });
    mp.areas.push({ start: d, end: d + 4 * PS, prot: R | W, shared: false, obj: null, pg: 0 });
    const sh = p.mmap(2 * PS, { prot: 'rw', flags: 'shared' });
    mp.areas.push({ start: sh, end: sh + 2 * PS, prot: R | W, shared: true, obj: new MObj([new Uint8Array(PS), new Uint8Array(PS)]), pg: 0 });
    const f = p.mmap(4 * PS, { prot: 'rw', flags: 'private', object: 'file' });
    mp.areas.push({ start: f, end: f + 4 * PS, prot: R | W, shared: false, obj: file, pg: 0 });
    mp.areas.sort((x, y) => x.start - y.start);
  };
  spawn();
  for (const op of ops) {
    if (op.t === 'spawn') {
      if (procs.length < 6) spawn();
      continue;
    }
    if (procs.length === 0) spawn();
    const mp = procs[op.p % procs.length];
    const p = mp.real;
    switch (op.t) {
      case 'mmap': {
        const prot = PROTS[op.prot];
        const len = op.pages * PS;
        if (op.bad) {
          expectThrow(() => p.mmap(len + 4, { prot, flags: 'private' }), 'InvalidArgumentError');
          break;
        }
        const useObj = op.obj;
        const off = useObj ? Math.min(op.off, 4 - op.pages < 0 ? 0 : 4 - op.pages) : 0;
        if (useObj && op.pages > 4) break;
        const addr = p.mmap(len, { prot, flags: op.shared ? 'shared' : 'private', ...(useObj ? { object: 'file', offset: off * PS } : {}) });
        assert.equal(addr % PS, 0);
        assert.ok(mp.areas.every((a) => a.end <= addr || a.start >= addr + len), 'mmap returned a free range');
        const obj = useObj ? file : op.shared ? new MObj(Array.from({ length: op.pages }, () => new Uint8Array(PS))) : null;
        mp.areas.push({ start: addr, end: addr + len, prot: protBits(prot), shared: op.shared, obj, pg: useObj ? off : 0 });
        mp.areas.sort((x, y) => x.start - y.start);
        break;
      }
      case 'munmap':
      case 'mprotect': {
        const start = pick(mp, op.a, op.o, false, PS);
        const len = op.n * PS;
        const prot = PROTS[op.prot];
        if (op.bad) {
          const before = JSON.stringify(p.maps());
          expectThrow(() => (op.t === 'munmap' ? p.munmap(start + 4, len) : p.mprotect(start, len - 4, prot)), 'InvalidArgumentError');
          assert.equal(JSON.stringify(p.maps()), before);
          break;
        }
        if (op.t === 'munmap') {
          p.munmap(start, len);
          mp.unmap(start, start + len);
        } else if (!mp.covered(start, start + len)) {
          const before = JSON.stringify(p.maps());
          expectThrow(() => p.mprotect(start, len, prot), 'OutOfAddressSpaceError');
          assert.equal(JSON.stringify(p.maps()), before);
        } else {
          p.mprotect(start, len, prot);
          coverage.protects++;
          const pieces = mp.areas.filter((a) => a.start < start + len && a.end > start);
          const saved = new Map([...mp.priv].filter(([pg]) => pg >= start && pg < start + len));
          mp.unmap(start, start + len); // re-add the pieces with the new protection, keeping private pages
          for (const [pg, b] of saved) mp.priv.set(pg, b);
          for (const a of pieces) {
            const s = Math.max(a.start, start);
            const e = Math.min(a.end, start + len);
            mp.areas.push({ ...a, start: s, end: e, pg: a.pg + (s - a.start) / PS, prot: protBits(prot) });
          }
          mp.areas.sort((x, y) => x.start - y.start);
        }
        break;
      }
      case 'store': {
        const addr = pick(mp, op.a, op.o, op.stray, op.w / 8);
        const why = access(mp, addr, W);
        if (why !== undefined) {
          assert.throws(() => (op.w === 8 ? p.store8(addr, op.v) : p.store32(addr, op.v)), (e: any) => e.name === 'SegmentationFault' && e.reason === why && e.address === addr);
          break;
        }
        const a = mp.area(addr)!;
        const page = addr - (addr % PS);
        const b = mp.writable(page, a);
        coverage.stores++;
        if (op.w === 8) {
          p.store8(addr, op.v);
          b[addr - page] = op.v & 0xff;
        } else {
          p.store32(addr, op.v);
          for (let j = 0; j < 4; j++) b[addr - page + j] = (op.v >>> (8 * j)) & 0xff;
        }
        break;
      }
      case 'load': {
        const addr = pick(mp, op.a, op.o, op.stray, 4);
        const why = access(mp, addr, R);
        if (why !== undefined) {
          assert.throws(() => p.load32(addr), (e: any) => e.name === 'SegmentationFault' && e.reason === why && e.address === addr);
          break;
        }
        const a = mp.area(addr)!;
        const page = addr - (addr % PS);
        const b = mp.bytes(page, a);
        const o = addr - page;
        assert.equal(p.load32(addr), (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0);
        break;
      }
      case 'fork':
        if (procs.length < 6) procs.push(mp.fork(p.fork()));
        break;
      case 'exit':
        p.exit();
        procs.splice(procs.indexOf(mp), 1);
        break;
      case 'sbrk': {
        const old = mp.brk;
        const target = old + op.d;
        const r = p.sbrk(op.d);
        if (target < p.heapStart) {
          assert.equal(r, -1);
          break;
        }
        assert.equal(r, old);
        const oldTop = Math.ceil(old / PS) * PS;
        const newTop = Math.ceil(target / PS) * PS;
        if (newTop > oldTop) {
          mp.areas.push({ start: oldTop, end: newTop, prot: R | W, shared: false, obj: null, pg: 0 });
          mp.areas.sort((x, y) => x.start - y.start);
        } else if (newTop < oldTop) mp.unmap(newTop, oldTop);
        mp.brk = target;
        break;
      }
    }
    assert.deepEqual(m.check(), []);
  }
  compare(m, procs);
  const st = m.stats();
  coverage.runs++;
  coverage.cowCopies += st.cowCopies;
  coverage.cowReuses += st.cowReuses;
  coverage.segfaults += st.segfaults;
  coverage.forks += st.forks;
  for (const mp of [...procs]) mp.real.exit();
  const s = m.stats();
  assert.equal(s.framesInUse, s.framesCached, 'after every exit only the object cache holds frames');
  assert.ok(s.framesCached <= 4);
  assert.deepEqual(m.check(), []);
}

test('random mmap/munmap/mprotect/sbrk/fork/exit/load/store sequences agree with an eager-copy model', () => {
  fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 80, size: 'max' }), (ops) => run(ops)), { numRuns: 120 });
  // the generator really exercised sharing, copying, protection and faults
  assert.ok(coverage.cowCopies > 50 && coverage.forks > 50 && coverage.protects > 50 && coverage.segfaults > 50 && coverage.stores > 500, JSON.stringify(coverage));
});
