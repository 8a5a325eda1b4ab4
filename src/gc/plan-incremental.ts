/**
 * plan-incremental.ts — the incremental (on-the-fly) tri-colour mark-sweep plan: marking and sweeping advance in
 * bounded steps paid for by allocation, with a snapshot-at-the-beginning barrier. Exports `SatbPlan`,
 * `createIncrementalPlan`, `IncrementalOptions`, `MarkerThread`, and registers 'incremental'.
 *
 * Why Yuasa's snapshot-at-the-beginning (deletion) barrier, not Dijkstra's insertion barrier:
 *  - roots here are a shadow stack written without a barrier (`push`/`set` are plain stores). SATB needs the
 *    roots only once, at the start handshake (a copy of `sp` words); everything reachable then stays
 *    reachable for the tracer because every overwritten reference is shaded first. Dijkstra's barrier would
 *    need the roots rescanned at the end, and whatever they reach traced inside that final pause — unbounded.
 *  - allocation colour: SATB allocates black (new objects were not in the snapshot and need no scan), so
 *    the grey set only ever holds snapshot objects and marking terminates after at most |snapshot| scans
 *    no matter how fast the mutator allocates or rewires (the termination tests pin this). The final stop
 *    is then just "the grey set is empty" — no remark work at all.
 *  - cost: floating garbage (objects that die during a cycle survive to the next); a store only does work
 *    while marking and only when it overwrites a non-null, still-white reference.
 *
 * A cycle: IDLE → (start handshake: shade the roots) → MARK (steps drain the grey set; the barrier shades
 * the old value of every overwritten reference; new objects get their mark bit) → SWEEP (steps walk the
 * spaces' object-start bitmaps: unmarked objects go back to the allocator, marked ones are cleared; objects
 * allocated ahead of the sweep cursor are marked so the sweep keeps them) → IDLE (the mark bitmap is all
 * clear again — checked by `verify`). Colours are in a side bitmap (concurrent/layout.ts), never in headers.
 *
 * Pacing: a cycle starts when the space's used bytes pass `live + triggerFraction·(soft − live)`. Its work
 * (live words to mark + objects to sweep) is spread over the headroom left: every allocated byte adds
 * `rate = paceFactor·work/headroom` units of debt, and once the debt reaches `stepBudget` the allocation
 * runs one step (≤ 4·stepBudget units and ≤ `stepMaxMs`). If the soft limit is reached mid-cycle the soft
 * limit grows instead of pausing; only an exhausted reservation forces a stop-the-world finish.
 * Every step and handshake is a pause: recorded in `pauseLog` (timestamps, for MMU) and in the heap's stats.
 *
 * Concurrent mode (plan-concurrent.ts): the same plan hands MARK to a `MarkerThread` over a shared side
 * buffer; the barrier then marks with `Atomics.or` and appends the object to the SATB log instead.
 */
import { BARRIER_HOOK, type GcPlan, type GcViolation, type ManagedHeap, type ManagedHeapOptions } from './heap.js';
import { Space, SPACE_FREELIST } from './space.js';
import { HeapVerificationError } from './errors.js';
import { KIND_RECORD, KIND_REF_ARRAY, TYPE_MASK } from './object-model.js';
import { PAUSE_FULL, PAUSE_LOG_FULL, PAUSE_REMARK, PAUSE_START, PAUSE_STEP, PAUSE_SWEEP_ON_DEMAND, PauseLog, type PausingPlan } from './pauses.js';
import { Tracer } from './concurrent/tracer.js';
import {
  C_CMD,
  C_DONE_AT,
  C_EPOCH,
  C_HEAD,
  C_MARKED_OBJECTS,
  C_MARKED_WORDS,
  C_NROOTS,
  C_TAIL,
  C_W_STATE,
  CMD_ABORT,
  CMD_FINISH,
  CMD_MARK,
  W_IDLE,
  sideLayout,
  writeLayout,
  type SideLayout,
} from './concurrent/layout.js';
import { registerCollector } from './registry.js';
import { hex } from '../alloc/errors.js';

