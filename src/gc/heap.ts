/**
 * heap.ts — the managed heap: object allocation, typed accessors, the write barrier, the shadow stack of
 * roots, statistics and the collection driver. Exports `ManagedHeap`, `GcPlan`, `ManagedHeapOptions`,
 * `ManagedHeapStats`, `TypeInfo`, `GcViolation`, `BARRIER_*`.
 *
 * The heap owns one linear memory laid out as:
 * ```
 *  base   meta (64 B)  type table          shadow stack (roots)      spaces (one per plan part)
 *   ├─────────────────┼───────────────────┼─────────────────────────┼──────────┬───────┬──── … ──┬───── los ─────┤
 *   │ magic, version, │ TYPE_WORDS × max  │ rootSlots × u32 slots   │ nursery  │ ...   │         │ large objects  │
 *   │ plan, counts    │ types             │ (the collector rewrites │ / to /   │       │         │ (never copied) │
 *   │                 │                   │  them when it moves)    │ old ...  │       │         │                │
 * ```
 * The whole range up to `maxBytes` is backed at creation (a fixed buffer: typed-array access over a
 * fixed ArrayBuffer is measurably faster than over a resizable one, and untouched pages cost only
 * address space). "Growth" is the collector's soft limits moving toward the reserved end.
 *
 * Safepoints and raw pointers. Every allocation (`alloc`, `allocArray`) and `collect()` is a safepoint:
 * a collection may run there. After a safepoint:
 *  - values in shadow-stack slots (`push`/`get`/`set`) and in reference fields are always valid (the
 *    collector rewrites them when it moves objects);
 *  - raw pointers held in JavaScript variables stay valid only for objects that do not move:
 *    every object under 'mark-sweep', large objects (≥ `largeObjectBytes`) under every collector; under
 *    'semispace', 'mark-compact' and 'generational' any other raw pointer is stale and must be re-read from
 *    a slot or a field. Debug mode (`debug: true`) catches a stale pointer into an evacuated from-space
 *    (semispace halves, survivor spaces, the emptied nursery, the freed tail of a compacted space) with a
 *    `StalePointerError` at its next use. Limit: after sliding compaction, a stale pointer that now lands
 *    on the start of another live object is indistinguishable from a fresh one and is not caught.
 *  - addresses derived from objects (`rawAddr`, `dataAddr`) follow the same rule as their object.
 */
import { LinearMemory, type MemoryBacking } from '../memory/linear-memory.js';
import type { Allocator } from '../alloc/allocator.js';
import {
  ARRAY_DATA,
  FORWARDED,
  KIND_BYTE_ARRAY,
  KIND_RECORD,
  KIND_REF_ARRAY,
  LOGGED,
  MAX_ARRAY_LENGTH,
  POISON,
  TYPE_MASK,
  TYPE_WORDS,
  COLOR_MASK,
  arraySize,
  rawOffset,
  recordSize,
} from './object-model.js';
import { Space, SPACE_BUMP, SPACE_FREELIST } from './space.js';
import {
  GcOutOfMemoryError,
  HeapVerificationError,
  InvalidObjectError,
  InvalidTypeError,
  ManagedHeapError,
  RootStackOverflowError,
  StalePointerError,
} from './errors.js';
import { hex } from '../alloc/errors.js';

/** The collectors built in; plans registered later (e.g. incremental ones) add their own names. */
export type CollectorName = 'mark-sweep' | 'mark-compact' | 'semispace' | 'generational' | (string & {});

/** Barrier kinds: none (non-generational stop-the-world plans). */
export const BARRIER_NONE = 0;
/** Barrier kinds: generational object-remembering barrier (old → young stores log the old object). */
export const BARRIER_GENERATIONAL = 1;
/** Barrier kinds: a plan-provided hook (`plan.writeBarrier`) runs before every reference store (for incremental/concurrent plans). */
export const BARRIER_HOOK = 2;

/** Options of `createManagedHeap`. Every size is in bytes. */
export interface ManagedHeapOptions {
  /** Which collector (plan) manages the heap. */
  collector: CollectorName;
  /** Bytes reserved for the whole heap (metadata, roots and every space). Default 256 MiB. */
  maxBytes?: number;
  /** Starting soft size of the main space(s) before the growth policy enlarges them. Default 4 MiB. */
  initialBytes?: number;
  /** Grow a space after a collection when live data exceeds this fraction of its soft size. Default 0.5. */
  growthFraction?: number;
  /** Generational: bytes of the nursery's allocation area (eden). Default 16 MiB (like V8's young generation; pauses fall as it grows). */
  nurseryBytes?: number;
  /** Generational: bytes of each of the two survivor spaces. Default nurseryBytes / 4. */
  survivorBytes?: number;
  /** Generational: minor collections an object survives before promotion to the old space. Default 2 (1 = promote at first survival). */
  promoteAge?: number;
  /** Objects of at least this many bytes go to the large-object space (never copied). Default 16 KiB. */
  largeObjectBytes?: number;
  /** Bytes reserved for the large-object space. Default maxBytes / 4. */
  losBytes?: number;
  /** Backing memory (ArrayBuffer, SharedArrayBuffer or WebAssembly.Memory) — the heap lives in it. Default: a private ArrayBuffer of `maxBytes`. */
  memory?: MemoryBacking;
  /** First byte the heap may use in `memory`. Default 8. */
  base?: number;
  /** Stress mode: collect at every N-th allocation (0 = off). */
  stress?: number;
  /** Verify the heap after every collection (throws `HeapVerificationError`). Default: on when `stress > 0`. */
  verifyEachCollection?: boolean;
  /** Debug mode: accessors check their pointers (stale pointers into from-space throw `StalePointerError`), evacuated and freed memory is poisoned. */
  debug?: boolean;
  /** Capacity of the mark stack in entries; when it overflows, marking rescans the heap for grey objects. Default 65536. */
  markStackEntries?: number;
  /** Capacity of the shadow stack of roots. Default 65536. */
  rootSlots?: number;
  /** Most types that can be declared. Default 1024. */
  maxTypes?: number;
  /** Free-list allocator preset for free-list spaces (mark-sweep space, large objects). Default: heapkit's default. */
  allocator?: string;
  /**
   * Write to every 4 KiB page of the heap (and of its spaces' object-start bitmaps) at creation, so the operating system commits
   * them now rather than at first touch, inside the mutator or a collector step (like the JVM's
   * `-XX:+AlwaysPreTouch`). A first touch costs a page fault, about 3 µs on a VM, and a step that meets a
   * few hundred of them overruns its deadline by a millisecond. Costs creation time (~1 ms per 4 MiB) and
   * resident memory (all of `maxBytes` at once). Contents are kept. Default false.
   */
  preTouch?: boolean;
}

