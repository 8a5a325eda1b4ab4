/**
 * tlsf.ts — TLSF, two-level segregated fit (Masmano et al. 2004): O(1) malloc and free.
 * Exports `TlsfIndex`, `mappingInsert`. Names follow the paper: fl, sl, mapping_insert, mapping_search.
 *
 * First level fl = ⌊log2 size⌋ (shifted so all small sizes share fl 0), second level sl = the next
 * SL_LOG bits of size: 32 lists per power of two, so a class spans at most 1/32 of its size.
 * Small blocks (below SMALL = 32·A bytes) get one exact list per A bytes in fl 0.
 * mapping_search rounds the request up to the next class boundary, so the head of any non-empty class
 * at or above it fits without a scan ("good fit"): the waste bound is 1/32 of the block.
 *
 * hcb words: [0] fl bitmap, [1 .. FL) sl bitmaps, [1+FL .. 1+FL+FL·32) list heads (fl·32 + sl).
 * Invariant: sl bit (fl, sl) = 1 ⇔ list (fl, sl) non-empty; fl bit fl = 1 ⇔ sl bitmap of fl ≠ 0.
 */
import type { HeapViolation } from '../allocator.js';
import { H_INDEX_AREA, MIN_LIST_BLOCK } from '../layout.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './free-index.js';
import { listBlocks, listCheck, listPush, listRemove } from './lists.js';

const SL_LOG = 5;
const SL = 1 << SL_LOG;
const FL = 26;

/** fl·SL + sl of a block of `size` bytes, for granule log2 `g` (3 or 4). */
export function mappingInsert(size: number, g: number): number {
  if (size < 1 << (SL_LOG + g)) return size >>> g;
  const f = 31 - Math.clz32(size);
  return ((f - (SL_LOG + g) + 1) << SL_LOG) | ((size >>> (f - SL_LOG)) ^ SL);
}

/** TLSF bitmaps and lists in the hcb. */
export class TlsfIndex implements FreeIndex {
  readonly kind = 'tlsf';
  readonly minBlock = MIN_LIST_BLOCK;
  readonly words = 1 + FL + FL * SL;
  private readonly flMap: number;
  private readonly slMap: number;
  private readonly heads: number;
  private readonly g: number;
  constructor(private readonly h: IndexHost) {
    this.flMap = h.hcb + H_INDEX_AREA;
    this.slMap = this.flMap + 1;
    this.heads = this.slMap + FL;
    this.g = h.align === 16 ? 4 : 3;
  }

  init(): void {
    this.h.m.fill(0, this.flMap, this.flMap + this.words);
  }
  attached(): void {}
  view(): FreeIndexView {
    const lists: { label: string; blocks: number[] }[] = [];
    for (let k = 0; k < FL * SL; k++) {
      if (this.h.m[this.heads + k] === 0) continue;
      const blocks = listBlocks(this.h.m, this.heads + k);
      lists.push({ label: `fl ${k >>> SL_LOG}, sl ${k & (SL - 1)} (≥ ${this.h.m[blocks[0] >>> 2] & ~7} B…)`, blocks });
    }
    return { kind: 'lists', lists };
  }
  coalesced(): void {}

  insert(b: number, size: number): void {
    const m = this.h.m;
    const k = mappingInsert(size, this.g);
    listPush(m, this.heads + k, b);
    m[this.slMap + (k >>> SL_LOG)] |= 1 << (k & (SL - 1));
    m[this.flMap] |= 1 << (k >>> SL_LOG);
  }

  remove(b: number, size: number): void {
    const m = this.h.m;
    const k = mappingInsert(size, this.g);
    listRemove(m, this.heads + k, b);
    if (m[this.heads + k] === 0) {
      const fl = k >>> SL_LOG;
      const s = (m[this.slMap + fl] &= ~(1 << (k & (SL - 1))));
      if (s === 0) m[this.flMap] &= ~(1 << fl);
    }
  }

  find(asize: number): number {
    const m = this.h.m;
    let size = asize;
    if (size >= 1 << (SL_LOG + this.g)) {
      size += (1 << (31 - Math.clz32(size) - SL_LOG)) - 1; // mapping_search: round up to the next class
      if (size > 0xffffffff) return 0;
    }
    const k = mappingInsert(size >>> 0, this.g);
    let fl = k >>> SL_LOG;
    let slBits = m[this.slMap + fl] & (~0 << (k & (SL - 1)));
    if (slBits === 0) {
      const flBits = fl + 1 >= 32 ? 0 : m[this.flMap] & (~0 << (fl + 1));
      if (flBits === 0) return 0;
      fl = 31 - Math.clz32(flBits & -flBits);
      slBits = m[this.slMap + fl];
    }
    const sl = 31 - Math.clz32(slBits & -slBits);
    return m[this.heads + (fl << SL_LOG) + sl];
  }

  check(free: Map<number, number>, out: HeapViolation[]): void {
    const m = this.h.m;
    const seen = new Set<number>();
    for (let fl = 0; fl < FL; fl++) {
      for (let sl = 0; sl < SL; sl++) {
        const k = (fl << SL_LOG) | sl;
        const n = listCheck(m, this.heads + k, free, seen, out, `tlsf list (${fl},${sl})`, false, (s) => mappingInsert(s, this.g) === k);
        if (((m[this.slMap + fl] >>> sl) & 1) !== (n > 0 ? 1 : 0)) out.push({ address: (this.slMap + fl) << 2, message: `sl bitmap bit (${fl},${sl}) disagrees with its list (${n} blocks)` });
      }
      if (((m[this.flMap] >>> fl) & 1) !== (m[this.slMap + fl] !== 0 ? 1 : 0)) out.push({ address: this.flMap << 2, message: `fl bitmap bit ${fl} disagrees with its sl bitmap` });
    }
    for (const b of free.keys()) if (!seen.has(b)) out.push({ address: b, message: 'free block missing from its TLSF list' });
  }
}
