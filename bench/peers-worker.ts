/**
 * peers-worker.ts — runs one allocator (heapkit preset or peer) over the traces the main thread sends,
 * each in a fresh heap, tagging the first and last payload byte of every block and verifying them before
 * every realloc/free (so a fast but wrong allocator is reported wrong). One worker per allocator keeps
 * the JIT's feedback monomorphic. Messages: in {trace, runs, budgetMs}, out {result}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import * as T from './peers-trace.js';

const { OP_ALLOC, OP_FREE } = T; // module-scoped copies: imported bindings may compile to getters

/** The flat allocator interface the replay loop drives (pointers are numbers, 0 = failure). */
interface Peer {
  malloc(n: number): number;
  realloc(p: number, n: number): number;
  free(p: number): void;
  bytes(): Uint8Array;
  highWater(): number;
  /** Largest request the peer is handed (bigger ones count as refused without a call); Infinity = all. */
  limit: number;
}

interface TraceMsg { name: string; numIds: number; numOps: number; kind: Uint8Array; id: Int32Array; size: Float64Array; peakLive: number }
export interface RunResult {
  opsPerSec: number; highWater: number; errors: string[]; refused: number; timedOut: boolean; runs: number;
}

const { peer: peerName, wasmPath, maxBytes, cold } = workerData as { peer: string; wasmPath: string; maxBytes: number; cold: boolean };

async function makeFactory(name: string): Promise<(t: TraceMsg) => Peer> {
  if (name.startsWith('heapkit:')) {
    const preset = name.slice(8);
    const { LinearMemory } = await import('../src/memory/linear-memory.js');
    let create: (mem: InstanceType<typeof LinearMemory>) => import('../src/alloc/allocator.js').Allocator;
    if (preset === 'fast' || preset === 'fast-nopages') {
      const { createFastHeap } = await import('../src/alloc/fast/index.js');
      create = (mem) => createFastHeap(mem, { align: 16, pages: preset === 'fast' });
    } else {
      const { createHeap } = await import('../src/alloc/create.js');
      create = (mem) => createHeap({ allocator: preset, memory: mem, align: 16 } as never);
    }
    // Warm runs: every run of a trace re-formats a heap over the memory of the previous run (setBrk
    // back to the base zeroes it, outside the clock), as glibc's timed runs reuse the arena of its
    // untimed first pass in the same process. `cold` (--cold) gives every run a fresh memory instead.
    let last: { trace: string; mem: InstanceType<typeof LinearMemory> } | null = null;
    return (t) => {
      let mem: InstanceType<typeof LinearMemory>;
      if (!cold && last !== null && last.trace === t.name) {
        mem = last.mem;
        mem.setBrk(mem.base);
        mem.onGrow = null;
      } else {
        last = null; // let the previous trace's memory go before making a new one
        mem = new LinearMemory({ maxBytes });
        last = { trace: t.name, mem };
      }
      const h = create(mem);
      return {
        malloc: (n) => h.malloc(n),
        realloc: (p, n) => h.realloc(p, n),
        free: (p) => h.free(p),
        bytes: () => mem.u8,
        highWater: () => h.stats().highWater,
        limit: Infinity,
      };
    };
  }
  if (name === 'as-tlsf') {
    const module = new WebAssembly.Module(readFileSync(wasmPath));
    return () => {
      const inst = new WebAssembly.Instance(module, {
        env: {
          abort: () => {
            throw new Error('AssemblyScript abort');
          },
          seed: () => Date.now(),
          trace: () => undefined,
        },
      });
      const ex = inst.exports as { memory: WebAssembly.Memory; alloc(n: number): number; realloc(p: number, n: number): number; free(p: number): void; heapBase(): number };
      let buf = ex.memory.buffer;
      let u8 = new Uint8Array(buf);
      const base = ex.heapBase();
      return {
        malloc: (n) => {
          try {
            return ex.alloc(n) >>> 0;
          } catch {
            return 0; // the TLSF traps (abort) on sizes it refuses or when memory cannot grow
          }
        },
        realloc: (p, n) => {
          try {
            return ex.realloc(p, n) >>> 0;
          } catch {
            return 0;
          }
        },
        free: (p) => ex.free(p),
        bytes: () => {
          if (ex.memory.buffer !== buf) {
            buf = ex.memory.buffer;
            u8 = new Uint8Array(buf);
          }
          return u8;
        },
        highWater: () => ex.memory.buffer.byteLength - base,
        limit: 0xffffffff,
      };
    };
  }
  if (name === 'thi.ng') {
    const { MemPool } = await import('@thi.ng/malloc');
    return (t) => {
      const size = Math.min(0x7fff0000, Math.max(32 << 20, Math.ceil((t.peakLive * 4 + (16 << 20)) / 65536) * 65536));
      const pool = new MemPool({ size, align: 16 as never });
      const u8 = new Uint8Array(pool.buf);
      const start = (pool as unknown as { start: number }).start;
      let hw = 0;
      const top = (): number => (pool as unknown as { top: number }).top;
      return {
        malloc: (n) => {
          const p = pool.malloc(n);
          const tp = top();
          if (tp > hw) hw = tp;
          return p;
        },
        realloc: (p, n) => {
          const q = pool.realloc(p, n);
          const tp = top();
          if (tp > hw) hw = tp;
          return q;
        },
        free: (p) => {
          pool.free(p);
        },
        bytes: () => u8,
        highWater: () => hw - start,
        limit: Infinity,
      };
    };
  }
  if (name === 'null') {
    // The harness floor: no memory management at all (every block is the same 64 KiB scratch area, tags
    // clash and are not checked). Its time is what the replay loop itself costs; bench/floor.ts subtracts it.
    const u8 = new Uint8Array(1 << 16);
    return () => ({ malloc: () => 16, realloc: () => 16, free: () => undefined, bytes: () => u8, highWater: () => 0, limit: (1 << 16) - 32 });
  }
  if (name === 'bump') {
    return () => {
      let buf = new ArrayBuffer(1 << 20);
      let u8 = new Uint8Array(buf);
      let top = 16;
      const lens = new Map<number, number>();
      const grow = (end: number): boolean => {
        if (end <= buf.byteLength) return true;
        if (end > 0x7fff0000) return false;
        const next = new ArrayBuffer(Math.min(0x7fff0000, Math.max(end, buf.byteLength * 2)));
        new Uint8Array(next).set(u8);
        buf = next;
        u8 = new Uint8Array(buf);
        return true;
      };
      const malloc = (n: number): number => {
        const p = top;
        const end = p + ((n + 15) & ~15);
        if (!grow(end)) return 0;
        top = end;
        lens.set(p, n);
        return p;
      };
      return {
        malloc,
        realloc: (p, n) => {
          const q = malloc(n);
          if (q === 0) return 0;
          const old = lens.get(p) ?? 0;
          u8.copyWithin(q, p, p + Math.min(old, n));
          lens.delete(p);
          return q;
        },
        free: (p) => {
          lens.delete(p);
        },
        bytes: () => u8,
        highWater: () => top,
        limit: 0x7fff0000,
      };
    };
  }
  throw new Error(`unknown peer ${name}`);
}

