/**
 * index.ts — making and opening shared heaps: one heap in a SharedArrayBuffer for many workers.
 * Exports `createSharedHeap`, `attachSharedHeap`, `isSharedHeap`, `formatSharedHeap`, `attachSharedMemory`, `sharedAllocatorFamily`,
 * `SharedHeap`, `SharedHeapOptions`, `AttachSharedOptions`, `SHARED_HEAP_MAGIC`.
 *
 * ```ts
 * // main thread
 * const heap = createSharedHeap({ maxBytes: 64 << 20 });
 * worker.postMessage(heap.buffer);            // the SharedArrayBuffer itself, not a copy
 * // in the worker
 * const heap = attachSharedHeap(buffer);      // its own handle and slot; same pointers
 * ```
 * The layout of the buffer is drawn in layout.ts; the algorithm is described in heap.ts.
 */
import { LinearMemory, MAX_MEMORY_BYTES } from '../../memory/linear-memory.js';
import { HeapCorruptionError } from '../errors.js';
import {
  H_COMMITTED,
  H_FREE_PAGES,
  H_HIGH_PAGES,
  H_HINT,
  H_MAGIC,
  H_MAX_PAGES,
  H_MAX_SLOTS,
  H_META_PAGES,
  H_NCLASSES,
  H_PAGE_SHIFT,
  H_PT_OFFSET,
  H_SLOT_OFFSET,
  H_VERSION,
  HEADER_BYTES,
  PAGE,
  PAGE_SHIFT,
  PT_META,
  S_ADOPTIONS,
  S_STATE,
  SHARED_HEAP_MAGIC,
  SHARED_HEAP_VERSION,
  SLOT_ABANDONED,
  SLOT_ACTIVE,
  SLOT_BYTES,
  SLOT_NEVER,
  metaBytes,
} from './layout.js';
import { NCLASSES } from './size-classes.js';
import { SharedHeap } from './heap.js';

export { SharedHeap } from './heap.js';
export { SHARED_HEAP_MAGIC } from './layout.js';

/** Options of {@link createSharedHeap}. */
export interface SharedHeapOptions {
  /** Most bytes the heap (metadata included) may ever span; rounded up to 64 KiB, at most 4 GiB − 64 KiB. Default 256 MiB. */
  maxBytes?: number;
  /** Bytes to back at creation. Default: the metadata plus one page. Ignored (all of maxBytes is backed) when the buffer cannot grow. */
  initialBytes?: number;
  /** Worker slots: how many handles may be open at once (1..1024). Default 64. */
  maxWorkers?: number;
  /** Use a growable SharedArrayBuffer where the platform has one (default true); false backs all of maxBytes at once. */
  growable?: boolean;
}

/** Options of {@link attachSharedHeap}. */
export interface AttachSharedOptions {
  /**
   * Bind the handle to this existing, active slot instead of claiming a free one. Only for callers
   * that serialize every handle of that slot themselves (one global lock around all of them, as
   * the benchmark's baseline does): two threads using one slot at once corrupt its lists. After
   * taking such a lock, call `heap.memory.refresh()`: the slot's spans may lie where another
   * handle grew the buffer.
   */
  slot?: number;
}

function growableSupported(): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && typeof (SharedArrayBuffer.prototype as { grow?: unknown }).grow === 'function';
}

/**
 * Creates a heap in a new SharedArrayBuffer and returns the creating thread's handle (slot 0).
 * Hand `heap.buffer` to other workers (postMessage shares it) and open it there with {@link attachSharedHeap}.
 */
