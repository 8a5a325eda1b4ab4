/**
 * validate.ts — the validated replay: runs a trace against an allocator and checks every result.
 * Exports `replayValidated`, `ValidateOptions`, `ValidationReport`.
 *
 * Checks, in order, for every block an op returns:
 * 1. aligned to `heap.align`, inside the heap (`[memory.base, memory.brk)`, the whole payload);
 * 2. overlapping no live payload (a {@link ShadowMap} of 8-byte granules: cost ∝ size, not ∝ live blocks);
 * 3. its payload is filled entirely with the id's pattern (see pattern.ts) and verified in full
 *    before each free and, for every block still live, at the end: nothing lost, nothing scribbled
 *    on. A realloc that moves the block is verified in full at the new place (the first
 *    min(old, new) bytes must have been copied intact); one that stays in place only at the first
 *    and last {@link WINDOW} bytes of the kept part (plus the dropped tail of a shrink before the
 *    call), so a chain of in-place growths costs O(growth), not O(size) each — the untouched middle
 *    is still checked at the block's free or at the end. Overall cost: O(bytes filled + bytes the
 *    allocator itself copied);
 * 4. at the end (and every `checkEvery` ops when asked) `heap.checkHeap()` must be empty, and
 *    `stats().liveBlocks` must equal the blocks the trace holds, `stats().liveBytes` cover them.
 * A NULL result is *refused* (counted, not an error) when the request cannot be placed within the
 * heap's `maxBytes` without moving live blocks: the size alone, or the live requested bytes plus it,
 * exceeds `maxBytes − base` (no allocator could), or, less {@link REFUSE_SLACK} bytes of headers,
 * it fits neither the largest free block (twice that plus the old block, for a realloc growing in
 * place) nor the room between the highest live payload and `maxBytes` (no allocator that does not
 * move live blocks could, in this heap — e.g. `syn-giantarray` filling a capped heap).
 * Any other NULL for a non-zero size, any thrown error, any failed check makes the run invalid:
 * the replay stops at the first such op and records what happened where.
 */
import type { Allocator, HeapStats } from '../alloc/allocator.js';
import { fillPattern, patternSeed, verifyPattern } from './pattern.js';
import { GRANULE, ShadowMap } from './shadow.js';
import { OP_ALLOC, OP_FREE, OP_REALLOC, type Trace } from './trace.js';

/** Options of {@link replayValidated}. */
export interface ValidateOptions {
  /** Also run `checkHeap()` after every N ops (0 = only at the end). Default 0. */
  checkEvery?: number;
  /** Most heap-check violations copied into `errors`. Default 10. */
  maxViolations?: number;
}

/** What a validated replay found. */
export interface ValidationReport {
  /** No error: every check passed (refused requests do not count as errors). */
  ok: boolean;
  /** What went wrong, each naming the trace line and op; empty when `ok`. */
  errors: string[];
  /** Requests refused because no heap within `maxBytes` could hold them. */
  refused: number;
  /** Ops executed (all of them unless the replay stopped at an error). */
  opsDone: number;
  /** Peak of the live requested bytes. */
  peakLive: number;
  /** `stats().highWater` at the end (or when the replay stopped). */
  heapHighWater: number;
  /** Times the heap's break moved up. */
  growths: number;
  /** Times the backing buffer grew (`memory.growths`). */
  backingGrowths: number;
  /** `peakLive / heapHighWater`, or null when nothing was allocated. */
  utilization: number | null;
  /** Final `stats()`, or null if it threw. */
  stats: HeapStats | null;
}

const OP_LETTER = ['a', 'r', 'f'];

/** Header and alignment bytes a request may need beyond its size before a failure counts as the allocator's fault. */
export const REFUSE_SLACK = 256;

/** Bytes at each end of the kept part checked right after an in-place realloc (all are checked at free and at the end). */
export const WINDOW = 64;

/**
 * Replays `trace` on `heap` (a fresh heap: it must hold no blocks) and checks every result.
 * Never throws for allocator misbehaviour: everything lands in the report.
 */
