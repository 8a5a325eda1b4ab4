/**
 * shadow.ts — a shadow map of the heap's live payload bytes, one mark byte per 8-byte granule.
 * Exports `ShadowMap`, `GRANULE`.
 *
 * ```
 *   heap     |  block A (13 B)  |pad| block B (8 B) |  free  ...
 *   granule  |   0    |    1    | 2 |       3       |   4    ...   (8 bytes each)
 *   marks    |   1    |    1    | 0 |       1       |   0    ...
 * ```
 * A block `[p, p + n)` marks granules `⌊p/8⌋ … ⌈(p+n)/8⌉ − 1`. Payloads are 8-aligned (the
 * validator checks alignment first), so two correctly placed blocks never share a granule, and a
 * block overlaps a live one iff one of its granules is marked: the overlap check costs n/8 byte
 * reads, the same order as filling the payload, independent of how many blocks are live.
 * Memory: brk/8 bytes, grown by doubling as the heap grows.
 */

/** Bytes per shadow mark. */
export const GRANULE = 8;

/** Marks of live payload granules over `[0, limit)`. */
export class ShadowMap {
  private marks: Uint8Array;
  /** The same marks, four granules per word (length of `marks` is a multiple of 4). */
  private words: Uint32Array;

  constructor(initialBytes = 1 << 20) {
    this.marks = new Uint8Array(Math.ceil(initialBytes / GRANULE / 4) * 4);
    this.words = new Uint32Array(this.marks.buffer);
  }

  /** Makes the map cover addresses below `end`. */
  private cover(end: number): void {
    const need = Math.ceil(end / GRANULE);
    if (need <= this.marks.length) return;
    const next = new Uint8Array(Math.ceil(Math.max(need, this.marks.length * 2) / 4) * 4);
    next.set(this.marks);
    this.marks = next;
    this.words = new Uint32Array(next.buffer);
  }

  /** Address of the first marked granule of `[p, p + n)`, or -1 when none is (no overlap). */
  firstMarked(p: number, n: number): number {
    if (n <= 0) return -1;
    const m = this.marks;
    const w = this.words;
    let g = Math.floor(p / GRANULE);
    const g1 = Math.min(Math.ceil((p + n) / GRANULE), m.length);
    // Bytes up to a 4-granule boundary, then 4 granules per load, then the rest.
    for (; g < g1 && (g & 3) !== 0; g++) if (m[g] !== 0) return g * GRANULE;
    const gw = g1 - (g1 & 3);
    for (; g < gw; g += 4) {
      if (w[g >>> 2] !== 0) {
        for (let x = g; x < g + 4; x++) if (m[x] !== 0) return x * GRANULE;
      }
    }
    for (; g < g1; g++) if (m[g] !== 0) return g * GRANULE;
    return -1;
  }

  /** Marks `[p, p + n)` live. */
  mark(p: number, n: number): void {
    if (n <= 0) return;
    this.cover(p + n);
    this.marks.fill(1, Math.floor(p / GRANULE), Math.ceil((p + n) / GRANULE));
  }

  /** Clears the marks of `[p, p + n)`. */
  clear(p: number, n: number): void {
    if (n <= 0) return;
    const m = this.marks;
    m.fill(0, Math.floor(p / GRANULE), Math.min(Math.ceil((p + n) / GRANULE), m.length));
  }

  /** Number of marked granules (for tests and invariant checks; O(limit)). */
  countMarked(): number {
    let c = 0;
    const m = this.marks;
    for (let g = 0; g < m.length; g++) c += m[g]!;
    return c;
  }
}
