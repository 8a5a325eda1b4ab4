/**
 * heap-memory.ts — a process's brk heap presented as heapkit linear memory, so allocators and managed heaps run on it unchanged.
 * Exports `HeapMemory`, `HeapPager`.
 *
 * The problem: allocators touch memory only through `LinearMemory`'s typed views (`mem.u32[p >>> 2]`),
 * plain typed-array element accesses that no JavaScript code can intercept — so they cannot take page
 * faults one access at a time. The bridge models a write-back cache in front of the page table, the way
 * a CPU's data cache sits in front of RAM:
 *
 * ```
 *    allocator ── u8/u32/f64 views ──▶  HeapMemory (working view: a flat buffer, identity-addressed:
 *                                        view byte v = the process's virtual address v, for v in [heapStart, brk))
 *                                              │  sync(): write-back, page by page            ▲ materialise
 *                                              ▼  (only pages whose bytes changed)            │ (copy frames in)
 *    process page table ── PTEs ──▶  frames of PhysicalMemory (shared copy-on-write after fork)
 * ```
 * - **Creation** (`process.heapMemory()`) materialises the view: every present heap page's frame is
 *   copied in, absent pages read as zeros. No fault is taken and no frame is allocated or copied.
 * - **Write-back** (`sync()`; implicitly before `fork` and `mprotect`): each
 *   heap page whose view bytes differ from what the page table maps (its frame, or zeros for a page never
 *   touched) is written through the page table, exactly like a store: demand-zero fault, COW fault (copy
 *   the shared frame, or re-enable writes if the count is 1), or a SegmentationFault with the address of
 *   the first changed byte when the area forbids writing. Pages whose bytes did not change are not
 *   written, so they never fault and never copy. (A page written and restored to its old bytes between
 *   two syncs counts as untouched — the cache has no dirty bits to tell.)
 * - **fork** syncs the parent first; the child's page table shares the frames copy-on-write, and the
 *   child's own view is materialised from those frames when it asks for it. Because every heapkit
 *   allocator keeps its state in the buffer, `attachHeap(child.heapMemory())` resumes the same heap in
 *   the child; from then on the two heaps diverge and only the pages each one changes get copied.
 * - **Growth**: `sbrk`/`setBrk` on the view move the process's break (new pages are demand-zero heap
 *   area); a shrink, like `munmap` of heap pages, discards the pages (their view bytes become zeros, unsynced
 *   changes there are dropped, as the pages no longer exist).
 * - The process's own `load*`/`store*` on heap addresses go to this view too (permission-checked against
 *   the areas), so both paths agree without a sync.
 * Limits: reads through the view are not protection-checked (the view holds a copy); protection
 * violations by view writes surface at the next sync, not at the store that made them.
 */
import { LinearMemory } from '../memory/linear-memory.js';

/** What a heap view needs from its process (implemented by `Process`). */
export interface HeapPager {
  /** First heap address (page aligned). */
  readonly heapStart: number;
  /** Highest break the heap may reach. */
  readonly heapLimit: number;
  /** Bytes per page. */
  readonly pageSize: number;
  /** The process's break now. */
  readonly brk: number;
  /** Moves the process's break (maps or unmaps heap pages); false when impossible. */
  moveBreak(addr: number): boolean;
  /** Copies the bytes the page table maps at page `vaddr` into `dst[vaddr ...]` (zeros when not present). */
  readPage(vaddr: number, dst: Uint8Array): void;
  /** Writes `src[vaddr ...]`'s page through the page table if it differs from what is mapped; returns true if it wrote. */
  writeBackPage(vaddr: number, src: Uint8Array): boolean;
}

/** The brk heap of a process as a `LinearMemory` (see the file header for the cache model). */
export class HeapMemory extends LinearMemory {
  private readonly pager: HeapPager;
  /** Heap pages written back by `sync()` so far. */
  pagesWrittenBack = 0;

  /** @internal — use `process.heapMemory()`. */
  constructor(pager: HeapPager) {
    super({ base: pager.heapStart, initialBytes: Math.max(pager.brk - pager.heapStart, pager.pageSize), maxBytes: pager.heapLimit });
    this.pager = pager;
    super.setBrk(pager.brk);
    const ps = pager.pageSize;
    const top = Math.ceil(pager.brk / ps) * ps;
    for (let v = pager.heapStart; v < top; v += ps) pager.readPage(v, this.u8);
  }

  /** Moves the break by `delta` ≥ 0 bytes, mapping demand-zero heap pages; returns the old break or -1. */
  override sbrk(delta: number): number {
    const old = this.brk;
    if (!(delta >= 0)) return -1;
    if (!this.pager.moveBreak(old + delta)) return -1;
    if (super.sbrk(delta) === -1) {
      this.pager.moveBreak(old);
      return -1;
    }
    return old;
  }

  /**
   * False: as with a kernel's brk, the page holding the break keeps its old bytes above the break (only
   * whole pages above it are unmapped), and the view starts as a copy of the process's pages.
   */
  override get zeroAboveBreak(): boolean {
    return false;
  }

  /** Sets the break; a lower break unmaps the heap pages above it (their view bytes become zeros). */
  override setBrk(addr: number): boolean {
    const old = this.brk;
    if (!(addr >= this.base) || addr > this.maxBytes) return false;
    if (!this.pager.moveBreak(addr)) return false;
    if (!super.setBrk(addr)) {
      this.pager.moveBreak(old);
      return false;
    }
    if (addr < old) {
      const ps = this.pager.pageSize;
      this.u8.fill(0, Math.ceil(addr / ps) * ps, Math.ceil(old / ps) * ps);
    }
    return true;
  }

  /**
   * Writes back every heap page whose bytes changed since the last sync, through the page table
   * (faults and COW copies happen here and are counted). Returns the pages written.
   * Throws SegmentationFault (pages before it stay written) when a changed page may not be written.
   */
  sync(): number {
    const ps = this.pager.pageSize;
    const top = Math.ceil(this.brk / ps) * ps;
    let n = 0;
    for (let v = this.base; v < top; v += ps) if (this.pager.writeBackPage(v, this.u8)) n++;
    this.pagesWrittenBack += n;
    return n;
  }

  /** Zeroes the view's bytes in `[from, to)` (pages the process unmapped). */
  zero(from: number, to: number): void {
    const lo = Math.max(from, this.base);
    const hi = Math.min(to, this.u8.length);
    if (hi > lo) this.u8.fill(0, lo, hi);
  }
}
