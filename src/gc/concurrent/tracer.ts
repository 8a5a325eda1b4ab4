/**
 * tracer.ts — resumable tri-colour marking over a side mark bitmap, in bounded steps, on the main thread or in a worker.
 * Exports `Tracer`. Pure: no Node built-ins, no DOM — a browser Web Worker runs the same code.
 *
 * The tracer reads objects straight from the heap's words (header, then reference fields; see
 * object-model.ts) and the types from the heap's in-memory type table (kind, refs, bytes, size per type),
 * so a worker needs only the two buffers. Colours live in the bitmap (see layout.ts): shading sets the bit
 * (with `Atomics.or` when `atomic`, so the mutator can mark new objects concurrently) and pushes the object.
 *
 * Bounded work: `drain(budget, deadline)` stops after about `budget` units (1 per object + 1 per reference
 * field read) or at `deadline` (checked every 1024 units). Ref arrays longer than `CHUNK` elements are
 * scanned `CHUNK` fields at a time, so no single object makes a step long.
 *
 * Mark-stack overflow (fixed stack, `growable` false): a shaded object that does not fit stays marked and
 * its address widens the overflow range [ovLo, ovHi]. When the stack is empty, every marked object in that
 * range is scanned again (re-scanning a black object is harmless: its children are shaded or already
 * marked), in bounded steps too. Each overflow marks at least one new object, so rounds end. Rescans read
 * only objects that were marked — in a worker, where freshly allocated (black) objects may still be
 * half-written, the stack is `growable` instead and never overflows.
 *
 * Invariant after `drain` returns with `isEmpty()`: no grey object — every object reachable from the shaded
 * ones through white objects is marked.
 */
import { KIND_RECORD, KIND_REF_ARRAY, TYPE_WORDS } from '../object-model.js';

/** Fields of a ref array scanned per piece. */
const CHUNK = 1024;
/** Work units between clock reads. */
const CLOCK_EVERY = 1024;

function now(): number {
  return performance.now();
}

/** A resumable marker over one heap's words and one mark bitmap. */
export class Tracer {
  /** Heap words. */
  readonly u32: Uint32Array;
  /** Mark bitmap (bit i ⇔ object at lo + 8·i). */
  readonly bits: Int32Array;
  /** First byte covered by the bitmap. */
  readonly lo: number;
  /** Bits in the bitmap. */
  readonly nbits: number;
  /** Set bits with `Atomics.or` (another thread marks too). */
  readonly atomic: boolean;
  /** Grow the stack instead of overflowing. */
  readonly growable: boolean;
  /** Mark stack (addresses) and its depth. */
  stack: Uint32Array;
  sp = 0;
  /** Type cache, filled from the heap's type table on demand. */
  private readonly typeBaseWord: number;
  private readonly maxTypes: number;
  private readonly kind: Int32Array;
  private readonly refs: Int32Array;
  private readonly recWords: Int32Array;
  private nTypes = 1;
  /** Ref array being scanned in pieces: next field word and end (0 = none). */
  private partialNext = 0;
  private partialEnd = 0;
  /** Overflow: pending range of marked-but-unpushed objects. */
  private ovPending = false;
  private ovLo = 0;
  private ovHi = 0;
  /** Rescan in progress: bit cursor and last bit (inclusive); inactive when cursor > end. */
  private rescanBit = 1;
  private rescanEnd = 0;
  /** Overflow rounds so far. */
  overflows = 0;
  /** Objects and words marked by this tracer (shaded, or handed over already marked). */
  markedObjects = 0;
  markedWords = 0;
  /** Work units done so far (lifetime). */
  workDone = 0;

  constructor(opts: { u32: Uint32Array; bits: Int32Array; lo: number; hi: number; typeBaseWord: number; maxTypes: number; atomic: boolean; growable: boolean; stack: Uint32Array }) {
    this.u32 = opts.u32;
    this.bits = opts.bits;
    this.lo = opts.lo;
    this.nbits = Math.min(opts.bits.length * 32, (opts.hi - opts.lo) / 8);
    this.atomic = opts.atomic;
    this.growable = opts.growable;
    this.stack = opts.stack;
    this.typeBaseWord = opts.typeBaseWord;
    this.maxTypes = opts.maxTypes;
    this.kind = new Int32Array(opts.maxTypes);
    this.refs = new Int32Array(opts.maxTypes);
    this.recWords = new Int32Array(opts.maxTypes);
  }

