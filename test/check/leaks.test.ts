/**
 * leaks.test.ts — reachability classification (still reachable / definitely lost / indirectly lost) on
 * hand-built pointer graphs in a debug heap, and the conservative scan's rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createDebugHeap, type LeakCheckResult, type LeakKind } from '../../src/index.js';
import { findBlock } from '../../src/check/leaks.js';

type Heap = ReturnType<typeof createDebugHeap>;

/** A 16-byte node whose first two words are "pointer fields". */
function node(h: Heap, a = 0, b = 0): number {
  const p = h.malloc(16);
  h.store32(p, a);
  h.store32(p + 4, b);
  return p;
}

function kindOf(r: LeakCheckResult, p: number): LeakKind {
  const b = r.blocks.find((x) => x.address === p);
  assert.ok(b, `block ${p} missing from the leak check`);
  return b.kind;
}

describe('leakCheck(roots)', () => {
  it('classifies a hand-built graph as Valgrind does', () => {
    const h = createDebugHeap();
    // reachable: root → A → B, and B → A (a cycle hanging off a root)
    const B = node(h);
    const A = node(h, B);
    h.store32(B, A);
    // lost chain: C → D → E
    const E = node(h);
    const D = node(h, E);
    const C = node(h, D);
    // lost cycle: F ↔ G
    const F = node(h);
    const G = node(h, F);
    h.store32(F, G);
    // a lone lost block
    const H = node(h);
    // kept only by an interior pointer held in a root
    const I = node(h);
    const r = h.leakCheck([A, I + 5, 0, 12345678]);
    assert.equal(kindOf(r, A), 'still-reachable');
    assert.equal(kindOf(r, B), 'still-reachable');
    assert.equal(kindOf(r, I), 'still-reachable');
    assert.equal(kindOf(r, C), 'definitely-lost');
    assert.equal(kindOf(r, D), 'indirectly-lost');
    assert.equal(kindOf(r, E), 'indirectly-lost');
    assert.equal(kindOf(r, H), 'definitely-lost');
    assert.deepEqual([kindOf(r, F), kindOf(r, G)].sort(), ['definitely-lost', 'indirectly-lost'], 'a lost cycle has one head');
    assert.deepEqual(r.stillReachable, { blocks: 3, bytes: 48 });
    assert.deepEqual(r.definitelyLost, { blocks: 3, bytes: 48 });
    assert.deepEqual(r.indirectlyLost, { blocks: 3, bytes: 48 });
    assert.equal(r.groups[0]!.kind, 'definitely-lost');
  });

  it('the head of a lost chain is definitely lost whatever the address order', () => {
    const h = createDebugHeap();
    // allocate the tail first so the scan meets it before its head
    const tail = node(h);
    const mid = node(h, tail);
    const head = node(h, mid);
    const r = h.leakCheck([]);
    assert.equal(kindOf(r, head), 'definitely-lost');
    assert.equal(kindOf(r, mid), 'indirectly-lost');
    assert.equal(kindOf(r, tail), 'indirectly-lost');
    // the same graph allocated head first
    const h2 = createDebugHeap();
    const hd = node(h2);
    const md = node(h2);
    const tl = node(h2);
    h2.store32(hd, md);
    h2.store32(md, tl);
    const r2 = h2.leakCheck();
    assert.deepEqual([kindOf(r2, hd), kindOf(r2, md), kindOf(r2, tl)], ['definitely-lost', 'indirectly-lost', 'indirectly-lost']);
  });

  it('pointers into freed blocks, redzones or unaligned words keep nothing alive; root ranges are scanned', () => {
    const h = createDebugHeap();
    const target = node(h);
    const other = node(h);
    const holder = node(h);
    h.store32(holder, other + 16); // one past the end: in the redzone
    const freed = h.malloc(32);
    h.store32(freed, target);
    h.free(freed); // quarantined: not scanned
    // an unaligned copy of a pointer (bytes 1..4 of a payload) is not a word the scan reads
    const unaligned = h.malloc(16);
    h.store32(unaligned + 1, target);
    const r = h.leakCheck([holder]);
    assert.equal(kindOf(r, holder), 'still-reachable');
    assert.equal(kindOf(r, target), 'definitely-lost');
    assert.equal(kindOf(r, other), 'definitely-lost');
    // a root area (e.g. a Wasm data segment) holding the pointer keeps the block
    const area = h.malloc(64);
    h.store32(area + 40, target);
    const r2 = h.leakCheck([], { ranges: [[area + 32, area + 48]] });
    assert.equal(kindOf(r2, target), 'still-reachable');
  });

  it('groups carry the allocation site and category', () => {
    const h = createDebugHeap({ captureStacks: true });
    function makeLost(): number {
      return h.malloc(40);
    }
    function makeKept(): number {
      return h.malloc(24);
    }
    for (let i = 0; i < 2; i++) makeLost(); // one call site: one stack, one group
    const k = makeKept();
    const r = h.leakCheck([k]);
    assert.equal(r.groups.length, 2);
    assert.equal(r.groups[0]!.kind, 'definitely-lost');
    assert.deepEqual([r.groups[0]!.count, r.groups[0]!.bytes], [2, 80]);
    assert.match(r.groups[0]!.site!, /makeLost/);
    assert.equal(r.groups[1]!.kind, 'still-reachable');
    assert.match(r.groups[1]!.site!, /makeKept/);
  });

  it('an empty heap has no leaks; freeing everything empties the report', () => {
    const h = createDebugHeap();
    assert.deepEqual(h.leakCheck([]).blocks, []);
    const a = node(h);
    h.free(a);
    const r = h.leakCheck([a]);
    assert.deepEqual(r.definitelyLost, { blocks: 0, bytes: 0 });
    assert.deepEqual(r.stillReachable, { blocks: 0, bytes: 0 });
  });
});

describe('findBlock', () => {
  it('finds the block holding an address by binary search, -1 between blocks', () => {
    const starts = new Uint32Array([16, 64, 128]);
    const sizes = new Uint32Array([8, 32, 1]);
    const expect: Array<[number, number]> = [
      [0, -1], [15, -1], [16, 0], [23, 0], [24, -1], [63, -1], [64, 1], [95, 1], [96, -1], [128, 2], [129, -1], [2 ** 32 - 1, -1],
    ];
    for (const [a, i] of expect) assert.equal(findBlock(starts, sizes, a), i, `address ${a}`);
  });
});
