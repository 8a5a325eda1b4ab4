/**
 * metrics.ts — fragmentation and locality of any `Allocator`, per snapshot and over a replay.
 * Exports `heapSnapshot`, `MetricsRecorder`, `measureReplay`, `formatReplayMetrics`, `OpStream`, `FragmentationSnapshot`, `TimelineSample`, `ReplayMetrics`, `MetricsOptions`.
 *
 * Where the heap's bytes go at one moment (Johnstone & Wilson's decomposition):
 * ```
 *  heapBytes = requested + alignment + header + metadata + free
 *              └─ live payload the program asked for
 *                          └─ usable − requested (rounding to the alignment / size class)
 *                                      └─ block bytes − usable (headers, footers)
 *                                               └─ heap control block, sentinels
 *                                                          └─ free blocks: the placement policy's waste
 *  internal fragmentation = alignment + header = block bytes − requested
 *  external fragmentation = 1 − largest free block / free bytes
 * ```
 * Over a replay (J&W's measure #4): `fragmentation = (highWater − peakRequested) / peakRequested`,
 * split into the alignment and header overhead at the moment of peak live bytes, the metadata, and
 * what remains — the policy's waste.
 *
 * Block sizes and free blocks come from `heap.walk(fn(block, size, allocated))` when the allocator has
 * one (the boundary-tag engine does). Otherwise they are derived from the live set the caller knows
 * (`usableSize` of each live block) and `stats()`: free extents are then the gaps between live payloads
 * wider than two alignment units, and header and metadata bytes are reported together as `headerBytes`.
 */
import type { Allocator } from '../alloc/allocator.js';

/** Options of the metrics. */
export interface MetricsOptions {
  /** Page size for locality figures. Default 4096. */
  pageBytes?: number;
}

/** One bucket of the free-block size histogram: sizes in `[min, max]` (powers of two). */
export interface HistogramBucket {
  min: number;
  max: number;
  count: number;
  bytes: number;
}

/** Fragmentation and locality of a heap at one moment. */
export interface FragmentationSnapshot {
  /** How block sizes and free blocks were found: the allocator's own walk, or the caller's live set. */
  source: 'walk' | 'live-set';
  /** Bytes between the heap's base and break. */
  heapBytes: number;
  /** Heap high-water mark. */
  highWater: number;
  /** Live blocks. */
  liveBlocks: number;
  /** Bytes the program asked for, summed over live blocks. */
  requestedBytes: number;
  /** Usable bytes of live blocks (`usableSize` summed). */
  usableBytes: number;
  /** Bytes of live blocks, headers included (walk), or usable + header estimate. */
  blockBytes: number;
  /** Block bytes − requested bytes. */
  internalFragmentation: number;
  /** `internalFragmentation / blockBytes` (0 for an empty heap). */
  internalFragmentationRatio: number;
  /** Usable − requested: rounding to alignment and size classes. */
  alignmentBytes: number;
  /** Block bytes − usable: headers and footers (with a walk), else headers and metadata together. */
  headerBytes: number;
  /** Heap bytes that belong to no block (control block, sentinels); 0 when unknown (no walk). */
  metadataBytes: number;
  /** Bytes in free blocks: the placement policy's waste at this moment. */
  freeBytes: number;
  /** Free blocks. */
  freeBlocks: number;
  /** Largest free block. */
  largestFree: number;
  /** `1 − largestFree / freeBytes` (0 when nothing is free). */
  externalFragmentation: number;
  /** Free-block sizes in power-of-two buckets (empty buckets left out). */
  freeHistogram: HistogramBucket[];
  /** Page size used below. */
  pageBytes: number;
  /** Distinct pages the live payloads (requested bytes) touch. */
  pagesTouched: number;
  /** The fewest pages that many requested bytes need: `ceil(requested / pageBytes)`. */
  minPages: number;
  /** `pagesTouched / minPages` (1 is perfect; 0 for an empty heap). */
  pageSpread: number;
}

