/**
 * segregated.ts — segregated free lists (segregated fits): one list per size class, a bitmap of the
 * non-empty classes, first or best fit inside a class. Exports `SegregatedIndex`, `sizeClass`.
 *
 * Classes: blocks under 1 KiB get one class per 16 bytes (exact for 16-byte alignment); from 1 KiB
 * up, one class per power of two. A request scans its own class, then takes the first block of the
 * next non-empty class (found with the bitmap in O(1)), whose every block fits: so malloc is
 * O(length of one class list) and approximates best fit, as the lectures say.
 *
 * hcb words: [H_INDEX_AREA .. +CLASSES) list heads, then BITMAP_WORDS words of non-empty bits.
 */
import type { HeapViolation } from '../allocator.js';
import { F_NEXT, FLAGS, H_INDEX_AREA, MIN_LIST_BLOCK } from '../layout.js';
import type { FitPolicy, ListOrder } from '../options.js';
import type { FreeIndex, FreeIndexView, IndexHost } from './free-index.js';
import { listBlocks, listCheck, listInsertByAddress, listPush, listRemove } from './lists.js';

const SMALL_LIMIT = 1024;
const CLASSES = 64 + 22; // 0..63 small (16-byte steps), 64..85 powers of two 2^10 .. 2^31
const BITMAP_WORDS = 3;

/** The size class of a block of `size` bytes. */
export function sizeClass(size: number): number {
  return size < SMALL_LIMIT ? size >>> 4 : 64 + (31 - Math.clz32(size)) - 10;
}

/** Segregated free lists with a non-empty bitmap. */
export class SegregatedIndex implements FreeIndex {
  readonly kind = 'segregated';
  readonly minBlock = MIN_LIST_BLOCK;
  readonly words = CLASSES + BITMAP_WORDS;
  private readonly heads: number;
  private readonly bits: number;
  constructor(
    private readonly h: IndexHost,
    private readonly fit: FitPolicy,
    private readonly order: ListOrder,
  ) {
    this.heads = h.hcb + H_INDEX_AREA;
    this.bits = this.heads + CLASSES;
  }

  init(): void {
    this.h.m.fill(0, this.heads, this.heads + this.words);
  }
  attached(): void {}
  view(): FreeIndexView {
    const lists: { label: string; blocks: number[] }[] = [];
    for (let c = 0; c < CLASSES; c++) {
      if (this.h.m[this.heads + c] === 0) continue;
      const label = c < 64 ? `${c * 16}–${c * 16 + 15} B` : `${2 ** (c - 54)}–${2 ** (c - 53) - 1} B`;
      lists.push({ label, blocks: listBlocks(this.h.m, this.heads + c) });
    }
    return { kind: 'lists', lists };
  }
  coalesced(): void {}

  insert(b: number, size: number): void {
    const m = this.h.m;
    const c = sizeClass(size);
    if (this.order === 'lifo') listPush(m, this.heads + c, b);
    else listInsertByAddress(m, this.heads + c, b);
    m[this.bits + (c >>> 5)] |= 1 << (c & 31);
  }

  remove(b: number, size: number): void {
    const m = this.h.m;
    const c = sizeClass(size);
    listRemove(m, this.heads + c, b);
    if (m[this.heads + c] === 0) m[this.bits + (c >>> 5)] &= ~(1 << (c & 31));
  }

  find(asize: number): number {
    const m = this.h.m;
    const c = sizeClass(asize);
    // own class: blocks may be smaller than asize (classes are ranges), so scan
    let best = 0;
    let bestSize = 0xffffffff;
    for (let b = m[this.heads + c]; b !== 0; b = m[(b + F_NEXT) >>> 2]) {
      const size = m[b >>> 2] & ~FLAGS;
      if (size >= asize) {
        if (this.fit !== 'best' || size === asize) return b;
        if (size < bestSize) {
          best = b;
          bestSize = size;
        }
      }
    }
    if (best !== 0) return best;
    // next non-empty class above c: every block there fits
    for (let w = (c + 1) >>> 5; w < BITMAP_WORDS; w++) {
      let word = m[this.bits + w];
      if (w === (c + 1) >>> 5) word &= ~0 << ((c + 1) & 31);
      if (word !== 0) {
        const k = (w << 5) + (31 - Math.clz32(word & -word));
        if (this.fit !== 'best') return m[this.heads + k];
        for (let b = m[this.heads + k]; b !== 0; b = m[(b + F_NEXT) >>> 2]) {
          const size = m[b >>> 2] & ~FLAGS;
          if (size < bestSize) {
            best = b;
            bestSize = size;
          }
        }
        return best;
      }
    }
    return 0;
  }

  check(free: Map<number, number>, out: HeapViolation[]): void {
    const m = this.h.m;
    const seen = new Set<number>();
    for (let c = 0; c < CLASSES; c++) {
      const n = listCheck(m, this.heads + c, free, seen, out, `size class ${c}`, this.order === 'address', (s) => sizeClass(s) === c);
      const bit = (m[this.bits + (c >>> 5)] >>> (c & 31)) & 1;
      if (bit !== (n > 0 ? 1 : 0)) out.push({ address: (this.bits + (c >>> 5)) << 2, message: `non-empty bitmap bit of class ${c} is ${bit} but the list has ${n} blocks` });
    }
    for (const b of free.keys()) if (!seen.has(b)) out.push({ address: b, message: 'free block missing from its size-class list' });
  }
}
