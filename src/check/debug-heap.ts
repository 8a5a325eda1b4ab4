/**
 * debug-heap.ts — an AddressSanitizer-like debug heap that wraps any allocator preset.
 * Exports `createDebugHeap`, `DebugHeap`, `DebugHeapOptions`.
 *
 * Every block the program asks for is carved out of a bigger block of the inner allocator:
 *
 * ```
 *  inner block (from the wrapped allocator)                                  inner + usableSize
 *  |<------ left ------>|<-------------- n requested -------------->|<-- right redzone ----->|
 *  +--------------------+-------------------------------------------+-----------------------+
 *  | fa fa fa ... fa fa |  payload (what malloc(n) returns at p)    | fb fb fb ... fb fb fb |
 *  +--------------------+-------------------------------------------+-----------------------+
 *  ^ inner              ^ p = inner + left (aligned like the heap)  ^ p + n (byte-precise)
 *
 *  left  = redzone rounded up to the alignment (≥ 16 by default), so p keeps the heap's alignment
 *  right = everything from p + n to the end of the inner block (≥ the redzone option)
 * ```
 *
 * The redzones hold canary bytes (`fa` left, `fb` right) and are poisoned in the shadow map
 * (shadow.ts); a partial last granule gets shadow `n % 8`, so a one-byte overflow of `malloc(24)` is
 * caught by the checked accessors at once and by `check()` through the damaged canary.
 *
 * A freed block is filled with `fd`, poisoned as `fd` in the shadow and held in a FIFO quarantine
 * bounded in bytes; when it leaves (or on `check()`) the poison is verified, so plain writes after free
 * are found. Block records live in JS-side arrays (struct of arrays, indexed by slot), not in the
 * buffer, so wild writes into the buffer cannot damage the debug heap's own bookkeeping.
 *
 * Guarantees and limits (as AddressSanitizer's):
 * - checked accessors are exact: any byte outside a live payload is reported at the access;
 * - plain writes into `heap.buffer` are found by `check()` (or at free/realloc/eviction) only where they
 *   land in a redzone or a quarantined block, and only if they change a byte (writing the canary value
 *   itself goes unseen); an overflow that jumps past the redzone into another live payload is not seen;
 * - a double free is recognised while the block is in quarantine; after it left, the pointer is reported
 *   as an invalid free (or, once reused, may be a valid pointer again);
 * - realloc always moves the block (so stale pointers hit the quarantine): O(size) per realloc;
 * - cost: roughly 2 µs per malloc/free pair of small blocks plus O(size) poisoning and verification; on
 *   the bundled traces about 0.1–0.3× the plain allocator's throughput (bench/debug-heap.ts);
 *   `captureStacks` adds a stack capture per call (≈ 35 µs under tsx with source maps, measured).
 *
 * Invariants (checked by `checkHeap()`): `liveBlocks == |{slot: state = LIVE}|`,
 * `liveBytes == Σ size(live)`, `quarantinedBytes == Σ (end − inner)(quarantined) ≤ max(quarantineBytes, last block)`,
 * and the shadow of each live block reads `fa…fa 00…00 [k] fb…fb`.
 */
import { allocTyped, type TypedArrayConstructor, type TypedArrayOf } from '../alloc/typed-views.js';
import type { Allocator, HeapStats, HeapViolation } from '../alloc/allocator.js';
import { createHeap } from '../alloc/create.js';
import { DoubleFreeError, InvalidFreeError, hex, type Errno } from '../alloc/errors.js';
import type { AllocatorConfig, HeapOptions } from '../alloc/options.js';
import { MAX_MEMORY_BYTES as MAX_BYTES, type LinearMemory } from '../memory/linear-memory.js';
import { classifyLeaks, groupLeaks, type LeakCheckOptions, type LeakCheckResult, type LeakGroup } from './leaks.js';
import { MemoryAccessError, formatReport, type DetectedBy, type MemoryErrorKind, type MemoryReport, type ReportFacts, type ReportPolicy } from './report.js';
import * as SH from './shadow.js';
import { SiteTable } from './sites.js';

// Module-local copies of the shadow codes: hot paths read these, never an imported binding (some
// loaders, e.g. tsx's CommonJS path, turn each imported-binding read into a getter call).
const GRANULE = SH.GRANULE;
const CANARY_LEFT = SH.CANARY_LEFT;
const CANARY_RIGHT = SH.CANARY_RIGHT;
const POISON_FREED = SH.POISON_FREED;
const SHADOW_FREED = SH.SHADOW_FREED;
const SHADOW_LEFT_REDZONE = SH.SHADOW_LEFT_REDZONE;
const SHADOW_RIGHT_REDZONE = SH.SHADOW_RIGHT_REDZONE;
const SHADOW_UNOWNED = SH.SHADOW_UNOWNED;
const ShadowMap = SH.ShadowMap;
type ShadowMap = SH.ShadowMap;
const NO_SITE = 0; // sites.ts NO_SITE
const MAX_MEMORY_BYTES = MAX_BYTES;


