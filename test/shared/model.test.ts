/**
 * model.test.ts — random malloc/free/realloc/calloc/alignedAlloc sequences on a shared heap against a model,
 * single-threaded, through one to three handles (so frees and reallocs cross slots: the remote-free path), with checkHeap after every step.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { attachSharedHeap, createSharedHeap, type SharedHeap } from '../../src/index.js';

interface Live {
  p: number;
  n: number;
  tag: number;
}

/** Drives a set of handles onto one heap and checks them against a list of live blocks. */
class Model {
  live: Live[] = [];
  private tag = 1;
  constructor(readonly hs: SharedHeap[]) {}

  private u8(): Uint8Array {
    return new Uint8Array(this.hs[0]!.buffer); // length-tracking: sees growth by any handle
  }
  private fill(b: Live): void {
    const u8 = this.u8();
    for (let i = 0; i < b.n; i++) u8[b.p + i] = (b.tag * 31 + i) & 255;
  }
  verify(b: Live, n = b.n): void {
    const u8 = this.u8();
    for (let i = 0; i < n; i++) if (u8[b.p + i] !== ((b.tag * 31 + i) & 255)) assert.fail(`payload of block ${b.p} (tag ${b.tag}) changed at byte ${i}`);
  }
  private admit(h: SharedHeap, p: number, n: number, align: number): void {
    assert.equal(p % align, 0, `pointer ${p} not aligned to ${align}`);
    assert.ok(h.usableSize(p) >= n, 'usable size smaller than the request');
    for (const o of this.live) assert.ok(p + n <= o.p || o.p + o.n <= p, `block [${p}, ${p + n}) overlaps live [${o.p}, ${o.p + o.n})`);
    const b = { p, n, tag: this.tag++ };
    this.fill(b);
    this.live.push(b);
  }
  /** 0 is allowed only as ENOMEM (the heap is small on purpose). */
  private failed(h: SharedHeap, p: number, n: number): boolean {
    if (n === 0) {
      assert.equal(p, 0);
      return true;
    }
    if (p === 0) {
      assert.equal(h.lastError, 'ENOMEM', `allocation of ${n} failed with ${h.lastError}`);
      return true;
    }
    return false;
  }
  malloc(hi: number, n: number): void {
    const h = this.hs[hi % this.hs.length]!;
    const p = h.malloc(n);
    if (!this.failed(h, p, n)) this.admit(h, p, n, 16);
  }
  calloc(hi: number, n: number, s: number): void {
    const h = this.hs[hi % this.hs.length]!;
    const dirty = h.malloc(n * s); // hand out (and dirty) a block first so calloc may reuse dirty memory
    if (dirty !== 0) {
      this.u8().fill(0xee, dirty, dirty + n * s);
      h.free(dirty);
    }
    const p = h.calloc(n, s);
    if (this.failed(h, p, n * s)) return;
    const u8 = this.u8();
    for (let i = 0; i < n * s; i++) if (u8[p + i] !== 0) assert.fail(`calloc byte ${i} of ${p} is ${u8[p + i]}`);
    this.admit(h, p, n * s, 16);
  }
  aligned(hi: number, a: number, n: number): void {
    const h = this.hs[hi % this.hs.length]!;
    const p = h.alignedAlloc(a, n);
    if (!this.failed(h, p, n)) this.admit(h, p, n, Math.max(a, 16));
  }
  free(hi: number, i: number): void {
    if (this.live.length === 0) return;
    const b = this.live.splice(i % this.live.length, 1)[0]!;
    this.verify(b);
    this.hs[hi % this.hs.length]!.free(b.p);
  }
  realloc(hi: number, i: number, n: number): void {
    if (this.live.length === 0) return;
    const h = this.hs[hi % this.hs.length]!;
    const k = i % this.live.length;
    const b = this.live[k]!;
    this.verify(b);
    const q = h.realloc(b.p, n);
    if (n !== 0 && q === 0) {
      assert.equal(h.lastError, 'ENOMEM');
      this.verify(b); // failed realloc leaves the block intact
      return;
    }
    this.live.splice(k, 1);
    if (n === 0) return assert.equal(q, 0);
    this.verify({ p: q, n: Math.min(b.n, n), tag: b.tag });
    this.admit(h, q, n, 16);
  }
  check(): void {
    for (const h of this.hs) {
      const v = h.checkHeap();
      assert.deepEqual(v, [], `heap invariants violated: ${JSON.stringify(v.slice(0, 3))}`);
    }
    const h = this.hs[this.hs.length - 1]!;
    const s = h.stats();
    assert.equal(s.liveBlocks, this.live.length);
    assert.equal(s.liveBytes, this.live.reduce((t, b) => t + h.usableSize(b.p), 0));
    assert.ok(s.highWater >= s.heapBytes && s.heapBytes <= h.memory.maxBytes);
    for (const b of this.live) this.verify(b);
  }
}

const size = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 300 }) },
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 9000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 30000, max: 300000 }) },
);
const hi = fc.nat({ max: 5 });
const op = fc.oneof(
  { weight: 5, arbitrary: fc.record({ k: fc.constant('malloc' as const), h: hi, n: size }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('free' as const), h: hi, i: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('realloc' as const), h: hi, i: fc.nat(), n: size }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('calloc' as const), h: hi, n: fc.integer({ min: 0, max: 40 }), s: fc.integer({ min: 0, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('aligned' as const), h: hi, a: fc.constantFrom(8, 16, 32, 64, 128, 256, 4096, 65536), n: size }) },
);

describe('shared heap against the model', () => {
  for (const handles of [1, 2, 3]) {
    it(`${handles} handle(s)${handles > 1 ? ' (cross-slot frees and reallocs)' : ''}`, () => {
      fc.assert(
        fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
          const first = createSharedHeap({ maxBytes: 3 << 20, maxWorkers: 4 });
          const hs = [first];
          for (let k = 1; k < handles; k++) hs.push(attachSharedHeap(first.buffer as SharedArrayBuffer));
          const m = new Model(hs);
          for (const o of ops) {
            if (o.k === 'malloc') m.malloc(o.h, o.n);
            else if (o.k === 'free') m.free(o.h, o.i);
            else if (o.k === 'realloc') m.realloc(o.h, o.i, o.n);
            else if (o.k === 'calloc') m.calloc(o.h, o.n, o.s);
            else m.aligned(o.h, o.a, o.n);
            m.check();
          }
          while (m.live.length > 0) m.free(m.live.length, 0);
          m.check();
          // everything freed: the memory is reusable, up to the whole heap again
          const big = hs[0]!.malloc(1 << 20);
          assert.notEqual(big, 0, 'a 1 MiB block fits again after everything was freed');
          hs[0]!.free(big);
        }),
        { numRuns: 60 },
      );
    });
  }
});