  /** Forgets the stack, overflow state and counters (start of a cycle). The bitmap is the caller's. */
  reset(): void {
    this.sp = 0;
    this.partialEnd = 0;
    this.ovPending = false;
    this.rescanBit = 1;
    this.rescanEnd = 0;
    this.markedObjects = 0;
    this.markedWords = 0;
  }

  /** True when nothing is grey: stack empty, no array half-scanned, no overflow to rescan. */
  isEmpty(): boolean {
    return this.sp === 0 && this.partialEnd === 0 && !this.ovPending && this.rescanBit > this.rescanEnd;
  }

  /** True when `p`'s mark bit is set (p must lie in the covered range). */
  isMarked(p: number): boolean {
    const i = (p - this.lo) >>> 3;
    return i < this.nbits && (this.bits[i >>> 5]! & (1 << (i & 31))) !== 0;
  }

  private refreshTypes(): void {
    const u32 = this.u32;
    for (let id = this.nTypes; id < this.maxTypes; id++) {
      const tw = this.typeBaseWord + id * TYPE_WORDS;
      const k = u32[tw]!;
      if (k === 0) break;
      this.kind[id] = k;
      this.refs[id] = u32[tw + 1]!;
      this.recWords[id] = u32[tw + 3]! >>> 2;
      this.nTypes = id + 1;
    }
  }

  /** Counts a newly marked object. */
  private count(q: number): void {
    const w = q >>> 2;
    const t = this.u32[w]! & 0xffff;
    if (t >= this.nTypes) this.refreshTypes();
    this.markedObjects++;
    this.markedWords += t < this.nTypes && this.kind[t] === KIND_RECORD ? this.recWords[t]! : this.u32[w + 1]! >>> 2;
  }

  /** Pushes an already-marked object (grow, or record the overflow). */
  private push(q: number): void {
    if (this.sp < this.stack.length) {
      this.stack[this.sp++] = q;
    } else if (this.growable) {
      const next = new Uint32Array(this.stack.length * 2);
      next.set(this.stack);
      this.stack = next;
      this.stack[this.sp++] = q;
    } else if (!this.ovPending) {
      this.ovPending = true;
      this.ovLo = q;
      this.ovHi = q;
    } else {
      if (q < this.ovLo) this.ovLo = q;
      if (q > this.ovHi) this.ovHi = q;
    }
  }

  /** Shades `q` (an object address or 0): white → grey. Returns true when it was white. */
  shade(q: number): boolean {
    const i = (q - this.lo) >>> 3;
    if (i >= this.nbits) return false;
    const wi = i >>> 5;
    const bit = 1 << (i & 31);
    const v = this.bits[wi]!;
    if ((v & bit) !== 0) return false;
    if (this.atomic) {
      if ((Atomics.or(this.bits, wi, bit) & bit) !== 0) return false;
    } else {
      this.bits[wi] = v | bit;
    }
    this.count(q);
    this.push(q);
    return true;
  }

  /** Takes over an object someone else already marked (a log entry): counts it and makes it grey. */
  adopt(q: number): void {
    this.count(q);
    this.push(q);
  }

  /** Bitmap words skipped by the last rescan search (work units). */
  private skipped = 0;

  /** Next marked object in the rescan range, or 0. Adds the empty words passed to `skipped`. */
  private nextRescan(): number {
    const bits = this.bits;
    let i = this.rescanBit;
    const end = this.rescanEnd;
    while (i <= end) {
      const wi = i >>> 5;
      const v = bits[wi]! & (-1 << (i & 31));
      if (v === 0) {
        i = (wi + 1) << 5;
        this.skipped++;
        continue;
      }
      const b = (wi << 5) + (31 - Math.clz32(v & -v));
      if (b > end) break;
      this.rescanBit = b + 1;
      return this.lo + b * 8;
    }
    this.rescanBit = end + 1;
    return 0;
  }