/** A declared type. */
export interface TypeInfo {
  id: number;
  name: string;
  kind: 'record' | 'ref-array' | 'byte-array';
  /** Records: reference fields. */
  refs: number;
  /** Records: raw bytes. */
  bytes: number;
  /** Records: total object bytes (header included). */
  size: number;
}

/** A violated invariant found by `verify()`. */
export interface GcViolation {
  address: number;
  message: string;
}

/** Figures of a managed heap. Times in milliseconds. */
export interface ManagedHeapStats {
  collector: string;
  collections: number;
  minorCollections: number;
  majorCollections: number;
  /** Bytes handed out to objects since creation. */
  bytesAllocated: number;
  /** Bytes copied by copying collectors, or moved by compaction. */
  bytesCopied: number;
  /** Bytes promoted from the nursery to the old space. */
  bytesPromoted: number;
  /** Bytes reclaimed by sweeping (free-list spaces). */
  bytesFreed: number;
  /** Bytes of objects in the spaces now (live after a full collection; may include garbage otherwise). */
  usedBytes: number;
  /** Bytes of live data found by the last full collection. */
  liveAfterLastFull: number;
  /** Sum over spaces of their current soft size (what the growth policy allows before collecting). */
  heapBytes: number;
  /** Sum over spaces of the most bytes each ever touched. */
  heapHighWater: number;
  /** Times the mark stack overflowed (and marking rescanned the heap). */
  markStackOverflows: number;
  /** Pauses: total, max, p50, p99. */
  totalPauseMs: number;
  maxPauseMs: number;
  p50PauseMs: number;
  p99PauseMs: number;
  /** Per-space figures. */
  spaces: { name: string; used: number; soft: number; reserved: number; highWater: number }[];
}

/**
 * A collector: a declarative composition of spaces plus the phase code that collects them (MMTk's "plan").
 * Plans are registered by name (see `registerCollector`); the heap calls them on its slow paths only.
 */
export interface GcPlan {
  readonly name: string;
  /** One line for help texts. */
  readonly description: string;
  /** True when objects (other than large ones) move; raw pointers do not survive safepoints. */
  readonly movesObjects: boolean;
  /** True when the plan has minor collections and a remembered set. */
  readonly generational: boolean;
  /** Which barrier the plan needs (`BARRIER_*`). */
  readonly barrier: number;
  /** Lays out the plan's spaces over [start, end) of the heap's memory (the large-object space is made by the heap). */
  setup(heap: ManagedHeap, start: number, end: number): void;
  /** Slow path of small allocation: returns an address for `size` bytes (collecting and growing as needed), or 0 when even a full collection leaves no room. */
  allocSmall(heap: ManagedHeap, size: number): number;
  /** Runs one collection; `full` asks for a whole-heap one. Returns true when it was major (whole heap). */
  collect(heap: ManagedHeap, full: boolean): boolean;
  /** Called after a large object could not be placed: collect to make room (a full collection at least). */
  collectForLarge?(heap: ManagedHeap): void;
  /** Barrier hook for `BARRIER_HOOK` plans: runs before the store of `value` into word `slotWord` of `obj`. */
  writeBarrier?(heap: ManagedHeap, obj: number, slotWord: number, value: number): void;
  /** Extra verification (e.g. remembered-set completeness). */
  verify?(heap: ManagedHeap, out: GcViolation[]): void;
  /** True when the plan marks from another thread: without a `memory` option the heap is then backed by a SharedArrayBuffer. */
  readonly sharedMemory?: boolean;
  /** Called when a large object was placed at `p` (before its header is written), for plans that colour new objects. */
  allocatedLarge?(heap: ManagedHeap, p: number, size: number): void;
}

/** Pointer check outcome: fine. */
const PTR_OK = 0;
/** Pointer check outcome: stale (into evacuated memory, forwarded or poisoned object). */
const PTR_STALE = 1;
/** Pointer check outcome: not an object at all. */
const PTR_INVALID = 2;

/** Meta words at the heap base. */
const META_MAGIC = 0x43474b48; // 'HKGC'
const META_WORDS = 16;

/** Verifier signature injected by `createManagedHeap` (kept out of this file to keep imports one-way). */
export type HeapVerifier = (heap: ManagedHeap, deep: boolean) => GcViolation[];

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/**
 * A garbage-collected heap in linear memory. Create one with `createManagedHeap`.
 *
 * Fields below marked "collector state" are public so the plans (in sibling files) can run tight loops on
 * them; user code should treat them as read-only.
 */
