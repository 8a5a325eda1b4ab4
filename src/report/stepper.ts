/**
 * stepper.ts — replays a trace one op at a time on a heap and tells what the heap holds at each step.
 * Exports `HeapStepper`, `DrawnBlock`, `BlockState`, `walkBlocks`, `WalkableHeap`. Browser-safe (no Node built-ins).
 *
 * The visualizer and the reports draw from it. Block list of a step:
 * - a heap with `walk(fn(block, size, allocated))` (the boundary-tag heaps) is walked: every block,
 *   free ones too, with its header word and, on free blocks, its footer (layout.ts);
 * - any other `Allocator` is drawn from what the replay knows: its live blocks (payload, usable size)
 *   in address order, and the gaps between them as free space of unknown shape.
 *
 * ```
 *   allocated:  ┌hdr┬──── requested bytes ────┬─ padding ─┐     free:  ┌hdr┬────── free ──────┬ftr┐
 *               └───┴──────────────────────────┴───────────┘            └───┴──────────────────┴───┘
 *   addr        payload = addr + header                      addr + size
 * ```
 */
import type { Allocator } from '../alloc/allocator.js';
import { HDR } from '../alloc/layout.js';
import { OP_ALLOC, OP_FREE, OP_REALLOC, type Trace } from '../trace/trace.js';

/** How a drawn block is used. */
export type BlockState = 'allocated' | 'free' | 'unknown';

/** One block of the heap as drawn. */
export interface DrawnBlock {
  /** Address of the block (its header word, or the payload when the heap has no walk). */
  addr: number;
  /** Bytes of the whole block. */
  size: number;
  state: BlockState;
  /** Header bytes at `addr` (0 when unknown). */
  header: number;
  /** Footer bytes at the end (boundary tag of a free block; 0 when none). */
  footer: number;
  /** Trace id of the allocated block (-1 for free blocks, or an allocated block the trace does not know). */
  id: number;
  /** Bytes the trace asked for (allocated blocks); the rest of the payload is padding. */
  requested: number;
}

/** A heap that can list its blocks (the boundary-tag heaps do; the lead's `BlockHeap.walk`). */
export interface WalkableHeap extends Allocator {
  walk(fn: (block: number, size: number, allocated: boolean) => void): void;
}

function isWalkable(h: Allocator): h is WalkableHeap {
  return typeof (h as Partial<WalkableHeap>).walk === 'function';
}

/**
 * Lists the blocks of `heap` in address order. `idOf(payload)` names an allocated block's trace id
 * (or -1) and `requestedOf(id)` its requested bytes; `live` lists the live payloads for heaps that cannot walk.
 */
export function walkBlocks(
  heap: Allocator,
  idOf: (payload: number) => number,
  requestedOf: (id: number) => number,
  live: () => Iterable<number>,
): DrawnBlock[] {
  const out: DrawnBlock[] = [];
  if (isWalkable(heap)) {
    heap.walk((b, size, allocated) => {
      const id = allocated ? idOf(b + HDR) : -1;
      out.push({
        addr: b,
        size,
        state: allocated ? 'allocated' : 'free',
        header: HDR,
        footer: allocated ? 0 : HDR,
        id,
        requested: id >= 0 ? requestedOf(id) : 0,
      });
    });
    return out;
  }
  const ps = [...live()].sort((a, b) => a - b);
  let at = heap.memory.base;
  for (const p of ps) {
    if (p > at) out.push({ addr: at, size: p - at, state: 'unknown', header: 0, footer: 0, id: -1, requested: 0 });
    const size = heap.usableSize(p);
    const id = idOf(p);
    out.push({ addr: p, size, state: 'allocated', header: 0, footer: 0, id, requested: id >= 0 ? requestedOf(id) : 0 });
    at = p + size;
  }
  const end = heap.memory.brk;
  if (end > at) out.push({ addr: at, size: end - at, state: 'unknown', header: 0, footer: 0, id: -1, requested: 0 });
  return out;
}

/** One op of a block's history. */
export interface HistoryEntry {
  /** Op index in the trace. */
  op: number;
  /** `a`, `r` or `f`. */
  kind: 'a' | 'r' | 'f';
  /** Requested bytes (0 for frees). */
  size: number;
}

const LETTER = ['a', 'r', 'f'] as const;