/** Knobs of the incremental and concurrent plans, read from the heap's options. */
export interface IncrementalOptions extends ManagedHeapOptions {
  /** Work units per step (1 unit ≈ one object or reference field scanned, one swept start). Default 8192. */
  stepBudget?: number;
  /** A step stops once it has run this long (ms; 0 = no limit). Default 0.5. */
  stepMaxMs?: number;
  /** Collector work per allocated byte, as a multiple of the rate that just finishes within the headroom. Default 2. */
  paceFactor?: number;
  /** Start a cycle when used bytes pass this fraction of the way from live data to the soft limit. Default 0.8 (0.5 measured 1.3× slower on binary-trees 16: twice the cycles). */
  triggerFraction?: number;
  /** Stress: start the next cycle as soon as one ends and run a full step at every allocation (the collector runs continuously). Default false. */
  continuous?: boolean;
  /** Concurrent plan: SATB log entries (rounded up to a power of two). Default 1 << 20. */
  logEntries?: number;
}

/** A thread that marks (the concurrent plan's worker), as the plan sees it. */
export interface MarkerThread {
  /** Posts marking cycle `epoch` over `heap` and `side` (both shared). */
  run(heap: SharedArrayBuffer, side: SharedArrayBuffer, epoch: number): void;
  /** True once the thread failed or was terminated. */
  readonly dead: boolean;
  /** Hands the thread back (its side buffer says W_IDLE). */
  release(): void;
}

/** Phases. */
export const PHASE_IDLE = 0;
export const PHASE_MARK = 1;
export const PHASE_SWEEP = 2;

function now(): number {
  return performance.now();
}

/**
 * Sweep work units between deadline checks (about 0.1 ms of sweeping). Node's `performance.now()` costs
 * ~60 ns and allocates its result: read every 256 units it was most of the collector's JavaScript garbage
 * (megabytes per run), and the scavenges it caused landed inside steps.
 */
const SWEEP_CLOCK_EVERY = 1024;

/** What a dropped heap's plan leaves behind for the finalizer: its control words and its marker thread. */
interface MarkerLink {
  ctl: Int32Array | null;
  marker: MarkerThread | null;
}

/** A heap dropped mid-cycle tells its marker thread to stop and hands the thread back to the pool. */
const dropped = typeof FinalizationRegistry !== 'undefined'
  ? new FinalizationRegistry<MarkerLink>((link) => {
      if (link.ctl !== null) {
        Atomics.store(link.ctl, C_CMD, CMD_ABORT);
        Atomics.notify(link.ctl, C_HEAD);
      }
      link.marker?.release();
    })
  : null;

/**
 * The snapshot-at-the-beginning mark-sweep plan, marking locally in steps (incremental) or in a marker thread
 * (concurrent). Fields are public for tests and the bench; treat them as read-only.
 */
export class SatbPlan implements GcPlan, PausingPlan {
  readonly name: string;
  readonly description: string;
  readonly movesObjects = false;
  readonly generational = false;
  readonly barrier = BARRIER_HOOK;
  /** Concurrent plans ask the heap for a SharedArrayBuffer. */
  readonly sharedMemory: boolean;
  /** Every pause (step, handshake, stop-the-world finish) with its start time. */
  readonly pauseLog = new PauseLog();

  /** `PHASE_*`. */
  phase: number = PHASE_IDLE;
  /** The free-list space holding small objects. */
  space!: Space;
  /** Cycles completed, steps run, cycles whose marking ran in a marker thread. */
  cycles = 0;
  steps = 0;
  remoteCycles = 0;
  /** Objects and bytes marked by the last completed marking. */
  lastMarkedObjects = 0;
  lastMarkedBytes = 0;
  /** Work units of marking done on the main thread in the current/last cycle. */
  markWork = 0;
  /** True while the current cycle's marking runs in a marker thread. */
  remote = false;

  // knobs
  stepBudget = 8192;
  stepMaxMs = 0.5;
  paceFactor = 2;
  triggerFraction = 0.8;
  continuous = false;
  logEntries = 1 << 20;

  // side buffer and views
  side: ArrayBuffer | SharedArrayBuffer | null = null;
  layout!: SideLayout;
  ctl!: Int32Array;
  bits!: Int32Array;
  private logU32!: Uint32Array;
  private rootsU32!: Uint32Array;
  private logMask = 0;
  tracer!: Tracer;
  lo = 0;
  private nbits = 0;

  // pacing
  private debt = 0;
  private rate = 0;
  private trigger = 0;

  // sweeping
  private sweepWord = 0;
  private sweepEnd = 0;
  private losWord = 0;
  private losEnd = 0;
  private sweepingLos = false;
  private freedInCycle = 0;
  private maxWord = 0;
  private losMaxWord = 0;

