/**
 * offset-lab.test.ts — the out-of-band offset allocator as the lab's `'offset'` heap: registration, every small
 * malloclab trace validated, a random model with checkHeap after every step, bad frees, moving realloc, growth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { allocatorCanAttach, allocatorNames, attachHeap, createHeap, describeAllocator } from '../../src/alloc/create.js';
import { createOffsetHeap, OffsetHeap } from '../../src/alloc/offset/index.js';
import { LinearMemory } from '../../src/memory/linear-memory.js';
import { replayValidated } from '../../src/trace/validate.js';
import { readTraceFileSync } from '../../src/node/read-trace.js';
import { DEFAULT_BENCH_MAX_BYTES } from '../../src/node/bench-job.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every `.rep` under `dir` below `maxBytes` bytes, sorted. */
function smallTraces(dir: string, maxBytes: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...smallTraces(p, maxBytes));
    else if (e.name.endsWith('.rep') && statSync(p).size <= maxBytes) out.push(p);
  }
  return out.sort();
}

/** Byte `k` of block `id`'s pattern. */
const pat = (id: number, k: number): number => (id * 131 + k * 7 + 1) & 255;

test("registration: 'offset' is a named allocator that createHeap makes and attachHeap refuses with a clear error", () => {
  assert.ok(allocatorNames.includes('offset'));
  assert.match(describeAllocator('offset') ?? '', /out-of-band/);
  const h = createHeap({ allocator: 'offset' });
  assert.ok(h instanceof OffsetHeap);
  assert.equal(h.name, 'offset');
  assert.equal(h.align, 16);
  assert.equal(createHeap({ allocator: 'offset', align: 8 }).align, 8);
  assert.equal(allocatorCanAttach('offset'), false);
  assert.equal(allocatorCanAttach('fast'), true);
  assert.equal(allocatorCanAttach('tlsf'), true);
  const p = h.malloc(100);
  assert.ok(p > 0);
  assert.throws(() => attachHeap(h.memory), (e: Error) => e.name === 'HeapCorruptionError' && /offset/.test(e.message) && /cannot be re-opened/.test(e.message));
  // other families still attach
  const f = createHeap({ allocator: 'fast' });
  const q = f.malloc(100);
  assert.equal(attachHeap(f.memory).usableSize(q), f.usableSize(q));
});

test('every small trace of traces/malloclab replays valid on offset (checkHeap every 500 ops), figures consistent', () => {
  const files = smallTraces(join(ROOT, 'traces/malloclab'), 200_000);
  assert.ok(files.length >= 40, `found ${files.length} traces`);
  for (const f of files) {
    const trace = readTraceFileSync(f);
    const heap = createHeap({ allocator: 'offset', maxBytes: DEFAULT_BENCH_MAX_BYTES });
    const v = replayValidated(trace, heap, { checkEvery: 500 });
    assert.ok(v.ok, `${f}: ${v.errors.join('\n')}`);
    assert.equal(v.refused, 0, f);
    const s = heap.stats();
    assert.equal(s.highWater, heap.memory.brk - heap.memory.base, f);
    assert.ok(v.peakLive === 0 || (v.utilization! > 0 && v.utilization! <= 1), f);
  }
});

test('heapkit replay --alloc offset (the CLI path) validates a trace and prints JSON', async () => {
  const r = await new Promise<{ code: number; out: string; err: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'replay', '--alloc', 'offset', '--runs', '1', '--json', 'traces/malloclab/realloc2-bal.rep'], { cwd: ROOT }, (e, out, err) =>
      resolve({ code: e ? 1 : 0, out, err }),
    );
  });
  assert.equal(r.code, 0, r.err);
  const rec = JSON.parse(r.out) as { allocator: string; valid: boolean; errors: string[]; utilization: number; opsPerSec: number };
  assert.equal(rec.allocator, 'offset');
  assert.equal(rec.valid, true, rec.errors.join('\n'));
  assert.ok(rec.utilization > 0.5 && rec.opsPerSec > 0);
});