/** A point of the fragmentation timeline. */
export interface TimelineSample {
  /** Operations replayed so far. */
  op: number;
  requestedBytes: number;
  liveBlocks: number;
  heapBytes: number;
  /** Block bytes − requested bytes (heap bytes − free − metadata − requested). */
  internalFragmentation: number;
  externalFragmentation: number;
  freeBlocks: number;
  freeBytes: number;
  pagesTouched: number;
  minPages: number;
}

/** Figures of a whole replay. */
export interface ReplayMetrics {
  /** The heap at the end. */
  final: FragmentationSnapshot;
  /** Samples over time. */
  timeline: TimelineSample[];
  /** Most requested bytes live at once. */
  peakRequested: number;
  /** Heap high-water mark. */
  highWater: number;
  /** J&W #4: `(highWater − peakRequested) / peakRequested`. */
  fragmentation: number;
  /** Alignment overhead at the moment of peak requested bytes. */
  alignmentAtPeak: number;
  /** Header overhead at the peak (live blocks then × header bytes per block measured at the end). */
  headerAtPeak: number;
  /** Heap metadata (measured at the end). */
  metadataBytes: number;
  /** highWater − peakRequested − alignment − header − metadata: free memory the policy could not reuse. */
  policyWaste: number;
  /** Mean |address difference| between consecutively allocated blocks. */
  meanAllocDistance: number;
  /** Allocations counted (malloc, calloc, realloc that returned a block). */
  allocations: number;
}

interface Walkable {
  walk(fn: (block: number, size: number, allocated: boolean) => void): void;
}

function hasWalk(h: Allocator): h is Allocator & Walkable {
  return typeof (h as Partial<Walkable>).walk === 'function';
}

/** Power-of-two histogram of sizes. */
function histogram(sizes: number[]): HistogramBucket[] {
  const buckets = new Map<number, HistogramBucket>();
  for (const s of sizes) {
    const k = s <= 1 ? 0 : Math.ceil(Math.log2(s + 1)) - 1;
    let b = buckets.get(k);
    if (b === undefined) buckets.set(k, (b = { min: 2 ** k, max: 2 ** (k + 1) - 1, count: 0, bytes: 0 }));
    b.count++;
    b.bytes += s;
  }
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
}

/** Distinct pages covered by the ranges `[a, a + n)`. */
function pagesOf(ranges: Array<readonly [number, number]>, pageBytes: number): number {
  const pages = new Set<number>();
  for (const [a, n] of ranges) {
    if (n <= 0) continue;
    const last = Math.floor((a + n - 1) / pageBytes);
    for (let p = Math.floor(a / pageBytes); p <= last; p++) pages.add(p);
  }
  return pages.size;
}

/**
 * Fragmentation and locality of `heap` now. `live` lists the live blocks the caller knows as
 * `[payload address, requested bytes]` pairs (a `Map` of pointer → size works as is).
 */