  // concurrent marking
  private readonly acquireMarker: (() => MarkerThread | null) | null;
  private readonly prewarm: (() => void) | null;
  private get marker(): MarkerThread | null {
    return this.link.marker;
  }
  private set marker(m: MarkerThread | null) {
    this.link.marker = m;
  }
  private readonly link: MarkerLink = { ctl: null, marker: null };
  private head = 0;
  private epoch = 0;
  private inDriver = false;

  constructor(name: string, description: string, acquireMarker: (() => MarkerThread | null) | null, prewarm: (() => void) | null = null) {
    this.name = name;
    this.description = description;
    this.acquireMarker = acquireMarker;
    this.prewarm = prewarm;
    this.sharedMemory = acquireMarker !== null;
  }

  /** Stops a marker thread still working for this heap and hands it back (optional: a dropped heap does it when finalized). */
  dispose(): void {
    if (this.phase === PHASE_MARK && this.remote) this.abandonMarking();
    if (this.marker !== null && Atomics.load(this.ctl, C_W_STATE) === W_IDLE) {
      this.marker.release();
      this.marker = null;
    }
  }

  setup(heap: ManagedHeap, start: number, end: number): void {
    const o = heap.options as IncrementalOptions;
    if (o.stepBudget !== undefined) this.stepBudget = Math.max(1, Math.floor(o.stepBudget));
    if (o.stepMaxMs !== undefined) this.stepMaxMs = Math.max(0, o.stepMaxMs);
    if (o.paceFactor !== undefined) this.paceFactor = Math.max(1, o.paceFactor);
    if (o.triggerFraction !== undefined) this.triggerFraction = Math.min(1, Math.max(0, o.triggerFraction));
    if (o.continuous !== undefined) this.continuous = o.continuous;
    if (o.logEntries !== undefined) this.logEntries = Math.max(1024, Math.floor(o.logEntries));
    this.space = new Space(this.name, SPACE_FREELIST, start, end, start + Math.max(64 * 1024, heap.initialBytes), heap.makeAllocator(start, end));
    heap.spaces.push(this.space);
    heap.allocSpace = null;
    this.retrigger();
    this.ensureSide(heap);
  }

  // ───────────────────────── side buffer ─────────────────────────

  /** Makes the side buffer (at setup; its bitmap covers from the space to the end of the memory, so the large-object space made after `setup` too). */
  private ensureSide(heap: ManagedHeap): void {
    if (this.side !== null) {
      if (this.tracer.u32 !== heap.u32) this.makeTracer(heap);
      return;
    }
    const lo = this.space.start;
    const hi = heap.u32.length * 4;
    const shared = this.acquireMarker !== null && heap.memory.shared && typeof SharedArrayBuffer !== 'undefined';
    const l = sideLayout(lo, hi, heap.rootSlots, shared ? this.logEntries : 0);
    this.layout = l;
    this.side = shared ? new SharedArrayBuffer(l.totalWords * 4) : new ArrayBuffer(l.totalWords * 4);
    this.ctl = new Int32Array(this.side, 0, l.rootsOff);
    this.rootsU32 = new Uint32Array(this.side, l.rootsOff * 4, l.logOff - l.rootsOff);
    this.logU32 = new Uint32Array(this.side, l.logOff * 4, l.logCap);
    this.logMask = l.logCap - 1;
    this.bits = new Int32Array(this.side, l.bitsOff * 4, l.bitsWords + 1);
    this.lo = lo;
    this.nbits = (hi - lo) / 8;
    writeLayout(this.ctl, l, heap.typeBaseWord, heap.kindOf.length, heap.markStack.length);
    this.link.ctl = this.ctl;
    if (shared && dropped !== null) dropped.register(this, this.link);
    // Start a marker thread now (into the pool), so the first cycle does not wait for it to boot.
    if (shared && this.prewarm !== null) this.prewarm();
    this.makeTracer(heap);
  }

  private makeTracer(heap: ManagedHeap): void {
    const ms = heap.markStack;
    this.tracer = new Tracer({
      u32: heap.u32,
      bits: this.bits,
      lo: this.lo,
      hi: this.layout.hi,
      typeBaseWord: heap.typeBaseWord,
      maxTypes: heap.kindOf.length,
      atomic: false,
      growable: false,
      stack: new Uint32Array(ms.buffer, ms.byteOffset, ms.length),
    });
  }

  /** Sets the mark bit of a new object (allocate black). */
  private setBit(p: number): void {
    const i = (p - this.lo) >>> 3;
    if (this.remote) Atomics.or(this.bits, i >>> 5, 1 << (i & 31));
    else this.bits[i >>> 5]! |= 1 << (i & 31);
  }

