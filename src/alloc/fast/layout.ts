/**
 * layout.ts — the on-memory layout of heapkit's fast allocator: control block, blocks, small-object pages.
 * Exports the layout constants (`FAST_MAGIC`, word offsets, header bits) and the TLSF size mapping helpers.
 *
 * Glossary: fl/sl = first/second level of the two-level segregated fit (TLSF) index; A = alignment
 * (8 or 16); G = log2(A); a "granule" is A bytes; a "page" is a general block carved into equal slots.
 *
 * Control block, at the heap's base (all words u32, little-endian; offsets in bytes from base):
 * ```
 *  base+0    ┌──────────────────────────────┐
 *            │ magic 0x484b4653 ('HKFS')     │  attachHeap dispatches on this word
 *  base+4    │ align (8|16) | 0x100 no pages │
 *  base+8    │ first block address           │
 *  base+12   │ end = break (exclusive)       │  the heap never shrinks: highWater = end − base
 *  base+16   │ fl bitmap                     │  bit f set ⇔ sl bitmap f ≠ 0
 *  base+20   │ sl bitmaps [FL_COUNT]         │  bit s of word f set ⇔ list (f,s) non-empty
 *  base+128  │ list heads [FL_COUNT × SL]    │  first free block of each (fl,sl) class, 0 = empty
 *  base+992  │ small-page heads [PAGE_CLASSES]│  first page of each slot size with a free slot (CTRL_BYTES = 1024)
 *            └──────────────────────────────┘
 * ```
 *
 * Block (general heap), payload aligned to A, so the header sits 4 bytes below an A boundary:
 * ```
 *  allocated                              free
 *  ┌───────────────────────────┬─┬─┬─┐    ┌───────────────────────────┬─┬─┬─┐
 *  │ size (bytes, multiple A)  │K│P│1│    │ size                      │0│P│0│  header
 *  ├───────────────────────────┴─┴─┴─┤    ├───────────────────────────┴─┴─┴─┤
 *  │ payload (size − 4 bytes)        │    │ next free in class (address)    │
 *  │                                 │    │ prev free in class (address)    │
 *  │                                 │    │ ...                             │
 *  │                                 │    │ size (footer, last word)        │
 *  └─────────────────────────────────┘    └─────────────────────────────────┘
 *  bit0 = allocated, bit1 = P: the previous block is allocated (so only free blocks need footers),
 *  bit2 = K: this allocated block is a small-object page (see below). Minimum block 16 bytes.
 *  The last word below the break is the epilogue: size 0, allocated, with its own P bit.
 * ```
 *
 * Small-object page: an allocated general block (K set) whose payload is a page header then equal slots.
 * Slots carry no header at all; a freed slot holds the next free slot's address in its first word.
 * ```
 *  ┌──────────┬─────────────────────────────────────────────────────────────┐
 *  │ block hdr│ page header (PAGE_HDR = 16 bytes)                         │ slot 0 │ slot 1 │ ...
 *  │ size|K|1 │ prev page u32 │ next page u32 │ free slot u32 │ slot u16 │ used u16 │
 *  └──────────┴─────────────────────────────────────────────────────────────┘
 *  capacity = ⌊(block size − 4 − PAGE_HDR) / slot⌋. Invariant: used + |free list| + untouched == capacity;
 *  listed in its class ⇔ the free word is non-zero (a freed slot or a bump marker).
 *  Pages are ≥ 512 bytes, so each 256-byte chunk holds the start of at most one page (the page map relies on it).
 * ```
 */

/** First word of a fast heap ('HKFS'): `attachHeap` dispatches on it. */
export const FAST_MAGIC = 0x484b4653;

/** Header bit: this block is allocated. */
export const ALLOC = 1;
/** Header bit: the previous block is allocated (its footer is absent). */
export const PREV_ALLOC = 2;
/** Header bit: this allocated block is a small-object page. */
export const PAGE = 4;
/** Mask of the header's flag bits. */
export const FLAGS = 7;

/** Smallest block: header + next + prev + footer. */
export const MIN_BLOCK = 16;
/** log2 of the second-level subdivisions. */
export const SL_LOG = 3;
/** Second-level subdivisions per first level. */
export const SL = 1 << SL_LOG;
/** First-level classes (covers block sizes up to 2^32 − 1 for both alignments). */
export const FL_COUNT = 30 - SL_LOG;

/** Control-block word offsets (from the base word). */
export const W_MAGIC = 0;
export const W_ALIGN = 1;
export const W_FIRST = 2;
export const W_END = 3;
export const W_FLMAP = 4;
export const W_SLMAP = 5;
export const W_HEADS = 32;
/** Slot-size classes served by small-object pages. */
export const PAGE_CLASSES = 8;
export const W_PAGES = W_HEADS + FL_COUNT * SL;
/** Bytes of the control block. */
export const CTRL_BYTES = (W_PAGES + PAGE_CLASSES) * 4;

/** Page-header byte offsets from the page's payload start. */
export const PG_PREV = 0;
export const PG_NEXT = 4;
export const PG_FREE = 8;
export const PG_SLOT = 12; // u16 slot size
export const PG_USED = 14; // u16 live slots
/** Page-header bytes (keeps slots aligned to 16). */
export const PAGE_HDR = 16;

/** Index of the least significant set bit of a non-zero 32-bit value. */
export function ctz(x: number): number {
  return 31 - Math.clz32(x & -x);
}

/** Codes of the JS-side start map (2 bits per granule): never a block start, live block, freed, live slot. */
export const CODE_NONE = 0;
export const CODE_LIVE = 1;
export const CODE_FREED = 2;
export const CODE_SLOT = 3;