test('model: random malloc/calloc/alignedAlloc/realloc/free keep payload bytes, never overlap; checkHeap and break invariant after every step', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('m' as const), n: fc.integer({ min: 0, max: 3000 }) }),
    fc.record({ k: fc.constant('c' as const), n: fc.integer({ min: 0, max: 40 }), s: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ k: fc.constant('a' as const), a: fc.constantFrom(32, 256, 4096), n: fc.integer({ min: 1, max: 2000 }) }),
    fc.record({ k: fc.constant('f' as const), i: fc.nat() }),
    fc.record({ k: fc.constant('r' as const), i: fc.nat(), n: fc.integer({ min: 0, max: 6000 }) }),
  );
  // base 0 (addresses are offsets) and an odd base (offset 0 sits at base rounded up: addresses ≠ offsets);
  // small maxBytes so the top of the range is reached and ENOMEM happens.
  const setup = fc.record({ base: fc.constantFrom(0, 72, 4100), align: fc.constantFrom(8 as const, 16 as const), room: fc.constantFrom(1 << 14, 1 << 16, 1 << 20) });
  fc.assert(
    fc.property(fc.array(op, { maxLength: 120 }), setup, (ops, { base, align, room }) => {
      const mem = new LinearMemory({ base, maxBytes: base + room });
      const h = createOffsetHeap(mem, { align });
      const start = Math.ceil(base / align) * align;
      assert.equal(h.start, start);
      const live = new Map<number, { n: number; id: number }>();
      let nextId = 1;
      const verify = (p: number, n: number, id: number, what: string): void => {
        const u8 = mem.u8;
        for (let k = 0; k < n; k++) if (u8[p + k] !== pat(id, k)) assert.fail(`${what}: byte ${k} of block ${p} (id ${id}) lost`);
      };
      const place = (p: number, n: number, al: number): number => {
        assert.ok(p >= start + align && p + n <= mem.brk, `block [${p}, ${p + n}) outside [${start + align}, ${mem.brk})`);
        assert.equal(p % al, 0, `${p} not ${al}-aligned`);
        assert.ok(h.usableSize(p) >= n);
        for (const [q, b] of live) assert.ok(p + n <= q || q + b.n <= p, `[${p}, ${p + n}) overlaps [${q}, ${q + b.n})`);
        const id = nextId++;
        live.set(p, { n, id });
        const u8 = mem.u8;
        for (let k = 0; k < n; k++) u8[p + k] = pat(id, k);
        return id;
      };
      for (const x of ops) {
        const keys = [...live.keys()];
        if (x.k === 'm' || x.k === 'c' || x.k === 'a') {
          const n = x.k === 'c' ? x.n * x.s : x.n;
          const p = x.k === 'm' ? h.malloc(n) : x.k === 'c' ? h.calloc(x.n, x.s) : h.alignedAlloc(x.a, n);
          if (n === 0) assert.equal(p, 0);
          else if (p === 0) assert.equal(h.lastError, 'ENOMEM');
          else {
            if (x.k === 'c') for (let k = 0; k < n; k++) assert.equal(mem.u8[p + k], 0, 'calloc zeroes');
            place(p, n, x.k === 'a' ? x.a : align);
          }
        } else if (keys.length > 0) {
          const p = keys[x.i % keys.length]!;
          const b = live.get(p)!;
          verify(p, b.n, b.id, 'before free/realloc');
          if (x.k === 'f') {
            h.free(p);
            live.delete(p);
          } else {
            const q = h.realloc(p, x.n);
            if (x.n === 0) {
              assert.equal(q, 0);
              live.delete(p);
            } else if (q === 0) {
              assert.equal(h.lastError, 'ENOMEM');
              verify(p, b.n, b.id, 'after a failed realloc');
            } else {
              live.delete(p);
              const kept = Math.min(b.n, x.n);
              verify(q, kept, b.id, `realloc ${p} → ${q}`);
              const id = place(q, x.n, align);
              // place() re-wrote the pattern under a new id; the kept bytes were checked above
              assert.ok(id > b.id);
            }
          }
        }
        assert.deepEqual(h.checkHeap(), []);
        assert.equal(mem.brk, start + h.offsets.highWater, 'break = start + high water');
        assert.ok(mem.capacity >= mem.brk);
      }
      const s = h.stats();
      assert.equal(s.liveBlocks, live.size);
      assert.equal(s.heapBytes, mem.brk - base);
      assert.ok(s.liveBytes + s.freeBytes <= s.heapBytes);
      for (const [p, b] of live) verify(p, b.n, b.id, 'at the end');
      for (const p of live.keys()) h.free(p);
      assert.equal(h.stats().liveBlocks, 0);
      assert.deepEqual(h.checkHeap(), []);
    }),
    { numRuns: 120 },
  );
});

