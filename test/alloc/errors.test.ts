/**
 * errors.test.ts — every bad argument on every preset: a typed error or errno, and a heap left exactly as it was.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { allocatorNames, createHeap, DoubleFreeError, InvalidFreeError, type Allocator } from '../../src/index.js';

/** A heap with a few live and free blocks, and a snapshot of its bytes to compare against. */
function setup(name: string): { h: Allocator; live: number[]; freed: number[]; snapshot: () => Uint8Array } {
  const h = createHeap({ allocator: name });
  const live: number[] = [];
  const freed: number[] = [];
  for (let i = 0; i < 12; i++) live.push(h.malloc(24 + i * 40));
  for (let i = 0; i < 12; i += 3) freed.push(...live.splice(i - i / 3, 1));
  for (const p of freed) h.free(p);
  const snapshot = () => new Uint8Array(h.buffer.slice(0, h.memory.brk));
  return { h, live, freed, snapshot };
}

function unchanged(h: Allocator, before: Uint8Array): void {
  assert.deepEqual(h.checkHeap(), []);
  assert.deepEqual(new Uint8Array(h.buffer.slice(0, h.memory.brk)), before, 'heap bytes changed');
}

for (const name of allocatorNames) {
  describe(`bad input on ${name}`, () => {
    it('rejects impossible sizes with errno, never throwing', () => {
      const { h, snapshot } = setup(name);
      const before = snapshot();
      for (const n of [-1, -0.5, 1.5, NaN, Infinity, 2 ** 32, 2 ** 32 + 1, 8.4e16, Number.MAX_SAFE_INTEGER]) {
        h.lastError = null;
        assert.equal(h.malloc(n), 0, `malloc(${n})`);
        assert.ok(h.lastError === 'EINVAL' || h.lastError === 'ENOMEM', `malloc(${n}) errno ${h.lastError}`);
        assert.equal(h.calloc(n, 1), 0);
        assert.equal(h.calloc(1, n), 0);
      }
      h.lastError = null;
      assert.equal(h.malloc(-1), 0);
      assert.equal(h.lastError, 'EINVAL');
      assert.equal(h.malloc(8.4e16), 0);
      assert.equal(h.lastError, 'ENOMEM');
      assert.equal(h.calloc(2 ** 20, 2 ** 20), 0, 'calloc overflow');
      assert.equal(h.lastError, 'ENOMEM');
      assert.equal(h.alignedAlloc(3, 10), 0);
      assert.equal(h.lastError, 'EINVAL');
      assert.equal(h.alignedAlloc(1 << 20, 10), 0);
      unchanged(h, before);
    });

    it('malloc(0), calloc(0, n) and free(0) do nothing', () => {
      const { h, snapshot } = setup(name);
      const before = snapshot();
      assert.equal(h.malloc(0), 0);
      assert.equal(h.calloc(0, 8), 0);
      h.free(0);
      unchanged(h, before);
    });

    it('double free throws DoubleFreeError naming the address; heap unchanged', () => {
      const { h, freed, snapshot } = setup(name);
      const before = snapshot();
      for (const p of freed) {
        const err = assert.throws(() => h.free(p), (e: unknown) => e instanceof DoubleFreeError && e.name === 'DoubleFreeError' && e.address === p);
        void err;
        assert.throws(() => h.realloc(p, 10), DoubleFreeError);
      }
      unchanged(h, before);
    });

    it('interior, misaligned, outside and non-numeric pointers throw InvalidFreeError; heap unchanged', () => {
      const { h, live, snapshot } = setup(name);
      const before = snapshot();
      const bad = [live[0] + 16, live[1] + 1, live[2] - 4, 8, h.memory.brk + 64, 2 ** 40, -16, 3.5];
      for (const p of bad) {
        assert.throws(
          () => h.free(p),
          (e: unknown) => e instanceof InvalidFreeError && e.name === 'InvalidFreeError' && /0x|not a pointer/.test((e as Error).message),
          `free(${p})`,
        );
        assert.throws(() => h.realloc(p, 100), InvalidFreeError);
        assert.throws(() => h.usableSize(p), InvalidFreeError);
      }
      assert.throws(() => h.free('16' as unknown as number), InvalidFreeError);
      unchanged(h, before);
      // and the heap keeps working afterwards
      for (const p of live) h.free(p);
      assert.deepEqual(h.checkHeap(), []);
      assert.equal(h.stats().liveBlocks, 0);
    });

    it('failed realloc leaves the old block intact', () => {
      const h = createHeap({ allocator: name, maxBytes: 1 << 18 });
      const p = h.malloc(100);
      new Uint8Array(h.buffer).fill(7, p, p + 100);
      assert.equal(h.realloc(p, 1 << 20), 0);
      assert.equal(h.lastError, 'ENOMEM');
      assert.ok(new Uint8Array(h.buffer, p, 100).every((x) => x === 7));
      assert.equal(h.usableSize(p) >= 100, true);
      assert.deepEqual(h.checkHeap(), []);
    });
  });
}