/** Steps a trace through a heap one op at a time; goes back by replaying from the start on a fresh heap. */
export class HeapStepper {
  /** The heap now (replaced by `seek` backwards). */
  heap: Allocator;
  /** Ops applied so far (0 … trace.length). */
  pos = 0;
  /** Requests the heap refused so far. */
  refused = 0;
  /** Requested bytes live now, and their peak so far. */
  liveRequested = 0;
  peakRequested = 0;
  private ptr: Float64Array;
  private req: Float64Array;
  private byPayload = new Map<number, number>();

  constructor(
    readonly trace: Trace,
    private readonly makeHeap: () => Allocator,
  ) {
    this.heap = makeHeap();
    this.ptr = new Float64Array(trace.numIds + 1);
    this.req = new Float64Array(trace.numIds + 1);
  }

  /** Applies the next op; false at the end of the trace. */
  step(): boolean {
    const t = this.trace;
    const i = this.pos;
    if (i >= t.length) return false;
    const k = t.kind[i]!;
    const v = t.id[i]!;
    const bytes = t.size[i]!;
    const h = this.heap;
    if (k === OP_ALLOC) {
      const p = h.malloc(bytes);
      if (p === 0 && bytes !== 0) this.refused++;
      this.set(v, p, p === 0 ? 0 : bytes);
    } else if (k === OP_REALLOC) {
      const old = this.ptr[v]!;
      const q = h.realloc(old, bytes);
      if (q !== 0 || bytes === 0) {
        if (old !== 0) this.byPayload.delete(old);
        this.liveRequested -= old !== 0 ? this.req[v]! : 0;
        this.ptr[v] = 0;
        this.req[v] = 0;
        this.set(v, q, q === 0 ? 0 : bytes);
      } else this.refused++;
    } else if (v >= 0) {
      const p = this.ptr[v]!;
      h.free(p);
      if (p !== 0) {
        this.byPayload.delete(p);
        this.liveRequested -= this.req[v]!;
      }
      this.ptr[v] = 0;
      this.req[v] = 0;
    }
    this.pos = i + 1;
    return true;
  }

  private set(v: number, p: number, bytes: number): void {
    this.ptr[v] = p;
    this.req[v] = bytes;
    if (p !== 0) {
      this.byPayload.set(p, v);
      this.liveRequested += bytes;
      if (this.liveRequested > this.peakRequested) this.peakRequested = this.liveRequested;
    }
  }

  /** Goes to step `n` (clamped to the trace), replaying from the start when `n` is behind. */
  seek(n: number): void {
    const target = Math.max(0, Math.min(this.trace.length, Math.floor(n)));
    if (target < this.pos) {
      this.heap = this.makeHeap();
      this.ptr.fill(0);
      this.req.fill(0);
      this.byPayload.clear();
      this.pos = 0;
      this.refused = 0;
      this.liveRequested = 0;
      this.peakRequested = 0;
    }
    while (this.pos < target) this.step();
  }

  /** The payload of trace id `v` now (0 when not live). */
  pointerOf(v: number): number {
    return this.ptr[v] ?? 0;
  }

  /** The trace id whose block has payload `p` now, or -1. */
  idAt(p: number): number {
    return this.byPayload.get(p) ?? -1;
  }

  /** Live blocks the replay holds now. */
  liveBlocks(): number {
    return this.byPayload.size;
  }

  /** Every block of the heap now, in address order. */
  blocks(): DrawnBlock[] {
    return walkBlocks(
      this.heap,
      (p) => this.idAt(p),
      (v) => this.req[v]!,
      () => this.byPayload.keys(),
    );
  }

  /** The ops on id `v` up to now (the last `max` of them). */
  history(v: number, max = 12): HistoryEntry[] {
    const t = this.trace;
    const out: HistoryEntry[] = [];
    for (let i = 0; i < this.pos; i++) {
      if (t.id[i] === v) out.push({ op: i, kind: LETTER[t.kind[i]!]!, size: t.size[i]! });
    }
    return out.slice(-max);
  }

  /** A readable form of op `i`: `a 3 120`. */
  opText(i: number): string {
    const t = this.trace;
    if (i < 0 || i >= t.length) return '';
    const k = t.kind[i]!;
    return k === OP_FREE ? `f ${t.id[i]}` : `${LETTER[k]} ${t.id[i]} ${t.size[i]}`;
  }
}