export class ManagedHeap {
  /** The collector's name. */
  readonly collector: string;
  /** The plan (collector) managing this heap. */
  readonly plan: GcPlan;
  /** The memory the heap lives in. */
  readonly memory: LinearMemory;
  /** Byte view of the heap's memory (valid until `refresh()` is needed after someone else grows the memory). */
  u8: Uint8Array;
  /** Word view (index = address >>> 2). */
  u32: Uint32Array;
  /** Signed word view. */
  i32: Int32Array;
  /** f64 view (index = address >>> 3). */
  f64: Float64Array;

  /** Collector state: bump pointer of the current allocation space. */
  top = 0;
  /** Collector state: the fast path allocates while `top + size <= limit` (0 forces the slow path). */
  limit = 0;
  /** Collector state: the current bump allocation space, if the plan has one. */
  allocSpace: Space | null = null;
  /** Collector state: every space, large-object space last. */
  readonly spaces: Space[] = [];
  /** Collector state: the large-object space. */
  los!: Space;
  /** Collector state: barrier kind (`BARRIER_*`). */
  readonly barrier: number;
  /** Collector state (generational): young range [youngLo, youngLo + youngSize). */
  youngLo = 0;
  youngSize = 0;
  /** Collector state (generational): sequential store buffer of logged objects. */
  ssb: Int32Array = new Int32Array(1024);
  ssbLen = 0;
  /** Collector state: the mark stack. */
  readonly markStack: Int32Array;
  /** Collector state: mark-stack overflows so far. */
  markStackOverflows = 0;

  /** Collector state: per type, record size (0 for arrays and unknown ids). */
  readonly recSize: Int32Array;
  /** Collector state: per type, kind (0 unknown). */
  readonly kindOf: Int32Array;
  /** Collector state: per type, reference-field count (records). */
  readonly refCount: Int32Array;
  /** Collector state: per type, byte offset of raw data (records). */
  readonly rawOff: Int32Array;
  /** Declared types (index = id; 0 is unused). */
  readonly types: TypeInfo[] = [];

  /** Word index of the first root slot. */
  readonly rootBase: number;
  /** Capacity of the shadow stack. */
  readonly rootSlots: number;
  private _sp = 0;

  /** Objects of at least this many bytes go to the large-object space. */
  readonly largeObjectBytes: number;
  /** Growth policy fraction. */
  readonly growthFraction: number;
  /** Starting soft size of main spaces. */
  readonly initialBytes: number;
  /** Options as given (plans read their own knobs here). */
  readonly options: Readonly<ManagedHeapOptions>;
  /** Debug mode: pointers checked at every accessor. */
  readonly debug: boolean;
  /** Stress mode period (0 off). */
  readonly stress: number;
  private stressCount = 0;
  private stressMajor = 0;
  /** Verify after each collection. */
  readonly verifyEach: boolean;
  /** Called before and after every collection (`phase`, `major`): for checksums in tests and workloads. */
  onCollect: ((phase: 'before' | 'after', major: boolean) => void) | null = null;

  /** Statistics counters (collector state). */
  collections = 0;
  minorCollections = 0;
  majorCollections = 0;
  bytesCopied = 0;
  bytesPromoted = 0;
  bytesFreed = 0;
  liveAfterLastFull = 0;
  /** Bytes allocated by bump before the current allocation epoch (top − epochStart is added on demand). */
  private allocatedBefore = 0;
  private epochStart = 0;
  private pauses = new Float64Array(256);
  private pauseCount = 0;
  private inCollection = false;
  private readonly verifier: HeapVerifier;

