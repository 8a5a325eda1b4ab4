/**
 * model.ts — a reference model for allocator tests: every live block with its size and fill pattern,
 * checked for alignment, overlap and payload integrity after each operation.
 */
import assert from 'node:assert/strict';
import type { Allocator } from '../../src/index.js';

export interface LiveBlock {
  p: number;
  n: number;
  tag: number;
}

/** Drives an allocator and checks it against a plain list of live blocks. */
export class Model {
  live: LiveBlock[] = [];
  private nextTag = 1;
  constructor(readonly heap: Allocator) {}

  private fill(b: LiveBlock): void {
    const u8 = new Uint8Array(this.heap.buffer);
    for (let i = 0; i < b.n; i++) u8[b.p + i] = (b.tag * 31 + i) & 255;
  }

  verify(b: LiveBlock, n = b.n): void {
    const u8 = new Uint8Array(this.heap.buffer);
    for (let i = 0; i < n; i++) if (u8[b.p + i] !== ((b.tag * 31 + i) & 255)) assert.fail(`payload of block ${b.p} (tag ${b.tag}) changed at byte ${i}`);
  }

  private admit(p: number, n: number, align: number): LiveBlock {
    assert.notEqual(p, 0, `allocation of ${n} bytes failed (${this.heap.lastError})`);
    assert.equal(p % align, 0, `pointer ${p} not aligned to ${align}`);
    assert.ok(this.heap.usableSize(p) >= n, 'usable size smaller than the request');
    const mem = this.heap.memory;
    assert.ok(p >= mem.base && p + n <= mem.brk, `block [${p}, ${p + n}) outside the heap [${mem.base}, ${mem.brk}) (the lab checks this bound)`);
    for (const o of this.live) assert.ok(p + n <= o.p || o.p + o.n <= p, `block [${p}, ${p + n}) overlaps live [${o.p}, ${o.p + o.n})`);
    const b = { p, n, tag: this.nextTag++ };
    this.fill(b);
    this.live.push(b);
    return b;
  }

  malloc(n: number): void {
    const p = this.heap.malloc(n);
    if (n === 0) return assert.equal(p, 0);
    this.admit(p, n, this.heap.align);
  }

  calloc(n: number, size: number): void {
    const p = this.heap.calloc(n, size);
    if (n * size === 0) return assert.equal(p, 0);
    const u8 = new Uint8Array(this.heap.buffer);
    for (let i = 0; i < n * size; i++) if (u8[p + i] !== 0) assert.fail(`calloc byte ${i} of ${p} is ${u8[p + i]}`);
    this.admit(p, n * size, this.heap.align);
  }

  aligned(alignment: number, n: number): void {
    const p = this.heap.alignedAlloc(alignment, n);
    if (n === 0) return assert.equal(p, 0);
    this.admit(p, n, Math.max(alignment, this.heap.align));
  }

  free(i: number): void {
    if (this.live.length === 0) return;
    const b = this.live.splice(i % this.live.length, 1)[0];
    this.verify(b);
    this.heap.free(b.p);
  }

  realloc(i: number, n: number): void {
    if (this.live.length === 0) return;
    const k = i % this.live.length;
    const b = this.live[k];
    this.verify(b);
    const q = this.heap.realloc(b.p, n);
    this.live.splice(k, 1);
    if (n === 0) return assert.equal(q, 0);
    assert.notEqual(q, 0, `realloc to ${n} failed (${this.heap.lastError})`);
    const moved = { p: q, n: Math.min(b.n, n), tag: b.tag };
    this.verify(moved);
    this.admit(q, n, this.heap.align);
  }

  /** checkHeap is empty, the counters agree with the model, and every payload is intact. */
  check(): void {
    const v = this.heap.checkHeap();
    assert.deepEqual(v, [], `heap invariants violated: ${JSON.stringify(v.slice(0, 3))}`);
    const s = this.heap.stats();
    assert.equal(s.liveBlocks, this.live.length);
    assert.equal(s.liveBytes, this.live.reduce((t, b) => t + this.heap.usableSize(b.p), 0));
    for (const b of this.live) this.verify(b);
  }
}
