/**
 * layout.ts — the block layout of heapkit's boundary-tag heaps and the heap control block at their base.
 * Exports the bit and word constants below; every allocator in alloc/ reads blocks through them.
 *
 * Glossary: b = block address (its header word), p = payload address = b + 4, size = whole block
 * bytes (header included), asize = adjusted request (what a request of n bytes needs as a block),
 * A = payload alignment (8 or 16), E = epilogue address, hcb = heap control block.
 *
 * A block (all words are 32-bit little-endian; offsets are 32-bit, so one word holds any pointer):
 * ```
 *            allocated block                         free block
 *   b   ┌─────────────────────────┬─┬─┐      ┌─────────────────────────┬─┬─┐
 *       │ size (multiple of 8)    │P│A│      │ size                    │P│0│  header
 *   p   ├─────────────────────────┴─┴─┤      ├─────────────────────────┴─┴─┤
 *       │ payload (≥ n bytes,         │      │ index fields: list next/prev │  p + 0, p + 4 …
 *       │ p ≡ 0 mod A)                │      │ or tree left/right/parent/h  │
 *       │                             │      │ …                            │
 *       │                             │      ├─────────────────────────────┤
 *       │                             │      │ size                         │  footer (the size alone:
 *   b+size ───────────────────────────┘      └─────────────────────────────┘   flags live in the header)
 *   A = ALLOC: this block is allocated.    P = PREV_ALLOC: the block just below is allocated,
 *   so allocated blocks need no footer (footer elision) and coalescing with the block below reads
 *   its footer only when P says it is free.
 * ```
 *
 * The heap:
 * ```
 *  base                        heapStart                                     E      brk
 *   ┌──────────────────────────┬──────┬──────┬─────── … ──────┬──────────────┬──────┐
 *   │ hcb: magic, config,      │ pad  │ blk  │ blk            │ blk          │ epi- │
 *   │ counters, index heads    │      │      │                │              │logue │
 *   └──────────────────────────┴──────┴──────┴─────── … ──────┴──────────────┴──────┘
 *   heapStart ≡ A − 4 (mod A) so every payload is aligned; the first block has P = 1 (nothing
 *   below it can be free); the epilogue is a header of size 0 with A = 1, so walks and coalescing
 *   stop there without a bounds check. The heap grows by moving the epilogue up.
 * ```
 */

/** Header bit: the block is allocated. */
export const ALLOC = 1;
/** Header bit: the block just below is allocated. */
export const PREV_ALLOC = 2;
/** Mask of the flag bits in a header word. */
export const FLAGS = 7;
/** Bytes of a header word. */
export const HDR = 4;

/** Magic word of a boundary-tag heap ('HKHB'). */
export const MAGIC_BLOCK_HEAP = 0x484b4842;
/** Layout version written in the hcb. */
export const LAYOUT_VERSION = 1;

/**
 * Heap control block: u32 words at `base`.
 * ```
 *  word  0 magic        1 version      2 index kind     3 fit          4 list order
 *        5 align        6 split min    7 coalesce       8 heapStart    9 epilogue
 *       10 liveBytes   11 liveBlocks  12 brk           13 rover       14 preset id
 *       15 fresh-zero flag (1: bytes above brk are zero)      16… the free index's own words (list heads, bitmaps, tree root)
 * ```
 */
export const H_MAGIC = 0,
  H_VERSION = 1,
  H_INDEX = 2,
  H_FIT = 3,
  H_ORDER = 4,
  H_ALIGN = 5,
  H_SPLIT = 6,
  H_COALESCE = 7,
  H_START = 8,
  H_EPILOGUE = 9,
  H_LIVE_BYTES = 10,
  H_LIVE_BLOCKS = 11,
  H_BRK = 12,
  H_ROVER = 13,
  H_PRESET = 14,
  H_ZERO_FROM = 15,
  H_INDEX_AREA = 16;

/** Free-block field offsets in bytes from b: list links (explicit, segregated, TLSF). */
export const F_NEXT = 4,
  F_PREV = 8;
/** Tree node field offsets in bytes from b. */
export const T_LEFT = 4,
  T_RIGHT = 8,
  T_PARENT = 12,
  T_HEIGHT = 16;

/** Smallest block any list index can hold: header, next, prev, footer. */
export const MIN_LIST_BLOCK = 16;