  /** @internal Use `createManagedHeap`. */
  constructor(opts: ManagedHeapOptions, plan: GcPlan, verifier: HeapVerifier, makeAllocator: (memory: LinearMemory, start: number, end: number) => Allocator) {
    this.options = opts;
    this.collector = plan.name;
    this.plan = plan;
    this.verifier = verifier;
    this.barrier = plan.barrier;
    const maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
    const base = opts.base ?? 8;
    if (!Number.isInteger(maxBytes) || maxBytes < 256 * 1024) throw new RangeError(`createManagedHeap: maxBytes ${maxBytes} is below 256 KiB`);
    const backing = opts.memory ?? (plan.sharedMemory === true && typeof SharedArrayBuffer !== 'undefined' ? new SharedArrayBuffer(base + maxBytes) : undefined);
    this.memory = backing === undefined
      ? new LinearMemory({ initialBytes: base + maxBytes, maxBytes: base + maxBytes })
      : new LinearMemory({ memory: backing, base, initialBytes: maxBytes });
    if (this.memory.capacity < base + maxBytes && !this.memory.reserve(base + maxBytes)) {
      throw new GcOutOfMemoryError(`createManagedHeap: the memory cannot back ${maxBytes} bytes from ${hex(base)}`, maxBytes);
    }
    this.u8 = this.memory.u8;
    this.u32 = this.memory.u32;
    this.i32 = this.memory.i32;
    this.f64 = this.memory.f64;
    this.memory.onGrow = () => this.refresh();
    this.debug = opts.debug === true;
    this.stress = Math.max(0, Math.floor(opts.stress ?? 0));
    this.verifyEach = opts.verifyEachCollection ?? this.stress > 0;
    this.growthFraction = opts.growthFraction ?? 0.5;
    this.initialBytes = opts.initialBytes ?? 4 * 1024 * 1024;
    this.largeObjectBytes = opts.largeObjectBytes ?? 16 * 1024;
    this.markStack = new Int32Array(Math.max(2, opts.markStackEntries ?? 65536));
    const maxTypes = opts.maxTypes ?? 1024;
    this.recSize = new Int32Array(maxTypes);
    this.kindOf = new Int32Array(maxTypes);
    this.refCount = new Int32Array(maxTypes);
    this.rawOff = new Int32Array(maxTypes);
    this.types.push({ id: 0, name: '(none)', kind: 'record', refs: 0, bytes: 0, size: 0 });

    // Layout: meta, type table, roots, then the plan's spaces and the large-object space.
    const metaBase = (base + 7) & ~7;
    const typeBase = metaBase + META_WORDS * 4;
    this.rootSlots = opts.rootSlots ?? 65536;
    const rootStart = typeBase + maxTypes * TYPE_WORDS * 4;
    this.rootBase = rootStart >>> 2;
    const spacesStart = (rootStart + this.rootSlots * 4 + 4095) & ~4095;
    const end = (base + maxBytes) & ~4095;
    const losBytes = (opts.losBytes ?? Math.floor(maxBytes / 4)) & ~4095;
    const losStart = end - losBytes;
    if (losStart - spacesStart < 64 * 1024) throw new RangeError(`createManagedHeap: maxBytes ${maxBytes} leaves no room for spaces`);
    const u32 = this.u32;
    u32[metaBase >>> 2] = META_MAGIC;
    u32[(metaBase >>> 2) + 1] = 1;
    u32[(metaBase >>> 2) + 2] = typeBase;
    u32[(metaBase >>> 2) + 3] = maxTypes;
    u32[(metaBase >>> 2) + 5] = rootStart;
    u32[(metaBase >>> 2) + 6] = this.rootSlots;
    this.typeBaseWord = typeBase >>> 2;
    this.metaWord = metaBase >>> 2;
    this.makeAllocator = (s: number, e: number) => makeAllocator(this.memory, s, e);
    plan.setup(this, spacesStart, losStart);
    const losAlloc = this.makeAllocator(losStart, end);
    this.los = new Space('los', SPACE_FREELIST, losStart, end, losStart + Math.min(losBytes, Math.max(this.initialBytes, 4 * this.largeObjectBytes)), losAlloc);
    this.spaces.push(this.los);
    this.resetLimit();
    this.openEpoch();
    if (opts.preTouch === true) this.preTouch(base, base + maxBytes);
  }

  /** Writes one byte per page in [from, to) of the memory and of every space's start bitmap (values kept), committing the pages. */
  private preTouch(from: number, to: number): void {
    const u8 = this.u8;
    for (let p = from; p < to; p += 4096) u8[p] = u8[p]!;
    for (const s of this.spaces) {
      const w = s.starts;
      for (let i = 0; i < w.length; i += 1024) w[i] = w[i]!;
    }
  }

  /** Word index of the type table. */
  readonly typeBaseWord: number;
  /** Makes a heapkit free-list allocator over [start, end) of this heap's memory (for free-list spaces). */
  readonly makeAllocator: (start: number, end: number) => Allocator;
  /** Word index of the meta block. */
  readonly metaWord: number;

  // ───────────────────────────── types ─────────────────────────────

  private addType(name: string, kind: number, refs: number, bytes: number): number {
    const id = this.types.length;
    if (id >= this.kindOf.length || id > TYPE_MASK) throw new InvalidTypeError(`type table full (${this.kindOf.length} types): raise maxTypes`);
    const size = kind === KIND_RECORD ? recordSize(refs, bytes) : 0;
    this.kindOf[id] = kind;
    this.recSize[id] = size;
    this.refCount[id] = refs;
    this.rawOff[id] = kind === KIND_RECORD ? rawOffset(refs) : ARRAY_DATA;
    const tw = this.typeBaseWord + id * TYPE_WORDS;
    this.u32[tw] = kind;
    this.u32[tw + 1] = refs;
    this.u32[tw + 2] = bytes;
    this.u32[tw + 3] = kind === KIND_RECORD ? size : kind === KIND_REF_ARRAY ? 4 : 1;
    this.u32[this.metaWord + 4] = id + 1;
    this.types.push({ id, name, kind: kind === KIND_RECORD ? 'record' : kind === KIND_REF_ARRAY ? 'ref-array' : 'byte-array', refs, bytes, size });
    return id;
  }

  /** Declares a record type with `refs` reference fields followed by `bytes` raw bytes; returns its type id. */
  defineRecord(name: string, refs: number, bytes = 0): number {
    if (!Number.isInteger(refs) || refs < 0 || refs > 65535 || !Number.isInteger(bytes) || bytes < 0 || bytes > 1 << 24) {
      throw new InvalidTypeError(`defineRecord(${name}): refs ${refs} and bytes ${bytes} must be small non-negative integers`);
    }
    return this.addType(name, KIND_RECORD, refs, bytes);
  }

  /** Declares an array-of-references type; returns its type id. */
  defineRefArray(name: string): number {
    return this.addType(name, KIND_REF_ARRAY, 0, 0);
  }

  /** Declares a byte-array type (raw data, 8-aligned, so f64 elements fit); returns its type id. */
  defineByteArray(name: string): number {
    return this.addType(name, KIND_BYTE_ARRAY, 0, 0);
  }

  /** Type id of the object at `p`. */
  typeOf(p: number): number {
    if (this.debug) this.assertObject(p, 'typeOf');
    return this.u32[p >>> 2]! & TYPE_MASK;
  }

  /** Total bytes of the object at `p` (from its type and length, not its size word). */
  sizeOf(p: number): number {
    const w = p >>> 2;
    const t = this.u32[w]! & TYPE_MASK;
    const k = this.kindOf[t]!;
    return k === KIND_RECORD ? this.recSize[t]! : arraySize(k, this.u32[w + 2]!);
  }