export function heapSnapshot(heap: Allocator, live: Iterable<readonly [number, number]>, opts: MetricsOptions = {}): FragmentationSnapshot {
  const pageBytes = opts.pageBytes ?? 4096;
  const stats = heap.stats();
  const ranges: Array<readonly [number, number]> = [];
  let requested = 0;
  let usable = 0;
  for (const [p, n] of live) {
    ranges.push([p, n]);
    requested += n;
    usable += heap.usableSize(p);
  }
  let blockBytes: number;
  let metadata: number;
  let freeSizes: number[];
  let freeBytes: number;
  let source: FragmentationSnapshot['source'];
  if (hasWalk(heap)) {
    source = 'walk';
    blockBytes = 0;
    freeBytes = 0;
    freeSizes = [];
    heap.walk((_b, size, allocated) => {
      if (allocated) blockBytes += size;
      else {
        freeSizes.push(size);
        freeBytes += size;
      }
    });
    metadata = Math.max(0, stats.heapBytes - blockBytes - freeBytes);
  } else {
    source = 'live-set';
    freeBytes = stats.freeBytes;
    metadata = 0;
    blockBytes = Math.max(usable, stats.heapBytes - freeBytes);
    // free extents approximated by the wide gaps between live payloads
    const sorted = ranges.map(([p]) => [p, heap.usableSize(p)] as const).sort((a, b) => a[0] - b[0]);
    freeSizes = [];
    const wide = 2 * heap.align;
    for (let i = 1; i < sorted.length; i++) {
      const gap = sorted[i]![0] - (sorted[i - 1]![0] + sorted[i - 1]![1]);
      if (gap > wide) freeSizes.push(gap);
    }
  }
  const freeBlocks = source === 'walk' ? freeSizes.length : stats.freeBlocks;
  const largestFree = source === 'walk' ? freeSizes.reduce((m, s) => (s > m ? s : m), 0) : stats.largestFree;
  const internal = blockBytes - requested;
  const pagesTouched = pagesOf(ranges, pageBytes);
  const minPages = Math.ceil(requested / pageBytes);
  return {
    source,
    heapBytes: stats.heapBytes,
    highWater: stats.highWater,
    liveBlocks: ranges.length,
    requestedBytes: requested,
    usableBytes: usable,
    blockBytes,
    internalFragmentation: internal,
    internalFragmentationRatio: blockBytes > 0 ? internal / blockBytes : 0,
    alignmentBytes: usable - requested,
    headerBytes: blockBytes - usable,
    metadataBytes: metadata,
    freeBytes,
    freeBlocks,
    largestFree,
    externalFragmentation: freeBytes > 0 ? 1 - largestFree / freeBytes : 0,
    freeHistogram: histogram(freeSizes),
    pageBytes,
    pagesTouched,
    minPages,
    pageSpread: minPages > 0 ? pagesTouched / minPages : 0,
  };
}

/**
 * Follows a replay and measures it: call {@link MetricsRecorder.alloc} after every call that returned
 * a block, {@link MetricsRecorder.free} before every free, {@link MetricsRecorder.op} once per operation;
 * {@link MetricsRecorder.finish} at the end. Costs O(1) per call (plus pages of big blocks) and one
 * `heapSnapshot` per sample.
 */
export class MetricsRecorder {
  /** Live blocks the replay holds: payload → requested bytes. */
  readonly live = new Map<number, number>();
  /** Samples taken so far. */
  readonly timeline: TimelineSample[] = [];
  private readonly heap: Allocator;
  private readonly pageBytes: number;
  private readonly sampleEvery: number;
  private ops = 0;
  private requested = 0;
  private usable = 0;
  private peakRequested = 0;
  private alignmentAtPeak = 0;
  private blocksAtPeak = 0;
  private lastAlloc = -1;
  private distanceSum = 0;
  private allocations = 0;
  private pageRefs = new Uint32Array(1024);
  private pagesTouched = 0;
  /** Heap bytes in no block, measured when the recorder was made (the heap's fixed metadata). */
  private readonly metadata: number;
  /** Largest live-block count seen by a sample, and the header bytes per block then. */
  private sampledBlocks = 0;
  private sampledHeaderPerBlock = 0;

  /** `sampleEvery`: operations between timeline samples (0: no timeline). */
  constructor(heap: Allocator, opts: MetricsOptions & { sampleEvery?: number } = {}) {
    this.heap = heap;
    this.pageBytes = opts.pageBytes ?? 4096;
    this.sampleEvery = opts.sampleEvery ?? 0;
    const st = heap.stats();
    let blocks = 0;
    if (hasWalk(heap)) heap.walk((_b, size, allocated) => void (allocated ? (blocks += size) : 0));
    else blocks = st.liveBytes;
    this.metadata = Math.max(0, st.heapBytes - st.freeBytes - blocks);
  }

  private touch(p: number, n: number, d: 1 | -1): void {
    if (n <= 0) return;
    const first = Math.floor(p / this.pageBytes);
    const last = Math.floor((p + n - 1) / this.pageBytes);
    if (last >= this.pageRefs.length) {
      const next = new Uint32Array(Math.max(last + 1, this.pageRefs.length * 2));
      next.set(this.pageRefs);
      this.pageRefs = next;
    }
    const refs = this.pageRefs;
    for (let g = first; g <= last; g++) {
      if (d > 0) {
        if (refs[g]++ === 0) this.pagesTouched++;
      } else if (--refs[g]! === 0) this.pagesTouched--;
    }
  }