const tag = (id: number): number => (id * 131 + 7) & 255;

/**
 * Owner of every 16-byte granule below SHADOW_LIMIT during the validation run: a returned block that
 * overlaps another live block is reported even when no tag byte is hit.
 */
const SHADOW_LIMIT = 256 << 20;
class Shadow {
  owner = new Int32Array(1 << 16);
  /** Marks [p, p+n) as `id`'s; returns the id (≥ 0) of a live block already there, or -1. */
  claim(p: number, n: number, id: number): number {
    const end = Math.min(p + n, SHADOW_LIMIT);
    const g1 = Math.ceil(end / 16);
    if (g1 > this.owner.length) {
      const next = new Int32Array(Math.max(g1, this.owner.length * 2));
      next.set(this.owner);
      this.owner = next;
    }
    let clash = -1;
    for (let g = Math.floor(p / 16); g < g1; g++) {
      const o = this.owner[g];
      if (o !== 0 && o !== id + 1) clash = o - 1;
      this.owner[g] = id + 1;
    }
    return clash;
  }
  release(p: number, n: number, id: number): void {
    const g1 = Math.min(Math.ceil((p + n) / 16), this.owner.length);
    for (let g = Math.floor(p / 16); g < g1; g++) if (this.owner[g] === id + 1) this.owner[g] = 0;
  }
}