export function createSharedHeap(opts: SharedHeapOptions = {}): SharedHeap {
  if (typeof SharedArrayBuffer === 'undefined') throw new TypeError('createSharedHeap: SharedArrayBuffer is not available (in browsers it needs cross-origin isolation)');
  const maxSlots = opts.maxWorkers ?? 64;
  if (!Number.isInteger(maxSlots) || maxSlots < 1 || maxSlots > 1024) throw new RangeError(`createSharedHeap: maxWorkers ${maxSlots} is not in 1..1024`);
  const maxBytesIn = opts.maxBytes ?? 256 * 1024 * 1024;
  if (!(maxBytesIn > 0)) throw new RangeError(`createSharedHeap: maxBytes ${maxBytesIn} is not positive`);
  const maxPages = Math.min(Math.ceil(maxBytesIn / PAGE), MAX_MEMORY_BYTES / PAGE);
  const metaPages = Math.ceil(metaBytes(maxPages, maxSlots) / PAGE);
  if (metaPages + 1 > maxPages) throw new RangeError(`createSharedHeap: maxBytes ${maxBytesIn} leaves no room beside the ${metaPages * PAGE}-byte metadata`);
  const maxBytes = maxPages * PAGE;
  const growable = opts.growable !== false && growableSupported();
  const initial = growable ? Math.min(Math.max((metaPages + 1) * PAGE, Math.ceil((opts.initialBytes ?? 0) / PAGE) * PAGE), maxBytes) : maxBytes;
  const SAB = SharedArrayBuffer as unknown as new (n: number, o?: { maxByteLength: number }) => SharedArrayBuffer;
  const sab = growable ? new SAB(initial, { maxByteLength: maxBytes }) : new SAB(maxBytes);
  return formatSharedHeap(new LinearMemory({ memory: sab }), maxSlots);
}

/**
 * Formats a shared heap in a linear memory over a SharedArrayBuffer (base 0; it may span the whole
 * buffer and grow to `mem.maxBytes`) and returns the formatting thread's handle (slot 0).
 * Throws `RangeError` when the memory is not shared, has a base, or is too small for the metadata.
 */
export function formatSharedHeap(mem: LinearMemory, maxSlots = 64): SharedHeap {
  if (!mem.shared) throw new RangeError('the shared allocator needs a SharedArrayBuffer (pass memory: new SharedArrayBuffer(n, { maxByteLength }))');
  if (mem.base !== 0) throw new RangeError(`the shared allocator starts at byte 0 of its buffer, not at base ${mem.base}`);
  const maxPages = Math.min(Math.floor(mem.maxBytes / PAGE), MAX_MEMORY_BYTES / PAGE);
  const metaPages = Math.ceil(metaBytes(maxPages, maxSlots) / PAGE);
  if (metaPages + 1 > maxPages || !mem.reserve((metaPages + 1) * PAGE)) {
    throw new RangeError(`a shared heap with ${maxSlots} slots needs at least ${(metaPages + 1) * PAGE} bytes; the memory allows ${mem.maxBytes}`);
  }
  const sab = mem.buffer as SharedArrayBuffer;
  const u32 = new Uint32Array(sab, 0, HEADER_BYTES / 4);
  u32.fill(0);
  const slotOffset = HEADER_BYTES;
  const ptOffset = HEADER_BYTES + maxSlots * SLOT_BYTES;
  new Uint8Array(sab, slotOffset, metaPages * PAGE - slotOffset).fill(0);
  u32[H_VERSION] = SHARED_HEAP_VERSION;
  u32[H_PAGE_SHIFT] = PAGE_SHIFT;
  u32[H_META_PAGES] = metaPages;
  u32[H_MAX_PAGES] = maxPages;
  u32[H_COMMITTED] = metaPages;
  u32[H_MAX_SLOTS] = maxSlots;
  u32[H_FREE_PAGES] = 0;
  u32[H_HIGH_PAGES] = metaPages;
  u32[H_PT_OFFSET] = ptOffset;
  u32[H_SLOT_OFFSET] = slotOffset;
  u32[H_HINT] = metaPages;
  u32[H_NCLASSES] = NCLASSES;
  const pt = new Uint32Array(sab, ptOffset, maxPages);
  for (let p = 0; p < metaPages; p++) pt[p] = PT_META;
  const slots = new Uint32Array(sab, slotOffset, (maxSlots * SLOT_BYTES) / 4);
  slots[S_STATE] = SLOT_ACTIVE;
  slots[S_ADOPTIONS] = 1;
  Atomics.store(u32, H_MAGIC, SHARED_HEAP_MAGIC); // last: the heap is complete once the magic is there
  return new SharedHeap(mem, 0);
}

/** True when `buffer` holds a shared heap (its first word is {@link SHARED_HEAP_MAGIC}). */
export function isSharedHeap(buffer: unknown): buffer is SharedArrayBuffer {
  return (
    typeof SharedArrayBuffer !== 'undefined' &&
    buffer instanceof SharedArrayBuffer &&
    buffer.byteLength >= HEADER_BYTES &&
    Atomics.load(new Uint32Array(buffer, 0, 1), 0) === SHARED_HEAP_MAGIC
  );
}