  // ─────────────────────────── allocation ───────────────────────────

  /** Allocates a zeroed record of type `type` (a safepoint). Returns its address. */
  alloc(type: number): number {
    const size = this.recSize[type]!;
    const p = this.top;
    const e = p + size;
    if (e <= this.limit && size !== 0) {
      this.top = e;
      const w = p >>> 2;
      this.u32[w] = type;
      this.u32[w + 1] = size;
      return p;
    }
    return this.allocSlow(type, size, 0);
  }

  /** Allocates a zeroed array of type `type` with `length` elements (a safepoint). Returns its address. */
  allocArray(type: number, length: number): number {
    const k = this.kindOf[type];
    if (k !== KIND_REF_ARRAY && k !== KIND_BYTE_ARRAY) throw new InvalidTypeError(`allocArray: type ${type} is not an array type`);
    if (!(length >= 0 && length <= MAX_ARRAY_LENGTH) || Math.floor(length) !== length) throw new InvalidTypeError(`allocArray: length ${length} is not an integer in [0, ${MAX_ARRAY_LENGTH}]`);
    const size = arraySize(k, length);
    if (size >= this.largeObjectBytes) return this.allocLarge(type, size, length);
    const p = this.top;
    const e = p + size;
    if (e <= this.limit) {
      this.top = e;
      const w = p >>> 2;
      this.u32[w] = type;
      this.u32[w + 1] = size;
      this.u32[w + 2] = length;
      return p;
    }
    return this.allocSlow(type, size, length);
  }

  private allocSlow(type: number, size: number, length: number): number {
    if (size === 0) throw new InvalidTypeError(`alloc: ${type} is not a record type (declare it with defineRecord)`);
    if (size >= this.largeObjectBytes) return this.allocLarge(type, size, length);
    if (this.stress > 0 && ++this.stressCount >= this.stress) {
      this.stressCount = 0;
      // Stress: alternate minor and major collections (every 3rd is major).
      this.collectNow(++this.stressMajor % 3 === 0);
    }
    const p = this.plan.allocSmall(this, size);
    if (p === 0) throw new GcOutOfMemoryError(`out of memory: no room for ${size} bytes after a full collection (${this.collector}, maxBytes ${this.options.maxBytes ?? 256 * 1024 * 1024})`, size);
    const w = p >>> 2;
    const u32 = this.u32;
    if (size <= 64) for (let i = w + 2, e = w + (size >>> 2); i < e; i++) u32[i] = 0;
    else u32.fill(0, w + 2, w + (size >>> 2));
    this.u32[w] = type;
    this.u32[w + 1] = size;
    if (this.kindOf[type] !== KIND_RECORD) this.u32[w + 2] = length;
    return p;
  }

  private allocLarge(type: number, size: number, length: number): number {
    if (this.stress > 0 && ++this.stressCount >= this.stress) {
      this.stressCount = 0;
      this.collectNow(true);
    }
    const los = this.los;
    let p = los.used + size <= los.soft - los.start ? los.place(size) : 0;
    if (p === 0) {
      if (this.plan.collectForLarge) this.plan.collectForLarge(this);
      else this.collectNow(true);
      this.growFreeList(los, size);
      p = los.place(size);
      if (p === 0) throw new GcOutOfMemoryError(`out of memory: no room for a large object of ${size} bytes after a full collection`, size);
    }
    this.allocatedBefore += size;
    if (this.plan.allocatedLarge !== undefined) this.plan.allocatedLarge(this, p, size);
    this.u32.fill(0, p >>> 2, (p + size) >>> 2);
    const w = p >>> 2;
    this.u32[w] = type;
    this.u32[w + 1] = size;
    this.u32[w + 2] = length;
    return p;
  }

  /** Growth policy for a free-list space after a full collection: make room for `need` more bytes and keep live data ≤ fraction × soft size. */
  growFreeList(s: Space, need: number): void {
    const live = s.used;
    let soft = s.soft - s.start;
    while ((live > this.growthFraction * soft || live + need > soft) && soft < s.end - s.start) soft *= 2;
    s.soft = Math.min(s.end, s.start + soft);
  }

  /** Growth policy for a bump space after a full collection. */
  growBump(s: Space, need: number): void {
    const live = s.top - s.start;
    let soft = s.soft - s.start;
    while ((live > this.growthFraction * soft || live + need > soft) && soft < s.end - s.start) soft *= 2;
    s.soft = Math.min(s.end, s.start + soft);
  }

  /** Collector state: recomputes `limit` after the allocation space or its top changed. */
  resetLimit(): void {
    const s = this.allocSpace;
    if (s === null) {
      this.top = 0;
      this.limit = 0;
    } else {
      this.top = s.top;
      this.limit = this.stress > 0 || this.debug ? 0 : s.soft;
    }
  }

  /** Collector state: writes the fast path's `top` back to its space and counts bytes allocated since the last sync. */
  syncTop(): void {
    const s = this.allocSpace;
    if (s !== null) {
      s.top = this.top;
      if (s.top > s.hwm) s.hwm = s.top;
    }
  }

  /** Collector state: ends an allocation epoch of a bump space (counts bytes allocated in it). */
  closeEpoch(): void {
    const s = this.allocSpace;
    if (s !== null) this.allocatedBefore += s.top - this.epochStart;
  }

  /** Collector state: opens an allocation epoch at the space's current top. */
  openEpoch(): void {
    const s = this.allocSpace;
    this.epochStart = s !== null ? s.top : 0;
  }