  /** Allocation colour: black while marking; during the sweep, black only ahead of the sweep cursor. */
  private colourNew(p: number, large: boolean, heap: ManagedHeap): void {
    if (this.phase === PHASE_MARK) this.setBit(p);
    else if (this.phase === PHASE_SWEEP) {
      // Only objects the sweep has still to pass over: behind the cursor or beyond the swept range they stay white.
      if (large) {
        const wi = (p - heap.los.start) >>> 8;
        if (wi < this.losEnd && (!this.sweepingLos || wi >= this.losWord)) this.setBit(p);
      } else {
        const wi = (p - this.space.start) >>> 8;
        if (wi < this.sweepEnd && wi >= this.sweepWord) this.setBit(p);
      }
    }
  }

  // ───────────────────────── allocation ─────────────────────────

  allocSmall(heap: ManagedHeap, size: number): number {
    const phase = this.phase;
    if (phase === PHASE_IDLE) {
      if (this.space.used + size > this.trigger) this.startTimed(heap);
    } else if (phase === PHASE_MARK && this.remote) {
      if (Atomics.load(this.ctl, C_DONE_AT) === this.head) this.remarkTimed(heap);
      else if (this.marker !== null && this.marker.dead) this.fallbackLocal(heap);
    } else {
      this.debt += size * this.rate;
      if (this.continuous && this.debt < this.stepBudget) this.debt = this.stepBudget; // stress: a step at every allocation
      if (this.debt >= this.stepBudget) this.stepTimed(heap);
    }
    const s = this.space;
    let p = s.used + size <= s.soft - s.start ? s.place(size) : 0;
    if (p === 0) p = this.placeSlow(heap, size);
    if (p !== 0) {
      if (this.phase !== PHASE_IDLE) this.colourNew(p, false, heap);
      const wi = (p - s.start) >>> 8;
      if (wi >= this.maxWord) this.maxWord = wi + 1;
      heap.countAllocated(size);
    }
    return p;
  }

  /** The space is at its soft limit or the allocator refused: sweep on, grow the soft limit, or (reservation exhausted) collect fully. */
  private placeSlow(heap: ManagedHeap, size: number): number {
    const s = this.space;
    if (this.phase === PHASE_SWEEP) {
      // Lazy sweeping on demand, one bounded chunk; if that frees no fitting block the soft limit grows below.
      const t0 = now();
      this.sweep(heap, 4 * this.stepBudget, this.stepMaxMs > 0 ? t0 + this.stepMaxMs : Infinity);
      if (this.sweepDone()) this.endCycle(heap);
      const p = s.used + size <= s.soft - s.start ? s.place(size) : 0;
      this.pauseEnd(heap, t0, PAUSE_SWEEP_ON_DEMAND);
      if (p !== 0) return p;
    }
    if (s.used + size > s.soft - s.start) {
      if (this.phase === PHASE_IDLE) this.startTimed(heap);
      if (s.used + size <= s.end - s.start) {
        const soft = s.soft - s.start;
        s.soft = Math.min(s.end, s.start + Math.max(2 * soft, s.used + size + soft));
        const p = s.place(size);
        if (p !== 0) return p;
      }
    }
    // Out of reservation (or too fragmented): finish everything now, as mark-sweep would.
    heap.collectNow(true);
    heap.growFreeList(s, size);
    return s.place(size);
  }

  /** The heap placed a large object at `p` (before writing its header): colour it and count its debt. */
  allocatedLarge(heap: ManagedHeap, p: number, size: number): void {
    const wi = (p - heap.los.start) >>> 8;
    if (wi >= this.losMaxWord) this.losMaxWord = wi + 1;
    if (this.phase !== PHASE_IDLE) {
      this.colourNew(p, true, heap);
      this.debt += size * this.rate;
    }
  }

  /** The large-object space is full: start a cycle and let it grow when the reservation allows, else collect fully. */
  collectForLarge(heap: ManagedHeap): void {
    const los = heap.los;
    if (los.used + (los.soft - los.start) / 4 <= los.end - los.start) {
      if (this.phase === PHASE_IDLE) this.startTimed(heap);
      return;
    }
    heap.collectNow(true);
  }

  // ───────────────────────── the barrier ─────────────────────────