  /** A block of `n` requested bytes now lives at `p` (after malloc/calloc/realloc returned it). */
  alloc(p: number, n: number): void {
    if (p === 0) return;
    this.track(p, n);
    if (this.lastAlloc >= 0) this.distanceSum += Math.abs(p - this.lastAlloc);
    this.lastAlloc = p;
    this.allocations++;
    this.notePeak();
  }

  private notePeak(): void {
    if (this.requested > this.peakRequested) {
      this.peakRequested = this.requested;
      this.alignmentAtPeak = this.usable - this.requested;
      this.blocksAtPeak = this.live.size;
    }
  }

  /** A failed realloc left the block at `p` (of `n` bytes) where it was: count it live again, not as an allocation. */
  restore(p: number, n: number): void {
    if (p !== 0) this.track(p, n);
  }

  private track(p: number, n: number): void {
    this.live.set(p, n);
    this.requested += n;
    this.usable += this.heap.usableSize(p);
    this.touch(p, n, 1);
  }

  /** The block at `p` is about to be freed (or moved by realloc): call before the heap call. */
  free(p: number): void {
    const n = this.live.get(p);
    if (n === undefined) return;
    this.usable -= this.heap.usableSize(p);
    this.requested -= n;
    this.live.delete(p);
    this.touch(p, n, -1);
  }

  /** Counts one operation and samples the timeline when due. */
  op(): void {
    this.ops++;
    if (this.sampleEvery > 0 && this.ops % this.sampleEvery === 0) this.sample();
  }

  /** Takes a timeline sample now. */
  sample(): TimelineSample {
    const s = this.heap.stats();
    const blockBytes = s.heapBytes - s.freeBytes - this.metadata;
    if (this.live.size > this.sampledBlocks) {
      this.sampledBlocks = this.live.size;
      this.sampledHeaderPerBlock = (blockBytes - this.usable) / this.live.size;
    }
    const t: TimelineSample = {
      op: this.ops,
      requestedBytes: this.requested,
      liveBlocks: this.live.size,
      heapBytes: s.heapBytes,
      internalFragmentation: blockBytes - this.requested,
      externalFragmentation: s.freeBytes > 0 ? 1 - s.largestFree / s.freeBytes : 0,
      freeBlocks: s.freeBlocks,
      freeBytes: s.freeBytes,
      pagesTouched: this.pagesTouched,
      minPages: Math.ceil(this.requested / this.pageBytes),
    };
    this.timeline.push(t);
    return t;
  }

  /** Distinct pages the live payloads touch now (kept incrementally). */
  get pages(): number {
    return this.pagesTouched;
  }

  /** The replay's figures: a final snapshot, the timeline and J&W's decomposition at the peak. */
  finish(): ReplayMetrics {
    const final = heapSnapshot(this.heap, this.live, { pageBytes: this.pageBytes });
    const highWater = Math.max(final.highWater, final.heapBytes);
    // header bytes per block: from the end state, or from the fullest sample when nothing is live at the end
    const metadata = final.source === 'walk' ? final.metadataBytes : this.metadata;
    const finalHeader = final.source === 'walk' ? final.headerBytes : Math.max(0, final.headerBytes - metadata);
    const headerPerBlock = final.liveBlocks > 0 ? finalHeader / final.liveBlocks : this.sampledHeaderPerBlock;
    const headerAtPeak = Math.round(headerPerBlock * this.blocksAtPeak);
    const peak = this.peakRequested;
    return {
      final,
      timeline: this.timeline,
      peakRequested: peak,
      highWater,
      fragmentation: peak > 0 ? (highWater - peak) / peak : 0,
      alignmentAtPeak: this.alignmentAtPeak,
      headerAtPeak,
      metadataBytes: metadata,
      policyWaste: Math.max(0, highWater - peak - this.alignmentAtPeak - headerAtPeak - metadata),
      meanAllocDistance: this.allocations > 1 ? this.distanceSum / (this.allocations - 1) : 0,
      allocations: this.allocations,
    };
  }
}