  /** Collector state: bump-allocates from `s` by its own top (used by plan slow paths); no zeroing. */
  bump(s: Space, size: number): number {
    const p = s.top;
    if (p + size > s.soft) return 0;
    s.top = p + size;
    if (s.top > s.hwm) s.hwm = s.top;
    return p;
  }

  // ─────────────────────────── accessors ───────────────────────────

  /** Reads reference field `i` of record `obj` (plain read, no barrier). */
  getRef(obj: number, i: number): number {
    if (this.debug) this.assertField(obj, i, KIND_RECORD, 'getRef');
    return this.u32[(obj >>> 2) + 2 + i]!;
  }

  /** Stores `value` (an object or 0) into reference field `i` of record `obj`, through the write barrier. */
  setRef(obj: number, i: number, value: number): void {
    if (this.debug) {
      this.assertField(obj, i, KIND_RECORD, 'setRef');
      if (value !== 0) this.assertObject(value, 'setRef (value)');
    }
    const sw = (obj >>> 2) + 2 + i;
    const b = this.barrier;
    if (b !== BARRIER_NONE) {
      // Generational filter inline (a store into a young object, the common case, costs two compares).
      if (b === BARRIER_GENERATIONAL) {
        if ((obj - this.youngLo) >>> 0 >= this.youngSize && (value - this.youngLo) >>> 0 < this.youngSize) this.logObject(obj);
      } else this.writeBarrier(obj, sw, value);
    }
    this.u32[sw] = value;
  }

  /** Reads element `i` of ref array `arr`. */
  getElem(arr: number, i: number): number {
    if (this.debug) this.assertField(arr, i, KIND_REF_ARRAY, 'getElem');
    return this.u32[(arr >>> 2) + 4 + i]!;
  }

  /** Stores `value` into element `i` of ref array `arr`, through the write barrier. */
  setElem(arr: number, i: number, value: number): void {
    if (this.debug) {
      this.assertField(arr, i, KIND_REF_ARRAY, 'setElem');
      if (value !== 0) this.assertObject(value, 'setElem (value)');
    }
    const sw = (arr >>> 2) + 4 + i;
    const b = this.barrier;
    if (b !== BARRIER_NONE) {
      if (b === BARRIER_GENERATIONAL) {
        if ((arr - this.youngLo) >>> 0 >= this.youngSize && (value - this.youngLo) >>> 0 < this.youngSize) this.logObject(arr);
      } else this.writeBarrier(arr, sw, value);
    }
    this.u32[sw] = value;
  }

  /** Element count of an array. */
  length(arr: number): number {
    if (this.debug) this.assertObject(arr, 'length');
    return this.u32[(arr >>> 2) + 2]!;
  }

  /** Byte address of a record's raw data (valid until the next safepoint under moving collectors). */
  rawAddr(obj: number): number {
    if (this.debug) this.assertObject(obj, 'rawAddr');
    return obj + this.rawOff[this.u32[obj >>> 2]! & TYPE_MASK]!;
  }

  /** Byte address of an array's first element (8-aligned). */
  dataAddr(arr: number): number {
    if (this.debug) this.assertObject(arr, 'dataAddr');
    return arr + ARRAY_DATA;
  }

  /** Reads the i32 at byte `off` of a record's raw data. */
  getI32(obj: number, off: number): number {
    if (this.debug) this.assertObject(obj, 'getI32');
    return this.i32[(obj + this.rawOff[this.u32[obj >>> 2]! & TYPE_MASK]! + off) >>> 2]!;
  }

  /** Writes the i32 at byte `off` of a record's raw data. */
  setI32(obj: number, off: number, v: number): void {
    if (this.debug) this.assertObject(obj, 'setI32');
    this.i32[(obj + this.rawOff[this.u32[obj >>> 2]! & TYPE_MASK]! + off) >>> 2] = v;
  }

  /** Reads element `i` of a byte array viewed as f64 (byte offset 8·i). */
  getF64(arr: number, i: number): number {
    if (this.debug) this.assertObject(arr, 'getF64');
    return this.f64[((arr + ARRAY_DATA) >>> 3) + i]!;
  }

  /** Writes element `i` of a byte array viewed as f64. */
  setF64(arr: number, i: number, v: number): void {
    if (this.debug) this.assertObject(arr, 'setF64');
    this.f64[((arr + ARRAY_DATA) >>> 3) + i] = v;
  }

  /** The write barrier's slow part (only when the plan has a barrier); runs before the store. */
  writeBarrier(obj: number, slotWord: number, value: number): void {
    if (this.barrier === BARRIER_GENERATIONAL) {
      // Object-remembering barrier: an old object (outside the young range) getting a young value is logged once.
      const lo = this.youngLo;
      const n = this.youngSize;
      if ((value - lo) >>> 0 < n && (obj - lo) >>> 0 >= n) {
        const w = obj >>> 2;
        const h = this.u32[w]!;
        if ((h & LOGGED) === 0) {
          this.u32[w] = h | LOGGED;
          this.remember(obj);
        }
      }
    } else if (this.barrier === BARRIER_HOOK) {
      this.plan.writeBarrier!(this, obj, slotWord, value);
    }
  }

  /** Barrier slow path: logs `obj` (an old object that just received a young reference) once. */
  logObject(obj: number): void {
    const w = obj >>> 2;
    const h = this.u32[w]!;
    if ((h & LOGGED) === 0) {
      this.u32[w] = h | LOGGED;
      this.remember(obj);
    }
  }