  /** Yuasa's deletion barrier: while marking, the reference about to be overwritten is shaded. */
  writeBarrier(heap: ManagedHeap, _obj: number, slotWord: number, _value: number): void {
    if (this.phase !== PHASE_MARK) return;
    const old = heap.u32[slotWord]!;
    if (old === 0) return;
    if (!this.remote) {
      this.tracer.shade(old);
      return;
    }
    const i = (old - this.lo) >>> 3;
    if (i >= this.nbits) return;
    const wi = i >>> 5;
    const bit = 1 << (i & 31);
    const bits = this.bits;
    if ((bits[wi]! & bit) !== 0) return;
    if ((Atomics.or(bits, wi, bit) & bit) !== 0) return;
    const h = this.head;
    if (h - Atomics.load(this.ctl, C_TAIL) > this.logMask) this.waitForLog(heap);
    if (!this.remote) {
      // the marker died while we waited: the local tracer owns the cycle now
      this.tracer.adopt(old);
      return;
    }
    this.logU32[h & this.logMask] = old;
    this.head = h + 1;
    Atomics.store(this.ctl, C_HEAD, h + 1);
  }

  /** The SATB log is full: wait (a pause) for the marker to drain it. */
  private waitForLog(heap: ManagedHeap): void {
    const t0 = now();
    const ctl = this.ctl;
    while (this.head - Atomics.load(ctl, C_TAIL) > this.logMask) {
      if (this.marker === null || this.marker.dead) {
        this.fallbackLocal(heap);
        break;
      }
      Atomics.notify(ctl, C_HEAD);
    }
    this.pauseEnd(heap, t0, PAUSE_LOG_FULL);
  }

  // ───────────────────────── cycle driver ─────────────────────────

  private pauseEnd(heap: ManagedHeap, t0: number, kind: number): void {
    if (this.inDriver) return;
    const dt = now() - t0;
    this.pauseLog.record(t0, dt, kind);
    heap.recordPause(dt);
  }

  private retrigger(): void {
    const s = this.space;
    const live = s.used;
    const soft = s.soft - s.start;
    this.trigger = this.continuous ? -1 : live + (soft - live) * this.triggerFraction;
  }

  private startTimed(heap: ManagedHeap): void {
    const t0 = now();
    this.start(heap, false);
    this.pauseEnd(heap, t0, PAUSE_START);
  }

  /** Start handshake: snapshot the roots (shade them locally, or copy them for the marker thread). */
  private start(heap: ManagedHeap, forceLocal: boolean): void {
    this.ensureSide(heap);
    if (this.marker !== null && Atomics.load(this.ctl, C_W_STATE) === W_IDLE) {
      this.marker.release();
      this.marker = null;
    }
    const u32 = heap.u32;
    const rb = heap.rootBase;
    const sp = heap.sp;
    this.epoch++;
    this.tracer.reset();
    this.markWork = 0;
    this.freedInCycle = 0;
    this.remote = false;
    if (!forceLocal && this.acquireMarker !== null && typeof SharedArrayBuffer !== 'undefined' && this.side instanceof SharedArrayBuffer && this.marker === null) {
      this.marker = this.acquireMarker();
    }
    if (!forceLocal && this.marker !== null && !this.marker.dead && Atomics.load(this.ctl, C_W_STATE) === W_IDLE) {
      const ctl = this.ctl;
      this.rootsU32.set(u32.subarray(rb, rb + sp));
      ctl[C_NROOTS] = sp;
      ctl[C_HEAD] = 0;
      ctl[C_TAIL] = 0;
      ctl[C_DONE_AT] = -1;
      this.head = 0;
      Atomics.store(ctl, C_EPOCH, this.epoch);
      Atomics.store(ctl, C_CMD, CMD_MARK);
      this.remote = true;
      this.remoteCycles++;
      this.marker.run(heap.memory.buffer as SharedArrayBuffer, this.side as SharedArrayBuffer, this.epoch);
    } else {
      for (let i = rb; i < rb + sp; i++) this.tracer.shade(u32[i]!);
    }
    this.phase = PHASE_MARK;
    // Pacing: spread this cycle's work over the headroom.
    const s = this.space;
    const los = heap.los;
    const live = heap.liveAfterLastFull > 0 ? heap.liveAfterLastFull : s.used + los.used;
    const markUnits = this.remote ? 0 : live / 4 + sp;
    const sweepUnits = 3 * (s.objects + los.objects) + this.maxWord + this.losMaxWord;
    const headroom = Math.max(s.soft - s.start - s.used, 256 * 1024);
    this.rate = (this.paceFactor * (markUnits + sweepUnits)) / headroom;
    this.debt = 0;
  }