/** Options of {@link createDebugHeap}: those of `createHeap` plus the debug knobs. */
export interface DebugHeapOptions extends Omit<HeapOptions, 'allocator'> {
  /** The allocator to wrap: a preset name, a config, or an existing heap. Default: `createHeap`'s default. */
  allocator?: string | AllocatorConfig | Allocator;
  /** Record the allocation and free stack of every block (costs a stack capture per call). Default false. */
  captureStacks?: boolean;
  /** Bytes of freed blocks held back in quarantine (0 disables it). Default 1 MiB. */
  quarantineBytes?: number;
  /** Minimum bytes of redzone on each side of a payload. Default 16. */
  redzone?: number;
  /** What to do with a report. Default `'collect'`: keep it for `check()`. */
  onError?: ReportPolicy;
}

const EMPTY = 0;
const LIVE = 1;
const QUARANTINED = 2;

/** Default quarantine: 1 MiB. */
export const DEFAULT_QUARANTINE_BYTES = 1 << 20;
/** Default redzone: 16 bytes each side. */
export const DEFAULT_REDZONE = 16;

function isAllocator(a: unknown): a is Allocator {
  return typeof a === 'object' && a !== null && typeof (a as Allocator).malloc === 'function' && typeof (a as Allocator).free === 'function';
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Index of the first byte of `[from, to)` that is not `v`, or -1. Compares words where it can. */
function firstMismatch(u8: Uint8Array, u32: Uint32Array, from: number, to: number, v: number): number {
  let a = from;
  const wordStart = Math.min(to, roundUp(from, 4));
  for (; a < wordStart; a++) if (u8[a] !== v) return a;
  const v32 = (v * 0x01010101) >>> 0;
  const wordEnd = to - (to % 4);
  for (let w = a >>> 2; a < wordEnd; a += 4, w++) if (u32[w] !== v32) break;
  for (; a < to; a++) if (u8[a] !== v) return a;
  return -1;
}

/** Index of the last byte of `[from, to)` that is not `v`, or -1. */
function lastMismatch(u8: Uint8Array, from: number, to: number, v: number): number {
  for (let a = to - 1; a >= from; a--) if (u8[a] !== v) return a;
  return -1;
}

/**
 * The debug heap: the `Allocator` API of the wrapped heap, plus checked accessors, `check()`,
 * `leaks()` and `leakCheck()`. Create with {@link createDebugHeap}.
 */
export class DebugHeap implements Allocator {
  /** `debug:` and the wrapped allocator's name. */
  readonly name: string;
  /** Payload alignment (the wrapped heap's). */
  readonly align: number;
  /** The wrapped allocator (which sees the bigger, redzoned blocks). */
  readonly inner: Allocator;
  /** Minimum redzone bytes each side. */
  readonly redzone: number;
  /** Quarantine bound in bytes. */
  readonly quarantineBytes: number;
  /** Whether allocation and free stacks are recorded. */
  readonly captureStacks: boolean;
  /** errno of the last failed call. */
  lastError: Errno | null = null;

  private readonly policy: ReportPolicy;
  /** Set while `check()` scans: reports are gathered, not thrown one by one. */
  private scanning = false;
  private readonly shadow: ShadowMap;
  private readonly sites = new SiteTable();
  /** Left redzone bytes for blocks aligned to `align` (a multiple of it). */
  private readonly left: number;

  // block records, struct of arrays indexed by slot
  private bUser = new Uint32Array(64);
  private bInner = new Uint32Array(64);
  private bEnd = new Uint32Array(64);
  private bSize = new Uint32Array(64);
  private bAllocSite = new Int32Array(64);
  private bFreeSite = new Int32Array(64);
  private bState = new Uint8Array(64);
  private freeSlots: number[] = [];
  private slotsUsed = 0;
  /** Payload start → slot, for live and quarantined blocks. */
  private readonly byUser = new Map<number, number>();

  // FIFO quarantine: a ring of slots
  private qRing = new Int32Array(64);
  private qHead = 0;
  private qLen = 0;
  private qBytes = 0;

  private liveCount = 0;
  private liveSum = 0;
  private pending: MemoryReport[] = [];
  private dv: DataView | null = null;

  constructor(inner: Allocator, opts: Omit<DebugHeapOptions, 'allocator' | 'memory' | 'base' | 'initialBytes' | 'maxBytes' | 'align'> = {}) {
    this.inner = inner;
    this.name = 'debug:' + inner.name;
    this.align = inner.align;
    const rz = opts.redzone ?? DEFAULT_REDZONE;
    if (!Number.isInteger(rz) || rz < 1 || rz > 65536) throw new RangeError(`createDebugHeap: redzone ${rz} must be an integer in [1, 65536]`);
    const q = opts.quarantineBytes ?? DEFAULT_QUARANTINE_BYTES;
    if (!(q >= 0) || !Number.isFinite(q)) throw new RangeError(`createDebugHeap: quarantineBytes ${q} must be a finite number ≥ 0`);
    this.redzone = rz;
    this.quarantineBytes = q;
    this.captureStacks = opts.captureStacks ?? false;
    this.policy = opts.onError ?? 'collect';
    this.left = roundUp(rz, Math.max(this.align, GRANULE));
    this.shadow = new ShadowMap(inner.memory.capacity);
  }

  /** The linear memory under the heap. */
  get memory(): LinearMemory {
    return this.inner.memory;
  }

  /** The buffer behind the heap now (re-read after allocating: growth may replace it). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this.inner.buffer;
  }

  /** Blocks in quarantine now. */
  get quarantinedBlocks(): number {
    return this.qLen;
  }

  /** Bytes (whole inner blocks) in quarantine now. */
  get quarantinedBytes(): number {
    return this.qBytes;
  }

  // ─── sites ────────────────────────────────────────────────────────────────────────────────────

  /** Captures the caller's caller's stack (`skip` more frames dropped) when stacks are on. */
  private site(skip: number): number {
    return this.captureStacks ? this.sites.capture(skip + 1) : NO_SITE;
  }

  // ─── slots ────────────────────────────────────────────────────────────────────────────────────

  private newSlot(): number {
    const s = this.freeSlots.pop();
    if (s !== undefined) return s;
    if (this.slotsUsed === this.bUser.length) {
      const n = this.bUser.length * 2;
      const grow = <T extends Uint32Array | Int32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
        const b = make(n);
        b.set(a);
        return b;
      };
      this.bUser = grow(this.bUser, (k) => new Uint32Array(k));
      this.bInner = grow(this.bInner, (k) => new Uint32Array(k));
      this.bEnd = grow(this.bEnd, (k) => new Uint32Array(k));
      this.bSize = grow(this.bSize, (k) => new Uint32Array(k));
      this.bAllocSite = grow(this.bAllocSite, (k) => new Int32Array(k));
      this.bFreeSite = grow(this.bFreeSite, (k) => new Int32Array(k));
      this.bState = grow(this.bState, (k) => new Uint8Array(k));
    }
    return this.slotsUsed++;
  }

  // ─── allocation ───────────────────────────────────────────────────────────────────────────────

  /** False (setting lastError as the plain heap does) for a size C would reject. */
  private okSize(n: number): boolean {
    if (typeof n !== 'number' || !(n >= 0) || n !== Math.floor(n)) {
      this.lastError = 'EINVAL';
      return false;
    }
    if (n > MAX_MEMORY_BYTES) {
      this.lastError = 'ENOMEM';
      return false;
    }
    return true;
  }

  /** Carves a redzoned block of `n` (> 0, valid) bytes aligned to `alignment`. Returns the payload or 0. */
  private allocate(n: number, alignment: number, site: number): number {
    const left = alignment <= this.align ? this.left : roundUp(this.redzone, alignment);
    const total = left + n + this.redzone;
    if (total > MAX_MEMORY_BYTES) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const inner = this.inner;
    let b = alignment <= this.align ? inner.malloc(total) : inner.alignedAlloc(alignment, total);
    if (b === 0 && this.qLen > 0) {
      // memory is short: give the quarantine back before failing
      this.drainQuarantine(0);
      b = alignment <= this.align ? inner.malloc(total) : inner.alignedAlloc(alignment, total);
    }
    if (b === 0) {
      this.lastError = inner.lastError ?? 'ENOMEM';
      return 0;
    }
    const end = b + inner.usableSize(b);
    const p = b + left;
    const mem = inner.memory;
    this.shadow.ensure(mem.capacity);
    const u8 = mem.u8;
    u8.fill(CANARY_LEFT, b, p);
    u8.fill(CANARY_RIGHT, p + n, end);
    // shadow: fa over the left redzone, 00…[k] over the payload, fb from the next granule to the end
    const sh = this.shadow;
    sh.poison(b, left, SHADOW_LEFT_REDZONE);
    sh.unpoison(p, n);
    const rz = Math.ceil((p + n) / GRANULE) * GRANULE;
    sh.poison(rz, end - rz, SHADOW_RIGHT_REDZONE);
    const s = this.newSlot();
    this.bUser[s] = p;
    this.bInner[s] = b;
    this.bEnd[s] = end;
    this.bSize[s] = n;
    this.bAllocSite[s] = site;
    this.bFreeSite[s] = NO_SITE;
    this.bState[s] = LIVE;
    this.byUser.set(p, s);
    this.liveCount++;
    this.liveSum += n;
    return p;
  }

  malloc(n: number): number {
    if (n === 0 || !this.okSize(n)) return 0;
    return this.allocate(n, this.align, this.site(1));
  }

  calloc(n: number, size: number): number {
    if (!this.okSize(n) || !this.okSize(size)) return 0;
    const total = n * size;
    if (total === 0) return 0;
    if (total > MAX_MEMORY_BYTES) {
      this.lastError = 'ENOMEM';
      return 0;
    }
    const p = this.allocate(total, this.align, this.site(1));
    if (p !== 0) this.inner.memory.u8.fill(0, p, p + total);
    return p;
  }

  alignedAlloc(alignment: number, n: number): number {
    if (typeof alignment !== 'number' || !(alignment > 0) || (alignment & (alignment - 1)) !== 0 || alignment > 65536) {
      this.lastError = 'EINVAL';
      return 0;
    }
    if (n === 0 || !this.okSize(n)) return 0;
    return this.allocate(n, Math.max(alignment, this.align), this.site(1));
  }

  free(p: number): void {
    if (p === 0) return;
    const site = this.site(1);
    const s = this.byUser.get(p);
    if (s === undefined || this.bState[s] !== LIVE) this.badFree(p, 'free', site);
    this.checkRedzones(s, 'free');
    this.release(s, site);
  }

  realloc(p: number, n: number): number {
    const site = this.site(1);
    if (p === 0) return n === 0 || !this.okSize(n) ? 0 : this.allocate(n, this.align, site);
    const s = this.byUser.get(p);
    if (s === undefined || this.bState[s] !== LIVE) this.badFree(p, 'realloc', site);
    if (n === 0) {
      this.checkRedzones(s, 'realloc');
      this.release(s, site);
      return 0;
    }
    if (!this.okSize(n)) return 0;
    this.checkRedzones(s, 'realloc');
    // always move (as ASan does), so stale pointers to the old block hit the quarantine
    const q = this.allocate(n, this.align, site);
    if (q === 0) return 0;
    const u8 = this.inner.memory.u8;
    u8.copyWithin(q, p, p + Math.min(this.bSize[s]!, n));
    this.release(s, site);
    return q;
  }

  /** A typed array over a fresh block of `n` elements (`heap.alloc(Float32Array, n)`), or null when out of memory. */
  alloc<C extends TypedArrayConstructor>(Ctor: C, n: number): TypedArrayOf<C> | null {
    return allocTyped(this, Ctor, n);
  }

  usableSize(p: number): number {
    const s = this.byUser.get(p);
    if (s === undefined || this.bState[s] !== LIVE) this.badPointer(p, 'usableSize', NO_SITE, false);
    return this.bSize[s]!;
  }

  /** Puts the live block in slot `s` into quarantine (poisoned), evicting the oldest beyond the bound. */
  private release(s: number, site: number): void {
    const p = this.bUser[s]!;
    const n = this.bSize[s]!;
    this.inner.memory.u8.fill(POISON_FREED, p, p + n);
    this.shadow.poison(p, n, SHADOW_FREED);
    this.bState[s] = QUARANTINED;
    this.bFreeSite[s] = site;
    this.liveCount--;
    this.liveSum -= n;
    if (this.qLen === this.qRing.length) {
      const next = new Int32Array(this.qRing.length * 2);
      for (let i = 0; i < this.qLen; i++) next[i] = this.qRing[(this.qHead + i) % this.qRing.length]!;
      this.qRing = next;
      this.qHead = 0;
    }
    this.qRing[(this.qHead + this.qLen) % this.qRing.length] = s;
    this.qLen++;
    this.qBytes += this.bEnd[s]! - this.bInner[s]!;
    this.drainQuarantine(this.quarantineBytes);
  }

  /** Evicts the oldest quarantined blocks until at most `limit` bytes remain. */
  private drainQuarantine(limit: number): void {
    while (this.qBytes > limit && this.qLen > 0) {
      const s = this.qRing[this.qHead]!;
      this.qHead = (this.qHead + 1) % this.qRing.length;
      this.qLen--;
      this.qBytes -= this.bEnd[s]! - this.bInner[s]!;
      this.verifyFreed(s, 'quarantine');
      const b = this.bInner[s]!;
      this.shadow.poison(b, this.bEnd[s]! - b, SHADOW_UNOWNED);
      this.byUser.delete(this.bUser[s]!);
      this.bState[s] = EMPTY;
      this.freeSlots.push(s);
      this.inner.free(b);
    }
  }

  /** Empties the quarantine now (verifying each block), returning its memory to the wrapped allocator. */
  flushQuarantine(): void {
    this.drainQuarantine(0);
  }

  // ─── verification of canaries and poison ──────────────────────────────────────────────────────

  /** Reports (and repairs) damaged canaries of slot `s`. */
  private checkRedzones(s: number, by: DetectedBy): void {
    const mem = this.inner.memory;
    const u8 = mem.u8;
    const b = this.bInner[s]!;
    const p = this.bUser[s]!;
    const end = this.bEnd[s]!;
    const n = this.bSize[s]!;
    const l = lastMismatch(u8, b, p, CANARY_LEFT);
    if (l >= 0) {
      this.report({ kind: 'heap-buffer-underflow', address: l, block: p, offset: l - p, size: n, detectedBy: by }, s, NO_SITE);
      u8.fill(CANARY_LEFT, b, p);
    }
    const r = firstMismatch(u8, mem.u32, p + n, end, CANARY_RIGHT);
    if (r >= 0) {
      this.report({ kind: 'heap-buffer-overflow', address: r, block: p, offset: r - p, size: n, detectedBy: by }, s, NO_SITE);
      u8.fill(CANARY_RIGHT, p + n, end);
    }
  }

  /** Checks a quarantined block: its redzones and its poison (a write after free). */
  private verifyFreed(s: number, by: DetectedBy): void {
    this.checkRedzones(s, by);
    const mem = this.inner.memory;
    const p = this.bUser[s]!;
    const n = this.bSize[s]!;
    const a = firstMismatch(mem.u8, mem.u32, p, p + n, POISON_FREED);
    if (a >= 0) {
      this.report({ kind: 'heap-use-after-free', address: a, block: p, offset: a - p, size: n, detectedBy: by }, s, NO_SITE);
      mem.u8.fill(POISON_FREED, p, p + n);
    }
  }

  /**
   * Scans every live block's redzones and every quarantined block's poison, then returns every report
   * recorded since the previous `check()` (those found at free/realloc/accessors included) and forgets
   * them. Damaged canaries are repaired once reported, so each damage is reported once. Never throws
   * unless the policy is `'throw'`.
   */
  check(): MemoryReport[] {
    const before = this.pending.length;
    this.scanning = true;
    try {
      for (const s of this.byUser.values()) {
        if (this.bState[s] === LIVE) this.checkRedzones(s, 'check');
        else this.verifyFreed(s, 'check');
      }
    } finally {
      this.scanning = false;
    }
    const out = this.pending;
    this.pending = [];
    if (this.policy === 'throw' && out.length > before) throw new MemoryAccessError(out.slice(before));
    return out;
  }

  // ─── reports ──────────────────────────────────────────────────────────────────────────────────

  /** Completes the facts with sites and message, stores the report and applies the policy. */
  private report(f: ReportFacts, slot: number, at: number, throwable = true): MemoryReport {
    if (slot >= 0) {
      const a = this.sites.text(this.bAllocSite[slot]!);
      if (a !== undefined) f.allocatedAt = a;
      const fr = this.bState[slot] === QUARANTINED ? this.sites.text(this.bFreeSite[slot]!) : undefined;
      if (fr !== undefined) f.freedAt = fr;
    }
    const atText = this.sites.text(at);
    if (atText !== undefined) f.at = atText;
    const r = f as MemoryReport;
    r.message = formatReport(f, this.shadow.describe(f.address));
    this.pending.push(r);
    const policy = this.policy;
    if (policy === 'log') console.error(r.message);
    else if (typeof policy === 'function') policy(r);
    else if (policy === 'throw' && throwable && !this.scanning) throw new MemoryAccessError([r]);
    return r;
  }

  /** The slot of the live or quarantined block whose inner block holds `a`, or else the nearest one; -1 when none. */
  private slotNear(a: number): number {
    let best = -1;
    let bestDist = Infinity;
    for (const s of this.byUser.values()) {
      const b = this.bInner[s]!;
      const e = this.bEnd[s]!;
      if (a >= b && a < e) return s;
      const d = a < b ? b - a : a - e + 1;
      if (d < bestDist) {
        bestDist = d;
        best = s;
      }
    }
    return best;
  }

  /** Facts of an access at `a` classified against the block around it. */
  private classify(a: number): { kind: MemoryErrorKind; slot: number; block: number; size: number } {
    const s = this.slotNear(a);
    if (s < 0) return { kind: 'heap-buffer-overflow', slot: -1, block: 0, size: 0 };
    const p = this.bUser[s]!;
    const n = this.bSize[s]!;
    let kind: MemoryErrorKind;
    if (a < p) kind = 'heap-buffer-underflow';
    else if (a >= p + n) kind = 'heap-buffer-overflow';
    else kind = this.bState[s] === QUARANTINED ? 'heap-use-after-free' : 'heap-buffer-overflow';
    return { kind, slot: s, block: p, size: n };
  }

  /** Records a double or invalid free/realloc and throws the plain heap's typed error. */
  private badFree(p: number, op: 'free' | 'realloc', site: number): never {
    this.badPointer(p, op, site, true);
  }

  private badPointer(p: number, op: string, site: number, record: boolean): never {
    const what = `${op}(${typeof p === 'number' ? hex(p) : String(p)})`;
    const s = typeof p === 'number' ? this.byUser.get(p) : undefined;
    if (s !== undefined && this.bState[s] === QUARANTINED) {
      const msg = `${what}: double free — the ${this.bSize[s]}-byte block at ${hex(p)} is already free`;
      const err = new DoubleFreeError(msg, p);
      if (record) {
        const r = this.report({ kind: 'double-free', address: p, block: p, offset: 0, size: this.bSize[s]!, detectedBy: op === 'realloc' ? 'realloc' : 'free' }, s, site, false);
        err.message = r.message;
        Object.defineProperty(err, 'report', { value: r, enumerable: false });
      }
      throw err;
    }
    const a = typeof p === 'number' && (p >>> 0) === p ? p : 0;
    const c = this.classify(a);
    const msg = `${what}: not the start of a live block`;
    const err = new InvalidFreeError(msg, a);
    if (record) {
      const r = this.report(
        { kind: 'invalid-free', address: a, block: c.block, offset: a - c.block, size: c.size, detectedBy: op === 'realloc' ? 'realloc' : 'free' },
        c.slot,
        site,
        false,
      );
      err.message = r.message;
      Object.defineProperty(err, 'report', { value: r, enumerable: false });
    }
    throw err;
  }

  /** Reports a bad checked access of `size` bytes at `a` (the first unaddressable byte is the address). */
  private badAccess(a: number, size: number, by: 'read' | 'write'): void {
    const bad = Math.max(a, this.shadow.firstBadByte(a, size));
    const c = this.classify(bad);
    this.report({ kind: c.kind, address: bad, block: c.block, offset: bad - c.block, size: c.size, detectedBy: by, accessSize: size }, c.slot, this.site(2));
  }

  // ─── checked accessors ────────────────────────────────────────────────────────────────────────

  private view32(): DataView {
    const buf = this.inner.memory.buffer;
    let dv = this.dv;
    if (dv === null || dv.buffer !== buf || dv.byteLength === 0) dv = this.dv = new DataView(buf);
    return dv;
  }

  private inBounds(a: number, size: number): boolean {
    return a >= 0 && a + size <= this.inner.memory.capacity;
  }

  /** Reads the unsigned byte at `a`, reporting if `a` is not inside a live payload. */
  load8(a: number): number {
    if (!this.shadow.canAccess(a, 1)) {
      this.badAccess(a, 1, 'read');
      if (!this.inBounds(a, 1)) return 0;
    }
    return this.inner.memory.u8[a]!;
  }

  /** Reads the little-endian unsigned 16-bit value at `a` (any alignment), checked. */
  load16(a: number): number {
    if (!this.shadow.canAccess(a, 2)) {
      this.badAccess(a, 2, 'read');
      if (!this.inBounds(a, 2)) return 0;
    }
    return this.view32().getUint16(a, true);
  }

  /** Reads the little-endian unsigned 32-bit value at `a` (any alignment), checked. */
  load32(a: number): number {
    if (!this.shadow.canAccess(a, 4)) {
      this.badAccess(a, 4, 'read');
      if (!this.inBounds(a, 4)) return 0;
    }
    return this.view32().getUint32(a, true);
  }

  /** Reads the little-endian float64 at `a` (any alignment), checked. */
  loadF64(a: number): number {
    if (!this.shadow.canAccess(a, 8)) {
      this.badAccess(a, 8, 'read');
      if (!this.inBounds(a, 8)) return 0;
    }
    return this.view32().getFloat64(a, true);
  }

  /** Same as {@link DebugHeap.loadF64} (the spelling of the issue: `load8/16/32/f64`). */
  loadf64(a: number): number {
    return this.loadF64(a);
  }

  /** Writes a byte at `a`; a bad address is reported and the write skipped. */
  store8(a: number, v: number): void {
    if (!this.shadow.canAccess(a, 1)) return this.badAccess(a, 1, 'write');
    this.inner.memory.u8[a] = v;
  }

  /** Writes a little-endian 16-bit value at `a`; a bad address is reported and the write skipped. */
  store16(a: number, v: number): void {
    if (!this.shadow.canAccess(a, 2)) return this.badAccess(a, 2, 'write');
    this.view32().setUint16(a, v, true);
  }

  /** Writes a little-endian 32-bit value at `a`; a bad address is reported and the write skipped. */
  store32(a: number, v: number): void {
    if (!this.shadow.canAccess(a, 4)) return this.badAccess(a, 4, 'write');
    this.view32().setUint32(a, v >>> 0, true);
  }

  /** Writes a little-endian float64 at `a`; a bad address is reported and the write skipped. */
  storeF64(a: number, v: number): void {
    if (!this.shadow.canAccess(a, 8)) return this.badAccess(a, 8, 'write');
    this.view32().setFloat64(a, v, true);
  }

  /** Same as {@link DebugHeap.storeF64}. */
  storef64(a: number, v: number): void {
    this.storeF64(a, v);
  }

  /** `memmove(dst, src, n)` checked on both ranges; a bad range is reported and nothing is copied. */
  copy(dst: number, src: number, n: number): void {
    if (n <= 0) return;
    const sh = this.shadow;
    if (!sh.canAccessRange(src, n)) return this.badRange(src, n, 'read');
    if (!sh.canAccessRange(dst, n)) return this.badRange(dst, n, 'write');
    this.inner.memory.u8.copyWithin(dst, src, src + n);
  }

  /**
   * A byte view of `[p, p + n)` after checking the range lies in live payload (reported otherwise; the
   * view is still returned, clamped to the memory). Writes through the view are unchecked, but `check()`
   * still finds those that land in a redzone or a quarantined block. Re-take views after allocating.
   */
  view<C extends TypedArrayConstructor = Uint8ArrayConstructor>(p: number, n?: number, Ctor?: C): TypedArrayOf<C> {
    const width = Ctor === undefined ? 1 : Ctor.BYTES_PER_ELEMENT;
    const count = n ?? Math.floor((this.shadow.canAccess(p, 1) ? this.usableSize(p) : 0) / width);
    if (!this.shadow.canAccessRange(p, count * width)) this.badRange(p, count * width, 'write');
    const buf = this.inner.memory.buffer;
    const start = Math.min(Math.max(p, 0), buf.byteLength);
    const len = Math.max(0, Math.min(count, Math.floor((buf.byteLength - start) / width)));
    if (Ctor === undefined || start % width !== 0) return new Uint8Array(buf, start, len * width) as TypedArrayOf<C>;
    return new Ctor(buf as ArrayBuffer, start, len) as TypedArrayOf<C>;
  }

  private badRange(a: number, n: number, by: 'read' | 'write'): void {
    let bad = a;
    for (let x = a; x < a + n; x++) {
      if (!this.shadow.canAccess(x, 1)) {
        bad = x;
        break;
      }
    }
    const c = this.classify(bad);
    this.report({ kind: c.kind, address: bad, block: c.block, offset: bad - c.block, size: c.size, detectedBy: by, accessSize: n }, c.slot, this.site(2));
  }

  // ─── leaks ────────────────────────────────────────────────────────────────────────────────────

  /** Live blocks in address order: payload starts, requested sizes, allocation site ids. */
  private liveBlocks(): { starts: Uint32Array; sizes: Uint32Array; sites: Int32Array } {
    const starts = new Uint32Array(this.liveCount);
    let i = 0;
    for (const s of this.byUser.values()) if (this.bState[s] === LIVE) starts[i++] = this.bUser[s]!;
    starts.sort();
    const sizes = new Uint32Array(starts.length);
    const sites = new Int32Array(starts.length);
    for (let k = 0; k < starts.length; k++) {
      const s = this.byUser.get(starts[k]!)!;
      sizes[k] = this.bSize[s]!;
      sites[k] = this.bAllocSite[s]!;
    }
    return { starts, sizes, sites };
  }

  /** Every unfreed block grouped by allocation site (LeakSanitizer-style), most bytes first. */
  leaks(): LeakGroup[] {
    const b = this.liveBlocks();
    return groupLeaks(b.sizes, b.sites, null, (id) => this.sites.text(id)).map(({ count, bytes, site }) => (site === undefined ? { count, bytes } : { count, bytes, site }));
  }

  /**
   * Valgrind-style leak check: scans conservatively from `roots` (pointer values the program still
   * holds) through the live payloads — every aligned 32-bit word that points into a live block keeps
   * it — and classifies each unfreed block as still reachable, definitely lost or indirectly lost.
   */
  leakCheck(roots: ArrayLike<number> = [], opts: LeakCheckOptions = {}): LeakCheckResult {
    const b = this.liveBlocks();
    return classifyLeaks(this.inner.memory, b, roots, opts, (id) => this.sites.text(id));
  }

  // ─── inspection ───────────────────────────────────────────────────────────────────────────────

  /** Figures of the heap: live blocks and bytes as the program asked for them; the rest from the wrapped heap (quarantine counts as used). */
  stats(): HeapStats {
    const s = this.inner.stats();
    return { ...s, liveBytes: this.liveSum, liveBlocks: this.liveCount };
  }

  /** The wrapped heap's violations plus the debug heap's own invariants (records, quarantine, shadow). */
  checkHeap(): HeapViolation[] {
    const out = this.inner.checkHeap();
    let live = 0;
    let sum = 0;
    let qb = 0;
    const sh = this.shadow.bytes;
    for (const [p, s] of this.byUser) {
      const state = this.bState[s];
      const b = this.bInner[s]!;
      const n = this.bSize[s]!;
      if (this.bUser[s] !== p) out.push({ address: p, message: `debug record ${s} holds ${hex(this.bUser[s]!)}, indexed under ${hex(p)}` });
      if (p % this.align !== 0) out.push({ address: p, message: 'payload not aligned to the heap alignment' });
      if (p - b < this.redzone || this.bEnd[s]! - (p + n) < this.redzone) out.push({ address: p, message: 'redzone thinner than the redzone option' });
      if (state === LIVE) {
        live++;
        sum += n;
        const g = p / GRANULE;
        for (let i = b / GRANULE; i < g; i++) if (sh[i] !== SHADOW_LEFT_REDZONE) out.push({ address: i * GRANULE, message: `left redzone of ${hex(p)} not poisoned in the shadow` });
        for (let i = 0; i < Math.floor(n / GRANULE); i++) if (sh[g + i] !== 0) out.push({ address: p + i * GRANULE, message: `payload of ${hex(p)} poisoned in the shadow` });
        if (n % GRANULE !== 0 && sh[g + Math.floor(n / GRANULE)] !== n % GRANULE) out.push({ address: p + n, message: `partial granule of ${hex(p)} has the wrong shadow` });
      } else if (state === QUARANTINED) {
        qb += this.bEnd[s]! - b;
      } else {
        out.push({ address: p, message: `empty debug record ${s} still indexed` });
      }
    }
    if (live !== this.liveCount) out.push({ address: 0, message: `debug heap counts ${this.liveCount} live blocks, records hold ${live}` });
    if (sum !== this.liveSum) out.push({ address: 0, message: `debug heap counts ${this.liveSum} live bytes, records hold ${sum}` });
    if (qb !== this.qBytes) out.push({ address: 0, message: `quarantine counts ${this.qBytes} bytes, records hold ${qb}` });
    if (this.byUser.size - live !== this.qLen) out.push({ address: 0, message: 'quarantine ring disagrees with the records' });
    return out;
  }

  /** The allocation site text of live or quarantined block `p` (undefined when unknown or not captured). */
  allocationSite(p: number): string | undefined {
    const s = this.byUser.get(p);
    return s === undefined ? undefined : this.sites.text(this.bAllocSite[s]!);
  }

  /** The shadow dump around `a` (what reports print). */
  shadowAround(a: number): string {
    return this.shadow.describe(a);
  }
}

/**
 * Creates a debug heap over a new heap of the chosen allocator (or over the `Allocator` given):
 * redzones, quarantine, checked accessors, reports and leak checks (see {@link DebugHeap}).
 */
export function createDebugHeap(opts: DebugHeapOptions = {}): DebugHeap {
  const { allocator, captureStacks, quarantineBytes, redzone, onError, ...heapOpts } = opts;
  const inner = isAllocator(allocator) ? allocator : createHeap({ ...heapOpts, ...(allocator !== undefined ? { allocator } : {}) });
  return new DebugHeap(inner, { captureStacks, quarantineBytes, redzone, onError });
}