/** One replay: returns seconds, or -1 when the budget ran out. With `shadow`, also checks overlaps (validation run). */
function replay(t: TraceMsg, peer: Peer, deadline: number, errors: string[], counts: { refused: number }, shadow: Shadow | null = null): number {
  const ptr = new Float64Array(t.numIds);
  const len = new Float64Array(t.numIds);
  const { kind, id: ids, size } = t;
  const limit = peer.limit;
  const note = (m: string): void => {
    if (errors.length < 5) errors.push(m);
  };
  const t0 = performance.now();
  for (let i = 0; i < t.numOps; i++) {
    if ((i & 65535) === 65535 && performance.now() > deadline) return -1;
    const id = ids[i];
    const k = kind[i];
    if (k === OP_FREE) {
      const p = ptr[id];
      const n = len[id];
      if (n > 0) {
        const u8 = peer.bytes();
        if ((u8[p] !== tag(id) || u8[p + n - 1] !== tag(id)) && errors.length < 5) note(`op ${i}: payload of id ${id} at ${p} overwritten`);
      }
      if (p !== 0) peer.free(p);
      if (shadow !== null && n > 0) shadow.release(p, n, id);
      ptr[id] = 0;
      len[id] = 0;
      continue;
    }
    const n = size[i];
    if (n > limit) {
      counts.refused++;
      if (k === OP_ALLOC) {
        ptr[id] = 0;
        len[id] = 0;
      }
      continue;
    }
    let p: number;
    if (k === OP_ALLOC) p = peer.malloc(n);
    else {
      const old = ptr[id];
      const on = len[id];
      if (on > 0) {
        const u8 = peer.bytes();
        if ((u8[old] !== tag(id) || u8[old + on - 1] !== tag(id)) && errors.length < 5) note(`op ${i}: payload of id ${id} at ${old} overwritten`);
      }
      p = old === 0 ? peer.malloc(n) : peer.realloc(old, n);
      if ((p !== 0 && on > 0 && peer.bytes()[p] !== tag(id)) && errors.length < 5) note(`op ${i}: realloc of id ${id} lost its bytes`);
    }
    if (p === 0) {
      if (n >= 0x1_0000_0000) counts.refused++;
      else if ((n !== 0) && errors.length < 5) note(`op ${i}: ${k === OP_ALLOC ? 'malloc' : 'realloc'}(${n}) failed`);
      if (k === OP_ALLOC) {
        ptr[id] = 0;
        len[id] = 0;
      }
      continue;
    }
    if (shadow !== null) {
      if (k !== OP_ALLOC && len[id] > 0) shadow.release(ptr[id], len[id], id);
      if (n > 0 && p < SHADOW_LIMIT) {
        const clash = shadow.claim(p, n, id);
        if ((clash >= 0) && errors.length < 5) note(`op ${i}: block of id ${id} at ${p}+${n} overlaps live id ${clash}`);
      }
    }
    ptr[id] = p;
    len[id] = n;
    if (n > 0) {
      const u8 = peer.bytes();
      u8[p] = tag(id);
      u8[p + n - 1] = tag(id);
    }
  }
  return (performance.now() - t0) / 1000;
}

/** Tag mismatches and failed requests seen by the last {@link timedReplay} (the C replay counts them the same way). */
let timedErrors = 0;

/**
 * One timed run: the validation run's loop without its bookkeeping (no overlap shadow, no messages, no
 * closures), so what is timed is the allocator plus the loop the C replay also runs — tags written after
 * each malloc/realloc and checked before each realloc/free, mismatches counted. Returns seconds, or -1
 * when the budget ran out.
 */
function timedReplay(t: TraceMsg, peer: Peer, deadline: number): number {
  const ptr = new Float64Array(t.numIds);
  const len = new Float64Array(t.numIds);
  const { kind, id: ids, size } = t;
  const limit = peer.limit;
  const ops = t.numOps;
  let bad = 0;
  const t0 = performance.now();
  for (let i = 0; i < ops; i++) {
    if ((i & 65535) === 65535 && performance.now() > deadline) return -1;
    const id = ids[i]!;
    const k = kind[i]!;
    if (k === OP_FREE) {
      const p = ptr[id]!;
      const n = len[id]!;
      if (n > 0) {
        const u8 = peer.bytes();
        if (u8[p] !== tag(id) || u8[p + n - 1] !== tag(id)) bad++;
      }
      if (p !== 0) peer.free(p);
      ptr[id] = 0;
      len[id] = 0;
      continue;
    }
    const n = size[i]!;
    if (n > limit) {
      if (k === OP_ALLOC) ptr[id] = len[id] = 0;
      continue;
    }
    let p: number;
    if (k === OP_ALLOC) p = peer.malloc(n);
    else {
      const old = ptr[id]!;
      const on = len[id]!;
      if (on > 0) {
        const u8 = peer.bytes();
        if (u8[old] !== tag(id) || u8[old + on - 1] !== tag(id)) bad++;
      }
      p = old === 0 ? peer.malloc(n) : peer.realloc(old, n);
      if (p !== 0 && on > 0 && peer.bytes()[p] !== tag(id)) bad++;
    }
    if (p === 0) {
      if (n !== 0 && n < 0x1_0000_0000) bad++;
      if (k === OP_ALLOC) ptr[id] = len[id] = 0;
      continue;
    }
    ptr[id] = p;
    len[id] = n;
    if (n > 0) {
      const u8 = peer.bytes();
      u8[p] = tag(id);
      u8[p + n - 1] = tag(id);
    }
  }
  timedErrors = bad;
  return (performance.now() - t0) / 1000;
}