  private stepTimed(heap: ManagedHeap): void {
    const t0 = now();
    this.steps++;
    const budget = Math.min(this.debt, 4 * this.stepBudget);
    const deadline = this.stepMaxMs > 0 ? t0 + this.stepMaxMs : Infinity;
    if (heap.onCollect !== null) heap.onCollect('before', false);
    const work = this.advance(heap, budget, deadline);
    this.debt = this.phase === PHASE_IDLE ? 0 : Math.max(0, this.debt - Math.max(work, 1));
    this.pauseEnd(heap, t0, PAUSE_STEP);
    if (heap.verifyEach) {
      const v = heap.verify();
      if (v.length > 0) throw new HeapVerificationError(v, `after incremental step #${this.steps} (${this.name}, phase ${this.phase})`);
    }
    if (heap.onCollect !== null) heap.onCollect('after', this.phase === PHASE_IDLE);
  }

  /** Does up to `budget` units of the current phase's work (marking flows into sweeping). Returns work done. */
  private advance(heap: ManagedHeap, budget: number, deadline: number): number {
    let work = 0;
    if (this.phase === PHASE_MARK) {
      if (this.remote) {
        if (Atomics.load(this.ctl, C_DONE_AT) === this.head) this.remark(heap);
        else if (this.marker !== null && this.marker.dead) this.fallbackLocal(heap);
        return 0;
      }
      if (this.tracer.u32 !== heap.u32) this.makeTracer(heap);
      work = this.tracer.drain(budget, deadline);
      this.markWork += work;
      if (!this.tracer.isEmpty()) return work;
      this.finishMarking(heap);
    }
    if (this.phase === PHASE_SWEEP && work < budget) {
      work += this.sweep(heap, budget - work, deadline);
      if (this.sweepDone()) this.endCycle(heap);
    }
    return work;
  }

  private remarkTimed(heap: ManagedHeap): void {
    const t0 = now();
    this.remark(heap);
    this.pauseEnd(heap, t0, PAUSE_REMARK);
  }

  /** Remark handshake (concurrent): the marker drained the log up to our unchanged head with an empty stack, so no grey object is left. */
  private remark(heap: ManagedHeap): void {
    Atomics.store(this.ctl, C_CMD, CMD_FINISH);
    Atomics.notify(this.ctl, C_HEAD);
    this.finishMarking(heap);
  }

  /** The marker thread failed: forget its work and restart the cycle locally (a new snapshot). */
  private fallbackLocal(heap: ManagedHeap): void {
    this.abandonMarking();
    this.marker = null;
    this.start(heap, true);
  }

  /** Drops the current marking (bitmap cleared); the marker thread, if any, is told to stop and waited for. */
  private abandonMarking(): void {
    if (this.remote) {
      Atomics.store(this.ctl, C_CMD, CMD_ABORT);
      Atomics.notify(this.ctl, C_HEAD);
      while (Atomics.load(this.ctl, C_W_STATE) !== W_IDLE && this.marker !== null && !this.marker.dead) {
        /* spin: the marker checks CMD between chunks of at most a few thousand objects */
      }
      this.remote = false;
    }
    this.bits.fill(0);
    this.tracer.reset();
    this.phase = PHASE_IDLE;
  }

  private finishMarking(heap: ManagedHeap): void {
    if (this.remote) {
      this.lastMarkedObjects = Atomics.load(this.ctl, C_MARKED_OBJECTS);
      this.lastMarkedBytes = Atomics.load(this.ctl, C_MARKED_WORDS) * 4;
    } else {
      this.lastMarkedObjects = this.tracer.markedObjects;
      this.lastMarkedBytes = this.tracer.markedWords * 4;
      heap.markStackOverflows += this.tracer.overflows;
      this.tracer.overflows = 0;
    }
    this.remote = false;
    this.phase = PHASE_SWEEP;
    this.sweepWord = 0;
    this.sweepEnd = this.maxWord;
    this.losWord = 0;
    this.losEnd = this.losMaxWord;
    this.sweepingLos = false;
    // Pace the sweep over what headroom is left (a concurrent mark may have used most of it; sweeping frees as it goes).
    const s = this.space;
    const sweepUnits = 3 * (s.objects + heap.los.objects) + this.maxWord + this.losMaxWord;
    const headroom = Math.max(s.soft - s.start - s.used, (s.soft - s.start) / 4, 256 * 1024);
    this.rate = (this.paceFactor * sweepUnits) / headroom;
  }

  private sweepDone(): boolean {
    return this.sweepingLos && this.losWord >= this.losEnd;
  }