test('bad free / double free / interior / misaligned / outside: typed errors naming the address; nothing changes', () => {
  for (const base of [0, 4096 + 8]) {
    const mem = new LinearMemory({ base });
    const h = createOffsetHeap(mem);
    const p = h.malloc(100);
    const q = h.malloc(200);
    const r = h.malloc(300);
    h.free(q);
    mem.u8.fill(0xab, p, p + 100);
    const before = JSON.stringify(h.stats());
    const brk = mem.brk;
    const cases: [() => unknown, string, number][] = [
      [() => h.free(q), 'DoubleFreeError', q],
      [() => h.realloc(q, 10), 'DoubleFreeError', q],
      [() => h.usableSize(q), 'DoubleFreeError', q],
      [() => h.free(p + 16), 'InvalidFreeError', p + 16],
      [() => h.free(r + 3), 'InvalidFreeError', r + 3],
      [() => h.free(mem.maxBytes + 64), 'InvalidFreeError', mem.maxBytes + 64],
      [() => h.free(base + 8), 'InvalidFreeError', base + 8],
    ];
    // with a base, offset 0 (NULL to the offset allocator) is the address `start`: no block either
    if (h.start !== 0) cases.push([() => h.free(h.start), 'InvalidFreeError', h.start], [() => h.realloc(h.start, 10), 'InvalidFreeError', h.start]);
    for (const [call, name, addr] of cases) {
      assert.throws(call, (e: Error & { address?: number }) => {
        assert.equal(e.name, name);
        assert.equal(e.address, addr, `${name} at ${addr}: address`);
        assert.ok(e.message.includes('0x' + (addr >>> 0).toString(16).padStart(8, '0')), `message names ${addr}: ${e.message}`);
        return true;
      });
      assert.equal(JSON.stringify(h.stats()), before, 'stats unchanged');
      assert.equal(mem.brk, brk, 'break unchanged');
      assert.deepEqual(h.checkHeap(), []);
    }
    for (let k = 0; k < 100; k++) assert.equal(mem.u8[p + k], 0xab, 'live payload untouched');
    h.free(0);
    assert.equal(h.malloc(-1), 0);
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.alignedAlloc(1 << 17, 8), 0, 'alignment above 64 KiB is refused as for every heap');
    assert.equal(h.lastError, 'EINVAL');
    assert.equal(h.calloc(2 ** 40, 2 ** 40), 0);
    assert.equal(h.lastError, 'ENOMEM');
    h.free(p);
    h.free(r);
    assert.deepEqual(h.checkHeap(), []);
  }
});

test('realloc that moves copies every byte in the memory; growth in place keeps the block; the break follows the top', () => {
  const mem = new LinearMemory({ initialBytes: 65536 });
  const h = createOffsetHeap(mem);
  assert.equal(mem.brk, 0);
  const a = h.malloc(1000);
  assert.equal(mem.brk, a + h.usableSize(a), 'break = end of the highest block');
  const b = h.malloc(40);
  for (let k = 0; k < 1000; k++) mem.u8[a + k] = pat(7, k);
  const a2 = h.realloc(a, 200_000); // b blocks growth in place: moves, and the memory grows to hold it
  assert.notEqual(a2, a);
  assert.ok(mem.capacity >= a2 + 200_000 && mem.brk >= a2 + 200_000);
  for (let k = 0; k < 1000; k++) assert.equal(mem.u8[a2 + k], pat(7, k), `byte ${k} copied`);
  assert.equal(h.realloc(a2, 300_000), a2, 'at the top: grows in place');
  for (let k = 0; k < 1000; k++) assert.equal(mem.u8[a2 + k], pat(7, k));
  const a3 = h.realloc(a2, 64);
  assert.equal(a3, a2, 'shrinks in place');
  const hw = h.stats().highWater;
  h.free(a3);
  h.free(b);
  assert.equal(h.stats().highWater, hw, 'the break never shrinks (as an sbrk heap)');
  assert.deepEqual(h.checkHeap(), []);
});

test('a backing that refuses to grow makes the call fail with ENOMEM and changes nothing', () => {
  const wasm = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  const mem = new LinearMemory({ memory: wasm });
  const h = createOffsetHeap(mem);
  const p = h.malloc(100_000); // grows the Wasm memory to its 2 pages
  assert.ok(p > 0);
  const before = JSON.stringify(h.stats());
  assert.equal(h.malloc(100_000), 0, 'the Wasm memory cannot grow further');
  assert.equal(h.lastError, 'ENOMEM');
  assert.equal(h.realloc(p, 200_000), 0);
  assert.equal(JSON.stringify(h.stats()), before);
  assert.deepEqual(h.checkHeap(), []);
  assert.ok(h.malloc(1000) > 0, 'room below the top still serves');
  assert.deepEqual(h.checkHeap(), []);
});