/**
 * Opens the shared heap in `buffer` (made by {@link createSharedHeap}, possibly in another worker)
 * with a new handle on its own worker slot. A slot given up with `close()` is adopted first, with
 * the memory it still holds; otherwise a never-used slot. Throws when all slots are taken.
 */
export function attachSharedHeap(buffer: SharedArrayBuffer, opts: AttachSharedOptions = {}): SharedHeap {
  if (!isSharedHeap(buffer)) throw new TypeError('attachSharedHeap: the buffer does not hold a shared heap (no HKSH magic at byte 0)');
  return attachSharedMemory(new LinearMemory({ memory: buffer }), opts);
}

/** {@link attachSharedHeap} on a ready linear memory over the heap's buffer (base 0). */
export function attachSharedMemory(mem: LinearMemory, opts: AttachSharedOptions = {}): SharedHeap {
  // a handle re-binds its views through mem.onGrow: a memory another handle already uses gets a fresh twin
  if (mem.onGrow !== null && mem.shared) mem = new LinearMemory({ memory: mem.buffer as SharedArrayBuffer });
  const u32 = mem.u32;
  if (!mem.shared || mem.base !== 0 || u32[H_MAGIC] !== SHARED_HEAP_MAGIC) throw new HeapCorruptionError('attachSharedHeap: no shared heap at byte 0 of this memory', 0);
  if (u32[H_VERSION] !== SHARED_HEAP_VERSION) throw new HeapCorruptionError(`attachSharedHeap: layout version ${u32[H_VERSION]}, this build reads ${SHARED_HEAP_VERSION}`, 4);
  if (u32[H_PAGE_SHIFT] !== PAGE_SHIFT || u32[H_NCLASSES] !== NCLASSES) throw new HeapCorruptionError('attachSharedHeap: page size or size classes differ from this build', 8);
  if (u32[H_MAX_PAGES]! * PAGE > mem.maxBytes) throw new HeapCorruptionError('attachSharedHeap: the buffer cannot hold the heap its header describes', 16);
  const maxSlots = u32[H_MAX_SLOTS]!;
  const slotBase = u32[H_SLOT_OFFSET]! >>> 2;
  if (opts.slot !== undefined) {
    const s = opts.slot;
    if (!Number.isInteger(s) || s < 0 || s >= maxSlots || Atomics.load(u32, slotBase + (s * SLOT_BYTES) / 4 + S_STATE) !== SLOT_ACTIVE) {
      throw new RangeError(`attachSharedHeap: slot ${s} is not an active slot`);
    }
    return new SharedHeap(mem, s);
  }
  for (const from of [SLOT_ABANDONED, SLOT_NEVER]) {
    for (let s = 0; s < maxSlots; s++) {
      const sw = slotBase + (s * SLOT_BYTES) / 4;
      if (Atomics.compareExchange(u32, sw + S_STATE, from, SLOT_ACTIVE) === from) {
        Atomics.add(u32, sw + S_ADOPTIONS, 1);
        return new SharedHeap(mem, s);
      }
    }
  }
  throw new RangeError(`attachSharedHeap: all ${maxSlots} worker slots are taken (close() handles that are done, or raise maxWorkers)`);
}

/**
 * The shared allocator as a family for `registerAllocatorFamily` (create.ts): preset `'shared'`.
 * `createHeap({ allocator: 'shared', memory: sab })` formats `sab` (a SharedArrayBuffer, base 0);
 * `attachHeap(sab)` in any worker finds the magic word and opens a handle on a new slot.
 */
export const sharedAllocatorFamily = {
  magic: SHARED_HEAP_MAGIC,
  presets: {
    shared: 'shared: one heap in a SharedArrayBuffer for many workers; per-worker size-class spans, lock-free owner fast path, atomic remote frees (mimalloc-style)',
  } as Record<string, string>,
  create(memory: LinearMemory, _name: string, _align: 8 | 16): SharedHeap {
    return formatSharedHeap(memory);
  },
  attach(memory: LinearMemory): SharedHeap {
    return attachSharedMemory(memory);
  },
};