  /** Sweeps about `budget` units: start-bitmap words of the space, then of the large-object space. */
  private sweep(heap: ManagedHeap, budget: number, deadline: number): number {
    const u32 = heap.u32;
    const bits = this.bits;
    const lo = this.lo;
    const debug = heap.debug;
    let work = 0;
    let freed = 0;
    let clock = SWEEP_CLOCK_EVERY;
    while (work < budget) {
      let s: Space;
      let i: number;
      if (!this.sweepingLos) {
        if (this.sweepWord >= this.sweepEnd) {
          this.sweepingLos = true;
          continue;
        }
        s = this.space;
        i = this.sweepWord++;
      } else {
        if (this.losWord >= this.losEnd) break;
        s = heap.los;
        i = this.losWord++;
      }
      let b = s.starts[i]!;
      work++;
      if (b === 0) continue;
      const base = s.start + (i << 8);
      while (b !== 0) {
        const low = b & -b;
        b ^= low;
        const p = base + ((31 - Math.clz32(low)) << 3);
        const mi = (p - lo) >>> 3;
        const mw = mi >>> 5;
        const mb = 1 << (mi & 31);
        const v = bits[mw]!;
        if ((v & mb) !== 0) {
          bits[mw] = v & ~mb;
          work++;
        } else {
          const size = u32[(p >>> 2) + 1]!;
          if (debug) heap.poison(p, p + size);
          s.release(p, size);
          freed += size;
          work += 4;
        }
      }
      if (work >= clock) {
        clock = work + SWEEP_CLOCK_EVERY;
        if (now() > deadline) break;
      }
    }
    this.freedInCycle += freed;
    heap.bytesFreed += freed;
    return work;
  }

  private endCycle(heap: ManagedHeap): void {
    this.phase = PHASE_IDLE;
    this.cycles++;
    heap.liveAfterLastFull = this.space.used + heap.los.used;
    heap.growFreeList(this.space, 0);
    this.retrigger();
    if (!this.inDriver) {
      heap.collections++;
      heap.majorCollections++;
    }
    if (this.marker !== null && Atomics.load(this.ctl, C_W_STATE) === W_IDLE) {
      this.marker.release();
      this.marker = null;
    }
  }

  /** Runs the current cycle (if any) to its end, then a whole cycle with the world stopped. */
  private fullCycle(heap: ManagedHeap): void {
    if (this.phase === PHASE_MARK) this.abandonMarking();
    if (this.phase === PHASE_SWEEP) {
      this.sweep(heap, Infinity, Infinity);
      this.endCycle(heap);
    }
    this.start(heap, true);
    this.tracer.drain(Infinity, Infinity);
    this.finishMarking(heap);
    this.sweep(heap, Infinity, Infinity);
    this.endCycle(heap);
  }

  /**
   * Driven by `heap.collect*()` and stress mode: `full` runs a whole stop-the-world cycle; otherwise one
   * bounded step (starting a cycle when idle) — so stress mode runs the collector continuously.
   */
  collect(heap: ManagedHeap, full: boolean): boolean {
    const t0 = now();
    this.inDriver = true;
    try {
      this.ensureSide(heap);
      if (full) {
        this.fullCycle(heap);
      } else if (this.phase === PHASE_IDLE) {
        this.start(heap, false);
      } else {
        this.steps++;
        this.advance(heap, this.stepBudget, Infinity);
      }
    } finally {
      this.inDriver = false;
    }
    this.pauseLog.record(t0, now() - t0, full ? PAUSE_FULL : PAUSE_STEP);
    return full;
  }

  // ───────────────────────── verification ─────────────────────────