  /** Collector state: appends `obj` to the sequential store buffer (the caller set its LOGGED bit). */
  remember(obj: number): void {
    if (this.ssbLen === this.ssb.length) {
      const next = new Int32Array(this.ssb.length * 2);
      next.set(this.ssb);
      this.ssb = next;
    }
    this.ssb[this.ssbLen++] = obj;
  }

  // ───────────────────────────── roots ─────────────────────────────

  /** Pushes `p` (an object or 0) on the shadow stack; returns its slot index. The collector reads and rewrites slots. */
  push(p: number): number {
    const sp = this._sp;
    if (sp >= this.rootSlots) throw new RootStackOverflowError(`shadow stack full (${this.rootSlots} slots): raise rootSlots`);
    if (this.debug && p !== 0) this.assertObject(p, 'push');
    this.u32[this.rootBase + sp] = p;
    this._sp = sp + 1;
    return sp;
  }

  /** The object in root slot `slot` (always current: moving collectors rewrite slots). */
  get(slot: number): number {
    return this.u32[this.rootBase + slot]!;
  }

  /** Replaces the object in root slot `slot`. */
  set(slot: number, p: number): void {
    if (this.debug) {
      if (!(slot >= 0 && slot < this._sp)) throw new RootStackOverflowError(`set: slot ${slot} is not in use (sp ${this._sp})`);
      if (p !== 0) this.assertObject(p, 'set');
    }
    this.u32[this.rootBase + slot] = p;
  }

  /** Current shadow-stack depth: save it on entering a scope, `popTo` it on leaving. */
  get sp(): number {
    return this._sp;
  }

  /** Pops slots down to depth `sp` (ends a handle scope). */
  popTo(sp: number): void {
    if (!(sp >= 0 && sp <= this._sp)) throw new RootStackOverflowError(`popTo(${sp}): depth must be in [0, ${this._sp}]`);
    this._sp = sp;
  }

  /** Runs `fn` in a handle scope: slots pushed inside are popped when it returns or throws. */
  scope<T>(fn: () => T): T {
    const sp = this._sp;
    try {
      return fn();
    } finally {
      this._sp = sp;
    }
  }

  // ──────────────────────────── collection ────────────────────────────

  /** Runs a full collection now (a safepoint). */
  collect(): void {
    this.collectNow(true);
  }

  /** Runs a minor collection (generational plans), or a full one for other plans. */
  collectMinor(): void {
    this.collectNow(false);
  }

  /** Collector state: the collection driver — measures the pause, counts, verifies in stress mode. */
  collectNow(full: boolean): void {
    if (this.inCollection) throw new ManagedHeapError('collection requested during a collection');
    if (this.onCollect !== null) this.onCollect('before', full);
    this.inCollection = true;
    const t0 = now();
    let major: boolean;
    try {
      this.syncTop();
      this.closeEpoch();
      major = this.plan.collect(this, full);
      this.openEpoch();
      this.resetLimit();
    } finally {
      this.inCollection = false;
    }
    this.recordPause(now() - t0);
    this.collections++;
    if (major) this.majorCollections++;
    else this.minorCollections++;
    this.syncMeta();
    if (this.verifyEach) {
      const v = this.verify(this.debug || this.collections % 32 === 0);
      if (v.length > 0) throw new HeapVerificationError(v, `after collection #${this.collections} (${major ? 'major' : 'minor'}, ${this.collector})`);
    }
    if (this.onCollect !== null) this.onCollect('after', major);
  }

  /** Collector state: records one pause of `ms` milliseconds in the stats (each collection; each step of an incremental plan). */
  recordPause(ms: number): void {
    if (this.pauseCount === this.pauses.length) {
      const next = new Float64Array(this.pauses.length * 2);
      next.set(this.pauses);
      this.pauses = next;
    }
    this.pauses[this.pauseCount++] = ms;
  }

  /** Collector state: true while a collection runs. */
  get collecting(): boolean {
    return this.inCollection;
  }

  /** Writes space bounds and tops into the meta block, so a worker or a saved buffer can find them. */
  private syncMeta(): void {
    const m = this.metaWord;
    this.u32[m + 7] = this._sp;
    this.u32[m + 8] = this.collections;
  }

  /** Re-reads the views after the memory's buffer changed (someone grew a shared or Wasm memory). */
  refresh(): void {
    this.memory.refresh();
    this.u8 = this.memory.u8;
    this.u32 = this.memory.u32;
    this.i32 = this.memory.i32;
    this.f64 = this.memory.f64;
  }

  /**
   * Re-traces from the roots and returns every violated invariant (empty when healthy). Never throws for a bad heap.
   * `deep` (default true) also runs the free-list allocators' own `checkHeap` (a walk of their whole heap);
   * stress mode verifies deeply in debug mode and at every 32nd collection otherwise.
   */
  verify(deep = true): GcViolation[] {
    this.syncTop();
    return this.verifier(this, deep);
  }

  /** Figures of the heap now. */
  stats(): ManagedHeapStats {
    this.syncTop();
    const sorted = Array.from(this.pauses.subarray(0, this.pauseCount)).sort((a, b) => a - b);
    const pct = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    let total = 0;
    for (const x of sorted) total += x;
    let used = 0;
    let soft = 0;
    let hw = 0;
    const spaces = this.spaces.map((s) => {
      const u = s.evacuated ? 0 : s.usedBytes();
      const sz = s.soft - s.start;
      const h = s.highWater();
      used += u;
      soft += sz;
      hw += h;
      return { name: s.name, used: u, soft: sz, reserved: s.end - s.start, highWater: h };
    });
    const inEpoch = this.allocSpace !== null ? this.allocSpace.top - this.epochStart : 0;
    return {
      collector: this.collector,
      collections: this.collections,
      minorCollections: this.minorCollections,
      majorCollections: this.majorCollections,
      bytesAllocated: this.allocatedBefore + inEpoch,
      bytesCopied: this.bytesCopied,
      bytesPromoted: this.bytesPromoted,
      bytesFreed: this.bytesFreed,
      usedBytes: used,
      liveAfterLastFull: this.liveAfterLastFull,
      heapBytes: soft,
      heapHighWater: hw,
      markStackOverflows: this.markStackOverflows,
      totalPauseMs: total,
      maxPauseMs: sorted.length ? sorted[sorted.length - 1]! : 0,
      p50PauseMs: pct(0.5),
      p99PauseMs: pct(0.99),
      spaces,
    };
  }