/**
 * The shape of a parsed trace this module needs (structurally `trace/trace.ts`'s `Trace`; check/ sits
 * below trace/ and does not import it). Op codes: 0 malloc, 1 realloc, 2 free (id -1 = `free(NULL)`).
 */
export interface OpStream {
  length: number;
  numIds: number;
  kind: Uint8Array;
  id: Int32Array;
  size: Float64Array;
}

/**
 * Replays `trace` on `heap` (as the trace lab's fast pass does: a refused request leaves NULL, or the
 * old block for realloc) while a {@link MetricsRecorder} follows it; `samples` timeline points are
 * taken evenly (default 100). Returns the replay's figures.
 */
export function measureReplay(trace: OpStream, heap: Allocator, opts: MetricsOptions & { samples?: number } = {}): ReplayMetrics {
  const n = trace.length;
  const samples = opts.samples ?? 100;
  const rec = new MetricsRecorder(heap, { pageBytes: opts.pageBytes, sampleEvery: samples > 0 ? Math.max(1, Math.ceil(n / samples)) : 0 });
  const { kind, id, size } = trace;
  const ptr = new Float64Array(trace.numIds + 1);
  for (let i = 0; i < n; i++) {
    const k = kind[i];
    const v = id[i]!;
    if (k === 0) {
      const p = heap.malloc(size[i]!);
      ptr[v] = p;
      rec.alloc(p, size[i]!);
    } else if (k === 1) {
      const bytes = size[i]!;
      const old = ptr[v]!;
      const oldSize = rec.live.get(old);
      rec.free(old);
      const q = heap.realloc(old, bytes);
      if (q !== 0) rec.alloc(q, bytes);
      else if (bytes !== 0 && oldSize !== undefined) rec.restore(old, oldSize); // refused: the old block stays
      if (q !== 0 || bytes === 0) ptr[v] = q;
    } else if (v >= 0) {
      rec.free(ptr[v]!);
      heap.free(ptr[v]!);
      ptr[v] = 0;
    } else heap.free(0);
    rec.op();
  }
  return rec.finish();
}

function pct(x: number): string {
  return (x * 100).toFixed(1) + '%';
}

/** The replay's figures as terminal lines (what `heapkit replay --metrics` prints). */
export function formatReplayMetrics(m: ReplayMetrics): string[] {
  const f = m.final;
  const hist = f.freeHistogram.map((b) => `${b.min}-${b.max}:${b.count}`).join(' ');
  const ext = m.timeline.map((t) => t.externalFragmentation);
  const extMax = ext.length > 0 ? Math.max(...ext) : f.externalFragmentation;
  const extMean = ext.length > 0 ? ext.reduce((a, b) => a + b, 0) / ext.length : f.externalFragmentation;
  return [
    `fragmentation (Johnstone & Wilson #4) ${pct(m.fragmentation)} = (high-water ${m.highWater} B − peak requested ${m.peakRequested} B) / peak`,
    `  overhead at peak: alignment ${m.alignmentAtPeak} B, headers ${m.headerAtPeak} B, metadata ${m.metadataBytes} B, policy waste ${m.policyWaste} B`,
    `internal   ${f.internalFragmentation} B (${pct(f.internalFragmentationRatio)} of ${f.blockBytes} B in ${f.liveBlocks} live blocks: alignment ${f.alignmentBytes} B + headers ${f.headerBytes} B) at the end`,
    `external   ${pct(f.externalFragmentation)} at the end (1 − largest free ${f.largestFree} B / free ${f.freeBytes} B); over time mean ${pct(extMean)}, max ${pct(extMax)}`,
    `free       ${f.freeBlocks} blocks${hist ? ', sizes ' + hist : ''}${f.source === 'live-set' ? ' (approximated from gaps: the allocator has no walk())' : ''}`,
    `locality   live set touches ${f.pagesTouched} pages of ${f.pageBytes} B, needs ${f.minPages} (spread ${f.pageSpread.toFixed(2)}); mean distance between consecutive allocations ${m.meanAllocDistance.toFixed(0)} B`,
  ];
}
