/**
 * metrics.test.ts — fragmentation and locality on hand-built heaps with known answers (a fake allocator
 * whose blocks are listed by hand, with and without a block walk), the replay recorder, and the
 * byte-accounting identity on real presets.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHeap, heapSnapshot, MetricsRecorder, type Allocator, type HeapStats } from '../../src/index.js';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { allocTyped, viewOf, type TypedArrayConstructor, type TypedArrayOf } from '../../src/alloc/typed-views.js';

/** A heap described by hand: 8-byte headers, blocks as [address, size, allocated]. */
class HandHeap implements Allocator {
  readonly name = 'hand';
  readonly align = 16;
  readonly memory = new LinearMemory();
  lastError = null;
  statsNow: HeapStats;
  constructor(
    readonly blocks: Array<[number, number, boolean]>,
    readonly heapBytes: number,
    usable?: (p: number) => number,
  ) {
    if (usable) this.usableSize = usable;
    let freeBytes = 0;
    let freeBlocks = 0;
    let largestFree = 0;
    let liveBytes = 0;
    let liveBlocks = 0;
    for (const [, size, a] of blocks) {
      if (a) {
        liveBytes += size - 8;
        liveBlocks++;
      } else {
        freeBytes += size;
        freeBlocks++;
        largestFree = Math.max(largestFree, size);
      }
    }
    this.statsNow = { heapBytes, highWater: heapBytes, liveBytes, liveBlocks, freeBytes, freeBlocks, largestFree };
  }
  get buffer(): ArrayBuffer {
    return this.memory.buffer as ArrayBuffer;
  }
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    return viewOf(this, Ctor, p, n);
  }
  usableSize(p: number): number {
    const b = this.blocks.find(([a]) => a + 8 === p);
    if (!b || !b[2]) throw new Error(`not live: ${p}`);
    return b[1] - 8;
  }
  stats(): HeapStats {
    return { ...this.statsNow };
  }
  checkHeap() {
    return [];
  }
  malloc(): number {
    throw new Error('hand-built');
  }
  free(): void {}
  calloc(): number {
    throw new Error('hand-built');
  }
  realloc(): number {
    throw new Error('hand-built');
  }
  alignedAlloc(): number {
    throw new Error('hand-built');
  }
}

class WalkableHandHeap extends HandHeap {
  walk(fn: (b: number, size: number, allocated: boolean) => void): void {
    for (const [b, size, a] of this.blocks) fn(b, size, a);
  }
}

// 64 bytes of metadata, then: alloc 48 (requested 33) · free 32 · alloc 64 (requested 56) · free 96 · free 16
const BLOCKS: Array<[number, number, boolean]> = [
  [64, 48, true],
  [112, 32, false],
  [144, 64, true],
  [208, 96, false],
  [304, 16, false],
];
const LIVE: Array<[number, number]> = [
  [72, 33],
  [152, 56],
];

describe('heapSnapshot on a hand-built heap', () => {
  it('with a block walk: the exact decomposition, external fragmentation, histogram and pages', () => {
    const s = heapSnapshot(new WalkableHandHeap(BLOCKS, 320), LIVE, { pageBytes: 64 });
    assert.equal(s.source, 'walk');
    assert.equal(s.heapBytes, 320);
    assert.equal(s.liveBlocks, 2);
    assert.equal(s.requestedBytes, 89);
    assert.equal(s.usableBytes, 96);
    assert.equal(s.blockBytes, 112);
    assert.equal(s.alignmentBytes, 7);
    assert.equal(s.headerBytes, 16);
    assert.equal(s.metadataBytes, 64);
    assert.equal(s.freeBytes, 144);
    assert.equal(s.internalFragmentation, 23);
    assert.equal(s.internalFragmentationRatio, 23 / 112);
    assert.equal(s.requestedBytes + s.alignmentBytes + s.headerBytes + s.metadataBytes + s.freeBytes, s.heapBytes);
    assert.equal(s.freeBlocks, 3);
    assert.equal(s.largestFree, 96);
    assert.equal(s.externalFragmentation, 1 - 96 / 144);
    assert.deepEqual(s.freeHistogram, [
      { min: 16, max: 31, count: 1, bytes: 16 },
      { min: 32, max: 63, count: 1, bytes: 32 },
      { min: 64, max: 127, count: 1, bytes: 96 },
    ]);
    // payloads [72, 105) on page 1, [152, 208) on pages 2 and 3; 89 bytes need 2 pages of 64
    assert.equal(s.pagesTouched, 3);
    assert.equal(s.minPages, 2);
    assert.equal(s.pageSpread, 1.5);
  });

  it('without a walk: free figures from stats(), free extents from the gaps of the live set', () => {
    const s = heapSnapshot(new HandHeap(BLOCKS, 320), LIVE, { pageBytes: 64 });
    assert.equal(s.source, 'live-set');
    assert.equal(s.freeBytes, 144);
    assert.equal(s.freeBlocks, 3);
    assert.equal(s.largestFree, 96);
    assert.equal(s.blockBytes, 176, 'heap − free: headers and metadata together');
    assert.equal(s.headerBytes, 80);
    assert.equal(s.metadataBytes, 0);
    assert.equal(s.internalFragmentation, 176 - 89);
    // the one gap between payload ends and starts wider than 2 × 16: [112, 152)
    assert.deepEqual(s.freeHistogram, [{ min: 32, max: 63, count: 1, bytes: 40 }]);
  });

  it('an empty heap has zero fragmentation and no pages', () => {
    const s = heapSnapshot(new WalkableHandHeap([], 64), []);
    assert.equal(s.externalFragmentation, 0);
    assert.equal(s.internalFragmentationRatio, 0);
    assert.equal(s.pagesTouched, 0);
    assert.equal(s.pageSpread, 0);
    assert.equal(s.metadataBytes, 64);
  });
});