export function replayValidated(trace: Trace, heap: Allocator, opts: ValidateOptions = {}): ValidationReport {
  const checkEvery = opts.checkEvery ?? 0;
  const maxViolations = opts.maxViolations ?? 10;
  const mem = heap.memory;
  const align = heap.align;
  const cap = mem.maxBytes - mem.base;
  const { kind, id: ids, size: sizes, line } = trace;
  const n = trace.length;
  const ptr = new Float64Array(trace.numIds);
  const req = new Float64Array(trace.numIds);
  const seed = new Int32Array(trace.numIds);
  const shadow = new ShadowMap(Math.max(mem.brk, 1 << 16));
  const errors: string[] = [];
  let refused = 0;
  let live = 0;
  let peak = 0;
  let growths = 0;
  let brk = mem.brk;
  let i = 0;

  const where = (): string => {
    const k = kind[i]!;
    const v = ids[i]!;
    return `${trace.file}:${line[i]} (op ${i}, '${OP_LETTER[k]} ${v}${k === OP_FREE ? '' : ' ' + sizes[i]}')`;
  };
  const owner = (addr: number): string => {
    for (let j = 0; j < ptr.length; j++) {
      const q = ptr[j]!;
      if (q !== 0 && addr >= q && addr < q + Math.max(req[j]!, 1)) return `id ${j} [${q}, ${q + req[j]!})`;
    }
    return 'a live block';
  };
  /** Checks a fresh block's placement; returns an error text or ''. */
  const placement = (p: number, bytes: number): string => {
    if (!(p % align === 0)) return `returned ${p}, not aligned to ${align}`;
    if (!(p >= mem.base) || p + Math.max(bytes, 1) > mem.brk) return `returned [${p}, ${p + bytes}), outside the heap [${mem.base}, ${mem.brk})`;
    const hit = shadow.firstMarked(p, bytes);
    if (hit >= 0) return `returned [${p}, ${p + bytes}), which overlaps ${owner(hit)}`;
    return '';
  };
  /** Whether a failed request of `bytes` (replacing a block of `oldBytes`) was impossible here. */
  const impossible = (bytes: number, v: number, oldBytes: number): boolean => {
    if (bytes > cap || live - oldBytes + bytes > cap) return true;
    let largest: number;
    try {
      largest = heap.stats().largestFree;
    } catch {
      return false;
    }
    let top = mem.base;
    for (let j = 0; j < ptr.length; j++) if (j !== v && ptr[j] !== 0) top = Math.max(top, ptr[j]! + req[j]!);
    const bound = Math.max(oldBytes > 0 ? 2 * largest + oldBytes : largest, mem.maxBytes - top);
    return bytes + REFUSE_SLACK > bound;
  };
  const intact = (j: number, what: string): string => {
    const p = ptr[j]!;
    const bad = verifyPattern(mem.u8, mem.u32, p, seed[j]!, 0, req[j]!);
    return bad < 0 ? '' : `payload of id ${j} at ${p} (${req[j]} bytes) corrupted at offset ${bad} ${what}`;
  };

  try {
    for (; i < n; i++) {
      const k = kind[i]!;
      const v = ids[i]!;
      let err = '';
      if (k === OP_ALLOC) {
        const bytes = sizes[i]!;
        const p = heap.malloc(bytes);
        if (p === 0) {
          if (bytes !== 0) {
            if (impossible(bytes, v, 0)) refused++;
            else err = `malloc returned NULL (lastError ${heap.lastError}) with ${live} bytes live`;
          }
          ptr[v] = 0;
          req[v] = 0;
        } else {
          err = placement(p, bytes);
          if (err === '') {
            ptr[v] = p;
            req[v] = bytes;
            seed[v] = patternSeed(v, i);
            shadow.mark(p, bytes);
            fillPattern(mem.u8, mem.u32, p, seed[v]!, 0, bytes);
            live += bytes;
          }
        }
      } else if (k === OP_REALLOC) {
        const bytes = sizes[i]!;
        const old = ptr[v]!;
        const oldBytes = req[v]!;
        // A shrink (or `r id 0`) drops the tail: check it while it is still the block's.
        if (old !== 0 && bytes < oldBytes) {
          const bad = verifyPattern(mem.u8, mem.u32, old, seed[v]!, bytes, oldBytes);
          if (bad >= 0) err = `payload of id ${v} at ${old} (${oldBytes} bytes) corrupted at offset ${bad} before realloc`;
        }
        if (err === '') {
          const q = heap.realloc(old, bytes);
          const kept = Math.min(oldBytes, bytes);
          if (bytes === 0) {
            if (q !== 0) err = `realloc(p, 0) returned ${q}; it must free the block and return NULL`;
            shadow.clear(old, oldBytes);
            live -= oldBytes;
            ptr[v] = 0;
            req[v] = 0;
          } else if (q === 0) {
            if (impossible(bytes, v, oldBytes)) {
              refused++;
              if (old !== 0) err = intact(v, 'after a refused realloc (the old block must stay untouched)');
            } else {
              err = `realloc returned NULL (lastError ${heap.lastError}) with ${live} bytes live`;
            }
          } else if (q === old) {
            // In place: the allocator did O(1) work, so do we — the new tail's granules, the kept
            // bytes' first and last words now; every byte is verified again at free or at the end.
            const e0 = Math.ceil((old + oldBytes) / GRANULE) * GRANULE;
            const e1 = Math.ceil((old + bytes) / GRANULE) * GRANULE;
            if (old + bytes > mem.brk) err = `grew [${old}, ${old + bytes}) in place beyond the heap's break ${mem.brk}`;
            else if (e1 > e0) {
              const hit = shadow.firstMarked(e0, e1 - e0);
              if (hit >= 0) err = `grew [${old}, ${old + bytes}) in place over ${owner(hit)}`;
              else shadow.mark(e0, e1 - e0);
            } else if (e1 < e0) shadow.clear(e1, e0 - e1);
            if (err === '') {
              let bad = verifyPattern(mem.u8, mem.u32, q, seed[v]!, 0, Math.min(kept, WINDOW));
              if (bad < 0) bad = verifyPattern(mem.u8, mem.u32, q, seed[v]!, Math.max(0, kept - WINDOW), kept);
              if (bad >= 0) err = `realloc in place at ${q} changed byte ${bad} of the old ${oldBytes}`;
              else {
                req[v] = bytes;
                if (bytes > oldBytes) fillPattern(mem.u8, mem.u32, q, seed[v]!, oldBytes, bytes);
                live += bytes - oldBytes;
              }
            }
          } else {
            // Moved (or realloc(NULL, n)): the allocator copied the kept bytes; check every one.
            shadow.clear(old, oldBytes);
            err = placement(q, bytes);
            if (err === '') {
              if (old === 0) seed[v] = patternSeed(v, i);
              ptr[v] = q;
              req[v] = bytes;
              const bad = old === 0 ? -1 : verifyPattern(mem.u8, mem.u32, q, seed[v]!, 0, kept);
              if (bad >= 0) err = `realloc from ${old} to ${q} lost byte ${bad} of the old ${oldBytes} (or it was corrupted before)`;
              else {
                shadow.mark(q, bytes);
                if (bytes > oldBytes) fillPattern(mem.u8, mem.u32, q, seed[v]!, oldBytes, bytes);
                live += bytes - oldBytes;
              }
            }
          }
        }
      } else if (v < 0) {
        heap.free(0);
      } else {
        const p = ptr[v]!;
        if (p !== 0) err = intact(v, 'before free');
        if (err === '') {
          heap.free(p);
          shadow.clear(p, req[v]!);
          live -= req[v]!;
          ptr[v] = 0;
          req[v] = 0;
        }
      }
      if (err !== '') {
        errors.push(`${where()}: ${err}`);
        break;
      }
      if (live > peak) peak = live;
      const b = mem.brk;
      if (b > brk) {
        growths++;
        brk = b;
      }
      if (checkEvery > 0 && (i + 1) % checkEvery === 0) {
        const violations = heap.checkHeap();
        if (violations.length > 0) {
          errors.push(`${where()}: checkHeap() found ${violations.length} violation(s) after this op`);
          for (const x of violations.slice(0, maxViolations)) errors.push(`  at ${x.address}: ${x.message}`);
          break;
        }
      }
    }
  } catch (e) {
    const x = e as Error;
    errors.push(`${where()}: threw ${x?.name ?? 'error'}: ${x?.message ?? String(e)}`);
  }
  const opsDone = errors.length === 0 ? n : i;

  // End of the trace: every live payload intact, the heap consistent, the figures agreeing.
  if (errors.length === 0) {
    let blocks = 0;
    for (let j = 0; j < ptr.length; j++) {
      if (ptr[j] === 0) continue;
      blocks++;
      const err = intact(j, 'at the end of the trace');
      if (err !== '') {
        errors.push(`${trace.file}: ${err}`);
        break;
      }
    }
    try {
      const violations = heap.checkHeap();
      if (violations.length > 0) {
        errors.push(`${trace.file}: checkHeap() found ${violations.length} violation(s) at the end`);
        for (const x of violations.slice(0, maxViolations)) errors.push(`  at ${x.address}: ${x.message}`);
      }
      const s = heap.stats();
      if (s.liveBlocks !== blocks) errors.push(`${trace.file}: stats().liveBlocks is ${s.liveBlocks} but the trace holds ${blocks} live blocks`);
      if (s.liveBytes < live) errors.push(`${trace.file}: stats().liveBytes is ${s.liveBytes}, below the ${live} requested bytes live`);
    } catch (e) {
      const x = e as Error;
      errors.push(`${trace.file}: checkHeap()/stats() threw ${x?.name}: ${x?.message}`);
    }
  }

  let stats: HeapStats | null = null;
  try {
    stats = heap.stats();
  } catch {
    stats = null;
  }
  const highWater = stats?.highWater ?? 0;
  return {
    ok: errors.length === 0,
    errors,
    refused,
    opsDone,
    peakLive: peak,
    heapHighWater: highWater,
    growths,
    backingGrowths: mem.growths,
    utilization: peak > 0 && highWater > 0 ? peak / highWater : null,
    stats,
  };
}