  /**
   * Tri-colour invariants, by phase: IDLE — the mark bitmap is clear; SWEEP — every object reachable from
   * the roots is marked, behind the sweep cursor or beyond the swept range (so the sweep frees no live object); MARK (local) —
   * every white object reachable from the roots is reachable from a grey object through white objects (the
   * weak tri-colour invariant Yuasa's barrier keeps), so marking will still reach it. Grey means what the tracer
   * will still scan: the stack, the rest of a half-scanned array, and every marked object in a pending overflow or
   * rescan range — including grey objects that are no longer reachable: the deletion barrier keeps each white
   * object's snapshot path intact from some grey object, but that grey object may itself have been cut off since.
   */
  verify(heap: ManagedHeap, out: GcViolation[]): void {
    if (this.side === null) return;
    const bits = this.bits;
    const lo = this.lo;
    if (this.phase === PHASE_IDLE) {
      for (let wi = 0; wi < bits.length; wi++) {
        if (bits[wi] !== 0) {
          out.push({ address: lo + ((wi * 32 + (31 - Math.clz32(bits[wi]! & -bits[wi]!))) << 3), message: `${this.name}: mark bit set outside a cycle` });
          return;
        }
      }
      return;
    }
    if (this.phase === PHASE_MARK && this.remote) return; // the marker's grey set is on another thread
    const u32 = heap.u32;
    const marked = (p: number) => this.tracer.isMarked(p);
    const children = (p: number, fn: (q: number) => void) => {
      const w = p >>> 2;
      const t = u32[w]! & TYPE_MASK;
      const k = heap.kindOf[t];
      let first = 0;
      let n = 0;
      if (k === KIND_RECORD) {
        first = w + 2;
        n = heap.refCount[t]!;
      } else if (k === KIND_REF_ARRAY) {
        first = w + 4;
        n = u32[w + 2]!;
      }
      for (let f = first; f < first + n; f++) if (u32[f] !== 0) fn(u32[f]!);
    };
    const reach = (from: number[], whiteOnly: boolean): Set<number> => {
      const seen = new Set<number>();
      const stack = [...from];
      while (stack.length > 0) {
        const p = stack.pop()!;
        if (seen.has(p) || heap.describePointer(p).code !== 0) continue;
        seen.add(p);
        children(p, (q) => {
          if (!seen.has(q) && (!whiteOnly || !marked(q))) stack.push(q);
        });
      }
      return seen;
    };
    const roots: number[] = [];
    for (let i = 0; i < heap.sp; i++) if (heap.get(i) !== 0) roots.push(heap.get(i));
    const live = reach(roots, false);
    if (this.phase === PHASE_SWEEP) {
      for (const p of live) {
        const inLos = p >= heap.los.start;
        const wi = inLos ? (p - heap.los.start) >>> 8 : (p - this.space.start) >>> 8;
        // safe when the sweep has passed it, or it lies beyond the range this sweep covers
        const safe = inLos ? wi >= this.losEnd || (this.sweepingLos && wi < this.losWord) : wi >= this.sweepEnd || wi < this.sweepWord;
        if (!safe && !marked(p)) out.push({ address: p, message: `${this.name}: reachable object ${hex(p)} is unmarked ahead of the sweep cursor (would be freed)` });
      }
      return;
    }
    // MARK, local: grey = on the stack, or marked inside a pending overflow range (counted grey conservatively).
    const grey: number[] = [];
    for (let i = 0; i < this.tracer.sp; i++) grey.push(this.tracer.stack[i]!);
    const t = this.tracer as unknown as { partialEnd: number; partialNext: number; ovPending: boolean; ovLo: number; ovHi: number; rescanBit: number; rescanEnd: number };
    if (t.partialEnd !== 0) for (let f = t.partialNext; f < t.partialEnd; f++) if (u32[f] !== 0) grey.push(u32[f]!);
    const ranges: [number, number][] = [];
    if (t.ovPending) ranges.push([t.ovLo, t.ovHi]);
    if (t.rescanBit <= t.rescanEnd) ranges.push([lo + t.rescanBit * 8, lo + t.rescanEnd * 8]);
    // Every marked object in a pending range is grey — live or not: the tracer will rescan it regardless, and under
    // SATB a now-unreachable grey object may be the only one whose (snapshot) edge still leads to a live white object
    // that the mutator has meanwhile hung under a black one. So walk the range's mark bits, not the live set.
    for (const [a, b] of ranges) {
      const end = (b - lo) >>> 3;
      for (let i = (a - lo) >>> 3; i <= end; i++) {
        const v = bits[i >>> 5]!;
        if (v === 0) {
          i |= 31;
          continue;
        }
        if ((v & (1 << (i & 31))) !== 0) children(lo + i * 8, (q) => grey.push(q));
      }
    }
    const greyReach = reach(grey, true);
    for (const p of live) {
      if (!marked(p) && !greyReach.has(p)) out.push({ address: p, message: `${this.name}: white object ${hex(p)} is reachable but no grey object reaches it through white objects (tri-colour invariant broken)` });
    }
  }
}

/** A fresh incremental plan (one per heap). */
export function createIncrementalPlan(): SatbPlan {
  return new SatbPlan('incremental', 'incremental tri-colour mark-sweep: SATB (Yuasa) barrier, allocate black, bounded steps paced by allocation; non-moving', null);
}

registerCollector('incremental', createIncrementalPlan);
