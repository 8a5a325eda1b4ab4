/**
 * checker.test.ts — checkHeap finds planted corruption, each kind with the right address, and lists them all.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocatorNames, createHeap, describeAllocator, PRESETS, type Allocator } from '../../src/index.js';

/** The boundary-tag presets: these tests poke at their block layout (headers, footers, free index). */
const blockPresets = Object.keys(PRESETS);

function heapWithHoles(name: string): { h: Allocator; live: number[]; freed: number[] } {
  const h = createHeap({ allocator: name });
  const all: number[] = [];
  for (let i = 0; i < 10; i++) all.push(h.malloc(40 + i * 16));
  const freed = [all[2], all[5], all[8]];
  for (const p of freed) h.free(p);
  return { h, live: all.filter((p) => !freed.includes(p)), freed };
}

describe('checkHeap', () => {
  for (const name of blockPresets) {
    it(`${name}: healthy heap → [], corrupted header → violation at that block`, () => {
      const { h, live } = heapWithHoles(name);
      assert.deepEqual(h.checkHeap(), []);
      const u32 = new Uint32Array(h.buffer);
      const hdr = (live[3] - 4) >>> 2;
      const saved = u32[hdr];
      u32[hdr] = saved + 8; // size no longer tiles the heap
      const v = h.checkHeap();
      assert.ok(v.length > 0);
      u32[hdr] = saved;
      assert.deepEqual(h.checkHeap(), []);
    });

    it(`${name}: a free block's damaged footer and index links are reported`, () => {
      const { h, freed } = heapWithHoles(name);
      const u32 = new Uint32Array(h.buffer);
      const b = freed[1] - 4;
      const size = u32[b >>> 2] & ~7;
      u32[(b + size - 4) >>> 2] = 12345;
      const v = h.checkHeap();
      assert.ok(v.some((x) => x.address === b && /footer/.test(x.message)), JSON.stringify(v));
    });
  }

  it('reports every violation, not only the first', () => {
    const { h, freed } = heapWithHoles('explicit-lifo');
    const u32 = new Uint32Array(h.buffer);
    for (const p of freed) {
      const b = p - 4;
      u32[(b + (u32[b >>> 2] & ~7) - 4) >>> 2] = 1;
    }
    assert.ok(h.checkHeap().filter((x) => /footer/.test(x.message)).length >= freed.length);
  });

  it('catches a missed coalesce and a block missing from the index', () => {
    const { h, freed } = heapWithHoles('segregated');
    const u32 = new Uint32Array(h.buffer);
    // mark the block above a free block free without telling anyone
    const b = freed[0] - 4;
    const next = b + (u32[b >>> 2] & ~7);
    u32[next >>> 2] &= ~1;
    const v = h.checkHeap();
    assert.ok(v.some((x) => /adjacent free|missing from/.test(x.message)), JSON.stringify(v));
  });

  it('every preset has a description', () => {
    for (const name of allocatorNames) assert.ok((describeAllocator(name) ?? '').length > 10, name);
    assert.equal(describeAllocator('no-such'), undefined);
  });

  it('rejects unknown presets and impossible configurations', () => {
    assert.throws(() => createHeap({ allocator: 'no-such' }), /unknown allocator/);
    assert.throws(() => createHeap({ allocator: { index: 'tree', fit: 'first' } }), RangeError);
    assert.throws(() => createHeap({ allocator: { index: 'segregated', fit: 'next' } }), RangeError);
    assert.throws(() => createHeap({ align: 4 as 8 }), RangeError);
    const custom = createHeap({ allocator: { index: 'explicit', order: 'address', fit: 'best', split: 64, coalesce: 'deferred' } });
    assert.equal(custom.name, 'custom');
    const p = custom.malloc(10);
    custom.free(p);
    assert.deepEqual(custom.checkHeap(), []);
  });

  it('split: false never splits (internal fragmentation, by design)', () => {
    const h = createHeap({ allocator: { index: 'explicit', split: false } });
    const big = h.malloc(4000);
    h.malloc(16); // keep big from merging into the end of the heap
    h.free(big);
    const small = h.malloc(16);
    assert.equal(small, big);
    assert.ok(h.usableSize(small) >= 4000);
  });
});

describe('freeIndexView', () => {
  for (const name of blockPresets) {
    it(`${name}: shows exactly the free blocks of the heap`, () => {
      const { h } = heapWithHoles(name);
      const bh = h as Allocator & { freeIndexView(): import('../../src/index.js').FreeIndexView; walk(fn: (b: number, s: number, a: boolean) => void): void };
      const free: number[] = [];
      bh.walk((b, _s, a) => {
        if (!a) free.push(b);
      });
      const v = bh.freeIndexView();
      if (v.kind === 'implicit') return assert.equal(v.lists, undefined);
      const shown = v.kind === 'tree' ? v.nodes!.map((n) => n.block) : v.lists!.flatMap((l) => l.blocks);
      assert.deepEqual([...shown].sort((a, b) => a - b), free);
    });
  }
});
