/**
 * physical-memory.ts — the machine's RAM: a pool of equal frames in ONE ArrayBuffer, with reference and map counts.
 * Exports `PhysicalMemory`.
 *
 * ```
 *   bytes (one ArrayBuffer, frames × pageSize)
 *   +-----------+-----------+-----------+-- ... --+-----------------+
 *   |  frame 0  |  frame 1  |  frame 2  |         | frame frames-1  |
 *   +-----------+-----------+-----------+-- ... --+-----------------+
 *   ^ 0         ^ pageSize  ^ 2·pageSize            frame n starts at n·pageSize
 *
 *   refs[n]  references to frame n: one per page-table entry mapping it + one if a memory object caches it
 *   maps[n]  page-table entries mapping frame n (Linux's _mapcount); maps[n] <= refs[n]
 *   free     stack of free frame numbers: free[0 .. freeTop)
 * ```
 * Invariants (checked by {@link PhysicalMemory.check}):
 * `inUse + freeTop == frames`; a frame is on the free stack ⇔ `refs == 0`; `shared == #{n : maps[n] >= 2}`.
 */

/** Frames with reference counts, and the byte views over them that the TLB fast path reads. */
export class PhysicalMemory {
  /** Number of frames. */
  readonly frames: number;
  /** Bytes per frame (= page size). */
  readonly pageSize: number;
  /** log2(pageSize). */
  readonly shift: number;
  /** All frames' bytes. */
  readonly bytes: ArrayBuffer;
  /** Byte view of all frames. */
  readonly u8: Uint8Array;
  /** 16-bit view. */
  readonly u16: Uint16Array;
  /** 32-bit view. */
  readonly u32: Uint32Array;
  /** 64-bit float view. */
  readonly f64: Float64Array;
  /** References per frame. */
  readonly refs: Int32Array;
  /** Page-table mappings per frame. */
  readonly maps: Int32Array;
  /** Frames with at least one reference. */
  inUse = 0;
  /** Frames mapped by two or more page-table entries. */
  shared = 0;
  /** Most frames ever in use at once. */
  highWater = 0;
  private readonly free: Int32Array;
  private freeTop: number;

  constructor(frames: number, pageSize: number) {
    this.frames = frames;
    this.pageSize = pageSize;
    this.shift = Math.log2(pageSize);
    this.bytes = new ArrayBuffer(frames * pageSize);
    this.u8 = new Uint8Array(this.bytes);
    this.u16 = new Uint16Array(this.bytes);
    this.u32 = new Uint32Array(this.bytes);
    this.f64 = new Float64Array(this.bytes);
    this.refs = new Int32Array(frames);
    this.maps = new Int32Array(frames);
    this.free = new Int32Array(frames);
    // Lowest frame numbers on top of the stack, so a fresh machine hands out 0, 1, 2, ...
    for (let i = 0; i < frames; i++) this.free[i] = frames - 1 - i;
    this.freeTop = frames;
  }

  /** Frames on the free stack. */
  get freeFrames(): number {
    return this.freeTop;
  }

  /**
   * Takes a free frame (contents unspecified); -1 when none is left. It has no reference yet: the
   * caller gives it one at once with `map` (a page-table entry) or `ref` (an object's cache).
   */
  alloc(): number {
    if (this.freeTop === 0) return -1;
    const f = this.free[--this.freeTop];
    this.refs[f] = 0;
    this.maps[f] = 0;
    if (++this.inUse > this.highWater) this.highWater = this.inUse;
    return f;
  }

  /** Takes a free frame filled with zeros; -1 when none is left. */
  allocZeroed(): number {
    const f = this.alloc();
    if (f >= 0) this.u8.fill(0, f * this.pageSize, (f + 1) * this.pageSize);
    return f;
  }

  /** Copies frame `src`'s bytes over frame `dst`. */
  copy(dst: number, src: number): void {
    const s = src * this.pageSize;
    this.u8.copyWithin(dst * this.pageSize, s, s + this.pageSize);
  }

  /** Adds a reference that is not a mapping (a memory object caching the frame). */
  ref(f: number): void {
    this.refs[f]++;
  }

  /** Drops a reference; the frame returns to the free stack when none is left. Returns true when it was freed. */
  unref(f: number): boolean {
    if (--this.refs[f] > 0) return false;
    this.free[this.freeTop++] = f;
    this.inUse--;
    return true;
  }

  /** Adds a page-table mapping (and its reference) to frame `f`. */
  map(f: number): void {
    this.refs[f]++;
    if (++this.maps[f] === 2) this.shared++;
  }

  /** Drops a page-table mapping (and its reference). Returns true when the frame was freed. */
  unmap(f: number): boolean {
    if (this.maps[f]-- === 2) this.shared--;
    return this.unref(f);
  }

  /** Lists violated invariants (empty when healthy). Costs O(frames). */
  check(): string[] {
    const out: string[] = [];
    if (this.inUse + this.freeTop !== this.frames) out.push(`inUse ${this.inUse} + free ${this.freeTop} != frames ${this.frames}`);
    const onStack = new Uint8Array(this.frames);
    for (let i = 0; i < this.freeTop; i++) {
      const f = this.free[i];
      if (onStack[f]) out.push(`frame ${f} twice on the free stack`);
      onStack[f] = 1;
    }
    let shared = 0;
    for (let f = 0; f < this.frames; f++) {
      if (onStack[f] !== (this.refs[f] === 0 ? 1 : 0)) out.push(`frame ${f}: refs ${this.refs[f]} but ${onStack[f] ? '' : 'not '}on the free stack`);
      if (this.maps[f] > this.refs[f] || this.maps[f] < 0) out.push(`frame ${f}: maps ${this.maps[f]} vs refs ${this.refs[f]}`);
      if (this.refs[f] > 0 && this.maps[f] >= 2) shared++;
    }
    if (shared !== this.shared) out.push(`shared count ${this.shared} but ${shared} frames are mapped twice or more`);
    return out;
  }
}