/** The `new Uint8Array(n)` peer: every block is its own array, V8's GC reclaims; high water = peak ArrayBuffer bytes. */
function replayArrays(t: TraceMsg, deadline: number, errors: string[], hw: { peak: number }): number {
  const blocks: (Uint8Array | null)[] = new Array(t.numIds).fill(null);
  const { kind, id: ids, size } = t;
  const base = process.memoryUsage().arrayBuffers;
  const note = (m: string): void => {
    if (errors.length < 5) errors.push(m);
  };
  const t0 = performance.now();
  for (let i = 0; i < t.numOps; i++) {
    if ((i & 1023) === 1023) {
      if (performance.now() > deadline) return -1;
      const used = process.memoryUsage().arrayBuffers - base;
      if (used > hw.peak) hw.peak = used;
    }
    const id = ids[i];
    const k = kind[i];
    const old = blocks[id];
    if (old !== null && old.length > 0 && (old[0] !== tag(id) || old[old.length - 1] !== tag(id))) note(`op ${i}: payload of id ${id} overwritten`);
    if (k === OP_FREE) {
      blocks[id] = null;
      continue;
    }
    const n = size[i];
    if (n > 0x7fff0000) {
      if (k === OP_ALLOC) blocks[id] = null;
      continue;
    }
    const b = new Uint8Array(n);
    if (k !== OP_ALLOC && old !== null) b.set(old.length <= n ? old : old.subarray(0, n));
    if (n > 0) {
      b[0] = tag(id);
      b[n - 1] = tag(id);
    }
    blocks[id] = b;
  }
  return (performance.now() - t0) / 1000;
}

const factory = peerName === 'uint8array' ? null : await makeFactory(peerName);
parentPort!.on('message', (msg: { trace: TraceMsg; runs: number; budgetMs: number }) => {
  const { trace, runs, budgetMs } = msg;
  const deadline = performance.now() + budgetMs;
  const times: number[] = [];
  const errors: string[] = [];
  let highWater = 0;
  let refused = 0;
  let timedOut = false;
  // Run 0 is the validation run (errors, refusals, high water, overlap shadow), run 1 an untimed warm-up
  // (as the C replay's first pass is untimed); then timed runs until at least `runs` of them and 250 ms of
  // replay (at most 400: tiny traces need many runs to be warm), median reported.
  let spent = 0;
  let early = 0;
  for (let r = 0; r <= runs + 401; r++) {
    if (r > runs + 1 && spent > 250) break;
    let s: number;
    if (factory === null) {
      const hw = { peak: 0 };
      s = replayArrays(trace, deadline, r === 0 ? errors : [], hw);
      if (r === 0) highWater = Math.max(hw.peak, trace.peakLive);
    } else {
      const peer = factory(trace);
      const counts = { refused: 0 };
      const errs: string[] = [];
      try {
        s = r === 0 ? replay(trace, peer, deadline, errs, counts, new Shadow()) : timedReplay(trace, peer, deadline);
        if (r > 0 && timedErrors > 0 && peerName !== 'null' && errors.length < 5) errors.push(`a timed run saw ${timedErrors} damaged payloads or failed requests`);
      } catch (e) {
        errors.push(`threw ${(e as Error).name}: ${(e as Error).message}`);
        break;
      }
      if (r === 0 && s >= 0) {
        errors.push(...errs);
        refused = counts.refused;
        highWater = peer.highWater();
      }
    }
    if (s < 0) {
      timedOut = times.length === 0 && r === 0;
      break;
    }
    if (peerName === 'null') errors.length = 0; // the floor's clashing tags are expected
    if (r === 0 && errors.length > 0) {
      times.push(s);
      break;
    }
    if (r > 1) {
      times.push(s);
      spent += s * 1000;
    } else {
      early = s; // validation or warm-up run: used only when no warm run fits in the budget
    }
    if (s * 1000 * 2 > deadline - performance.now()) break;
  }
  if (times.length === 0 && early > 0) times.push(early);
  if (process.env.HK_BENCH_DEBUG) process.stderr.write(`${trace.name}: ${times.map((x) => (x * 1000).toFixed(0)).join(" ")} ms\n`);
  times.sort((a, b) => a - b);
  const med = times.length ? times[(times.length - 1) >> 1] : 0;
  const result: RunResult = { opsPerSec: med > 0 ? trace.numOps / med : 0, highWater, errors, refused, timedOut, runs: times.length };
  parentPort!.postMessage(result);
});
parentPort!.postMessage({ ready: true });