describe('MetricsRecorder', () => {
  it('peak, J&W split, mean allocation distance and pages over a scripted replay', () => {
    const usable = (p: number): number => ({ 100: 16, 300: 32, 200: 16 })[p] ?? 0;
    const h = new HandHeap([], 64, usable); // empty heap: 64 bytes of metadata
    const rec = new MetricsRecorder(h, { pageBytes: 64, sampleEvery: 1 });
    rec.alloc(100, 10);
    rec.op();
    rec.alloc(300, 20); // peak: 30 requested, 48 usable, 2 blocks
    rec.op();
    rec.free(100);
    rec.op();
    rec.alloc(200, 5);
    rec.op();
    assert.equal(rec.pages, 2, '[200, 205) on page 3, [300, 320) on page 4');
    assert.equal(rec.timeline.length, 4);
    assert.deepEqual(
      rec.timeline.map((t) => t.requestedBytes),
      [10, 30, 20, 25],
    );
    assert.equal(rec.timeline[1]!.pagesTouched, 2, '[100, 110) on page 1, [300, 320) on page 4');
    // the end state: 528 heap bytes, 400 free (2 blocks, largest 300)
    h.statsNow = { heapBytes: 528, highWater: 528, liveBytes: 48, liveBlocks: 2, freeBytes: 400, freeBlocks: 2, largestFree: 300 };
    const m = rec.finish();
    assert.equal(m.peakRequested, 30);
    assert.equal(m.highWater, 528);
    assert.equal(m.fragmentation, (528 - 30) / 30);
    assert.equal(m.alignmentAtPeak, 18);
    assert.equal(m.metadataBytes, 64);
    // end: blocks 528 − 400 = 128 bytes, usable 48, minus 64 metadata = 16 header bytes / 2 blocks = 8 per block
    assert.equal(m.headerAtPeak, 16);
    assert.equal(m.policyWaste, 528 - 30 - 18 - 16 - 64);
    assert.equal(m.meanAllocDistance, (200 + 100) / 2);
    assert.equal(m.allocations, 3);
    assert.equal(m.final.externalFragmentation, 1 - 300 / 400);
  });
});

describe('metrics on real presets', () => {
  for (const allocator of ['implicit-first', 'segregated', 'tlsf']) {
    it(`${allocator}: the byte accounting adds up to the heap, free figures agree with stats()`, () => {
      const h = createHeap({ allocator });
      const rec = new MetricsRecorder(h, { sampleEvery: 50 });
      let seed = 12345;
      const rnd = (n: number): number => {
        seed = (seed * 1103515245 + 12345) >>> 0;
        return seed % n;
      };
      const ptrs: number[] = [];
      for (let i = 0; i < 600; i++) {
        if (ptrs.length > 0 && rnd(3) === 0) {
          const p = ptrs.splice(rnd(ptrs.length), 1)[0]!;
          rec.free(p);
          h.free(p);
        } else {
          const n = 1 + rnd(500);
          const p = h.malloc(n);
          rec.alloc(p, n);
          ptrs.push(p);
        }
        rec.op();
      }
      const m = rec.finish();
      const s = m.final;
      const st = h.stats();
      assert.equal(s.source, 'walk');
      assert.equal(s.requestedBytes + s.alignmentBytes + s.headerBytes + s.metadataBytes + s.freeBytes, s.heapBytes);
      assert.equal(s.freeBytes, st.freeBytes);
      assert.equal(s.freeBlocks, st.freeBlocks);
      assert.equal(s.largestFree, st.largestFree);
      assert.equal(s.usableBytes, st.liveBytes);
      assert.equal(s.headerBytes, 4 * s.liveBlocks, 'one 4-byte header per allocated block');
      assert.equal(s.freeHistogram.reduce((t, b) => t + b.count, 0), st.freeBlocks);
      assert.equal(m.timeline.length, 12);
      assert.ok(m.timeline.every((t) => t.internalFragmentation >= 0 && t.externalFragmentation >= 0 && t.externalFragmentation < 1));
      assert.ok(s.pagesTouched >= s.minPages);
      assert.ok(m.policyWaste >= 0 && m.fragmentation > 0);
    });
  }
});