  /**
   * Scans grey objects until about `budget` work units are done, the deadline (ms, `performance.now()`)
   * passes, or nothing is grey. Returns the work done.
   */
  drain(budget: number, deadline: number): number {
    const u32 = this.u32;
    const bits = this.bits;
    const lo = this.lo;
    const nbits = this.nbits;
    const atomic = this.atomic;
    const kind = this.kind;
    const refs = this.refs;
    const recWords = this.recWords;
    let stack = this.stack;
    let cap = stack.length;
    let sp = this.sp;
    let work = 0;
    let nextClock = CLOCK_EVERY;
    const start = this.workDone;
    for (;;) {
      let first: number;
      let end: number;
      if (this.partialEnd !== 0) {
        first = this.partialNext;
        end = first + CHUNK;
        if (end >= this.partialEnd) {
          end = this.partialEnd;
          this.partialEnd = 0;
        } else {
          this.partialNext = end;
        }
      } else if (sp > 0) {
        const p = stack[--sp]!;
        const w = p >>> 2;
        const t = u32[w]! & 0xffff;
        if (t >= this.nTypes) this.refreshTypes();
        const k = t < this.nTypes ? kind[t]! : 0;
        work++;
        if (k === KIND_RECORD) {
          first = w + 2;
          end = first + refs[t]!;
        } else if (k === KIND_REF_ARRAY) {
          first = w + 4;
          const n = u32[w + 2]!;
          if (n > CHUNK) {
            this.partialNext = first + CHUNK;
            this.partialEnd = first + n;
            end = first + CHUNK;
          } else {
            end = first + n;
          }
        } else {
          continue;
        }
      } else if (this.rescanBit <= this.rescanEnd) {
        const p = this.nextRescan();
        work += this.skipped;
        this.skipped = 0;
        if (p === 0) continue;
        const w = p >>> 2;
        const t = u32[w]! & 0xffff;
        if (t >= this.nTypes) this.refreshTypes();
        const k = t < this.nTypes ? kind[t]! : 0;
        work++;
        if (k === KIND_RECORD) {
          first = w + 2;
          end = first + refs[t]!;
        } else if (k === KIND_REF_ARRAY) {
          this.partialNext = w + 4;
          this.partialEnd = w + 4 + u32[w + 2]!;
          if (this.partialEnd === this.partialNext) this.partialEnd = 0;
          continue;
        } else {
          continue;
        }
      } else if (this.ovPending) {
        this.ovPending = false;
        this.overflows++;
        this.rescanBit = (this.ovLo - lo) >>> 3;
        this.rescanEnd = (this.ovHi - lo) >>> 3;
        continue;
      } else {
        break;
      }
      for (let f = first; f < end; f++) {
        const q = u32[f]!;
        if (q === 0) continue;
        const i = (q - lo) >>> 3;
        if (i >= nbits) continue;
        const wi = i >>> 5;
        const bit = 1 << (i & 31);
        const v = bits[wi]!;
        if ((v & bit) !== 0) continue;
        if (atomic) {
          if ((Atomics.or(bits, wi, bit) & bit) !== 0) continue;
        } else {
          bits[wi] = v | bit;
        }
        // count (inlined for records)
        const qw = q >>> 2;
        const qt = u32[qw]! & 0xffff;
        this.markedObjects++;
        if (qt < this.nTypes && kind[qt] === KIND_RECORD) this.markedWords += recWords[qt]!;
        else {
          if (qt >= this.nTypes) this.refreshTypes();
          this.markedWords += qt < this.nTypes && kind[qt] === KIND_RECORD ? recWords[qt]! : u32[qw + 1]! >>> 2;
        }
        if (sp < cap) {
          stack[sp++] = q;
        } else {
          this.sp = sp;
          this.push(q);
          stack = this.stack;
          cap = stack.length;
          sp = this.sp;
        }
      }
      work += end - first;
      if (work >= budget) break;
      if (work >= nextClock) {
        nextClock = work + CLOCK_EVERY;
        if (now() > deadline) break;
      }
    }
    this.sp = sp;
    this.workDone = start + work;
    return work;
  }
}