  /** Collector state: counts bytes placed by a free-list space (it has no bump epoch). */
  countAllocated(bytes: number): void {
    this.allocatedBefore += bytes;
  }

  // ─────────────────────────── pointer checks ───────────────────────────

  /** The space holding `p`, or null. */
  spaceOf(p: number): Space | null {
    for (const s of this.spaces) if (p >= s.start && p < s.end) return s;
    return null;
  }

  /**
   * Classifies `p` as an object pointer: `''` when it is the start of a live object, else the reason.
   * `stale` is set when the pointer points into evacuated memory or at a forwarded/poisoned object.
   */
  describePointer(p: number): { code: number; reason: string } {
    const code = this.checkPointer(p);
    return { code, reason: this.pointerReason };
  }

  /** Why the last `checkPointer` call did not return 0. */
  pointerReason = '';

  /** Allocation-free form of `describePointer`: returns 0 (object), 1 (stale) or 2 (invalid) and leaves the reason in `pointerReason`. */
  checkPointer(p: number): number {
    if (p === 0) return this.fail(PTR_INVALID, 'null');
    if ((p & 7) !== 0) return this.fail(PTR_INVALID, 'misaligned (objects are 8-aligned)');
    const s = this.spaceOf(p);
    if (s === null) return this.fail(PTR_INVALID, 'outside every space of the heap');
    if (s.evacuated) return this.fail(PTR_STALE, `into from-space '${s.name}', evacuated by collection #${s.evacuatedAt}; re-read the pointer from a root slot or a field after every allocation`);
    if (s.kind === SPACE_BUMP) {
      const top = s === this.allocSpace ? this.top : s.top;
      if (p >= top) {
        return s.evacuatedAt > 0
          ? this.fail(PTR_STALE, `into the free part of '${s.name}' (above its top ${hex(top)}), evacuated by collection #${s.evacuatedAt}; re-read the pointer from a root slot or a field after every allocation`)
          : this.fail(PTR_INVALID, `into the free part of '${s.name}' (above its top ${hex(top)})`);
      }
    } else if (!s.isObjectStart(p)) {
      return this.fail(PTR_INVALID, `not the start of a live object in '${s.name}' (freed, or interior)`);
    }
    const h = this.u32[p >>> 2]!;
    if (h === POISON) return this.fail(PTR_STALE, `at poisoned memory in '${s.name}' (the object was evacuated or freed)`);
    if ((h & FORWARDED) !== 0) return this.fail(PTR_STALE, `at a forwarded object in '${s.name}' (its copy is at ${hex(this.u32[(p >>> 2) + 1]!)})`);
    const t = h & TYPE_MASK;
    if (t === 0 || t >= this.types.length) return this.fail(PTR_INVALID, `bad header ${hex(h)} (type id ${t} undeclared) in '${s.name}'`);
    if (!this.inCollection && (h & COLOR_MASK) !== 0) return this.fail(PTR_INVALID, `object left marked outside a collection (header ${hex(h)})`);
    return PTR_OK;
  }

  private fail(code: number, reason: string): number {
    this.pointerReason = reason;
    return code;
  }

  /** Debug check of an object pointer; throws `StalePointerError` or `InvalidObjectError`. */
  assertObject(p: number, op: string): void {
    const code = this.checkPointer(p);
    if (code === PTR_STALE) throw new StalePointerError(`${op}: stale pointer ${hex(p)}: ${this.pointerReason}`, p);
    if (code !== PTR_OK) throw new InvalidObjectError(`${op}: ${hex(p)} is not an object: ${this.pointerReason}`, p);
  }

  private assertField(obj: number, i: number, kind: number, op: string): void {
    this.assertObject(obj, op);
    const w = obj >>> 2;
    const t = this.u32[w]! & TYPE_MASK;
    if (this.kindOf[t] !== kind) throw new InvalidObjectError(`${op}: ${hex(obj)} is a ${this.types[t]!.kind} (${this.types[t]!.name}), not a ${kind === KIND_RECORD ? 'record' : 'ref array'}`, obj);
    const n = kind === KIND_RECORD ? this.refCount[t]! : this.u32[w + 2]!;
    if (!(i >= 0 && i < n) || Math.floor(i) !== i) throw new InvalidObjectError(`${op}: index ${i} out of range [0, ${n}) of ${hex(obj)} (${this.types[t]!.name})`, obj);
  }

  /** Debug: fills [from, to) with the poison word. */
  poison(from: number, to: number): void {
    this.u32.fill(POISON, from >>> 2, to >>> 2);
  }

  /** Zeroes [from, to), or poisons it in debug mode (the slow path zeroes each object it hands out). */
  scrub(from: number, to: number): void {
    if (to <= from) return;
    if (this.debug) this.u32.fill(POISON, from >>> 2, to >>> 2);
    else this.u32.fill(0, from >>> 2, to >>> 2);
  }
}
